"""Import runs say what really happened, even when the importing process is killed (issue 11 §15).

A run is recorded as running before its data's transaction, and turned into "succeeded" with its
counts in the same commit as the data; a "running" record whose process is gone is shown as
interrupted. The kill tests run ``commonground import`` as a subprocess on a labelled synthetic
GED file and kill it with SIGKILL while it writes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.synthetic import write_synthetic_ged
from commonground.core.models import ImportOutcome, ImportRun
from commonground.core.queries import INTERRUPTED, run_state
from commonground.events.models import Event

COMMAND = Path(sys.executable).parent / "commonground"
CHECKOUT = str(Path(__file__).resolve().parents[3])

#: Big enough that the import writes for a few seconds, so that the kill lands while it does.
ROWS = 60_000


def ended_process_number() -> int:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


# --- How a recorded run is shown -------------------------------------------------------------

ME = socket.gethostname()

#: (recorded outcome, host, process, shown as)
STATES: list[tuple[str, str, Callable[[], int | None], str]] = [
    (ImportOutcome.RUNNING, ME, os.getpid, ImportOutcome.RUNNING),
    (ImportOutcome.RUNNING, ME, ended_process_number, INTERRUPTED),
    (ImportOutcome.RUNNING, "another-machine", ended_process_number, ImportOutcome.RUNNING),
    (ImportOutcome.SUCCEEDED, ME, ended_process_number, ImportOutcome.SUCCEEDED),
    (ImportOutcome.FAILED, ME, ended_process_number, ImportOutcome.FAILED),
]


@pytest.mark.parametrize(("recorded", "host", "process", "shown"), STATES)
def test_a_running_record_whose_process_is_gone_shows_as_interrupted(
    db: None, recorded: str, host: str, process: Callable[[], int | None], shown: str
) -> None:
    run = ImportRun.objects.create(
        dataset="ucdp-ged", file_name="synthetic.csv", outcome=recorded, host=host, pid=process()
    )
    assert run_state(run) == shown


# --- Killed while it writes ------------------------------------------------------------------


def command_environment(home: Path, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "COMMONGROUND_HOME": str(home), "PYTHONPATH": CHECKOUT}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [COMMAND, *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def kill_while_writing(env: dict[str, str], synthetic: Path, writing: Callable[[], bool]) -> None:
    """Start ``commonground import`` and SIGKILL it once ``writing()`` says it writes."""
    importer = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [COMMAND, "import", "ged", str(synthetic), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    try:
        while not writing():
            assert importer.poll() is None, "the import ended before it was killed"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)


@pytest.mark.slow
def test_on_sqlite_a_killed_import_shows_as_interrupted_and_changed_nothing(
    tmp_path: Path,
) -> None:
    env = command_environment(tmp_path, None)
    run_command(env, "init")
    synthetic = write_synthetic_ged(tmp_path / "ged_23_1_SYNTHETIC_killed.csv", ROWS, seed=15)

    kill_while_writing(env, synthetic, lambda: any(tmp_path.glob("commonground-staging-*")))

    runs = json.loads(run_command(env, "imports", "--json"))
    assert [(run["file"], run["state"]) for run in runs] == [(synthetic.name, INTERRUPTED)]
    assert '"events": 0' in run_command(env, "stats", "--json")
    # The killed import's staging folder (issue 11 §14) goes at the next start.
    assert list(tmp_path.glob("commonground-staging-*"))
    run_command(env, "init")
    assert not list(tmp_path.glob("commonground-staging-*"))


@pytest.mark.slow
def test_on_postgresql_a_killed_import_shows_what_the_database_holds(
    transactional_db: None, tmp_path: Path
) -> None:
    """The kill lands while the import COPYs its rows. Its commit may still land later (once
    sent, PostgreSQL finishes it): either way the run's record must match the data."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: runs when DATABASE_URL names a PostgreSQL database (CI)")
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = command_environment(tmp_path, url)
    synthetic = write_synthetic_ged(tmp_path / "ged_23_1_SYNTHETIC_killed.csv", ROWS, seed=15)

    def others(condition: str) -> bool:
        """Whether another session on this database matches ``condition``."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "  # noqa: S608 (our own fixed conditions)
                f"AND pid <> pg_backend_pid() AND {condition}"
            )
            return bool(cursor.fetchone()[0])

    kill_while_writing(env, synthetic, lambda: others("query ILIKE 'COPY \"events_event\"%%'"))
    deadline = time.monotonic() + 120
    while others("TRUE"):  # the killed client's session finishes (commits or rolls back)
        assert time.monotonic() < deadline, "the killed import's session never ended"
        time.sleep(0.2)

    runs = list(ImportRun.objects.filter(file_name=synthetic.name))
    assert len(runs) == 1, "the attempt left no record"
    run, events = runs[0], Event.objects.filter(import_run=runs[0]).count()
    if events:
        assert (run_state(run), run.added, run.rows_read) == ("succeeded", events, ROWS)
        assert run.finished_at is not None and run.finished_at <= timezone.now()
    else:
        assert run_state(run) == INTERRUPTED
        assert Event.objects.count() == 0
