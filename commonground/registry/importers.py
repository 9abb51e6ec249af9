"""Importers for the three registry files: operations, parallel forces and presence.

Each importer is a pure ``parse`` that reads the CSV and validates every cell without touching
the database, and a ``persist`` that :func:`commonground.core.services.do_import` runs inside one
transaction. A bad file is rejected whole, every problem named by file, row and column.

**Matching.** A record is matched by the file's ``id``: ``Operation.slug``, ``ParallelForce.slug``,
``Presence.source_id``. Parallel forces and presence rows point at operations by *acronym*, which
is why an acronym may appear only once in ``operations.csv``.

**Re-import.** A record whose values are unchanged is left alone and keeps the ``import_run`` and
``source_row`` of the run that last wrote it: its provenance keeps pointing at the file and row its
values came from (``unchanged``). A record whose values changed is updated and stamped with the
new run and row (``updated``). Re-importing the same file therefore writes nothing.

**Rows absent from a new file** are left alone, unless the user asked the file to replace the
registry (``--replace-release``; ADR 0010). Then they are counted as ``removed``, and each
deleted one is kept in the run's withdrawals, from which it can be restored. The scope is what
the same owner imported from the same dataset (for presence also the same countries, so that a
``presence_MLI.csv`` never removes CAF rows); records entered by hand are never touched. An absent
record that nothing references is deleted. One that is still referenced (an operation that a
parallel force runs beside, or that presence rows belong to) is kept and counted as removed again
on the next import: deleting it would silently unlink, or be blocked by, data that came from
another file, and the registry is small enough that a reviewer can clean it up by hand.

**Presence rows** have no country column in ``presence_CAF.csv``: the country comes from an
optional ``country`` column, else from the file name's ``_ISO3`` suffix. Organizations are matched
by acronym first, so the MINUSCA rows that add a contingent in brackets become one organization
whose other spellings are kept as aliases. Empty dates stay empty: they are unknown, not guessed.
"""

from __future__ import annotations

import calendar
import difflib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import polars as pl
import pycountry
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonground.core.areas import ensure_areas
from commonground.core.geo import is_known_country, within_country
from commonground.core.importing import ProblemList, ProgressCallback, read_csv_frame, reject
from commonground.core.models import Area, ImportRun
from commonground.core.services import ImportCounts, Importer, record_withdrawals, snapshot_of
from commonground.registry.models import (
    CommandRelation,
    DatePrecision,
    LeadEntityType,
    LeadType,
    Operation,
    ParallelForce,
    Presence,
    PresenceKind,
    PresenceType,
    PurposeType,
    UnscStatus,
)
from commonground.sharing.models import Licence, Organization, OrganizationKind, Sensitivity
from commonground.sharing.services import do_ensure_organization

OPERATION_COLUMNS = (
    "id", "acronym", "name", "lead_type", "lead_org", "host_countries", "start_date", "end_date",
    "unsc_authorization", "mandate_focus", "source_url",
)  # fmt: skip
PARALLEL_FORCE_COLUMNS = (
    "id", "parallel_force", "lead_entity", "lead_entity_type", "un_operation", "host_country",
    "start_year", "end_year", "unsc_status", "command_relation", "purpose_type",
)  # fmt: skip
PRESENCE_COLUMNS = (
    "id", "organization", "organization_acronym", "organization_kind", "presence_type", "place",
    "admin1", "latitude", "longitude", "start", "end",
)  # fmt: skip

#: ISO 3166 user-assigned codes that sources use for places the standard does not list.
USER_ASSIGNED_ISO3 = frozenset({"XKX"})
#: Years a registry date may fall in; anything else is a typing slip.
YEARS = range(1900, 2101)
#: More people than this at one place is a typing slip, not a deployment.
MAX_PERSONNEL = 1_000_000
UN_LEAD_TYPES = frozenset({LeadType.UN_PKO, LeadType.UN_SPM})

