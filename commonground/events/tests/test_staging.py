"""Bulk loads of the real file into an empty table; on SQLite, the staging fallback.

In a module of their own because they need an empty table, and the fallback must run outside
a transaction (SQLite detaches nothing inside one): test_sources' module-wide GED import holds
one open.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from commonground.core.services import do_import, import_persisted
from commonground.events import bulk
from commonground.events.importers.ged import GED
from commonground.events.models import Event
from commonground.events.services import sqlite_import_cache_kib
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


def _cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return int(cursor.fetchone()[0])


def test_an_import_gives_the_connection_its_page_cache_back(
    transactional_db: None, ged_csv: Path
) -> None:
    """The import's big page cache lasts until its commit: a server keeps its connections."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")
    with connection.cursor() as cursor:  # SQLite's default (an import rolled back keeps its own)
        cursor.execute("PRAGMA cache_size = -2000")
    before = _cache_size()
    during: list[int] = []

    def note_cache(sender: object, **kwargs: object) -> None:
        during.append(_cache_size())

    import_persisted.connect(note_cache)
    try:
        assert do_import(GED, ged_csv, local_organization()).added == 1848
    finally:
        import_persisted.disconnect(note_cache)
    assert during == [-sqlite_import_cache_kib(1848)]
    assert during[0] != before
    assert _cache_size() == before
