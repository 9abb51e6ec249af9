"""Writing events: the persist step of every event importer, inside do_import's transaction.

Speed matters here (a global GED release has ~300,000 events per year of coverage), so new
rows never go in as one ORM save each: on SQLite a big load is staged from Arrow columns and
copied with one ``INSERT ... SELECT`` (:func:`..bulk.insert_staged`), a small one goes in with
one ``executemany`` per chunk; PostgreSQL gets ``COPY``. The ORM still owns the schema, and
the column list comes from the model.
"""

from __future__ import annotations

import datetime
import functools
import math
import uuid
from typing import Any, cast

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _

from commonground.core.areas import ensure_areas
from commonground.core.importing import ProgressCallback
from commonground.core.models import ImportRun
from commonground.core.services import ImportCounts, record_withdrawals
from commonground.events import sources
from commonground.events.bulk import (
    CHUNK,
    bulk_load,
    constant_literals,
    deferred_indexes,
    insert_frame,
    plain_rows,
)
from commonground.events.importers.base import EventBatch
from commonground.events.models import Event, LikelyDuplicate
from commonground.registry.models import Actor, ActorIdentifier
from commonground.sharing.models import Organization, Sensitivity

#: SQLite page cache for the connection while it writes events, per event written (KiB): what
#: an event costs in the database with its indexes, figures and source fields (about 1 KB),
#: with a margin. Big enough to keep every page the import writes in memory until the commit,
#: so each is written to the WAL once, instead of being spilled and rewritten (SQLite's default
#: cache is 2 MiB). 256 MiB for 300,000 events cost 0.4-0.8 s more at commit than this.
SQLITE_IMPORT_CACHE_KIB_PER_EVENT = 1.5
#: ...within these bounds (KiB): 64 MiB at least, and at most 1 GiB of memory.
SQLITE_IMPORT_CACHE_KIB = (65_536, 1_048_576)


def sqlite_import_cache_kib(events: int) -> int:
    """The page cache (KiB) for an import that writes ``events`` events."""
    low, high = SQLITE_IMPORT_CACHE_KIB
    return int(min(high, max(low, events * SQLITE_IMPORT_CACHE_KIB_PER_EVENT)))


#: Two events in different datasets are likely the same when this close in place and time.
DUPLICATE_MAX_KM = 25.0
DUPLICATE_MAX_DAYS = 1

#: Event columns written from the canonical frame, in insert order.
EVENT_COLUMNS = (
    "dataset",
    "dataset_version",
    "source_id",
    "import_run_id",
    "source_row",
    "content_hash",
    "withdrawn",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "place",
    "country_code",
    "admin1_id",
    "admin2_id",
    "priogrid_gid",
    "violence_type",
    "source_event_type",
    "source_sub_event_type",
    "actor1_id",
    "actor2_id",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "civilian_deaths",
    "description",
    "owner_id",
    "sensitivity",
    "licence",
)


#: What :attr:`EventBatch.stored_events` holds of each event: what stored figures sum.
STORED_EVENT_FIGURE_COLUMNS = (
    "dataset",
    "country_code",
    "violence_type",
    "owner_id",
    "sensitivity",
    "licence",
    "admin1_id",
    "admin2_id",
    "priogrid_gid",
    "actor1_id",
    "actor2_id",
    "date_start",
    "fatalities_best",
    "civilian_deaths",
)


