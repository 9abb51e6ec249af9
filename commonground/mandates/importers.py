"""Importers for mandates, peace agreements and Geo-PKO deployments (``commonground import``).

Each one parses and validates the whole file without writing (a bad cell is reported with its
file, row, column and reason), then ``do_import`` persists it in one transaction. Records are
keyed by what the file says (``docs/adr/0019-mandates-data-model.md``), so importing the same file
again changes nothing. Rows are read with the registry's row readers: the same messages, the same
translations.

- ``mandate-taxonomy``: ``taxonomy.csv``, the task codes (import it before the tasks);
- ``mandate-tasks``: one row per task per resolution (``minusca_mandate_tasks.csv``); the mission
  is the ``mission`` column or else the file name's first word (``minusca_...`` -> MINUSCA);
- ``agreement``: the provisions of a peace agreement (``appr_rca_2019_provisions.csv``); the
  agreement is named by the file name before ``_provisions``;
- ``agreement-events``: dated, cited implementation events (import the provisions first);
- ``geopko``: Geo-PKO's ``FrontMap`` table, one deployment per row;
- ``geopko-contributors``: Geo-PKO's ``TCCMap`` table, one record per contributing country of
  a location and year (the file lists them in one cell, ``Rwanda (650), Nepal (size unknown)``);
- ``geopko-units``: Geo-PKO's ``TTMap`` table, the kinds of units at a location and year.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from commonground.core.importing import ProblemList, ProgressCallback, read_csv_frame, reject
from commonground.core.models import ImportRun
from commonground.core.services import ImportCounts, Importer
from commonground.mandates.models import (
    AgreementEvent,
    Confidence,
    Deployment,
    DeploymentContributor,
    DeploymentUnits,
    Direction,
    MandateTask,
    Mode,
    Provenance,
    Provision,
    Resolution,
    TaskCategory,
    Tier,
)
from commonground.registry.importers import (
    ParsedFile,
    Record,
    Row,
    max_length,
    owned_scope,
    sync_records,
    validate_rows,
)

TAXONOMY_COLUMNS = ("code", "label_en", "label_fr", "source")
TASK_COLUMNS = (
    "resolution", "year", "adopted", "paragraph", "task_code", "task", "task_fr", "priority",
    "mode", "source_url", "confidence", "evidence", "notes",
)  # fmt: skip
PROVISION_COLUMNS = (
    "article", "provision_code", "theme", "commitment", "commitment_fr", "responsible",
    "deadline", "confidence", "evidence_url", "notes",
)  # fmt: skip
EVENT_COLUMNS = (
    "event_id", "date", "provision_code", "what", "direction", "source_url", "confidence",
    "notes",
)  # fmt: skip
#: Geo-PKO FrontMap columns -> Deployment fields for the troop figures (``NA`` = unknown).
GEOPKO_FIGURES = {
    "NoTroops": "troops",
    "ave.no.troops": "average_troops",
    "Infantry": "infantry",
    "Reserve": "reserve",
    "hq": "hq",
    "UNPOL": "unpol",
    "Med": "medical",
    "Av": "aviation",
    "UNMO": "unmo",
}
GEOPKO_COLUMNS = (
    "mission",
    "year",
    "country",
    "location",
    "latitude",
    "longitude",
    *GEOPKO_FIGURES,
)


def name_from_file(path: Path, suffix: str) -> str:
    """What a file's name says before ``suffix`` (``appr_rca_2019`` of ``..._provisions.csv``)."""
    stem = path.stem
    return stem[: -len(suffix)] if stem.endswith(suffix) and len(stem) > len(suffix) else ""


def words(row: Row, column: str, limit: int) -> str:
    """A required text cell that fits its field."""
    return row.text(column, required=True, limit=limit)


# --- Taxonomy -------------------------------------------------------------------------------


def read_category(row: Row) -> Record:
    key = row.slug("code", max_length(TaskCategory, "key"))
    values = {
        "label_en": words(row, "label_en", max_length(TaskCategory, "label_en")),
        "label_fr": words(row, "label_fr", max_length(TaskCategory, "label_fr")),
        "source": row.text("source"),
    }
    return Record(row.number, key, values)