#: How presence_CAF.md's organization kinds map onto the platform's organization kinds.
ORGANIZATION_KINDS: dict[str, OrganizationKind] = {
    PresenceKind.UN_MISSION: OrganizationKind.UN_MISSION,
    PresenceKind.REGIONAL_FORCE: OrganizationKind.REGIONAL_ORGANIZATION,
    PresenceKind.PARALLEL_FORCE: OrganizationKind.PARALLEL_FORCE,
    PresenceKind.NATIONAL_FORCES: OrganizationKind.NATIONAL_GOVERNMENT,
    PresenceKind.POLICE: OrganizationKind.NATIONAL_GOVERNMENT,
    PresenceKind.HUMANITARIAN: OrganizationKind.HUMANITARIAN,
    PresenceKind.PEACEBUILDER: OrganizationKind.NGO_PEACEBUILDER,
    PresenceKind.LOCAL_PEACE_COMMITTEE: OrganizationKind.CIVIL_SOCIETY,
    PresenceKind.OTHER: OrganizationKind.OTHER,
}

_SLUG = re.compile(r"[-A-Za-z0-9_]+")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DIGITS = re.compile(r"[0-9]+")
_FILE_COUNTRY = re.compile(r"_([A-Za-z]{3})$")

M = TypeVar("M", bound=models.Model)


def max_length(model: type[models.Model], name: str) -> int:
    """A CharField's limit, read from the model so the check cannot drift from the schema."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.max_length:
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return int(field.max_length)


def is_iso3(code: str) -> bool:
    return code in USER_ASSIGNED_ISO3 or (
        len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None
    )


# --- Dates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A date only as precise as the source: its first and last day and the precision."""

    first: date
    last: date
    precision: str


