"""ACLED (Armed Conflict Location & Event Data) CSV exports, from the export tool or the API.

ACLED's terms allow sharing derived data only, so events are stored under the ``ACLED-terms``
licence: the access policy never shows their raw rows beyond the organization that imported
them. Each organization imports its own export; see :func:`persist_owned_events`.

How ACLED's codes map onto the common scales:

* event types: battles and explosions/remote violence are state-based when either side is a
  state force (``inter`` 1, or a foreign state's forces under ``inter`` 8, see
  :func:`_state_party`) and non-state otherwise, except that explosions/remote violence
  targeting civilians (``civilian_targeting`` or ``inter2`` 7) are one-sided; violence against
  civilians is one-sided; protests and riots are unrest; strategic developments are strategic.
* ``geo_precision``: 1 (the town itself) -> exact; 2 (near a town, a part of it) -> within about
  25 km; 3 (only a wider region named; ACLED places the event at that region's capital or a
  natural feature) -> admin-1 unit, the precision of the coordinates ACLED then uses.
* ``time_precision``: 1 (the day) -> exact day; 2 (a week; ACLED dates the middle) -> within a
  week; 3 (a month) -> within a month.
* ``inter1``/``inter2``: 1 state forces, 2 rebel group, 3 political militia, 4 identity
  militia (communal group), 5 rioters and 6 protesters (protesters), 7 civilians, 8 external or
  other forces. Some recent exports write the label ("State forces") instead of the number;
  both are read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

import polars as pl
import pycountry
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.areas import country_iso3
from commonground.core.importing import (
    ProblemList,
    ProgressCallback,
    peek_header,
    read_csv_frame,
    reject,
)
from commonground.core.models import ImportRun
from commonground.core.services import ImportCounts, Importer
from commonground.events.importers.base import (
    Checks,
    EventBatch,
    check_points_in_country,
    priogrid_expr,
    validated_and_hashed,
)
from commonground.events.importers.incidents import (
    check_max_lengths,
    count,
    persist_owned_events,
    preview_owned_events,
)
from commonground.events.models import DatePrecisionCode, LocationPrecision, ViolenceType
from commonground.events.sources import SourceFields
from commonground.registry.models import ActorKind
from commonground.sharing.models import Licence, Sensitivity

DATASET = "acled"

#: Columns of ACLED's export this importer reads, in every layout since the first (ACLED's
#: exports before 2019 wrote them in capitals: ``EVENT_ID_CNTY``). Every other column is kept
#: as a source field.
REQUIRED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "inter1",
    "actor2",
    "inter2",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "notes",
    "fatalities",
)
#: Read when present: ``sub_event_type`` and ``timestamp`` since 2019, ``iso`` (numeric) and
#: ``iso3`` in the 2019-2022 exports, ``civilian_targeting`` since 2022.
OPTIONAL_COLUMNS = ("sub_event_type", "timestamp", "iso", "iso3", "civilian_targeting")

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
AGAINST_CIVILIANS = "Violence against civilians"
PROTESTS, RIOTS, STRATEGIC = "Protests", "Riots", "Strategic developments"
EVENT_TYPES = (BATTLES, REMOTE, AGAINST_CIVILIANS, PROTESTS, RIOTS, STRATEGIC)
#: The event types of ACLED's codebook before 2019, as today's types.
EARLIER_EVENT_TYPES = {
    "Battle-No change of territory": BATTLES,
    "Battle-Non-state actor overtakes territory": BATTLES,
    "Battle-Government regains territory": BATTLES,
    "Remote violence": REMOTE,
    "Riots/Protests": PROTESTS,
    "Strategic development": STRATEGIC,
    "Headquarters or base established": STRATEGIC,
    "Non-violent transfer of territory": STRATEGIC,
}
#: How ACLED names a country's own military and police: with inter 8 (external/other forces),
#: a foreign state's forces, as opposed to the UN, private security firms or mercenaries.
STATE_FORCE_NAMES = r"^(Military|Police|Naval|Air) Forces of "
#: Columns that identify an event whose ``event_id_cnty`` is empty (see :func:`_missing_ids`).
IDENTITY_COLUMNS = (
    "country",
    "event_date",
    "location",
    "latitude",
    "longitude",
    "event_type",
    "actor1",
    "actor2",
)

#: ACLED actor type codes (``inter1``/``inter2``); 0 means no second actor.
INTER_KINDS = {
    "1": ActorKind.STATE_FORCES.value,
    "2": ActorKind.REBEL_GROUP.value,
    "3": ActorKind.MILITIA.value,
    "4": ActorKind.COMMUNAL_GROUP.value,
    "5": ActorKind.PROTESTERS.value,
    "6": ActorKind.PROTESTERS.value,
    "7": ActorKind.CIVILIANS.value,
    "8": ActorKind.EXTERNAL_FORCES.value,
}
#: The labels newer exports write in place of the codes, lower-cased.
INTER_LABELS = {
    "state forces": "1",
    "rebel group": "2",
    "political militia": "3",
    "identity militia": "4",
    "rioters": "5",
    "protesters": "6",
    "civilians": "7",
    "external/other forces": "8",
}
GEO_PRECISION = {
    1: LocationPrecision.EXACT.value,
    2: LocationPrecision.NEAR.value,
    3: LocationPrecision.ADMIN1.value,
}
TIME_PRECISION = {
    1: DatePrecisionCode.DAY.value,
    2: DatePrecisionCode.WEEK.value,
    3: DatePrecisionCode.MONTH.value,
}
#: Longest values the event and actor tables hold (Event.source_id, place, Actor.name).
MAX_LENGTHS = {
    "event_id_cnty": 80,
    "sub_event_type": 80,
    "location": 300,
    "actor1": 300,
    "actor2": 300,
}


def parse(path: Path, progress: ProgressCallback) -> EventBatch:
    """Read and validate an ACLED export without touching the database."""
    path = Path(path)
    progress("reading", 0, 1)
    header = peek_header(path)
    refuse_summaries(path, header)
    capitals = _capitalised_names(header)
    frame = read_csv_frame(path, [capitals.get(c, c) for c in REQUIRED_COLUMNS])
    progress("reading", 1, 1)
    problems = ProblemList(path.name)
    as_read = [c for c in frame.columns if c != "_row"]
    frame = frame.rename({name: name.lower() for name in capitals.values()})
    source_columns = [c for c in frame.columns if c != "_row"]
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(column))
    progress("validating", 0, frame.height)
    notes: list[str] = []
    dated = "timestamp" in source_columns
    frame = validated_and_hashed(
        frame, lambda f: _validated(f, problems, notes, dated=dated), source_columns
    )
    problems.raise_if_any(frame.height)
    source = SourceFields(frame.rename(dict(zip(source_columns, as_read, strict=True))), as_read)
    progress("validating", frame.height, frame.height)
    return EventBatch(
        dataset=DATASET,
        version=export_date(frame),
        licence=Licence.ACLED.value,
        frame=_canonical(frame),
        default_sensitivity=Sensitivity.PARTNERS,
        notes=notes,
        source=source,
    )


def _capitalised_names(header: list[str]) -> dict[str, str]:
    """ACLED's exports before 2019 wrote the column names in capitals: the name each known
    column has in this file, by its name today (empty for today's lower-case layout)."""
    known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS}
    present = set(header)
    return {
        name.lower(): name
        for name in header
        if name != name.lower() and name.lower() in known and name.lower() not in present
    }


