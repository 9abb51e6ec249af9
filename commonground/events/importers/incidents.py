"""A mission's own incident reports, in the Common Ground incidents template.

The template is documented column by column in ``docs/templates/incidents-template.md``, with
an example file beside it. Validation is strict: a published dataset is authoritative and its
quirks are kept (GED's best-outside-low..high rows become warnings), but our own data can and
must be clean, so every inconsistency here is an error the reporting team can fix.

Incidents belong to the organization that imports them (licence ``owner``); the same persist
step serves ACLED exports, which are also each organization's own (see
:func:`persist_owned_events`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.importing import (
    ProblemList,
    ProgressCallback,
    read_csv_frame,
)
from commonground.core.models import ImportRun
from commonground.core.services import ImportCounts, Importer
from commonground.events.importers.base import (
    Checks,
    EventBatch,
    check_dates_ordered,
    check_fatality_range,
    check_points_in_country,
    map_countries,
    priogrid_expr,
    validated_and_hashed,
)
from commonground.events.models import ViolenceType
from commonground.events.services import persist_events, preview_events
from commonground.events.sources import SourceFields
from commonground.registry.models import ActorKind
from commonground.sharing.models import Licence, Organization, Sensitivity

DATASET = "incidents"
ACTOR_SCHEME = "cg"

#: Every column of the template, in its order. All must be in the header (an empty cell is
#: fine where the column is optional); extra columns are kept as source fields.
TEMPLATE_COLUMNS = (
    "incident_id",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "country",
    "admin1",
    "admin2",
    "place",
    "violence_type",
    "perpetrator",
    "perpetrator_kind",
    "target",
    "target_kind",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "civilian_deaths",
    "description",
    "sensitivity",
    "reported_by",
)

#: The template's example rows have ids starting with this; they must never become data.
EXAMPLE_PREFIX = "EXAMPLE"

DATE_PRECISIONS = {"day": 1, "week": 3, "month": 4, "year": 5}
LOCATION_PRECISIONS = {"exact": 1, "near": 2, "admin2": 3, "admin1": 4, "country": 6}
SENSITIVITIES = {
    "public": int(Sensitivity.PUBLIC),
    "partners": int(Sensitivity.PARTNERS),
    "restricted": int(Sensitivity.RESTRICTED),
    "confidential": int(Sensitivity.CONFIDENTIAL),
}
DEFAULT_SENSITIVITY = "restricted"
VIOLENCE_TYPES = {v.value: v.value for v in ViolenceType}
ACTOR_KINDS = {k.value: k.value for k in ActorKind}
ACTOR_COLUMNS = (("perpetrator", "perpetrator_kind"), ("target", "target_kind"))

#: Longest values the database holds: Event.source_id and place, Actor.name; admin names are
#: capped so that the area code built from them (``CAF.<admin1>.<admin2>``) fits its 120.
MAX_LENGTHS = {
    "incident_id": 80,
    "place": 300,
    "perpetrator": 300,
    "target": 300,
    "admin1": 55,
    "admin2": 55,
}

#: The largest value of the database's positive integer columns (PostgreSQL ``integer``).
MAX_COUNT = 2_147_483_647

#: A date is in the future when it has not yet begun anywhere on Earth (UTC+14), so a team
#: east of the server's clock can report today's incident.
EARLIEST_TIME_ZONE = dt.timezone(dt.timedelta(hours=14))


def latest_possible_date() -> dt.date:
    return timezone.now().astimezone(EARLIEST_TIME_ZONE).date()


def parse(path: Path, progress: ProgressCallback) -> EventBatch:
    """Read and validate an incidents file without touching the database."""
    path = Path(path)
    progress("reading", 0, 1)
    frame = read_csv_frame(path, TEMPLATE_COLUMNS)
    progress("reading", 1, 1)
    problems = ProblemList(path.name)
    source_columns = [c for c in frame.columns if c != "_row"]
    progress("validating", 0, frame.height)
    frame = validated_and_hashed(frame, lambda f: _validated(f, problems), source_columns)
    problems.raise_if_any(frame.height)
    source = SourceFields(frame, source_columns)
    progress("validating", frame.height, frame.height)
    return EventBatch(
        dataset=DATASET,
        version=timezone.localdate().isoformat(),
        licence=Licence.OWNER.value,
        frame=_canonical(frame),
        default_sensitivity=SENSITIVITIES[DEFAULT_SENSITIVITY],
        source=source,
    )


def _validated(frame: pl.DataFrame, problems: ProblemList) -> pl.DataFrame:
    checks = Checks(frame, problems)
    checks.required(["incident_id"])
    checks.unique("incident_id")
    checks.report(
        pl.col("incident_id").str.strip_chars().str.to_uppercase().str.starts_with(EXAMPLE_PREFIX),
        "incident_id",
        lambda v: _(
            "{value} is an example row from the template: delete it before importing"
        ).format(value=repr(v)),
    )
    check_max_lengths(checks, MAX_LENGTHS)
    checks.report(
        (pl.col("admin2").str.strip_chars() != "") & (pl.col("admin1").str.strip_chars() == ""),
        "admin1",
        lambda _v: _("admin2 is given but admin1 is empty: give the admin-1 unit it lies in"),
    )
    frame = frame.with_columns(
        checks.number("latitude", -90, 90).alias("latitude_f"),
        checks.number("longitude", -180, 180).alias("longitude_f"),
        *_dates(checks),
        *_fatalities(checks),
        choice(checks, "date_precision", DATE_PRECISIONS).alias("date_precision_code"),
        choice(checks, "location_precision", LOCATION_PRECISIONS).alias("location_code"),
        choice(checks, "violence_type", VIOLENCE_TYPES).alias("violence"),
        choice(checks, "sensitivity", SENSITIVITIES, DEFAULT_SENSITIVITY).alias("sensitivity_code"),
        *_actors(checks),
    )
    checks.frame = frame
    _check_consistency(checks)
    frame = map_countries(frame, problems, "country", iso3=True)
    if not problems:
        check_points_in_country(frame, problems)
    return frame


def _dates(checks: Checks) -> list[pl.Expr]:
    start = checks.date("date_start")
    end = checks.date("date_end", required=False)
    latest = latest_possible_date()
    for column, parsed in (("date_start", start), ("date_end", end)):
        checks.report(
            parsed > pl.lit(latest),
            column,
            lambda v: _("the date {value} is in the future").format(value=v),
        )
    return [start.alias("date_start_d"), pl.coalesce(end, start).alias("date_end_d")]


def _fatalities(checks: Checks) -> list[pl.Expr]:
    return [
        count(checks, "fatalities_best").alias("fatalities_best_i"),
        count(checks, "fatalities_low", required=False).alias("fatalities_low_i"),
        count(checks, "fatalities_high", required=False).alias("fatalities_high_i"),
        count(checks, "civilian_deaths", required=False).alias("civilian_deaths_i"),
    ]


def count(checks: Checks, column: str, *, required: bool = True) -> pl.Expr:
    """A whole number of people, 0 or more, that fits the database's integer column."""
    parsed = checks.integer(column, required=required)
    checks.report(
        parsed > MAX_COUNT,
        column,
        lambda v: _("{value} is larger than the largest count stored ({limit})").format(
            value=v, limit=MAX_COUNT
        ),
    )
    return parsed


