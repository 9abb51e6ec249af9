"""Bulk loads of the real file into an empty table; on SQLite, the staging fallback.

In a module of their own because they need an empty table, and the fallback must run outside
a transaction (SQLite detaches nothing inside one): test_sources' module-wide GED import holds
one open.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from commonground.core.services import do_import
from commonground.events import bulk
from commonground.events.importers.ged import GED
from commonground.events.models import Event
from commonground.sharing.services import local_organization


def test_staged_insert_falls_back_when_no_database_can_be_attached(
    transactional_db: None, ged_csv: Path, staged: None
) -> None:
    """SQLite attaches at most 10 databases; with all taken, rows are bound one by one."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        free = 10 - (len(cursor.fetchall()) - 2)  # main and temp do not count
        for n in range(free):
            cursor.execute(f"ATTACH DATABASE ':memory:' AS test_full_{n}")
    try:
        assert do_import(GED, ged_csv, local_organization()).added == 1848
        assert Event.objects.count() == 1848
    finally:
        with connection.cursor() as cursor:
            for n in range(free):
                cursor.execute(f"DETACH DATABASE test_full_{n}")


def test_a_bulk_load_puts_indexes_and_foreign_keys_back(
    db: None, ged_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "MIN_BULK_ROWS", 1)
    table = Event._meta.db_table
    indexes, keys = bulk._secondary_indexes(table), bulk._foreign_keys(table)
    assert bulk.bulk_load(1848)
    assert do_import(GED, ged_csv, local_organization()).added == 1848
    assert bulk._secondary_indexes(table) == indexes
    assert bulk._foreign_keys(table) == keys