#: Columns of the ACLED summaries HDX and HAPI publish (counts per area and month): any one of
#: these without ``event_id_cnty`` tells a summary from an event export.
SUMMARY_COLUMNS = frozenset({"events", "event_count", "events_count"})


def refuse_summaries(path: Path, header: list[str]) -> None:
    """Refuse, saying what it is, an ACLED summary given in place of ACLED's events.

    HDX and HAPI publish ACLED data as monthly counts of events and fatalities per area (columns
    such as ``Events``, ``Fatalities``, ``Month``/``Year`` or ``reference_period_start``); the
    event importer needs one row per event. Listing the nineteen columns such a file lacks
    would not tell its user what is wrong.
    """
    names = {name.strip().lower() for name in header}
    if "event_id_cnty" in names or not names & SUMMARY_COLUMNS:
        return
    reject(
        path,
        _(
            "this file holds counts of events (per area and month, as HDX and HAPI publish "
            "ACLED data), not ACLED's events: the ACLED importer reads one row per event, as "
            "ACLED's own export (acleddata.com) writes them, with columns such as "
            "event_id_cnty, event_date, actor1, latitude and longitude"
        ),
        row=1,
    )


def export_date(frame: pl.DataFrame) -> str:
    """ACLED exports carry no version: the newest ``timestamp`` (last edit) dates the export.

    Exports before 2019 have no ``timestamp``: they are dated by their newest event.
    """
    newest = frame["timestamp_s"].max()
    if isinstance(newest, int):
        return dt.datetime.fromtimestamp(newest, tz=dt.UTC).date().isoformat()
    latest = frame["date"].max()
    assert isinstance(latest, dt.date)  # validated: every row has a date
    return latest.isoformat()