def _check_consistency(checks: Checks) -> None:
    """Rules between columns: dates in order, deaths within their range, actors' kinds."""
    check_dates_ordered(checks, "date_start_d", "date_end_d", "date_end")
    renamed = checks.frame.with_columns(
        pl.col("fatalities_best_i").alias("fatalities_best"),
        pl.col("fatalities_low_i").alias("fatalities_low"),
        pl.col("fatalities_high_i").alias("fatalities_high"),
    )
    check_fatality_range(
        Checks(renamed, checks.problems), "fatalities_best", "fatalities_low", "fatalities_high"
    )
    checks.report(
        pl.col("civilian_deaths_i") > pl.col("fatalities_best_i"),
        "civilian_deaths",
        lambda v: _(
            "civilian deaths ({value}) exceed the best estimate of deaths (fatalities_best)"
        ).format(value=v),
    )
    _check_actor_kinds(checks)


def choice(
    checks: Checks, column: str, allowed: Mapping[str, int | str], default: str | None = None
) -> pl.Expr:
    """A word from a fixed list (any case) as its code; empty means ``default`` or is refused."""
    raw = pl.col(column).str.strip_chars().str.to_lowercase()
    if default is None:
        checks.report(raw == "", column, lambda _v: _("a value is required"))
    else:
        raw = pl.when(raw == "").then(pl.lit(default)).otherwise(raw)
    words = list(allowed)
    checks.report(
        (pl.col(column).str.strip_chars() != "") & ~raw.is_in(words),
        column,
        lambda v: _("{value} is not one of: {allowed}").format(
            value=repr(v), allowed=", ".join(words)
        ),
    )
    dtype = pl.Int64 if isinstance(next(iter(allowed.values())), int) else pl.String
    return raw.replace_strict(dict(allowed), default=None, return_dtype=dtype)


def normalized_name(column: str) -> pl.Expr:
    """A name as written, with runs of whitespace (line breaks, double spaces) made one space."""
    return pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars()


def _actors(checks: Checks) -> list[pl.Expr]:
    """Each side's normalised name and kind, checked."""
    exprs: list[pl.Expr] = []
    for name_column, kind_column in ACTOR_COLUMNS:
        name = normalized_name(name_column)
        kind = pl.col(kind_column).str.strip_chars().str.to_lowercase()
        _check_side(checks, name_column, kind_column, name, kind)
        exprs += [name.alias(f"{name_column}_n"), kind.alias(f"{kind_column}_n")]
    return exprs