def parse_taxonomy(path: Path, progress: ProgressCallback) -> ParsedFile[Record]:
    return validate_rows(path, read_csv_frame(path, TAXONOMY_COLUMNS), read_category, progress)


def persist_taxonomy(
    parsed: ParsedFile[Record], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(TaskCategory, run), "key", parsed, run, progress, lambda r: r.values
    )


# --- Mandate tasks --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRecord(Record):
    resolution_key: str = ""
    task_code: str = ""


@dataclass(frozen=True)
class ParsedTasks:
    file: str
    resolutions: ParsedFile[Record]
    tasks: ParsedFile[TaskRecord]


def mission_of(path: Path, row: Row) -> str:
    """The row's ``mission`` column, else the file name's first word, in capitals."""
    return (row.text("mission") or path.stem.split("_")[0]).upper()


def read_task(path: Path, known_codes: set[str], row: Row) -> TaskRecord:
    mission = mission_of(path, row)
    number = row.text("resolution", required=True)
    if number and not number.isdigit():
        row.problem(
            "resolution", _("{value} is not a resolution number").format(value=repr(number))
        )
    year = row.year("year", required=True)
    adopted = row.period("adopted")
    if row.text("adopted") == "":
        row.problem("adopted", _("this field is required and is empty"))
    elif adopted is not None and adopted.precision != "day":
        row.problem("adopted", _("write the adoption date in full, YYYY-MM-DD"))
    elif adopted is not None and year is not None and adopted.first.year != year:
        row.problem("year", _("{year} is not the year of the adoption date").format(year=year))
    code = row.text("task_code", required=True)
    if code and code not in known_codes:
        row.problem(
            "task_code",
            _("{value} is not a code of the task taxonomy (import mandate-taxonomy first)").format(
                value=repr(code)
            ),
        )
    paragraph = row.text("paragraph", limit=max_length(MandateTask, "paragraph"))
    tier = row.choice("priority", Tier)
    mode = row.choice("mode", Mode)
    resolution_key = f"{mission}-{number}"
    values = {
        "mission": mission,
        "number": int(number) if number.isdigit() else 0,
        "year": year or 0,
        "adopted": adopted.first if adopted else None,
        "paragraph": paragraph,
        "task": words(row, "task", max_length(MandateTask, "task")),
        "task_fr": row.text("task_fr", limit=max_length(MandateTask, "task_fr")),
        "tier": tier,
        "mode": mode,
        "source_url": row.url("source_url"),
        "confidence": row.choice("confidence", Confidence),
        "evidence": row.text("evidence"),
        "notes": row.text("notes"),
    }
    key = f"{resolution_key}|{code}|{mode}|{paragraph}"
    return TaskRecord(row.number, key, values, resolution_key=resolution_key, task_code=code)


def resolutions_of(path: Path, tasks: ParsedFile[TaskRecord]) -> ParsedFile[Record]:
    """One record per resolution; rows of one resolution must agree on its year and date."""
    problems = ProblemList(path.name)
    found: dict[str, Record] = {}
    for task in tasks.records:
        values = {name: task.values[name] for name in ("mission", "number", "year", "adopted")}
        values["source_url"] = task.values["source_url"]
        first = found.setdefault(task.resolution_key, Record(task.row, task.resolution_key, values))
        for column, field in (("year", "year"), ("adopted", "adopted")):
            if first.values[field] != values[field]:
                problems.add(
                    task.row,
                    column,
                    _("resolution {number} has {value} on row {row}").format(
                        number=values["number"], value=first.values[field], row=first.row
                    ),
                )
    problems.raise_if_any(len(tasks.records))
    return ParsedFile(path.name, list(found.values()))