def _validated(
    frame: pl.DataFrame, problems: ProblemList, notes: list[str], *, dated: bool
) -> pl.DataFrame:
    checks = Checks(frame, problems)
    checks.required(["event_type", "actor1", "country"])
    checks.report(
        (pl.col("event_id_cnty").str.strip_chars() != "")
        & pl.col("event_id_cnty").str.strip_chars().is_duplicated(),
        "event_id_cnty",
        lambda v: _("the id {value} appears more than once in the file").format(value=repr(v)),
    )
    checks.one_of("event_type", [*EVENT_TYPES, *EARLIER_EVENT_TYPES])
    check_max_lengths(checks, MAX_LENGTHS)
    dates, date_notes = _event_date(checks, frame, "event_date")
    notes.extend(date_notes)
    frame = frame.with_columns(
        checks.number("latitude", -90, 90).alias("latitude_f"),
        checks.number("longitude", -180, 180).alias("longitude_f"),
        _code(checks, "geo_precision", GEO_PRECISION).alias("location_precision"),
        _code(checks, "time_precision", TIME_PRECISION).alias("date_precision"),
        count(checks, "fatalities").alias("fatalities_best"),
        (_timestamp(checks, "timestamp") if dated else pl.lit(None, dtype=pl.Int64)).alias(
            "timestamp_s"
        ),
        dates.alias("date"),
        _inter_code("inter1").alias("inter1_code"),
        _inter_code("inter2").alias("inter2_code"),
        pl.col("event_type")
        .str.strip_chars()
        .replace(EARLIER_EVENT_TYPES)
        .alias("event_type_today"),
    )
    checks.frame = frame
    _check_inter(checks)
    frame = _with_country_codes(frame, problems)
    if not problems:
        check_points_in_country(frame, problems)
    return _missing_ids(frame, problems.file, notes)


def _missing_ids(frame: pl.DataFrame, file: str, notes: list[str]) -> pl.DataFrame:
    """Give an event with an empty ``event_id_cnty`` a stable key, and say so.

    ACLED gives every event an id, but a file edited by hand or cut by a tool may lose some.
    Refusing the whole file for that would be out of proportion: the key is made from what
    identifies the event (:data:`IDENTITY_COLUMNS`), so importing the same row again finds the
    same event. Identical rows get ``-2``, ``-3``... in file order.
    """
    given = pl.col("event_id_cnty").str.strip_chars()
    frame = frame.with_columns(given.alias("event_key"))
    empty = frame.filter(given == "")
    if empty.is_empty():
        return frame
    warnings = ProblemList(file)
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for record in empty.select("_row", "country_code", *IDENTITY_COLUMNS).iter_rows(named=True):
        text = "\x1f".join((record[c] or "").strip() for c in IDENTITY_COLUMNS)
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        key = f"{record['country_code'] or 'XXX'}-noid-{digest}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        keys[record["_row"]] = key
        warnings.add(
            record["_row"],
            "event_id_cnty",
            _(
                "the event has no id; it is kept under the key {key}, made from its country, "
                "date, place, type and actors, so that importing it again finds it"
            ).format(key=key),
        )
    notes.extend(f"warning: {w}" for w in warnings.items)
    if warnings.more:
        notes.append(
            "warning: " + _("{count} more events without an id").format(count=warnings.more)
        )
    return frame.with_columns(
        pl.when(given == "")
        .then(pl.col("_row").replace_strict(keys, default=None, return_dtype=pl.String))
        .otherwise(given)
        .alias("event_key")
    )