def parse_period(text: str) -> Period:
    """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ValueError says what is wrong and how."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(
            _("{value} is not a date written YYYY or YYYY-MM").format(value=repr(text))
        )
    year = int(match[1])
    if year not in YEARS:
        raise ValueError(
            _("{value}: the year is outside {first}-{last}").format(
                value=repr(text), first=YEARS.start, last=YEARS.stop - 1
            )
        )
    if match[2] is None:
        return Period(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR)
    month = int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(
            _("{value}: there is no month {month} (write YYYY-MM, month 01-12)").format(
                value=repr(text), month=month
            )
        )
    last_day = calendar.monthrange(year, month)[1]
    if match[3] is None:
        return Period(date(year, month, 1), date(year, month, last_day), DatePrecision.MONTH)
    day = int(match[3])
    if not 1 <= day <= last_day:
        raise ValueError(
            _("{value}: {month} has no day {day}").format(
                value=repr(text), month=date_format(date(year, month, 1), "F Y"), day=day
            )
        )
    return Period(date(year, month, day), date(year, month, day), DatePrecision.DAY)


def date_fields(prefix: str, period: Period | None) -> dict[str, Any]:
    """``start_date``/``start_precision`` values: first day and precision, or empty if unknown."""
    return {
        f"{prefix}_date": period.first if period else None,
        f"{prefix}_precision": period.precision if period else "",
    }


# --- Reading one row ------------------------------------------------------------------------


class Row:
    """One CSV record under validation.

    Every reader returns a clean value or records a problem (returning an empty value), so one
    pass reports every bad cell of every row rather than stopping at the first.
    """

    def __init__(self, record: dict[str, Any], problems: ProblemList) -> None:
        self.number = int(record["_row"])
        self._record = record
        self._problems = problems

    def problem(self, column: str | None, reason: str) -> None:
        self._problems.add(self.number, column, reason)

    def text(self, column: str, *, required: bool = False, limit: int | None = None) -> str:
        value = str(self._record.get(column) or "").strip()
        if required and not value:
            self.problem(column, _("this field is required and is empty"))
        if limit is not None and len(value) > limit:
            self.problem(
                column,
                _("{length} characters; at most {limit} fit").format(
                    length=len(value), limit=limit
                ),
            )
        return value

    def slug(self, column: str, limit: int) -> str:
        value = self.text(column, required=True, limit=limit)
        if value and not _SLUG.fullmatch(value):
            self.problem(
                column,
                _("{value} is not a valid id: use letters, digits, - and _ only").format(
                    value=repr(value)
                ),
            )
        return value

    def choice(self, column: str, choices: type[models.TextChoices]) -> str:
        allowed = [str(v) for v in choices.values]
        value = self.text(column, required="" not in allowed)
        if value and value not in allowed:
            folded = {v.casefold(): v for v in allowed}
            hint = [folded[value.casefold()]] if value.casefold() in folded else []
            hint = hint or difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
            listed = ", ".join(repr(v) for v in allowed if v)
            self.problem(
                column,
                _("{value} is not one of {allowed} (did you mean {hint}?)").format(
                    value=repr(value), allowed=listed, hint=repr(hint[0])
                )
                if hint
                else _("{value} is not one of {allowed}").format(value=repr(value), allowed=listed),
            )
        return value

    def period(self, column: str) -> Period | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse_period(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None

    def year(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if value and (not _DIGITS.fullmatch(value) or int(value) not in YEARS):
            self.problem(
                column,
                _("{value} is not a year between {first} and {last}").format(
                    value=repr(value), first=YEARS.start, last=YEARS.stop - 1
                ),
            )
            return None
        return int(value) if value else None

    def check_order(
        self, start_column: str, end_column: str, start: Period | None, end: Period | None
    ) -> None:
        """An end wholly before its start; a ``2014`` end with a ``2014-09`` start is fine."""
        if start is not None and end is not None and end.last < start.first:
            self.problem(
                end_column,
                _("ends ({end}) before it starts ({start})").format(
                    end=self.text(end_column), start=self.text(start_column)
                ),
            )

    def split(self, column: str) -> list[str]:
        """A ``;``-separated list, blanks and repeats dropped, order kept."""
        return list(dict.fromkeys(p.strip() for p in self.text(column).split(";") if p.strip()))

    def countries(self, column: str) -> list[str]:
        codes = [code.upper() for code in self.split(column)]
        for code in codes:
            if not is_iso3(code):
                self.problem(
                    column,
                    _("{value} is not an ISO 3166 alpha-3 country code").format(value=repr(code)),
                )
        return codes

    def resolutions(self, column: str) -> list[int]:
        numbers = self.split(column)
        for number in numbers:
            if not _DIGITS.fullmatch(number):
                self.problem(
                    column,
                    _("{value} is not a Security Council resolution number").format(
                        value=repr(number)
                    ),
                )
        return [int(n) for n in numbers if _DIGITS.fullmatch(n)]

    def urls(self, column: str, limit: int = 500) -> list[str]:
        values = self.split(column)
        for value in values:
            parts = urlsplit(value)
            if parts.scheme not in {"http", "https"} or not parts.netloc or " " in value:
                self.problem(
                    column,
                    _("{value} is not a web address (http:// or https://)").format(
                        value=repr(value[:80])
                    ),
                )
            elif len(value) > limit:
                self.problem(
                    column,
                    _("the address has {length} characters; at most {limit} fit").format(
                        length=len(value), limit=limit
                    ),
                )
        return values

    def url(self, column: str) -> str:
        if ";" in self.text(column):
            self.problem(column, _("give one address only"))
        return "".join(self.urls(column)[:1])

    def count(self, column: str) -> int | None:
        """Personnel: a whole number from 0 up; a negative or 'about 100' is refused."""
        value = self.text(column)
        if not value:
            return None
        if not _DIGITS.fullmatch(value):
            negative = value.startswith("-") and _DIGITS.fullmatch(value[1:])
            self.problem(
                column,
                _("cannot be negative")
                if negative
                else _("{value} is not a whole number").format(value=repr(value)),
            )
            return None
        if int(value) > MAX_PERSONNEL:
            self.problem(
                column,
                _("{value} is more than {limit:,}: check the figure").format(
                    value=value, limit=MAX_PERSONNEL
                ),
            )
            return None
        return int(value)

    def coordinate(self, column: str, bound: float) -> float | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            if "," in value:
                reason = _("{value} is not a number (use a decimal point, not a comma)")
            else:
                reason = _("{value} is not a number")
            self.problem(column, reason.format(value=repr(value)))
            return None
        if not -bound <= number <= bound:
            self.problem(
                column,
                _("{value} is outside -{bound:g}..{bound:g}").format(value=value, bound=bound),
            )
            return None
        return number

    def point(self, country: str) -> tuple[float | None, float | None]:
        """Latitude and longitude: both or neither, and inside the row's country."""
        latitude, longitude = self.coordinate("latitude", 90), self.coordinate("longitude", 180)
        if latitude is None or longitude is None:
            if bool(self.text("latitude")) != bool(self.text("longitude")):
                self.problem("latitude", _("give both latitude and longitude, or neither"))
            return None, None
        if is_known_country(country) and not within_country(country, latitude, longitude):
            self.problem(
                "latitude",
                _(
                    "the point ({latitude}, {longitude}) is outside {country}: "
                    "are latitude and longitude swapped, or is the sign wrong?"
                ).format(latitude=latitude, longitude=longitude, country=country),
            )
        return latitude, longitude