def parse_tasks(path: Path, progress: ProgressCallback) -> ParsedTasks:
    frame = read_csv_frame(path, TASK_COLUMNS)
    if "mission" not in frame.columns and not name_from_file(path, "_mandate_tasks"):
        reject(
            path,
            _(
                "the file has no 'mission' column and its name does not say the mission: add a "
                "'mission' column (e.g. MINUSCA) or name the file like minusca_mandate_tasks.csv"
            ),
            row=1,
            column="mission",
        )
    known = set(TaskCategory.objects.values_list("key", flat=True))
    tasks = validate_rows(path, frame, lambda row: read_task(path, known, row), progress)
    return ParsedTasks(path.name, resolutions_of(path, tasks), tasks)


def persist_tasks(parsed: ParsedTasks, run: ImportRun, progress: ProgressCallback) -> ImportCounts:
    sync_records(
        owned_scope(Resolution, run), "key", parsed.resolutions, run, progress, lambda r: r.values
    )
    resolution_ids = dict(Resolution.objects.values_list("key", "pk"))
    category_ids = dict(TaskCategory.objects.values_list("key", "pk"))
    task_fields = (
        "paragraph", "task", "task_fr", "tier", "mode", "source_url", "confidence", "evidence",
        "notes",
    )  # fmt: skip

    def values_for(record: TaskRecord) -> dict[str, Any]:
        return {
            "resolution_id": resolution_ids[record.resolution_key],
            "category_id": category_ids[record.task_code],
            **{name: record.values[name] for name in task_fields},
        }

    return sync_records(
        owned_scope(MandateTask, run), "key", parsed.tasks, run, progress, values_for
    )


# --- Peace agreements -----------------------------------------------------------------------


def agreement_of(path: Path, row: Row, suffix: str) -> str:
    return (row.text("agreement") or name_from_file(path, suffix) or path.stem).casefold()


def read_provision(path: Path, row: Row) -> Record:
    key = row.slug("provision_code", max_length(Provision, "key"))
    values = {
        "agreement": agreement_of(path, row, "_provisions"),
        "article": row.text("article", limit=max_length(Provision, "article")),
        "theme": row.text("theme", limit=max_length(Provision, "theme")),
        "commitment": row.text("commitment", required=True),
        "commitment_fr": row.text("commitment_fr"),
        "responsible": row.text("responsible"),
        "deadline": row.text("deadline", limit=max_length(Provision, "deadline")),
        "confidence": row.choice("confidence", Confidence),
        "evidence_url": " ; ".join(row.urls("evidence_url")),
        "notes": row.text("notes"),
    }
    return Record(row.number, key, values)


def parse_provisions(path: Path, progress: ProgressCallback) -> ParsedFile[Record]:
    frame = read_csv_frame(path, PROVISION_COLUMNS)
    return validate_rows(path, frame, lambda row: read_provision(path, row), progress)


def persist_provisions(
    parsed: ParsedFile[Record], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(Provision, run), "key", parsed, run, progress, lambda r: r.values
    )


@dataclass(frozen=True)
class EventRecord(Record):
    provision_codes: tuple[str, ...] = ()


def read_event(path: Path, known: set[str], row: Row) -> EventRecord:
    key = row.slug("event_id", max_length(AgreementEvent, "key"))
    when = row.period("date")
    if row.text("date") == "":
        row.problem("date", _("this field is required and is empty"))
    elif when is not None and when.precision == "year":
        row.problem("date", _("give at least the month: YYYY-MM or YYYY-MM-DD"))
    codes = tuple(row.split("provision_code"))
    for code in codes:
        if code not in known:
            row.problem(
                "provision_code",
                _("{value} is not a provision of the agreement (import agreement first)").format(
                    value=repr(code)
                ),
            )
    values = {
        "agreement": agreement_of(path, row, "_implementation_events"),
        "date": when.first if when else None,
        "date_precision": when.precision if when else "",
        "provision_codes": list(codes),
        "what": row.text("what", required=True),
        "direction": row.choice("direction", Direction),
        # Some cite a document and where it was read ("... (read in https://...)"): kept as text.
        "source_url": row.text("source_url", required=True),
        "confidence": row.choice("confidence", Confidence),
        "notes": row.text("notes"),
    }
    return EventRecord(row.number, key, values, provision_codes=codes)


