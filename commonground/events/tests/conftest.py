"""Fixtures for the event importers: the real GED extract, read independently, and owners.

Expectations are computed from the files with Python's csv module, never from our importer, so
a test fails when the importer and the file disagree.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from pytest_django import DjangoDbBlocker

import commonground
from commonground.core.models import Area, ImportRun
from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.events.models import Event, SourceChunk
from commonground.registry.models import Actor, ActorIdentifier
from commonground.sharing.models import Organization, OrganizationKind
from commonground.sharing.services import local_organization

GedRow = dict[str, str]

#: The documented import templates (docs/templates/), which tests hold to what they say.
TEMPLATES = Path(commonground.__file__).resolve().parent.parent / "docs" / "templates"
INCIDENTS_TEMPLATE = TEMPLATES / "incidents-template.csv"


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A file's header and records, read with the csv module (independently of our reader)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def incident_rows() -> list[dict[str, str]]:
    """The template's example rows under ids of our own, so the importer takes them as real."""
    _header, rows = read_csv_rows(INCIDENTS_TEMPLATE)
    return [{**row, "incident_id": f"BAM-2024-{n:04d}"} for n, row in enumerate(rows, 1)]


@pytest.fixture(scope="session")
def ged_csv() -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"


@pytest.fixture(scope="session")
def ged_geojson() -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / "ucdp_ged_23_1_CAF.geojson"


@pytest.fixture(scope="session")
def ged_header(ged_csv: Path) -> list[str]:
    with ged_csv.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="session")
def ged_rows(ged_csv: Path) -> list[GedRow]:
    """Every record of the real file, in order; record n is spreadsheet row n + 2."""
    with ged_csv.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ged_imported(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, ged_csv: Path
) -> Iterator[ImportRun]:
    """The real GED file imported once for a whole module (about half a second saved per test).

    The import runs in a transaction rolled back when the module ends, so other modules see an
    empty database again; each test's own writes nest inside it and roll back too.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield do_import(GED, ged_csv, local_organization())
        transaction.set_rollback(True)


@pytest.fixture
def ged_run(db: None, ged_imported: ImportRun) -> ImportRun:
    """The module's GED import, for a test that reads (or writes, rolled back) on top of it."""
    return ged_imported


@pytest.fixture
def owner(db: None) -> Organization:
    return local_organization()


@pytest.fixture
def other_owner(db: None) -> Organization:
    return Organization.objects.create(
        slug="sfcg-car", name="Search for Common Ground CAR", kind=OrganizationKind.NGO_PEACEBUILDER
    )


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    """Write rows as a source would: comma-separated, RFC 4180 quoting, UTF-8."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def table_counts() -> dict[str, int]:
    """What an import may change; a rejected import must leave all of it as it was."""
    return {
        "events": Event.objects.count(),
        "source_chunks": SourceChunk.objects.count(),
        "areas": Area.objects.count(),
        "actors": Actor.objects.count(),
        "actor_identifiers": ActorIdentifier.objects.count(),
        "import_runs": ImportRun.objects.count(),
    }


@pytest.fixture
def counts() -> Callable[[], dict[str, int]]:
    return table_counts


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stage every insert through a scratch database (SQLite), however small the file."""
    if connection.vendor != "sqlite":
        pytest.skip("staging is SQLite's path; PostgreSQL loads with COPY")
    monkeypatch.setattr("commonground.events.bulk.MIN_STAGED_ROWS", 1)