# --- Parsed files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One validated row: its spreadsheet row, its id in the file and the model's values."""

    row: int
    key: str
    values: dict[str, Any]


@dataclass(frozen=True)
class ForceRecord(Record):
    un_operations: tuple[str, ...] = ()


@dataclass(frozen=True)
class PresenceRecord(Record):
    organization: str = ""
    acronym: str = ""
    kind: str = ""
    admin1: str = ""

    @property
    def organization_key(self) -> str:
        """Rows sharing an acronym are one organization; without one, the name decides."""
        return (self.acronym or self.organization).casefold()


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class ParsedFile(Generic[R]):
    file: str
    records: list[R]


def validate_rows(
    path: Path,
    frame: pl.DataFrame,
    read: Callable[[Row], R],
    progress: ProgressCallback,
    unique: Callable[[R], str] | None = None,
) -> ParsedFile[R]:
    """Read every row, refuse repeated ids (and repeated ``unique`` values); reject or return."""
    problems = ProblemList(path.name)
    records: list[R] = []
    seen: dict[tuple[str, str], int] = {}
    for done, raw in enumerate(frame.iter_rows(named=True), start=1):
        row = Row(raw, problems)
        record = read(row)
        checks = [("id", record.key)] + ([("acronym", unique(record))] if unique else [])
        for column, value in checks:
            if value and (column, value.casefold()) in seen:
                first = seen[(column, value.casefold())]
                row.problem(
                    column,
                    _("{value} is already used on row {row}").format(value=repr(value), row=first),
                )
            seen.setdefault((column, value.casefold()), row.number)
        records.append(record)
        progress("validating", done, frame.height)
    problems.raise_if_any(frame.height)
    return ParsedFile(path.name, records)


def read_operation(row: Row) -> Record:
    start, end = row.period("start_date"), row.period("end_date")
    row.check_order("start_date", "end_date", start, end)
    values = {
        "acronym": row.text("acronym", required=True, limit=max_length(Operation, "acronym")),
        "name": row.text("name", required=True, limit=max_length(Operation, "name")),
        "lead_type": row.choice("lead_type", LeadType),
        "lead_org": row.text("lead_org", limit=max_length(Operation, "lead_org")),
        "host_countries": row.countries("host_countries"),
        **date_fields("start", start),
        **date_fields("end", end),
        "unsc_resolutions": row.resolutions("unsc_authorization"),
        "mandate_focus": row.split("mandate_focus"),
        "source_url": row.url("source_url"),
        "verification": row.text("verification", limit=max_length(Operation, "verification")),
        "notes": row.text("notes"),
    }
    return Record(row.number, row.slug("id", max_length(Operation, "slug")), values)


