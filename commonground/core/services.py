"""The one way to run an import: validate, then persist in one transaction, then record it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from commonground.core.importing import (
    ImportRejected,
    Problem,
    ProgressCallback,
    no_progress,
    sha256_of,
)
from commonground.core.models import ImportOutcome, ImportRun
from commonground.core.queries import running_process
from commonground.sharing.models import AuditEvent, Organization

Parsed = TypeVar("Parsed")

#: Sent inside the import's transaction right after ``persist`` (arguments ``run``, ``dataset``,
#: ``counts`` and ``parsed``, what ``parse`` returned, after ``persist``), so what is derived
#: from the data (the analysis app's stored figures) changes in the same commit. Core sends it
#: and imports no receiver: apps connect to it in ``AppConfig.ready``.
import_persisted = Signal()


@dataclass
class ImportCounts:
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    likely_duplicates: int = 0


@dataclass
class Importer(Generic[Parsed]):
    """One source's importer: a pure ``parse`` and a ``persist`` run inside a transaction."""

    dataset: str
    parse: Callable[[Path, ProgressCallback], Parsed]
    persist: Callable[[Parsed, ImportRun, ProgressCallback], ImportCounts]
    version_of: Callable[[Parsed], str] = field(default=lambda parsed: "")


def do_import(
    importer: Importer[Any],
    path: Path,
    owner: Organization,
    user: User | None = None,
    progress: ProgressCallback = no_progress,
) -> ImportRun:
    """Import one file all-or-nothing; raise :class:`ImportRejected` if it does not validate.

    Rejected and failed attempts leave the data untouched and are recorded as an ImportRun with
    their problems, so the operator sees what was tried.
    """
    path = Path(path)
    meta: dict[str, Any] = {
        "dataset": importer.dataset,
        "file_name": path.name,
        "owner": owner,
        "imported_by": user,
    }
    # The file's fingerprint is read while it is parsed: hashlib lets go of the GIL, so the
    # second core does it (0.15 s for a 150 MB file, otherwise spent before parsing starts).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as pool:
        fingerprint = pool.submit(sha256_of, path) if path.exists() else None
        try:
            parsed = importer.parse(path, progress)
        except ImportRejected as exc:
            meta["sha256"] = fingerprint.result() if fingerprint else ""
            _record_failure(
                meta, ImportOutcome.REJECTED, exc.problems, exc.rows_read, exc.more, user
            )
            raise
        meta["sha256"] = fingerprint.result() if fingerprint else ""
    meta["dataset_version"] = importer.version_of(parsed)
    run = _start_run(meta)
    try:
        with transaction.atomic():
            counts = importer.persist(parsed, run, progress)
            import_persisted.send(
                sender=Importer, run=run, dataset=importer.dataset, counts=counts, parsed=parsed
            )
            for name, value in vars(counts).items():
                setattr(run, name, value)
            run.outcome = ImportOutcome.SUCCEEDED
            run.finished_at = timezone.now()
            run.save()
            AuditEvent.objects.create(
                actor=user,
                action="import.succeeded",
                target=f"{importer.dataset}:{path.name}",
                detail={"import_run": str(run.id), **vars(counts)},
            )
    except ImportRejected as exc:
        _record_failure(
            meta, ImportOutcome.REJECTED, exc.problems, exc.rows_read, exc.more, user, run
        )
        raise
    except Exception as exc:
        problem = Problem(path.name, None, None, f"{type(exc).__name__}: {exc}")
        _record_failure(meta, ImportOutcome.FAILED, [problem], 0, 0, user, run)
        raise
    return run


def _start_run(meta: dict[str, Any]) -> ImportRun:
    """Record the run as running, committed before the data's transaction starts.

    The data's transaction then turns it into "succeeded" with its counts, in the same commit
    as the data: whatever ends the process, the record says what the database holds. If that
    transaction never commits, the record stays "running" with the process that ran it, which
    :func:`commonground.core.queries.run_state` shows as interrupted once the process (and,
    on PostgreSQL, its database session, which may still be committing) is gone.
    """
    with transaction.atomic():
        return ImportRun.objects.create(**meta, **running_process())


def _record_failure(
    meta: dict[str, Any],
    outcome: ImportOutcome,
    problems: list[Problem],
    rows_read: int,
    more: int,
    user: User | None,
    run: ImportRun | None = None,
) -> None:
    """Record a rejected or failed attempt: on its running record if it has one, else anew."""
    rejected_rows = len({p.row for p in problems if p.row is not None and p.row > 1})
    outcome_fields: dict[str, Any] = {
        "outcome": outcome,
        "rows_read": rows_read,
        "rejected": rejected_rows,
        "problems": [p.as_dict() for p in problems] + ([{"more": more}] if more else []),
        "finished_at": timezone.now(),
    }
    if run is None:
        run = ImportRun.objects.create(**meta, **outcome_fields)
    else:
        # The counts the rolled-back transaction had set are not what the database holds.
        for name, value in {**vars(ImportCounts()), **outcome_fields}.items():
            setattr(run, name, value)
        run.save()
    AuditEvent.objects.create(
        actor=user,
        action=f"import.{outcome}",
        target=f"{meta['dataset']}:{meta['file_name']}",
        detail={"import_run": str(run.id), "problems": len(problems) + more},
    )
