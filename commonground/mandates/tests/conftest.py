"""Fixtures on the real mandate, agreement and Geo-PKO files in ``COMMONGROUND_DATA_DIR``."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.mandates.importers import (
    AGREEMENT,
    AGREEMENT_EVENTS,
    GEOPKO,
    GEOPKO_CONTRIBUTORS,
    GEOPKO_UNITS_IMPORTER,
    MANDATE_TASKS,
    MANDATE_TAXONOMY,
)
from commonground.sharing.models import Organization
from commonground.sharing.services import local_organization

TAXONOMY = "mandates/taxonomy.csv"
TASKS = "mandates/minusca_mandate_tasks.csv"
PROVISIONS = "mandates/appr_rca_2019_provisions.csv"
EVENTS = "mandates/appr_rca_2019_implementation_events.csv"
FRONTMAP = "geopko/FrontMap_v.2.3.csv"
TCCMAP = "geopko/TCCMap_v.2.3.csv"
TTMAP = "geopko/TTMap_v.2.3.csv"

Rows = list[dict[str, str]]


def read_rows(path: Path) -> tuple[list[str], Rows]:
    """A real file's header and rows, for tests that compute the answer or write a bad copy."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: Rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def default_language_after() -> Iterator[None]:
    """A French page request leaves French active in the thread (Django's test client): put
    the default back so the next test module's English messages are not translated."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def owner(db: None) -> Organization:
    return local_organization()


@pytest.fixture
def taxonomy_run(owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(MANDATE_TAXONOMY, data_dir / TAXONOMY, owner=owner)


@pytest.fixture
def tasks_run(taxonomy_run: ImportRun, owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(MANDATE_TASKS, data_dir / TASKS, owner=owner)


@pytest.fixture
def provisions_run(owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(AGREEMENT, data_dir / PROVISIONS, owner=owner)


@pytest.fixture
def events_run(provisions_run: ImportRun, owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(AGREEMENT_EVENTS, data_dir / EVENTS, owner=owner)


@pytest.fixture
def geopko_run(owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(GEOPKO, data_dir / FRONTMAP, owner=owner)


@pytest.fixture
def contributors_run(owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(GEOPKO_CONTRIBUTORS, data_dir / TCCMAP, owner=owner)


@pytest.fixture
def units_run(owner: Organization, data_dir: Path) -> ImportRun:
    return do_import(GEOPKO_UNITS_IMPORTER, data_dir / TTMAP, owner=owner)