def read_parallel_force(row: Row) -> ForceRecord:
    start, end = row.year("start_year", required=True), row.year("end_year")
    row.check_order(
        "start_year",
        "end_year",
        parse_period(str(start)) if start else None,
        parse_period(str(end)) if end else None,
    )
    un_operations = tuple(row.split("un_operation"))
    if not un_operations:
        row.problem("un_operation", _("name the UN operation(s) it ran beside, separated by ';'"))
    values = {
        "name": row.text("parallel_force", required=True, limit=max_length(ParallelForce, "name")),
        "lead_entity": row.text(
            "lead_entity", required=True, limit=max_length(ParallelForce, "lead_entity")
        ),
        "lead_entity_type": row.choice("lead_entity_type", LeadEntityType),
        "host_countries": row.countries("host_country"),
        "start_year": start,
        "end_year": end,
        "unsc_status": row.choice("unsc_status", UnscStatus),
        "command_relation": row.choice("command_relation", CommandRelation),
        "purpose_type": row.choice("purpose_type", PurposeType),
        "sources": row.urls("source"),
        "verification": row.text("verification", limit=max_length(ParallelForce, "verification")),
        "notes": row.text("notes"),
    }
    key = row.slug("id", max_length(ParallelForce, "slug"))
    return ForceRecord(row.number, key, values, un_operations=un_operations)


def presence_country(row: Row, file_country: str) -> str:
    """The row's ``country`` cell, else the country the file's name gives."""
    country = row.text("country").upper() or file_country
    if not country:
        row.problem("country", _("no country: fill the 'country' column with an ISO3 code"))
    elif not is_iso3(country):
        row.problem(
            "country",
            _("{value} is not an ISO 3166 alpha-3 country code").format(value=repr(country)),
        )
    return country


def read_presence(row: Row, file_country: str) -> PresenceRecord:
    country = presence_country(row, file_country)
    start, end = row.period("start"), row.period("end")
    row.check_order("start", "end", start, end)
    latitude, longitude = row.point(country)
    personnel, women = row.count("personnel"), row.count("personnel_women")
    if personnel is not None and women is not None and women > personnel:
        row.problem(
            "personnel_women",
            _("{women} women is more than the {personnel} personnel").format(
                women=women, personnel=personnel
            ),
        )
    source_date = row.text("source_date")
    if source_date:
        row.period("source_date")
    values = {
        "actor_kind": row.choice("organization_kind", PresenceKind),
        "presence_type": row.choice("presence_type", PresenceType),
        "country_code": country,
        "place": row.text("place", limit=max_length(Presence, "place")),
        "latitude": latitude,
        "longitude": longitude,
        **date_fields("start", start),
        **date_fields("end", end),
        "personnel": personnel,
        "personnel_women": women,
        "source_url": row.url("source_url"),
        "source_date": source_date,
    }
    return PresenceRecord(
        row.number,
        row.text("id", required=True, limit=max_length(Presence, "source_id")),
        values,
        organization=row.text(
            "organization", required=True, limit=max_length(Organization, "name")
        ),
        acronym=row.text("organization_acronym", limit=max_length(Organization, "acronym")),
        kind=values["actor_kind"],
        admin1=row.text("admin1", limit=max_length(Area, "name_en")),
    )


def country_from_file_name(path: Path) -> str:
    """``presence_CAF.csv`` -> ``CAF``; empty when the name carries no ISO3 suffix."""
    match = _FILE_COUNTRY.search(path.stem)
    code = match[1].upper() if match else ""
    return code if is_iso3(code) else ""


def parse_operations(path: Path, progress: ProgressCallback) -> ParsedFile[Record]:
    frame = read_csv_frame(path, OPERATION_COLUMNS)
    return validate_rows(path, frame, read_operation, progress, lambda r: r.values["acronym"])