def _check_side(
    checks: Checks, name_column: str, kind_column: str, name: pl.Expr, kind: pl.Expr
) -> None:
    """A named side needs a kind from the list, and a kind needs a name."""
    checks.report(
        (name != "") & (kind == ""),
        kind_column,
        lambda _v: _("a kind is required when {column} is given (use 'other' if not known)").format(
            column=name_column
        ),
    )
    checks.report(
        (name == "") & (kind != ""),
        kind_column,
        lambda v: _("the kind {value} is given but {column} is empty").format(
            value=repr(v), column=name_column
        ),
    )
    checks.report(
        (kind != "") & ~kind.is_in(list(ACTOR_KINDS)),
        kind_column,
        lambda v: _("{value} is not one of: {allowed}").format(
            value=repr(v), allowed=", ".join(ACTOR_KINDS)
        ),
    )


def _check_actor_kinds(checks: Checks) -> None:
    """One name, one kind: the file is where an actor's kind is first recorded."""
    sides = pl.concat(
        [
            checks.frame.select(
                pl.col(f"{name}_n").alias("name"), pl.col(f"{kind}_n").alias("kind")
            )
            for name, kind in ACTOR_COLUMNS
        ]
    ).filter(pl.col("name") != "")
    mixed = (
        sides.group_by("name")
        .agg(pl.col("kind").n_unique().alias("kinds"))
        .filter(pl.col("kinds") > 1)["name"]
        .to_list()
    )
    for name_column, _kind in ACTOR_COLUMNS:
        checks.report(
            pl.col(f"{name_column}_n").is_in(mixed),
            name_column,
            lambda v: _("{value} is given different kinds in different rows of this file").format(
                value=repr(v)
            ),
        )


def check_max_lengths(checks: Checks, limits: Mapping[str, int]) -> None:
    """Values longer than the database column that will hold them."""
    for column, limit in limits.items():
        _check_length(checks, column, limit)


def _check_length(checks: Checks, column: str, limit: int) -> None:
    checks.report(
        pl.col(column).str.strip_chars().str.len_chars() > limit,
        column,
        lambda v: _("the value is {length} characters long; at most {limit} fit").format(
            length=len((v or "").strip()), limit=limit
        ),
    )


def _actor(name_column: str, kind_column: str, n: int) -> list[pl.Expr]:
    return [
        pl.lit(ACTOR_SCHEME).alias(f"actor{n}_scheme"),
        pl.col(f"{name_column}_n").alias(f"actor{n}_key"),
        pl.col(f"{name_column}_n").alias(f"actor{n}_name"),
        pl.col(f"{kind_column}_n").alias(f"actor{n}_kind"),
    ]


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("incident_id").str.strip_chars().alias("source_id"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
        pl.col("date_start_d").alias("date_start"),
        pl.col("date_end_d").alias("date_end"),
        pl.col("date_precision_code").alias("date_precision"),
        pl.col("latitude_f").alias("latitude"),
        pl.col("longitude_f").alias("longitude"),
        pl.col("location_code").alias("location_precision"),
        normalized_name("place").alias("place"),
        pl.col("country_code"),
        normalized_name("admin1").alias("admin1_name"),
        normalized_name("admin2").alias("admin2_name"),
        priogrid_expr("latitude_f", "longitude_f").alias("priogrid_gid"),
        pl.col("violence").alias("violence_type"),
        pl.col("violence").alias("source_event_type"),
        pl.lit("").alias("source_sub_event_type"),
        *_actor("perpetrator", "perpetrator_kind", 1),
        *_actor("target", "target_kind", 2),
        pl.col("fatalities_best_i").alias("fatalities_best"),
        pl.col("fatalities_low_i").alias("fatalities_low"),
        pl.col("fatalities_high_i").alias("fatalities_high"),
        pl.col("civilian_deaths_i").alias("civilian_deaths"),
        pl.col("description"),
        pl.col("sensitivity_code").alias("sensitivity"),
        pl.col("content_hash"),
    )


def persist_owned_events(
    batch: EventBatch, run: ImportRun, progress: ProgressCallback, *, id_column: str
) -> ImportCounts:
    """``persist_events`` for datasets each organization imports for itself.

    Events are keyed by (dataset, owner, source id), so another organization's file never
    updates, takes over or withdraws these rows, and its ids are never refused or named: a
    refusal would tell an importer that a record it may not see exists. ``id_column`` is the
    file's id column (kept for the importers' calls).
    """
    return persist_events(batch, run, progress, per_owner=True)


def _persist(batch: EventBatch, run: ImportRun, progress: ProgressCallback) -> ImportCounts:
    return persist_owned_events(batch, run, progress, id_column="incident_id")


def preview_owned_events(
    batch: EventBatch, owner: Organization, replace_release: bool
) -> ImportCounts:
    """``preview_events`` for datasets each organization imports for itself: only the owner's
    own events are looked at, so a preview tells nothing of another organization's ids."""
    return preview_events(batch, owner, replace_release, per_owner=True)


INCIDENTS = Importer[EventBatch](
    dataset=DATASET,
    parse=parse,
    persist=_persist,
    version_of=lambda batch: batch.version,
    preview=preview_owned_events,
)