def _timestamp(checks: Checks, column: str) -> pl.Expr:
    """Unix seconds of the event's last edit at ACLED: not after the file could have been made."""
    parsed = checks.integer(column)
    latest = int(timezone.now().timestamp()) + 86_400
    checks.report(
        parsed > latest,
        column,
        lambda v: _("{value} is in the future as a Unix time (seconds since 1970-01-01)").format(
            value=v
        ),
    )
    return parsed


def _code(checks: Checks, column: str, mapping: dict[int, int]) -> pl.Expr:
    """An ACLED precision code (1-3) as the common scale; other values are reported."""
    parsed = checks.integer(column, minimum=None)
    checks.report(
        parsed.is_not_null() & ~parsed.is_in(list(mapping)),
        column,
        lambda v: _("{value} is not an ACLED precision code (1, 2 or 3)").format(value=v),
    )
    return parsed.replace_strict(mapping, default=None, return_dtype=pl.Int64)


#: ``2023-01-31``, as ACLED writes today, R writes, and pandas (``2023-01-31 00:00:00``).
ISO_DATE = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$"
#: ``31 January 2023`` (ACLED 2019-2022), ``31-Jan-2023`` (a spreadsheet).
NAMED_MONTH_DATE = r"^\d{1,2}[ -][A-Za-z]+\.?,?[ -]\d{4}$"
#: ``31/01/2023`` or ``31.01.2023``: ACLED before 2019, or a file re-saved by a spreadsheet.
NUMERIC_DATE = r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$"


def _event_date(checks: Checks, frame: pl.DataFrame, column: str) -> tuple[pl.Expr, list[str]]:
    """The event date in every form ACLED exports and the tools that re-save them write.

    A date in a form we read but that the calendar lacks (30 February) is refused as not a real
    date; a value in no form we read is refused as such, naming the forms. Dates written with
    numbers only are read day first (ACLED's order, and Excel's outside the United States),
    unless the file's own dates show month first (a second number above 12, never a first).
    """
    raw = pl.col(column).str.strip_chars()
    iso_parts = raw.str.extract_groups(ISO_DATE)
    iso = _from_parts(
        iso_parts.struct.field("1"), iso_parts.struct.field("2"), iso_parts.struct.field("3")
    )
    spaced = raw.str.replace_all(r"[-,.]", " ").str.replace_all(r"\s+", " ")
    named = pl.when(raw.str.contains(NAMED_MONTH_DATE)).then(
        pl.coalesce(
            spaced.str.to_date("%d %B %Y", strict=False),
            spaced.str.to_date("%d %b %Y", strict=False),
        )
    )
    day_first, note = _numeric_order(frame, column)
    numeric = raw.str.extract_groups(NUMERIC_DATE)
    first, second = numeric.struct.field("1"), numeric.struct.field("2")
    day, month = (first, second) if day_first else (second, first)
    numbers = _from_parts(numeric.struct.field("3"), month, day)
    parsed = pl.coalesce(iso, named, numbers)
    readable = (
        raw.str.contains(ISO_DATE)
        | raw.str.contains(NAMED_MONTH_DATE)
        | raw.str.contains(NUMERIC_DATE)
    )
    checks.report(raw == "", column, lambda _v: _("a date is required"))
    checks.report(
        (raw != "") & ~readable,
        column,
        lambda v: _(
            "{value} is not a date in a form we read (2023-01-31, 31 January 2023 or 31/01/2023)"
        ).format(value=repr(v)),
    )
    checks.report(
        readable & parsed.is_null(),
        column,
        lambda v: _("{value} is not a real date: the calendar has no such day").format(
            value=repr(v)
        ),
    )
    return parsed, [note] if note else []