def parse_parallel_forces(path: Path, progress: ProgressCallback) -> ParsedFile[ForceRecord]:
    frame = read_csv_frame(path, PARALLEL_FORCE_COLUMNS)
    return validate_rows(path, frame, read_parallel_force, progress)


def parse_presence(path: Path, progress: ProgressCallback) -> ParsedFile[PresenceRecord]:
    frame = read_csv_frame(path, PRESENCE_COLUMNS)
    file_country = country_from_file_name(path)
    if not file_country and "country" not in frame.columns:
        reject(
            path,
            _(
                "the file has no 'country' column and its name does not end in a country code: "
                "add a 'country' column (ISO3, e.g. CAF) or name the file like presence_CAF.csv"
            ),
            row=1,
            column="country",
        )
    return validate_rows(path, frame, lambda row: read_presence(row, file_country), progress)


# --- Writing --------------------------------------------------------------------------------


def ownership(run: ImportRun) -> dict[str, Any]:
    """Registry rows are public facts owned by whoever imported them."""
    if run.owner_id is None:
        raise ValueError("a registry import needs an owner organization")
    return {
        "owner_id": run.owner_id,
        "sensitivity": Sensitivity.PUBLIC,
        "licence": Licence.PUBLIC_FACTS,
    }


def stamp(obj: models.Model, run: ImportRun, row: int) -> None:
    """Provenance: the run and row that last wrote the record's values."""
    setattr(obj, "import_run", run)  # noqa: B010 - not every model has it, registry ones do
    setattr(obj, "source_row", row)  # noqa: B010


def write_record(
    model: type[M],
    existing: dict[str, M],
    key_field: str,
    record: Record,
    values: dict[str, Any],
    run: ImportRun,
) -> tuple[M, str]:
    """Create, update or leave one record; return it and which of the three happened."""
    obj = existing.get(record.key)
    if obj is None:
        obj = model(**{key_field: record.key}, **values)
        stamp(obj, run, record.row)
        obj.save(force_insert=True)
        return obj, "added"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    stamp(obj, run, record.row)
    obj.save()
    return obj, "updated"


def is_referenced(obj: models.Model) -> bool:
    """Whether any row points at ``obj``: reverse foreign keys, one-to-one and many-to-many."""
    for relation in obj._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        related = relation.related_model
        if (
            isinstance(related, type)
            and related._default_manager.filter(**{relation.field.name: obj}).exists()
        ):
            return True
    return False


def remove_absent(scope: QuerySet[M], key_field: str, keys: Iterable[str], run: ImportRun) -> int:
    """Delete the records the file no longer has, unless referenced; return how many were absent.

    Only when the user asked the file to replace the registry (``run.replace_release``): a
    newer file that lacks a record is otherwise no reason to delete it. Each deleted record is
    kept as a snapshot in the run's withdrawals, so ``undo-withdrawals`` can bring it back.
    """
    if not run.replace_release:
        return 0
    absent = list(scope.exclude(**{f"{key_field}__in": list(keys)}))
    deleted: list[tuple[Any, str, bool, str]] = []
    for obj in absent:
        if is_referenced(obj):
            continue
        snapshot = snapshot_of(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError):
            continue  # a reference is_referenced cannot see; keeping it is the safe side
        deleted.append((obj.pk, str(getattr(obj, key_field)), True, snapshot))
    record_withdrawals(run, scope.model._meta.label_lower, deleted)
    return len(absent)


