"""ACLED (Armed Conflict Location & Event Data) CSV exports, from the export tool or the API.

ACLED's terms allow sharing derived data only, so events are stored under the ``ACLED-terms``
licence: the access policy never shows their raw rows beyond the organization that imported
them. Each organization imports its own export; see :func:`persist_owned_events`.

How ACLED's codes map onto the common scales:

* event types: battles and explosions/remote violence are state-based when either side is a
  state force (``inter`` 1) and non-state otherwise, except that explosions/remote violence
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
from pathlib import Path

import polars as pl
import pycountry
from django.utils import timezone

from commonground.core.areas import country_iso3
from commonground.core.importing import ProblemList, ProgressCallback, read_csv_frame
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
)
from commonground.events.models import DatePrecisionCode, LocationPrecision, ViolenceType
from commonground.events.services import preview_events
from commonground.events.sources import SourceFields
from commonground.registry.models import ActorKind
from commonground.sharing.models import Licence, Sensitivity

DATASET = "acled"

#: Columns of ACLED's export this importer reads. ``iso`` and ``civilian_targeting`` are read
#: when present (older exports lack them); every other column is kept as a source field.
REQUIRED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
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
    "timestamp",
)
OPTIONAL_COLUMNS = ("iso", "civilian_targeting")

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
AGAINST_CIVILIANS = "Violence against civilians"
EVENT_TYPES = (BATTLES, REMOTE, AGAINST_CIVILIANS, "Protests", "Riots", "Strategic developments")

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
    frame = read_csv_frame(path, REQUIRED_COLUMNS)
    progress("reading", 1, 1)
    problems = ProblemList(path.name)
    source_columns = [c for c in frame.columns if c != "_row"]
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(column))
    progress("validating", 0, frame.height)
    frame = validated_and_hashed(frame, lambda f: _validated(f, problems), source_columns)
    problems.raise_if_any(frame.height)
    source = SourceFields(frame, source_columns)
    progress("validating", frame.height, frame.height)
    return EventBatch(
        dataset=DATASET,
        version=export_date(frame),
        licence=Licence.ACLED.value,
        frame=_canonical(frame),
        default_sensitivity=Sensitivity.PARTNERS,
        source=source,
    )


def export_date(frame: pl.DataFrame) -> str:
    """ACLED exports carry no version: the newest ``timestamp`` (last edit) dates the export."""
    newest = frame["timestamp_s"].max()
    assert isinstance(newest, int)  # validated: every row has a whole-number timestamp
    return dt.datetime.fromtimestamp(newest, tz=dt.UTC).date().isoformat()


def _validated(frame: pl.DataFrame, problems: ProblemList) -> pl.DataFrame:
    checks = Checks(frame, problems)
    checks.required(["event_id_cnty", "event_type", "actor1", "country"])
    checks.unique("event_id_cnty")
    checks.one_of("event_type", EVENT_TYPES)
    check_max_lengths(checks, MAX_LENGTHS)
    frame = frame.with_columns(
        checks.number("latitude", -90, 90).alias("latitude_f"),
        checks.number("longitude", -180, 180).alias("longitude_f"),
        _code(checks, "geo_precision", GEO_PRECISION).alias("location_precision"),
        _code(checks, "time_precision", TIME_PRECISION).alias("date_precision"),
        count(checks, "fatalities").alias("fatalities_best"),
        _timestamp(checks, "timestamp").alias("timestamp_s"),
        _event_date(checks, "event_date").alias("date"),
        _inter_code("inter1").alias("inter1_code"),
        _inter_code("inter2").alias("inter2_code"),
    )
    checks.frame = frame
    _check_inter(checks)
    frame = _with_country_codes(frame, problems)
    if not problems:
        check_points_in_country(frame, problems)
    return frame


def _timestamp(checks: Checks, column: str) -> pl.Expr:
    """Unix seconds of the event's last edit at ACLED: not after the file could have been made."""
    parsed = checks.integer(column)
    latest = int(timezone.now().timestamp()) + 86_400
    checks.report(
        parsed > latest,
        column,
        lambda v: f"{v} is in the future as a Unix time (seconds since 1970-01-01)",
    )
    return parsed