def persist_events(
    batch: EventBatch, run: ImportRun, progress: ProgressCallback, *, per_owner: bool = False
) -> ImportCounts:
    """Add new events, update changed ones, withdraw vanished ones, flag likely duplicates.

    ``per_owner``: the dataset's ids are each organization's own (incidents, ACLED exports), so
    only the importing owner's events are matched, updated or withdrawn. Otherwise (a shared
    public dataset such as GED) the file's rows match the dataset's events whoever imported them.
    """
    frame = _with_area_ids(batch.frame)
    frame = _with_actor_ids(frame)
    frame = frame.with_columns(
        pl.col("sensitivity").fill_null(batch.default_sensitivity),
        pl.lit(batch.dataset).alias("dataset"),
        pl.lit(batch.version).alias("dataset_version"),
        pl.lit(_db_id(run.pk)).alias("import_run_id"),
        pl.lit(False).alias("withdrawn"),
        pl.lit(_db_id(run.owner_id)).alias("owner_id"),
        pl.lit(batch.licence).alias("licence"),
    )
    if connection.vendor == "sqlite":
        _use_import_cache(frame.height)
    existing = _existing(batch.dataset, _db_id(run.owner_id) if per_owner else None)
    frame = frame.join(
        existing.select(
            "source_id", "existing_id", "existing_hash", "existing_withdrawn", "existing_owner"
        ),
        on="source_id",
        how="left",
    )
    new = frame.filter(pl.col("existing_id").is_null())
    changed = frame.filter(_changes_own_event(_db_id(run.owner_id)))
    held = _held_by_others(frame, _db_id(run.owner_id))
    if held:
        batch.notes.append(held_by_others_note(held))
    counts = ImportCounts(rows_read=frame.height, added=new.height, updated=changed.height)
    counts.unchanged = frame.height - new.height - changed.height
    with deferred_indexes(Event._meta.db_table, bulk_load(new.height)):
        _insert(new, progress)
        if batch.source is not None:
            batch.source.start()  # compressed on the other core while SQLite builds indexes
        progress("indexing", 0, 1)
    progress("indexing", 1, 1)
    _update(changed, progress)
    if batch.source is not None:
        sources.store(batch.source, run.sha256)
    counts.removed = _withdraw_missing(frame, existing, run)
    counts.only_public = frame["sensitivity"].max() == Sensitivity.PUBLIC and not (
        counts.removed and run.withdrawals.filter(public=False).exists()
    )
    counts.likely_duplicates = _flag_duplicates(batch, run)
    others = Event.objects.filter(dataset=batch.dataset).exclude(owner_id=run.owner_id)
    if existing.is_empty() and not (per_owner and others.exists()):
        # Every event the dataset now has is in ``new``: figures can be summed from memory.
        batch.stored_events = new.select(STORED_EVENT_FIGURE_COLUMNS)
    run.problems = [{"level": "warning", "reason": note} for note in batch.notes]
    progress("persisted", 1, 1)  # what follows is do_import's: hooks, the run record, commit
    return counts


def _changes_own_event(owner: Any) -> pl.Expr:
    """A row that matches a stored event of the importing organization and differs from it (or
    brings it back). A shared dataset's event held by another organization is never rewritten
    by this import: its owner keeps it as it is (no take-over of another's records)."""
    own: pl.Expr = pl.col("existing_owner") == owner
    differs = (pl.col("existing_hash") != pl.col("content_hash")) | pl.col("existing_withdrawn")
    return pl.col("existing_id").is_not_null() & own & differs


def _held_by_others(frame: pl.DataFrame, owner: Any) -> int:
    """How many of the file's rows differ from a shared dataset's event another organization
    holds (left unchanged; see :func:`_changes_own_event`)."""
    return frame.filter(
        pl.col("existing_id").is_not_null()
        & (pl.col("existing_owner") != owner)
        & ((pl.col("existing_hash") != pl.col("content_hash")) | pl.col("existing_withdrawn"))
    ).height


def held_by_others_note(n: int) -> str:
    """The warning an import gives for rows it did not apply to other organizations' events."""
    return _(
        "{n} rows differ from events of this dataset that another organization imported; "
        "those events were left as they are (only the organization that holds them, importing "
        "for itself, updates them)"
    ).format(n=f"{n:,}")


def _use_import_cache(events: int) -> None:
    """SQLite: the import's page cache (see SQLITE_IMPORT_CACHE_KIB_PER_EVENT) until it commits.

    The connection then gets its own cache size back, which frees the pages above it: a server
    keeps its connections, and should not keep an import's pages. (After a rollback the cache
    stays big until the connection closes.)
    """
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{sqlite_import_cache_kib(events)}")
    transaction.on_commit(functools.partial(_set_cache_size, int(before)), robust=True)