def sync_records(
    scope: QuerySet[M],
    key_field: str,
    parsed: ParsedFile[R],
    run: ImportRun,
    progress: ProgressCallback,
    values_for: Callable[[R], dict[str, Any]],
    link: Callable[[M, R], bool] | None = None,
) -> ImportCounts:
    """Write every record of a parsed file and count what happened.

    ``link`` sets many-to-many links after the row is saved and says whether they changed, so a
    record whose only change is a link still counts as updated.
    """
    model = scope.model
    keys = [record.key for record in parsed.records]
    existing = {
        getattr(o, key_field): o
        for o in model._default_manager.filter(**{f"{key_field}__in": keys})
    }
    counts = ImportCounts(rows_read=len(keys), only_public=True)  # registries are public facts
    base = ownership(run)
    held = 0
    for done, record in enumerate(parsed.records, start=1):
        values = {**values_for(record), **base}
        stored = existing.get(record.key)
        before = getattr(stored, "owner_id", None) if stored is not None else run.owner_id
        if stored is not None and before != run.owner_id:
            # Another organization holds this record: it keeps it as it is (no take-over).
            held += 1
            counts.unchanged += 1
            counts.count_owner(before, "unchanged")
            continue
        obj, outcome = write_record(model, existing, key_field, record, values, run)
        if link is not None and link(obj, record) and outcome == "unchanged":
            stamp(obj, run, record.row)
            obj.save(update_fields=["import_run", "source_row", "updated_at"])
            outcome = "updated"
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        counts.count_owner(before, outcome)
        progress("writing", done, len(keys))
    counts.removed = remove_absent(scope, key_field, keys, run)
    counts.count_owner(run.owner_id, "removed", counts.removed)
    if held:
        run.problems = [*run.problems, {"level": "warning", "reason": held_by_others_note(held)}]
    return counts


def held_by_others_note(n: int) -> str:
    """The warning for rows naming records another organization imported and holds."""
    return _(
        "{n} rows name records that another organization imported; those records were left as "
        "they are (only the organization that holds them, importing for itself, updates them)"
    ).format(n=f"{n:,}")


def owned_scope(model: type[M], run: ImportRun) -> QuerySet[M]:
    """What this owner imported before from this dataset: the only records an import removes."""
    return model._default_manager.filter(import_run__dataset=run.dataset, owner_id=run.owner_id)