def parse_events(path: Path, progress: ProgressCallback) -> ParsedFile[EventRecord]:
    frame = read_csv_frame(path, EVENT_COLUMNS)
    known = set(Provision.objects.values_list("key", flat=True))
    return validate_rows(path, frame, lambda row: read_event(path, known, row), progress)


def link_provisions(event: AgreementEvent, record: EventRecord) -> bool:
    """Link the event to its provisions; say whether the links changed."""
    wanted = list(Provision.objects.filter(key__in=record.provision_codes))
    current = set(event.provisions.values_list("pk", flat=True))
    if {p.pk for p in wanted} == current:
        return False
    event.provisions.set(wanted)
    return True


def persist_events(
    parsed: ParsedFile[EventRecord], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(AgreementEvent, run),
        "key",
        parsed,
        run,
        progress,
        lambda r: r.values,
        link=link_provisions,
    )


# --- Geo-PKO --------------------------------------------------------------------------------


def figure(row: Row, column: str) -> int | None:
    """A Geo-PKO count: a whole number, or ``NA`` (unknown)."""
    return None if row.text(column) == "NA" else row.count(column)


def read_deployment(seen: Counter[str], row: Row) -> Record:
    mission = words(row, "mission", max_length(Deployment, "mission"))
    year = row.year("year", required=True)
    country = words(row, "country", max_length(Deployment, "country"))
    location = words(row, "location", max_length(Deployment, "location"))
    latitude = row.coordinate("latitude", 90)
    longitude = row.coordinate("longitude", 180)
    if latitude is None or longitude is None:
        row.problem("latitude", _("give both latitude and longitude"))
    place = f"{mission}|{year}|{country}|{location}"
    seen[place] += 1
    values: dict[str, Any] = {
        "mission": mission,
        "year": year or 0,
        "country": country,
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
    }
    values.update({field: figure(row, column) for column, field in GEOPKO_FIGURES.items()})
    return Record(row.number, f"{place}|{seen[place]}", values)


def parse_geopko(path: Path, progress: ProgressCallback) -> ParsedFile[Record]:
    frame = read_csv_frame(path, GEOPKO_COLUMNS)
    seen: Counter[str] = Counter()
    return validate_rows(path, frame, lambda row: read_deployment(seen, row), progress)


def persist_geopko(
    parsed: ParsedFile[Record], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(Deployment, run), "key", parsed, run, progress, lambda r: r.values
    )


# --- Geo-PKO contributors (TCCMap) and unit types (TTMap) ----------------------------------

PLACE_COLUMNS = ("mission", "year", "location", "latitude", "longitude")
TCC_COLUMNS = (*PLACE_COLUMNS, "No.TCC", "year.overview")
#: Geo-PKO TTMap columns -> DeploymentUnits fields.
GEOPKO_UNITS = {
    "Infantry": "infantry",
    "eng": "engineering",
    "med": "medical",
    "sig": "signals",
    "av": "aviation",
    "riv": "riverine",
    "maint": "maintenance",
    "trans": "transport",
}
UNIT_COLUMNS = (*PLACE_COLUMNS, *GEOPKO_UNITS)
#: One contributor in a TCCMap overview: ``Country (650)`` or ``Country (size unknown)``.
CONTRIBUTOR = re.compile(r"^(?P<country>.+?) \((?P<troops>\d+|size unknown)\)$")


def read_place(seen: Counter[str], row: Row, model: type[Provenance]) -> tuple[str, dict[str, Any]]:
    """A Geo-PKO location-year (mission, year, location, coordinates) and its key, which counts
    the repeats of the place in the file (Geo-PKO keeps one row per source map)."""
    mission = words(row, "mission", max_length(model, "mission"))
    year = row.year("year", required=True)
    location = words(row, "location", max_length(model, "location"))
    latitude = row.coordinate("latitude", 90)
    longitude = row.coordinate("longitude", 180)
    if latitude is None or longitude is None:
        row.problem("latitude", _("give both latitude and longitude"))
    place = f"{mission}|{year}|{location}"
    seen[place] += 1
    values = {
        "mission": mission,
        "year": year or 0,
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
    }
    return f"{place}|{seen[place]}", values


