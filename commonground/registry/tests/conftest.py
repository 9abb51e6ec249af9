"""Fixtures on the real registry files in ``COMMONGROUND_DATA_DIR``."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from commonground.core.models import ImportRun
from commonground.core.services import Importer, do_import
from commonground.registry.importers import OPERATIONS, PARALLEL_FORCES, PRESENCE
from commonground.sharing.models import Organization
from commonground.sharing.services import local_organization

Rows = list[dict[str, str]]


def data_file(name: str) -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / name


def read_rows(name: str) -> tuple[list[str], Rows]:
    """The real file's header and rows, for tests that write a changed copy."""
    with data_file(name).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: Rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def owner(db: None) -> Organization:
    return local_organization()


ImportFile = Callable[[Importer[Any], Path], ImportRun]


@pytest.fixture
def import_file(owner: Organization) -> ImportFile:
    def run(importer: Importer[Any], path: Path) -> ImportRun:
        return do_import(importer, path, owner=owner)

    return run


@pytest.fixture
def operations_run(import_file: ImportFile) -> ImportRun:
    return import_file(OPERATIONS, data_file("operations.csv"))


@pytest.fixture
def forces_run(operations_run: ImportRun, import_file: ImportFile) -> ImportRun:
    return import_file(PARALLEL_FORCES, data_file("parallel_forces.csv"))


@pytest.fixture
def presence_run(operations_run: ImportRun, import_file: ImportFile) -> ImportRun:
    return import_file(PRESENCE, data_file("presence_CAF.csv"))