def persist_operations(
    parsed: ParsedFile[Record], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    return sync_records(
        owned_scope(Operation, run), "slug", parsed, run, progress, lambda r: r.values
    )


# --- Parallel forces: links to operations ---------------------------------------------------


def operations_by_acronym(acronyms: Iterable[str]) -> dict[str, list[Operation]]:
    """Operations keyed by case-folded acronym, for the acronyms asked (a registry is small)."""
    wanted = {a.casefold() for a in acronyms}
    found: dict[str, list[Operation]] = {}
    for operation in Operation.objects.only("pk", "acronym", "lead_type"):
        if operation.acronym.casefold() in wanted:
            found.setdefault(operation.acronym.casefold(), []).append(operation)
    return found


def resolve_un_operations(parsed: ParsedFile[ForceRecord]) -> dict[str, Any]:
    """Case-folded acronym -> operation id; reject the file if one is unknown, ambiguous or
    not a UN operation (a parallel force is defined by the UN operation it runs beside)."""
    found = operations_by_acronym(a for r in parsed.records for a in r.un_operations)
    problems = ProblemList(parsed.file)
    if not Operation.objects.exists():
        problems.add(None, "un_operation", _("the operations registry is empty: import it first"))
        problems.raise_if_any(len(parsed.records))
    for record in parsed.records:
        for acronym in record.un_operations:
            matches = found.get(acronym.casefold(), [])
            if not matches:
                reason = _(
                    "no operation with the acronym {acronym}: "
                    "import operations.csv first, or correct the acronym"
                ).format(acronym=repr(acronym))
            elif len(matches) > 1:
                reason = _(
                    "{count} operations have the acronym {acronym}; make acronyms unique"
                ).format(count=len(matches), acronym=repr(acronym))
            elif matches[0].lead_type not in UN_LEAD_TYPES:
                reason = _("{acronym} is a {kind} operation, not a UN one").format(
                    acronym=repr(acronym), kind=matches[0].get_lead_type_display()
                )
            else:
                continue
            problems.add(record.row, "un_operation", reason)
    problems.raise_if_any(len(parsed.records))
    return {key: operations[0].pk for key, operations in found.items()}


def link_parallel_to(wanted: dict[str, set[Any]]) -> Callable[[ParallelForce, ForceRecord], bool]:
    def link(force: ParallelForce, record: ForceRecord) -> bool:
        ids = wanted[record.key]
        if set(force.parallel_to.values_list("pk", flat=True)) == ids:
            return False
        force.parallel_to.set(ids)
        return True

    return link


def persist_parallel_forces(
    parsed: ParsedFile[ForceRecord], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    """Link each force to the UN operations it ran beside, and to its own operations row."""
    un_operations = resolve_un_operations(parsed)
    same_slug = dict(
        Operation.objects.filter(slug__in=[r.key for r in parsed.records]).values_list("slug", "pk")
    )
    wanted = {r.key: {un_operations[a.casefold()] for a in r.un_operations} for r in parsed.records}
    return sync_records(
        owned_scope(ParallelForce, run),
        "slug",
        parsed,
        run,
        progress,
        lambda r: {**r.values, "operation_id": same_slug.get(r.key)},
        link_parallel_to(wanted),
    )


# --- Presence: organizations, areas, operations ---------------------------------------------


def ensure_organizations(records: list[PresenceRecord], run: ImportRun) -> dict[str, Any]:
    """Organization key -> id. The shortest spelling names a new organization (the others add a
    contingent or unit in brackets) and every other spelling is kept as an alias."""
    groups: dict[str, list[PresenceRecord]] = {}
    for record in records:
        groups.setdefault(record.organization_key, []).append(record)
    ids: dict[str, Any] = {}
    for key, group in groups.items():
        names = list(dict.fromkeys(r.organization for r in group))
        kind = Counter(r.kind for r in group).most_common(1)[0][0]
        shortest = min(names, key=len)
        organization = do_ensure_organization(
            shortest,
            group[0].acronym,
            ORGANIZATION_KINDS[kind],
            actor=run.imported_by,
            aliases=[n for n in names if n != shortest],
        )
        ids[key] = organization.pk
    return ids


def presence_areas(records: list[PresenceRecord]) -> dict[tuple[str, str], Any]:
    """(country, admin1) -> area id: the admin-1 unit, or the country when no admin1 is given."""
    keys = {(r.values["country_code"], r.admin1, "") for r in records}
    admin1_ids = ensure_areas(keys)
    countries = dict(Area.objects.filter(code__in={k[0] for k in keys}).values_list("code", "pk"))
    return {(c, a1): admin1_ids[(c, a1, "")][0] or countries[c] for c, a1, _ in keys}


def persist_presence(
    parsed: ParsedFile[PresenceRecord], run: ImportRun, progress: ProgressCallback
) -> ImportCounts:
    organizations = ensure_organizations(parsed.records, run)
    areas = presence_areas(parsed.records)
    found = operations_by_acronym(r.acronym for r in parsed.records if r.acronym)
    operation_ids = {key: ops[0].pk for key, ops in found.items() if len(ops) == 1}

    def values_for(record: PresenceRecord) -> dict[str, Any]:
        country = record.values["country_code"]
        return {
            **record.values,
            "organization_id": organizations[record.organization_key],
            "organization_name": record.organization,
            "area_id": areas[(country, record.admin1)],
            "operation_id": operation_ids.get(record.acronym.casefold())
            if record.acronym
            else None,
        }

    countries = {r.values["country_code"] for r in parsed.records}
    scope = owned_scope(Presence, run).filter(country_code__in=countries)
    return sync_records(scope, "source_id", parsed, run, progress, values_for)


OPERATIONS = Importer("operations", parse_operations, persist_operations)
PARALLEL_FORCES = Importer("parallel-forces", parse_parallel_forces, persist_parallel_forces)
PRESENCE = Importer("presence", parse_presence, persist_presence)
