"""UCDP Georeferenced Event Dataset (GED), from its official CSV or GeoJSON (20.1 onwards).

Both forms of the same version yield identical events: the GeoJSON carries every CSV column
but ``latitude``, ``longitude`` and ``geom_wkt``, which come from the point geometry. Coordinates
are read as the text the file holds, so nothing is lost to float formatting.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from commonground.core.areas import country_iso3
from commonground.core.importing import (
    ProblemList,
    ProgressCallback,
    check_cells,
    check_readable_text,
    read_csv_frame,
    reject,
)
from commonground.core.services import Importer
from commonground.events.importers.base import (
    Checks,
    EventBatch,
    check_dates_ordered,
    check_fatality_range,
    map_countries,
    placed_in_todays_country,
    priogrid_expr,
    validated_and_hashed,
)
from commonground.events.models import ViolenceType
from commonground.events.services import persist_events, preview_events
from commonground.events.sources import SourceFields
from commonground.registry.models import ActorKind
from commonground.sharing.models import Licence, Sensitivity

DATASET = "ucdp-ged"

#: Columns every GED release since 20.1 has and this importer relies on.
REQUIRED_COLUMNS = (
    "id",
    "year",
    "type_of_violence",
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "side_b",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_civilians",
    "best",
    "high",
    "low",
)

#: Fields that differ between the CSV and GeoJSON of one release: ``geom_wkt`` is only in the
#: CSV (and derived from the coordinates); ``relid`` was lost in the GeoJSON conversion some
#: redistributions went through (see shared/data/SOURCES.md).
NOT_HASHED = frozenset({"geom_wkt", "relid"})

VIOLENCE_TYPES = {
    "1": ViolenceType.STATE_BASED.value,
    "2": ViolenceType.NON_STATE.value,
    "3": ViolenceType.ONE_SIDED.value,
}

#: How UCDP names its files, most specific first: a candidate release covering months
#: (``GEDEvent_v25_01_25_06``), a monthly candidate (``GEDEvent_v24_0_3``), a yearly release
#: (``GEDEvent_v23_1``, ``ged_23_1_CAF``) and the short form (``ged231``).
_NAME = r"(?:ged|gedevent)[_-]?v?"
_CANDIDATE_RANGE = re.compile(_NAME + r"(\d{2})[_.](\d{2})[_.](\d{2})[_.](\d{2})(?!\d)", re.I)
_MONTHLY = re.compile(_NAME + r"(\d{2})[_.](\d{1,2})[_.](\d{1,2})(?!\d)", re.I)
_RELEASE = re.compile(_NAME + r"(\d{2})[_.](\d{1,2})(?!\d)", re.I)
_SHORT = re.compile(r"ged(\d{2})(\d)(?!\d)", re.I)

#: Versions a user may give for a renamed file: 23.1, 24.0.3, or 25.01-25.06 (candidate).
_GIVEN_VERSION = re.compile(
    r"(?P<major>\d{2})\.\d{1,2}(?:\.\d{1,2})?"
    r"|(?P<from>\d{2})\.\d{2}-\d{2}\.\d{2}(?: \(candidate\))?"
)


def version_in_name(name: str) -> str | None:
    """The GED version a UCDP file name carries, or None.

    ``GEDEvent_v24_0_3`` is the monthly candidate 24.0.3 and ``GEDEvent_v25_01_25_06`` the
    candidate release for January to June 2025: neither is a yearly release (24.0, 25.1).
    """
    if match := _CANDIDATE_RANGE.search(name):
        first_year, first_month, last_year, last_month = match.groups()
        return f"{first_year}.{first_month}-{last_year}.{last_month} (candidate)"
    if match := _MONTHLY.search(name):
        major, minor, month = match.groups()
        return f"{int(major)}.{int(minor)}.{int(month)}"
    if match := _RELEASE.search(name) or _SHORT.search(name):
        major, minor = match.groups()
        return f"{int(major)}.{int(minor)}"
    return None


def version_from_name(path: Path, given: str | None = None) -> str:
    """The file's GED version: the one the user gave, else the one in UCDP's file name.

    A renamed file (``caf_events.csv``) needs the version given; a given version that
    contradicts the file's own name is refused rather than guessed between.
    """
    named = version_in_name(path.name)
    if given is not None:
        given = given.strip()
        match = _GIVEN_VERSION.fullmatch(given)
        if match is None:
            reject(
                path,
                f"{given!r} is not a GED version; give it as UCDP numbers releases: "
                "23.1, 24.0.3 (a monthly candidate) or 25.01-25.06 (a candidate release)",
            )
        assert match is not None  # reject() raised otherwise
        if named is not None and named.removesuffix(" (candidate)") != given.removesuffix(
            " (candidate)"
        ):
            reject(path, f"the file name says GED {named}, but the version given is {given}")
        version = named or given
        major = match["major"] or match["from"]
    else:
        if named is None:
            reject(
                path,
                "cannot tell the GED version from the file name; give the version (the "
                "--version option, or the Version field of the import page), or keep UCDP's "
                "name (e.g. ged231.csv or GEDEvent_v23_1.geojson)",
            )
        assert named is not None  # reject() raised otherwise
        version = named
        major = version[:2]
    if int(major) < 20:
        reject(path, f"GED {version} is older than 20.1, whose columns this importer reads")
    return version


def read_geojson_frame(path: Path) -> pl.DataFrame:
    """GeoJSON features as the CSV's columns (strings), coordinates from the geometry."""
    data = path.read_bytes()
    check_readable_text(path, data)
    try:
        document = json.loads(data, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        reject(
            path,
            _("not valid JSON: {error} (line {line}, column {column})").format(
                error=exc.msg, line=exc.lineno, column=exc.colno
            ),
        )
    except RecursionError:
        reject(path, _("the JSON is nested too deeply to be GeoJSON (arrays within arrays)"))
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        reject(path, _("not a GeoJSON FeatureCollection: no 'features' list"))
    assert isinstance(features, list)
    if not features:
        reject(path, _("the FeatureCollection has no features"))
    problems = ProblemList(path.name)
    records = [_feature_record(n, feature, problems) for n, feature in enumerate(features, 2)]
    problems.raise_if_any(len(features))
    columns = list(dict.fromkeys(k for record in records for k in record))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for column in missing:
        problems.add(None, column, _("required property is missing from the features"))
    problems.raise_if_any(len(features))
    frame = pl.DataFrame(
        {c: [r.get(c, "") for r in records] for c in columns},
        schema=dict.fromkeys(columns, pl.String),
    ).with_row_index("_row", offset=2)
    check_cells(frame, problems)
    problems.raise_if_any(len(features))
    return frame


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _feature_record(number: int, feature: object, problems: ProblemList) -> dict[str, str]:
    """One feature as a CSV-like record; the feature number stands in for the row."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        problems.add(number, None, _("feature has no properties"))
        return {}
    record = {key: _text(value) for key, value in feature["properties"].items()}
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        problems.add(number, "geometry", _("feature has no geometry object"))
        return record
    coordinates = geometry.get("coordinates")
    if geometry.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
        problems.add(number, "geometry", _("feature geometry is not a Point with coordinates"))
        return record
    record["longitude"], record["latitude"] = _text(coordinates[0]), _text(coordinates[1])
    return record


def parse(path: Path, progress: ProgressCallback, version: str | None = None) -> EventBatch:
    """Read and validate a GED file (CSV or GeoJSON) without touching the database.

    ``version`` is the release the user says the file is (when its name no longer says it).
    """
    path = Path(path)
    if not path.is_file():
        reject(path, _("no such file"))
    version = version_from_name(path, version)
    progress("reading", 0, 1)
    if path.suffix.lower() in {".geojson", ".json"}:
        frame = read_geojson_frame(path)
    else:
        frame = read_csv_frame(path, REQUIRED_COLUMNS)
    progress("reading", 1, 1)
    source_columns = [c for c in frame.columns if c != "_row"]
    problems = ProblemList(path.name)
    progress("validating", 0, frame.height)
    notes: list[str] = []
    frame = validated_and_hashed(
        frame, lambda f: _validated(f, problems, notes), source_columns, NOT_HASHED
    )
    problems.raise_if_any(frame.height)
    source = SourceFields(frame, source_columns)
    progress("validating", frame.height, frame.height)
    return EventBatch(
        dataset=DATASET,
        version=version,
        licence=Licence.CC_BY_4_0.value,
        frame=_canonical(frame),
        default_sensitivity=Sensitivity.PUBLIC,
        notes=notes,
        source=source,
    )


def _validated(frame: pl.DataFrame, problems: ProblemList, notes: list[str]) -> pl.DataFrame:
    checks = Checks(frame, problems)
    with checks.together():
        frame = _checked_columns(checks)
        frame = map_countries(frame, problems, "country", checks=checks)
        check_dates_ordered(checks, "date_start_d", "date_end_d", "date_end")
        checks.report(
            pl.col("civilian_deaths") > pl.col("fatalities_best"),
            "deaths_civilians",
            lambda v: _("civilian deaths ({value}) exceed best-estimate deaths").format(value=v),
        )
        checks.frame = frame
    # UCDP publishes some events with best outside low..high (20 in the CAR extract of 23.1).
    # The dataset is authoritative, so these are kept as published and reported as warnings.
    warnings = ProblemList(problems.file)
    warned = Checks(frame, warnings)
    with warned.together():
        check_fatality_range(warned, "best", "low", "high")
    kept = _("{reason} (kept as UCDP published it)")
    notes.extend(
        f"warning: {replace(w, reason=kept.format(reason=w.reason))}" for w in warnings.items
    )
    if warnings.more:
        notes.append(
            "warning: "
            + _("{count} more rows with best outside low..high").format(count=warnings.more)
        )
    if not problems:
        borders = ProblemList(problems.file)
        frame = placed_in_todays_country(frame, problems, borders, "country")
        notes.extend(f"warning: {w}" for w in borders.items)
        if borders.more:
            notes.append(
                "warning: "
                + _("{count} more events coded under a state of the time").format(
                    count=borders.more
                )
            )
    return frame


def _checked_columns(checks: Checks) -> pl.DataFrame:
    """The file's frame with its numbers and dates parsed, each cell checked."""
    checks.required(["id", "type_of_violence", "date_start", "date_end", "country"])
    checks.unique("id")
    checks.one_of("type_of_violence", list(VIOLENCE_TYPES))
    frame = checks.frame.with_columns(
        checks.number("latitude", -90, 90).alias("latitude_f"),
        checks.number("longitude", -180, 180).alias("longitude_f"),
        checks.integer("where_prec", minimum=1).alias("location_precision"),
        checks.integer("date_prec", minimum=1).alias("date_precision"),
        checks.integer("best").alias("fatalities_best"),
        checks.integer("low").alias("fatalities_low"),
        checks.integer("high").alias("fatalities_high"),
        checks.integer("deaths_civilians").alias("civilian_deaths"),
        checks.date("date_start").alias("date_start_d"),
        checks.date("date_end").alias("date_end_d"),
    )
    checks.report(
        pl.col("where_prec").cast(pl.Int64, strict=False) > 7,
        "where_prec",
        lambda v: _("{value} is not a UCDP location precision (1-7)").format(value=v),
    )
    checks.report(
        pl.col("date_prec").cast(pl.Int64, strict=False) > 5,
        "date_prec",
        lambda v: _("{value} is not a UCDP date precision (1-5)").format(value=v),
    )
    return frame


def _actor_kind(name: str, violence: str, side: str, countries: set[str]) -> str:
    """Classify a GED side: civilians, state forces (own or external), rebels or militias.

    ``countries`` are the event's country as the source coded it and the one that holds the
    point today: the Government of Sudan in today's South Sudan before 2011 is not foreign.
    """
    if name == "Civilians":
        return ActorKind.CIVILIANS.value
    if name.startswith("Government of "):
        code = country_iso3(name.removeprefix("Government of "))
        external = code is not None and bool(countries) and code not in countries
        return ActorKind.EXTERNAL_FORCES.value if external else ActorKind.STATE_FORCES.value
    if violence == "1" and side == "b":
        return ActorKind.REBEL_GROUP.value
    return ActorKind.MILITIA.value


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    kinds: dict[str, str] = {}
    places = ("coded_country", "country_code")
    for side in ("a", "b"):
        sides = frame.select(f"side_{side}", "type_of_violence", *places).unique()
        for name, violence, coded, today in sides.iter_rows():
            kinds[f"{side}|{name}|{violence}|{coded}|{today}"] = _actor_kind(
                name, violence, side, {c for c in (coded, today) if c}
            )

    def kind_expr(side: str) -> pl.Expr:
        key = pl.concat_str(
            [
                pl.lit(side),
                pl.col(f"side_{side}"),
                pl.col("type_of_violence"),
                *[pl.col(c) for c in places],
            ],
            separator="|",
        )
        return key.replace_strict(kinds, default=ActorKind.OTHER.value, return_dtype=pl.String)

    description = pl.concat_str(
        [
            pl.col("where_description") if "where_description" in frame.columns else pl.lit(""),
            pl.col("source_headline") if "source_headline" in frame.columns else pl.lit(""),
        ],
        separator=" — ",
    ).str.strip_chars(" —")
    return frame.select(
        pl.col("id").str.strip_chars().alias("source_id"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
        pl.col("date_start_d").alias("date_start"),
        pl.col("date_end_d").alias("date_end"),
        pl.col("date_precision"),
        pl.col("latitude_f").alias("latitude"),
        pl.col("longitude_f").alias("longitude"),
        pl.col("location_precision"),
        pl.col("where_coordinates").alias("place"),
        pl.col("country_code"),
        pl.col("adm_1").str.strip_chars().alias("admin1_name"),
        pl.col("adm_2").str.strip_chars().alias("admin2_name"),
        priogrid_expr("latitude_f", "longitude_f").alias("priogrid_gid"),
        pl.col("type_of_violence").replace_strict(VIOLENCE_TYPES).alias("violence_type"),
        pl.col("type_of_violence").alias("source_event_type"),
        pl.lit("").alias("source_sub_event_type"),
        pl.lit("ucdp").alias("actor1_scheme"),
        pl.col("side_a_new_id").alias("actor1_key"),
        pl.col("side_a").alias("actor1_name"),
        kind_expr("a").alias("actor1_kind"),
        pl.lit("ucdp").alias("actor2_scheme"),
        pl.col("side_b_new_id").alias("actor2_key"),
        pl.col("side_b").alias("actor2_name"),
        kind_expr("b").alias("actor2_kind"),
        pl.col("fatalities_best"),
        pl.col("fatalities_low"),
        pl.col("fatalities_high"),
        pl.col("civilian_deaths"),
        description.alias("description"),
        pl.lit(None, dtype=pl.Int64).alias("sensitivity"),
        pl.col("content_hash"),
    )


GED = Importer[EventBatch](
    dataset=DATASET,
    parse=parse,
    persist=persist_events,
    version_of=lambda batch: batch.version,
    parse_version=parse,
    preview=preview_events,
)