@dataclass(frozen=True)
class ContributorsRecord(Record):
    contributors: tuple[tuple[str, int | None], ...] = ()


def contributors_of(row: Row) -> tuple[tuple[str, int | None], ...]:
    """The contributors written in ``year.overview``, checked against ``No.TCC``."""
    text = row.text("year.overview", required=True)
    found: list[tuple[str, int | None]] = []
    for part in [p.strip() for p in text.split(", ")] if text else []:
        match = CONTRIBUTOR.match(part)
        if match is None:
            row.problem(
                "year.overview",
                _("{value} is not written 'Country (troops)' or 'Country (size unknown)'").format(
                    value=repr(part)
                ),
            )
            continue
        troops = match["troops"]
        found.append((match["country"], None if troops == "size unknown" else int(troops)))
    stated = row.count("No.TCC")
    if text and stated is not None and stated != len(found):
        row.problem(
            "No.TCC",
            _("says {stated} contributors but year.overview lists {listed}").format(
                stated=stated, listed=len(found)
            ),
        )
    return tuple(found)


def read_contributors(seen: Counter[str], row: Row) -> ContributorsRecord:
    key, values = read_place(seen, row, DeploymentContributor)
    return ContributorsRecord(row.number, key, values, contributors=contributors_of(row))


def parse_contributors(path: Path, progress: ProgressCallback) -> ParsedFile[Record]:
    """Validate every row, then one record per contributor (the same country twice in one cell
    is counted apart: ``|2``)."""
    frame = read_csv_frame(path, TCC_COLUMNS)
    seen: Counter[str] = Counter()
    rows = validate_rows(path, frame, lambda row: read_contributors(seen, row), progress)
    records: list[Record] = []
    for record in rows.records:
        repeats: Counter[str] = Counter()
        for country, troops in record.contributors:
            repeats[country] += 1
            values = {**record.values, "contributor": country, "troops": troops}
            key = f"{record.key}|{country}|{repeats[country]}"
            records.append(Record(record.row, key, values))
    return ParsedFile(path.name, records)


def persist_contributors(
    parsed: ParsedFile[Record], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(DeploymentContributor, run), "key", parsed, run, progress, lambda r: r.values
    )


def read_units(seen: Counter[str], row: Row) -> Record:
    key, values = read_place(seen, row, DeploymentUnits)
    for column, field in GEOPKO_UNITS.items():
        if row.text(column) == "":
            row.problem(column, _("this field is required and is empty"))
        values[field] = row.count(column)
    return Record(row.number, key, values)


def parse_units(path: Path, progress: ProgressCallback) -> ParsedFile[Record]:
    frame = read_csv_frame(path, UNIT_COLUMNS)
    seen: Counter[str] = Counter()
    return validate_rows(path, frame, lambda row: read_units(seen, row), progress)


def persist_units(
    parsed: ParsedFile[Record], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(DeploymentUnits, run), "key", parsed, run, progress, lambda r: r.values
    )


MANDATE_TAXONOMY: Importer[ParsedFile[Record]] = Importer(
    "mandate-taxonomy", parse_taxonomy, persist_taxonomy
)
MANDATE_TASKS: Importer[ParsedTasks] = Importer("mandate-tasks", parse_tasks, persist_tasks)
AGREEMENT: Importer[ParsedFile[Record]] = Importer(
    "agreement", parse_provisions, persist_provisions
)
AGREEMENT_EVENTS: Importer[ParsedFile[EventRecord]] = Importer(
    "agreement-events", parse_events, persist_events
)
GEOPKO: Importer[ParsedFile[Record]] = Importer("geopko", parse_geopko, persist_geopko)
GEOPKO_CONTRIBUTORS: Importer[ParsedFile[Record]] = Importer(
    "geopko-contributors", parse_contributors, persist_contributors
)
GEOPKO_UNITS_IMPORTER: Importer[ParsedFile[Record]] = Importer(
    "geopko-units", parse_units, persist_units
)