def _set_cache_size(size: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = {size}")


def _db_id(value: Any) -> Any:
    """A key as the database stores it (UUIDs are 32 hex characters on SQLite)."""
    if value is None:
        return None
    prepared = Actor._meta.pk.get_db_prep_value(value, connection)
    return prepared if isinstance(prepared, str) else str(prepared)


def _with_area_ids(frame: pl.DataFrame) -> pl.DataFrame:
    keys = frame.select("country_code", "admin1_name", "admin2_name").unique()
    mapping = ensure_areas(keys.iter_rows())
    ids = pl.DataFrame(
        [(c, a1, a2, _db_id(i1), _db_id(i2)) for (c, a1, a2), (i1, i2) in mapping.items()],
        schema=["country_code", "admin1_name", "admin2_name", "admin1_id", "admin2_id"],
        orient="row",
    )
    return frame.join(ids, on=["country_code", "admin1_name", "admin2_name"], how="left")


def _with_actor_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """Match each side to an Actor by its source id, creating actors seen for the first time."""
    sides = pl.concat(
        [
            frame.select(
                pl.col(f"actor{n}_scheme").alias("scheme"),
                pl.col(f"actor{n}_key").alias("key"),
                pl.col(f"actor{n}_name").alias("name"),
                pl.col(f"actor{n}_kind").alias("kind"),
            )
            for n in (1, 2)
        ]
    ).filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
    spellings = _spellings(sides)
    sides = sides.unique(subset=["scheme", "key"], keep="first", maintain_order=True)
    known = {
        (scheme, value): actor_id
        for scheme, value, actor_id in ActorIdentifier.objects.filter(
            scheme__in=sides["scheme"].unique().to_list()
        ).values_list("scheme", "value", "actor_id")
    }
    _add_aliases(known, spellings)
    for scheme, key, name, kind in sides.iter_rows():
        if (scheme, key) not in known:
            others = [n for n in spellings.get((scheme, key), []) if n != name]
            actor = Actor.objects.create(name=name, kind=kind, aliases=others)
            ActorIdentifier.objects.create(actor=actor, scheme=scheme, value=key)
            known[(scheme, key)] = actor.pk
    ids = pl.DataFrame(
        [(s, k, _db_id(a)) for (s, k), a in known.items()],
        schema={"scheme": pl.String, "key": pl.String, "actor_id": pl.String},
        orient="row",
    )
    for n in (1, 2):
        frame = frame.join(
            ids.rename(
                {"scheme": f"actor{n}_scheme", "key": f"actor{n}_key", "actor_id": f"actor{n}_id"}
            ),
            on=[f"actor{n}_scheme", f"actor{n}_key"],
            how="left",
        )
    return frame


def _spellings(sides: pl.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Every name the file gives each source id, in the file's order (UCDP renames sides)."""
    named = sides.filter(pl.col("name").is_not_null() & (pl.col("name").str.strip_chars() != ""))
    grouped = named.group_by(["scheme", "key"], maintain_order=True).agg(
        pl.col("name").unique(maintain_order=True)
    )
    return {(scheme, key): names for scheme, key, names in grouped.iter_rows()}


def _add_aliases(
    known: dict[tuple[str, str], Any], spellings: dict[tuple[str, str], list[str]]
) -> None:
    """Keep each other name a file gives a known actor as an alias, so a search finds it.

    The actor keeps the name it was first stored with: links and reports made with it stay
    valid. Only actors with a new spelling are written.
    """
    wanted: dict[Any, list[str]] = {}
    for pair, names in spellings.items():
        if pair in known:
            wanted.setdefault(known[pair], []).extend(names)
    for actor in Actor.objects.filter(pk__in=list(wanted)).only("pk", "name", "aliases"):
        new = [n for n in dict.fromkeys(wanted[actor.pk]) if n != actor.name]
        new = [n for n in new if n not in actor.aliases]
        if new:
            actor.aliases = [*actor.aliases, *new]
            actor.save(update_fields=["aliases", "updated_at"])


def _existing(dataset: str, owner_id: Any) -> pl.DataFrame:
    """The dataset's stored events (only ``owner_id``'s, if given), to match the file against.

    With an owner, source ids are that owner's own: another organization's events are never
    matched, updated or withdrawn, and their ids are not looked at.

    Read with plain SQL, dates as ISO text and flags as 0/1 on both backends, and converted by
    Polars: the ORM's per-value converters took about 3 s for 300,000 events.
    """
    # An expression, not the bare column: Django's SQLite connection parses a column declared
    # as a date into a Python date, one by one.
    day = (
        "CAST(date_start AS TEXT)"
        if connection.vendor == "sqlite"
        else "to_char(date_start, 'YYYY-MM-DD')"
    )
    owner = "owner_id" if connection.vendor == "sqlite" else "CAST(owner_id AS TEXT)"
    table = Event._meta.db_table
    sql = (
        "SELECT source_id, id, content_hash, CASE WHEN withdrawn THEN 1 ELSE 0 END, "  # noqa: S608 (model table name)
        f'country_code, {day}, {owner}, sensitivity FROM "{table}" WHERE dataset = %s'
    )
    params = [dataset]
    if owner_id is not None:
        sql += " AND owner_id = %s"
        params.append(owner_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pl.DataFrame(
        rows,
        schema={
            "source_id": pl.String,
            "existing_id": pl.Int64,
            "existing_hash": pl.String,
            "existing_withdrawn": pl.Int8,
            "existing_country": pl.String,
            "existing_date_start": pl.String,
            "existing_owner": pl.String,
            "existing_sensitivity": pl.Int64,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.col("existing_withdrawn").cast(pl.Boolean),
        pl.col("existing_date_start").str.to_date("%Y-%m-%d"),
    )


def _insert(frame: pl.DataFrame, progress: ProgressCallback) -> None:
    total = frame.height
    progress("writing", 0, total)
    insert_frame(
        Event._meta.db_table,
        EVENT_COLUMNS,
        frame,
        literals=constant_literals(frame, CONSTANT_CANDIDATES),
        progress=lambda done: progress("writing", done, total),
    )
    progress("writing", total, total)


#: Columns that often hold one value for a whole import (the dataset, the run, the owner...).
CONSTANT_CANDIDATES = (
    "dataset",
    "dataset_version",
    "import_run_id",
    "withdrawn",
    "owner_id",
    "licence",
    "sensitivity",
    "source_sub_event_type",
)


def _update(frame: pl.DataFrame, progress: ProgressCallback) -> None:
    """Rewrite changed events in place: same id, new content, un-withdrawn."""
    if frame.is_empty():
        return
    columns = [c for c in EVENT_COLUMNS if c not in {"dataset", "source_id"}]
    assignments = ", ".join(f'"{c}" = %s' for c in columns)
    sql = f'UPDATE "{Event._meta.db_table}" SET {assignments} WHERE "id" = %s'  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, frame.height, CHUNK):
            chunk = frame.slice(start, CHUNK)
            rows = list(plain_rows(chunk, [*columns, "existing_id"]))
            cursor.executemany(sql, rows)
            progress("updating", start + chunk.height, frame.height)


def _withdraw_missing(frame: pl.DataFrame, existing: pl.DataFrame, run: ImportRun) -> int:
    """Withdraw what a replaced release no longer has, and note each withdrawal for undo.

    Only when the user asked for the file to replace the release (``run.replace_release``):
    otherwise a file adds and updates, and withdraws nothing (an extract, a filtered export, a
    corrections file is not the whole release). Withdrawn events are kept for provenance.
    ``existing`` is the dataset's events as read before this import wrote any.
    """
    if not run.replace_release:
        return 0
    vanished = _vanished(frame, existing, _db_id(run.owner_id))
    ids = vanished["existing_id"].to_list()
    for start in range(0, len(ids), 900):
        Event.objects.filter(id__in=ids[start : start + 900]).update(withdrawn=True)
    record_withdrawals(
        run,
        Event._meta.label_lower,
        [
            (key, source_id, sensitivity == Sensitivity.PUBLIC, "")
            for key, source_id, sensitivity in vanished.select(
                "existing_id", "source_id", "existing_sensitivity"
            ).iter_rows()
        ],
    )
    return len(ids)


def _vanished(frame: pl.DataFrame, existing: pl.DataFrame, owner: Any) -> pl.DataFrame:
    """The release's live events that the file lacks: the importing organization's own, of
    this dataset, in the file's countries (another organization's records are never withdrawn,
    whatever the file says)."""
    countries = frame["country_code"].unique().to_list()
    return existing.filter(
        ~pl.col("existing_withdrawn")
        & (pl.col("existing_owner") == owner)
        & pl.col("existing_country").is_in(countries)
    ).join(frame.select("source_id"), on="source_id", how="anti")


def preview_events(
    batch: EventBatch, owner: Organization, replace_release: bool, *, per_owner: bool = False
) -> ImportCounts:
    """What :func:`persist_events` would do with ``batch``, per owner, reading only.

    A new event would be the importing organization's; a matched one is counted under its
    present owner, as unchanged when another organization holds it (it is left as it is).
    With ``per_owner`` (incidents, ACLED) only the importing organization's own events are
    looked at, so a preview says nothing of others' ids. One query and a few joins.
    """
    existing = _existing(batch.dataset, _db_id(owner.pk) if per_owner else None)
    frame = batch.frame.select("source_id", "content_hash", "country_code").join(
        existing, on="source_id", how="left"
    )
    counts = ImportCounts(rows_read=frame.height)
    counts.added = frame.filter(pl.col("existing_id").is_null()).height
    counts.count_owner(owner.pk, "added", counts.added)
    matched = frame.filter(pl.col("existing_id").is_not_null()).with_columns(
        pl.when(_changes_own_event(_db_id(owner.pk)))
        .then(pl.lit("updated"))
        .otherwise(pl.lit("unchanged"))
        .alias("change")
    )
    removed = (
        _vanished(frame, existing, _db_id(owner.pk)).with_columns(pl.lit("removed").alias("change"))
        if replace_release
        else pl.DataFrame(schema={"existing_owner": pl.String, "change": pl.String})
    )
    grouped = (
        pl.concat(
            [matched.select("existing_owner", "change"), removed.select("existing_owner", "change")]
        )
        .group_by("existing_owner", "change")
        .len()
    )
    for stored_owner, change, n in grouped.iter_rows():
        counts.count_owner(uuid.UUID(str(stored_owner)), change, n)
        setattr(counts, change, getattr(counts, change) + n)
    return counts


def _flag_duplicates(batch: EventBatch, run: ImportRun) -> int:
    """Flag pairs across datasets within DUPLICATE_MAX_KM and DUPLICATE_MAX_DAYS; never merge."""
    frame = batch.frame
    countries = frame["country_code"].unique().to_list()
    first = cast(datetime.date, frame["date_start"].min())
    last = cast(datetime.date, frame["date_start"].max())
    window = datetime.timedelta(days=DUPLICATE_MAX_DAYS)
    # One pass over the (dataset, source_id) index; the others' events are then found through it.
    datasets = Event.objects.order_by().values_list("dataset", flat=True).distinct()
    other_datasets = set(datasets) - {batch.dataset}
    if not other_datasets:
        return 0
    others = list(
        Event.objects.filter(
            dataset__in=sorted(other_datasets), country_code__in=countries, withdrawn=False
        )
        .filter(
            date_start__gte=first - window,
            date_start__lte=last + window,
        )
        .values_list("id", "date_start", "latitude", "longitude")
    )
    if not others:
        return 0
    ours = pl.DataFrame(
        list(
            Event.objects.filter(dataset=batch.dataset, import_run=run).values_list(
                "id", "date_start", "latitude", "longitude"
            )
        ),
        schema={"event_id": pl.Int64, "day": pl.Date, "lat": pl.Float64, "lon": pl.Float64},
        orient="row",
    )
    theirs = pl.DataFrame(
        others,
        schema={"other_id": pl.Int64, "other_day": pl.Date, "lat2": pl.Float64, "lon2": pl.Float64},
        orient="row",
    )
    shifted = pl.concat(
        [
            theirs.with_columns((pl.col("other_day") + pl.duration(days=d)).alias("day"))
            for d in range(-DUPLICATE_MAX_DAYS, DUPLICATE_MAX_DAYS + 1)
        ]
    )
    pairs = (
        ours.join(shifted, on="day")
        .with_columns(
            _haversine_km("lat", "lon", "lat2", "lon2").alias("km"),
            (pl.col("day") - pl.col("other_day")).dt.total_days().abs().alias("days"),
        )
        .filter(pl.col("km") <= DUPLICATE_MAX_KM)
    )
    flags = [
        LikelyDuplicate(
            event_id=event_id,
            other_id=other_id,
            distance_km=round(km, 2),
            days_apart=days,
            flagged_by=run,
        )
        for event_id, other_id, km, days in pairs.select(
            "event_id", "other_id", "km", "days"
        ).iter_rows()
    ]
    LikelyDuplicate.objects.bulk_create(flags, ignore_conflicts=True)
    return len({f.event_id for f in flags})


def _haversine_km(lat1: str, lon1: str, lat2: str, lon2: str) -> pl.Expr:
    rad = math.pi / 180
    dlat = (pl.col(lat2) - pl.col(lat1)) * rad
    dlon = (pl.col(lon2) - pl.col(lon1)) * rad
    a = (dlat / 2).sin() ** 2 + (pl.col(lat1) * rad).cos() * (pl.col(lat2) * rad).cos() * (
        dlon / 2
    ).sin() ** 2
    return 2 * 6371.0 * a.sqrt().arcsin()
