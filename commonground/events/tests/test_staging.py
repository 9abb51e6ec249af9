"""Bulk loads of the real file into an empty table; on SQLite, the staging fallback.

In a module of their own because they need an empty table, and the fallback must run outside
a transaction (SQLite detaches nothing inside one): test_sources' module-wide GED import holds
one open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
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


# --- Leftovers of killed imports (issue 11 §14) ----------------------------------------------


def ended_process_number() -> int:
    """The number of a process that has ended (one started and waited for)."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def leftover(folder: Path, name: str, *, age_s: float = 0) -> Path:
    """A staging folder as a killed import leaves it: a scratch database file inside."""
    made = folder / name
    made.mkdir()
    (made / "rows-0.sqlite3").write_bytes(b"SQLite format 3\x00" + bytes(4096))
    if age_s:
        old = time.time() - age_s
        os.utime(made, (old, old))
    return made


def test_staging_folders_of_ended_imports_are_removed_and_others_kept(tmp_path: Path) -> None:
    """Which folders go, as a table: (folder, why, removed?)."""
    this_process = os.getpid()
    cases = [
        (f"commonground-staging-{ended_process_number()}-k1llED", "its process ended", True),
        ("commonground-staging-a8x2q_0", "old naming, older than this process", True),
        (f"commonground-staging-{this_process}-busy", "its import is running", False),
        ("commonground-other-thing", "not our naming", False),
        ("staging-not-ours", "not our naming", False),
    ]
    made = {name: leftover(tmp_path, name, age_s=3600) for name, _why, _gone in cases[:2]}
    made.update({name: leftover(tmp_path, name) for name, _why, _gone in cases[2:]})

    removed = bulk.remove_staging_leftovers(tmp_path)

    assert sorted(removed) == sorted(made[name] for name, _why, gone in cases if gone)
    for name, why, gone in cases:
        assert made[name].exists() is not gone, (name, why)


def test_the_next_import_removes_a_killed_imports_staging_folder(
    transactional_db: None, ged_csv: Path, staged: None
) -> None:
    folder = Path(tempfile.gettempdir())  # where an in-memory test database stages
    stale = leftover(folder, f"commonground-staging-{ended_process_number()}-t3st")
    try:
        assert do_import(GED, ged_csv, local_organization()).added == 1848
        assert not stale.exists()
        assert not list(folder.glob(f"commonground-staging-{os.getpid()}-*"))  # its own, gone
    finally:
        shutil.rmtree(stale, ignore_errors=True)


@pytest.mark.slow
def test_commonground_init_removes_a_killed_imports_staging_folder(tmp_path: Path) -> None:
    # This checkout's code, whichever checkout the command was installed from.
    code = str(Path(bulk.__file__).resolve().parents[2])
    env = {**os.environ, "COMMONGROUND_HOME": str(tmp_path), "PYTHONPATH": code}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    stale = leftover(tmp_path, f"commonground-staging-{ended_process_number()}-1nit")
    command = Path(sys.executable).parent / "commonground"
    done = subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [command, "init"], env=env, check=True, capture_output=True, text=True
    )
    assert not stale.exists()
    assert f"Removed {stale}" in done.stdout