def _code(checks: Checks, column: str, mapping: dict[int, int]) -> pl.Expr:
    """An ACLED precision code (1-3) as the common scale; other values are reported."""
    parsed = checks.integer(column, minimum=None)
    checks.report(
        parsed.is_not_null() & ~parsed.is_in(list(mapping)),
        column,
        lambda v: f"{v} is not an ACLED precision code (1, 2 or 3)",
    )
    return parsed.replace_strict(mapping, default=None, return_dtype=pl.Int64)


def _event_date(checks: Checks, column: str) -> pl.Expr:
    """``2023-01-31`` (recent exports) or ``31 January 2023`` (earlier ones); real dates only."""
    raw = pl.col(column).str.strip_chars()
    iso = pl.when(raw.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(
        raw.str.to_date("%Y-%m-%d", strict=False)
    )
    long = pl.when(raw.str.contains(r"^\d{1,2}[ -][A-Za-z]+[ -]\d{4}$")).then(
        raw.str.replace_all("-", " ").str.to_date("%d %B %Y", strict=False)
    )
    parsed = pl.coalesce(iso, long)
    checks.report(raw == "", column, lambda _v: "a date is required")
    checks.report(
        (raw != "") & parsed.is_null(),
        column,
        lambda v: f"{v!r} is not a real date in the form 2023-01-31 or 31 January 2023",
    )
    return parsed


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
            lambda v: f"{v!r} is not an ACLED actor type (1-8 or its label)",
        )
        checks.report(
            (actor == "") & (code != "0"),
            f"inter{n}",
            lambda v: f"actor type {v!r} is given but the actor's name is empty",
        )


def _with_country_codes(frame: pl.DataFrame, problems: ProblemList) -> pl.DataFrame:
    """ISO3 from the numeric ``iso`` code, else from the ``country`` name; conflicts reported."""
    mapping: dict[str, str | None] = {}
    refusals: dict[str, tuple[str, str]] = {}
    for iso, name in frame.select("iso", "country").unique().iter_rows():
        key = f"{iso}|{name}"
        mapping[key], refusal = _country_code(iso or "", name or "")
        if refusal:
            refusals[key] = refusal
    key_expr = pl.concat_str([pl.col("iso"), pl.col("country")], separator="|")
    checks = Checks(frame.with_columns(key_expr.alias("_country_key")), problems)
    for key, (column, reason) in refusals.items():
        _report_rows(checks, pl.col("_country_key") == key, column, reason)
    return frame.with_columns(
        key_expr.replace_strict(mapping, default=None, return_dtype=pl.String).alias("country_code")
    )


def _report_rows(checks: Checks, bad: pl.Expr, column: str, reason: str) -> None:
    checks.report(bad, column, lambda _v: reason)


def _country_code(iso: str, name: str) -> tuple[str | None, tuple[str, str] | None]:
    """The ISO3 code, or None and the (column, reason) it is refused for.

    A numeric code ISO 3166 lacks (ACLED writes 0 for Kosovo) falls back to the name.
    """
    by_number = _iso3_from_numeric(iso.strip())
    by_name = country_iso3(name) if name.strip() else None
    if by_number and by_name and by_number != by_name:
        return None, ("iso", f"iso {iso} is {by_number} but the country {name!r} is {by_name}")
    code = by_number or by_name
    if code is None:
        return None, ("country", f"{name!r} (iso {iso or 'empty'}) is not a country we recognise")
    return code, None


@functools.cache
def _iso3_from_numeric(iso: str) -> str | None:
    if not iso.isdigit():
        return None
    country = pycountry.countries.get(numeric=iso.zfill(3))
    return str(country.alpha_3) if country is not None else None


def _violence_type() -> pl.Expr:
    """ACLED's event type, actor types and civilian targeting onto the common taxonomy."""
    event_type = pl.col("event_type").str.strip_chars()
    state = (pl.col("inter1_code") == "1") | (pl.col("inter2_code") == "1")
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
        .when(event_type.is_in(["Protests", "Riots"]))
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
    against_civilians = pl.col("event_type").str.strip_chars() == AGAINST_CIVILIANS
    return frame.select(
        pl.col("event_id_cnty").str.strip_chars().alias("source_id"),
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
    preview=preview_events,
)