def _from_parts(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """A date from its numbers as text; null when the calendar lacks it (or year 0)."""
    text = pl.concat_str([year.str.zfill(4), month.str.zfill(2), day.str.zfill(2)], separator="-")
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(year.cast(pl.Int64, strict=False) >= 1).then(parsed)


def _numeric_order(frame: pl.DataFrame, column: str) -> tuple[bool, str]:
    """Whether the file's ``31/01/2023``-style dates put the day first, and a note when the
    file alone cannot tell (no number above 12 in either place)."""
    parts = (
        frame.select(pl.col(column).str.strip_chars().str.extract_groups(NUMERIC_DATE).alias("p"))
        .unnest("p")
        .drop_nulls()
        .select(pl.all().cast(pl.Int64, strict=False))
    )
    if parts.is_empty():
        return True, ""
    if (parts["1"] > 12).any():
        return True, ""
    if (parts["2"] > 12).any():
        return False, ""
    return True, "warning: " + _(
        "the dates written like 03/04/2021 were read day first (3 April 2021), as "
        "ACLED writes them; no date in the file shows which comes first"
    )


def _inter_code(column: str) -> pl.Expr:
    """The actor type code as text ("0"-"8"), whether the export wrote the code or its label."""
    raw = pl.col(column).str.strip_chars()
    label = raw.str.to_lowercase().replace_strict(INTER_LABELS, default=None)
    return pl.when(raw == "").then(pl.lit("0")).otherwise(pl.coalesce(label, raw))


def _check_inter(checks: Checks) -> None:
    """Each named actor needs a known type; a second actor's type without the actor is a slip."""
    known = list(INTER_KINDS)
    for n in (1, 2):
        code, actor = pl.col(f"inter{n}_code"), pl.col(f"actor{n}").str.strip_chars()
        checks.report(
            (actor != "") & ~code.is_in(known),
            f"inter{n}",
            lambda v: _("{value} is not an ACLED actor type (1-8 or its label)").format(
                value=repr(v)
            ),
        )
        checks.report(
            (actor == "") & (code != "0"),
            f"inter{n}",
            lambda v: _("actor type {value} is given but the actor's name is empty").format(
                value=repr(v)
            ),
        )


def _with_country_codes(frame: pl.DataFrame, problems: ProblemList) -> pl.DataFrame:
    """ISO3 from the numeric ``iso`` code or the ``iso3`` code, else from the ``country`` name;
    conflicts reported."""
    mapping: dict[str, str | None] = {}
    refusals: dict[str, tuple[str, str]] = {}
    for iso, iso3, name in frame.select("iso", "iso3", "country").unique().iter_rows():
        key = f"{iso}|{iso3}|{name}"
        mapping[key], refusal = _country_code(iso or "", name or "", iso3 or "")
        if refusal:
            refusals[key] = refusal
    key_expr = pl.concat_str([pl.col("iso"), pl.col("iso3"), pl.col("country")], separator="|")
    checks = Checks(frame.with_columns(key_expr.alias("_country_key")), problems)
    for key, (column, reason) in refusals.items():
        _report_rows(checks, pl.col("_country_key") == key, column, reason)
    return frame.with_columns(
        key_expr.replace_strict(mapping, default=None, return_dtype=pl.String).alias("country_code")
    )


def _report_rows(checks: Checks, bad: pl.Expr, column: str, reason: str) -> None:
    checks.report(bad, column, lambda _v: reason)


def _country_code(iso: str, name: str, iso3: str = "") -> tuple[str | None, tuple[str, str] | None]:
    """The ISO3 code, or None and the (column, reason) it is refused for.

    A numeric code ISO 3166 lacks (ACLED writes 0 for Kosovo) falls back to ``iso3``, then to
    the name.
    """
    by_number = _iso3_from_numeric(iso.strip()) or _iso3_known(iso3.strip())
    by_name = country_iso3(name) if name.strip() else None
    if by_number and by_name and by_number != by_name:
        return None, (
            "iso",
            _("iso {iso} is {code} but the country {name} is {named}").format(
                iso=iso or iso3, code=by_number, name=repr(name), named=by_name
            ),
        )
    code = by_number or by_name
    if code is None:
        return None, (
            "country",
            _("{name} (iso {iso}) is not a country we recognise").format(
                name=repr(name), iso=iso or _("empty")
            ),
        )
    return code, None


@functools.cache
def _iso3_known(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code.upper()) if len(code) == 3 else None
    return str(country.alpha_3) if country is not None else None


@functools.cache
def _iso3_from_numeric(iso: str) -> str | None:
    if not iso.isdigit():
        return None
    country = pycountry.countries.get(numeric=iso.zfill(3))
    return str(country.alpha_3) if country is not None else None


def _state_party(n: int) -> pl.Expr:
    """Whether actor ``n`` is a state's forces: its own (inter 1) or a foreign state's.

    ACLED's inter 8, external/other forces, holds foreign state forces (``Military Forces of
    France``), whom UCDP counts as state parties, beside the UN, private security firms and
    mercenaries, whom it does not: a foreign army fighting a rebel group is state-based violence.
    """
    code = pl.col(f"inter{n}_code")
    named_as_state = pl.col(f"actor{n}").str.strip_chars().str.contains(STATE_FORCE_NAMES)
    return (code == "1") | ((code == "8") & named_as_state)


def _violence_type() -> pl.Expr:
    """ACLED's event type, actor types and civilian targeting onto the common taxonomy."""
    event_type = pl.col("event_type_today")
    state = _state_party(1) | _state_party(2)
    civilians_targeted = (
        pl.col("civilian_targeting").str.strip_chars() == "Civilian targeting"
    ) | (pl.col("inter2_code") == "7")
    armed = (
        pl.when(state)
        .then(pl.lit(ViolenceType.STATE_BASED.value))
        .otherwise(pl.lit(ViolenceType.NON_STATE.value))
    )
    return (
        pl.when(event_type == BATTLES)
        .then(armed)
        .when((event_type == REMOTE) & civilians_targeted)
        .then(pl.lit(ViolenceType.ONE_SIDED.value))
        .when(event_type == REMOTE)
        .then(armed)
        .when(event_type == AGAINST_CIVILIANS)
        .then(pl.lit(ViolenceType.ONE_SIDED.value))
        .when(event_type.is_in([PROTESTS, RIOTS]))
        .then(pl.lit(ViolenceType.UNREST.value))
        .otherwise(pl.lit(ViolenceType.STRATEGIC.value))
    )


def _actor(n: int) -> list[pl.Expr]:
    name = pl.col(f"actor{n}").str.strip_chars()
    kind = pl.col(f"inter{n}_code").replace_strict(
        INTER_KINDS, default=ActorKind.OTHER.value, return_dtype=pl.String
    )
    return [
        pl.lit("acled").alias(f"actor{n}_scheme"),
        name.alias(f"actor{n}_key"),
        name.alias(f"actor{n}_name"),
        kind.alias(f"actor{n}_kind"),
    ]


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    fatalities = pl.col("fatalities_best")
    against_civilians = pl.col("event_type_today") == AGAINST_CIVILIANS
    return frame.select(
        pl.col("event_key").alias("source_id"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
        pl.col("date").alias("date_start"),
        pl.col("date").alias("date_end"),
        pl.col("date_precision"),
        pl.col("latitude_f").alias("latitude"),
        pl.col("longitude_f").alias("longitude"),
        pl.col("location_precision"),
        pl.col("location").str.strip_chars().alias("place"),
        pl.col("country_code"),
        pl.col("admin1").str.strip_chars().alias("admin1_name"),
        pl.col("admin2").str.strip_chars().alias("admin2_name"),
        priogrid_expr("latitude_f", "longitude_f").alias("priogrid_gid"),
        _violence_type().alias("violence_type"),
        pl.col("event_type").str.strip_chars().alias("source_event_type"),
        pl.col("sub_event_type").str.strip_chars().alias("source_sub_event_type"),
        *_actor(1),
        *_actor(2),
        fatalities,
        pl.lit(None, dtype=pl.Int64).alias("fatalities_low"),
        pl.lit(None, dtype=pl.Int64).alias("fatalities_high"),
        pl.when(against_civilians).then(fatalities).alias("civilian_deaths"),
        pl.col("notes").alias("description"),
        pl.lit(None, dtype=pl.Int64).alias("sensitivity"),
        pl.col("content_hash"),
    )


def _persist(batch: EventBatch, run: ImportRun, progress: ProgressCallback) -> ImportCounts:
    return persist_owned_events(batch, run, progress, id_column="event_id_cnty")


ACLED = Importer[EventBatch](
    dataset=DATASET,
    parse=parse,
    persist=_persist,
    version_of=lambda batch: batch.version,
    preview=preview_owned_events,
)
