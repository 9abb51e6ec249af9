"""`commonground init` keeps the database, its WAL files and the secret key private.

A real `commonground init` in a fresh COMMONGROUND_HOME, under the usual umask 022 that would
otherwise make new files world-readable.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import commonground

ROOT = Path(commonground.__file__).resolve().parent.parent


def commonground_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMMONGROUND_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603  # our own command, fixed arguments
        [sys.executable, "-c", "from commonground.cli.main import main; main()", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the common default umask
    )


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home" / "commonground"  # not there yet: init creates it


def test_init_creates_the_home_folder_database_and_key_private(home: Path) -> None:
    result = commonground_cli(home, "init")
    assert result.returncode == 0, result.stderr

    database = home / "commonground.sqlite3"
    assert (mode(home), mode(home / "secret_key"), mode(database)) == (0o700, 0o600, 0o600)


def test_the_write_ahead_log_takes_the_database_files_mode(home: Path) -> None:
    assert commonground_cli(home, "init").returncode == 0
    database = home / "commonground.sqlite3"
    with sqlite3.connect(database) as db:  # another writer, as the server would be
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE probe (x)")
        db.execute("INSERT INTO probe VALUES (1)")
        db.commit()
        companions = [Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert [mode(p) for p in companions] == [0o600, 0o600]


def test_init_tightens_an_older_installation(home: Path) -> None:
    assert commonground_cli(home, "init").returncode == 0
    database = home / "commonground.sqlite3"
    home.chmod(0o755)
    database.chmod(0o644)

    assert commonground_cli(home, "init").returncode == 0
    assert (mode(home), mode(database)) == (0o700, 0o600)
