"""Reads about imports as they really went: is a run still running, or was it interrupted?

An import records itself as running before its data's transaction starts, and that transaction
turns the record into "succeeded" in the same commit as the data (``core/services.py:
do_import``). A record left "running" is therefore either still running, or its process was
killed before the commit landed: then nothing of its data is in the database.
"""

from __future__ import annotations

import datetime
import socket
from typing import Any

import psutil
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonground.core.models import ImportOutcome, ImportRun

#: What a run that is recorded as running but whose process is gone is shown as.
INTERRUPTED = "interrupted"
INTERRUPTED_LABEL = _("Interrupted: the process ended before the import committed; nothing changed")

#: Slack between a process's start time as the system gives it and a record's clock.
_CLOCK_SLACK = datetime.timedelta(seconds=2)


def running_process() -> dict[str, Any]:
    """Who runs an import: this machine, this process and (PostgreSQL) its database session."""
    database_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            database_pid = int(cursor.fetchone()[0])
    return {"host": socket.gethostname(), "pid": psutil.Process().pid, "database_pid": database_pid}


def recent_runs(limit: int = 20) -> QuerySet[ImportRun]:
    """The latest import runs, newest first, for the operator (who holds the database)."""
    return ImportRun.objects.order_by("-started_at").select_related("owner")[:limit]


def run_state(run: ImportRun) -> str:
    """The run's outcome as it really is: ``interrupted`` for a "running" record whose
    process is gone and whose database session (PostgreSQL) is gone too. A run recorded on
    another machine cannot be checked from here and keeps its recorded outcome."""
    if run.outcome != ImportOutcome.RUNNING:
        return str(run.outcome)
    if _database_session_alive(run):
        return str(run.outcome)  # a killed client's commit may still land: not over yet
    if run.host != socket.gethostname() or run.pid is None:
        return str(run.outcome)
    return str(run.outcome) if _process_alive(run.pid, run.started_at) else INTERRUPTED


def run_state_label(run: ImportRun) -> str:
    """:func:`run_state` in words, in the active language."""
    state = run_state(run)
    if state == INTERRUPTED:
        return str(INTERRUPTED_LABEL)
    return str(ImportOutcome(state).label)


def _process_alive(pid: int, started_at: datetime.datetime) -> bool:
    """Whether process ``pid`` runs and started before the run did (not a later reuse)."""
    try:
        began = psutil.Process(pid).create_time()
    except psutil.AccessDenied:  # another user's process: it may well be the one
        return True
    except (psutil.NoSuchProcess, ValueError):
        return False
    return bool(began <= (started_at + _CLOCK_SLACK).timestamp())


def _database_session_alive(run: ImportRun) -> bool:
    """PostgreSQL: whether the run's database session is still open (it may be committing)."""
    if connection.vendor != "postgresql" or run.database_pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND backend_start <= %s",
            [run.database_pid, run.started_at + _CLOCK_SLACK],
        )
        return cursor.fetchone() is not None
