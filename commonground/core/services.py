"""The one way to run an import: validate, then persist in one transaction, then record it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.contrib.auth.models import User
from django.core import serializers
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from commonground.core.importing import (
    ImportRejected,
    Problem,
    ProgressCallback,
    no_progress,
    sha256_of,
)
from commonground.core.models import ImportOutcome, ImportRun, Withdrawal
from commonground.core.queries import running_process
from commonground.sharing.models import AuditEvent, Organization

Parsed = TypeVar("Parsed")

#: Sent inside the import's transaction right after ``persist`` (arguments ``run``, ``dataset``,
#: ``counts`` and ``parsed``, what ``parse`` returned, after ``persist``), so what is derived
#: from the data (the analysis app's stored figures) changes in the same commit. Core sends it
#: and imports no receiver: apps connect to it in ``AppConfig.ready``.
import_persisted = Signal()


#: What an import did, per kind of change; the names of ImportRun's count fields.
COUNT_FIELDS = ("rows_read", "added", "updated", "unchanged", "removed", "likely_duplicates")

#: The changes counted per owner of the records changed (a record's owner before the import).
OWNER_CHANGES = ("added", "updated", "unchanged", "removed")


@dataclass
class ImportCounts:
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    likely_duplicates: int = 0
    #: Whether every record written or withdrawn was public (see ImportRun.only_public).
    only_public: bool = False
    #: Owner id (text) -> change -> count; filled by previews (and the registry's persist), so
    #: the check step can say whose records an import would change.
    by_owner: dict[str, dict[str, int]] = field(default_factory=dict)

    def count_owner(self, owner_id: Any, change: str, n: int = 1) -> None:
        """Add ``n`` records of ``owner_id`` to ``change`` (one of :data:`OWNER_CHANGES`)."""
        if n:
            per = self.by_owner.setdefault(str(owner_id), dict.fromkeys(OWNER_CHANGES, 0))
            per[change] += n

    def totals(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}


@dataclass
class Importer(Generic[Parsed]):
    """One source's importer: a pure ``parse`` and a ``persist`` run inside a transaction.

    ``parse_version`` parses a file whose version the user gives (a renamed GED file);
    ``preview`` says what ``persist`` would do, per owner, without writing (read-only). An
    importer without one is previewed by running ``persist`` in a transaction rolled back.
    """

    dataset: str
    parse: Callable[[Path, ProgressCallback], Parsed]
    persist: Callable[[Parsed, ImportRun, ProgressCallback], ImportCounts]
    version_of: Callable[[Parsed], str] = field(default=lambda parsed: "")
    parse_version: Callable[[Path, ProgressCallback, str], Parsed] | None = None
    preview: Callable[[Parsed, Organization, bool], ImportCounts] | None = None


class VersionNotAccepted(ValueError):
    """A version was given for a dataset whose files carry their own (or none)."""


def parse_file(
    importer: Importer[Parsed],
    path: Path,
    progress: ProgressCallback = no_progress,
    version: str | None = None,
) -> Parsed:
    """``parse``, or ``parse_version`` when the user gave the file's version."""
    if not version:
        return importer.parse(path, progress)
    if importer.parse_version is None:
        raise VersionNotAccepted(
            f"a version is given only for GED files; {importer.dataset} files take none"
        )
    return importer.parse_version(path, progress, version)


def do_import(
    importer: Importer[Any],
    path: Path,
    owner: Organization,
    user: User | None = None,
    progress: ProgressCallback = no_progress,
    *,
    replace_release: bool = False,
    version: str | None = None,
) -> ImportRun:
    """Import one file all-or-nothing; raise :class:`ImportRejected` if it does not validate.

    Rejected and failed attempts leave the data untouched and are recorded as an ImportRun with
    their problems, so the operator sees what was tried. Nothing is withdrawn unless
    ``replace_release`` is set (see ADR 0010); ``version`` is the file's version when its name
    does not carry it.
    """
    path = Path(path)
    meta: dict[str, Any] = {
        "dataset": importer.dataset,
        "file_name": path.name,
        "owner": owner,
        "imported_by": user,
        "replace_release": replace_release,
    }
    # The file's fingerprint is read while it is parsed: hashlib lets go of the GIL, so the
    # second core does it (0.15 s for a 150 MB file, otherwise spent before parsing starts).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as pool:
        fingerprint = pool.submit(sha256_of, path) if path.exists() else None
        try:
            parsed = parse_file(importer, path, progress, version)
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
            for name, value in counts.totals().items():
                setattr(run, name, value)
            run.only_public = counts.only_public
            run.outcome = ImportOutcome.SUCCEEDED
            run.finished_at = timezone.now()
            run.save()
            AuditEvent.objects.create(
                actor=user,
                action="import.succeeded",
                target=f"{importer.dataset}:{path.name}",
                detail={
                    "import_run": str(run.id),
                    "replace_release": replace_release,
                    **counts.totals(),
                },
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


# --- Before writing: what an import would change ---------------------------------------------


@dataclass
class OwnerChanges:
    """What an import would do to one organization's records."""

    owner_id: str
    owner: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class ChangePreview:
    """What importing a parsed file would add, update, leave and withdraw, per owner."""

    rows_read: int
    replace_release: bool
    owners: list[OwnerChanges]

    def total(self, change: str) -> int:
        return sum(getattr(o, change) for o in self.owners)

    @property
    def added(self) -> int:
        return self.total("added")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

    @property
    def removed(self) -> int:
        return self.total("removed")


class _RollBack(Exception):
    """Ends a dry run's transaction, carrying what ``persist`` counted."""

    def __init__(self, counts: ImportCounts) -> None:
        super().__init__("dry run")
        self.counts = counts


def preview_import(
    importer: Importer[Parsed],
    parsed: Parsed,
    owner: Organization,
    *,
    replace_release: bool = False,
    user: User | None = None,
) -> ChangePreview:
    """What importing ``parsed`` for ``owner`` would change, per owner; nothing is written.

    Event importers compare the file with the stored events (one read). The others run their
    ``persist`` in a transaction that is rolled back: registries are small.
    """
    if importer.preview is not None:
        counts = importer.preview(parsed, owner, replace_release)
    else:
        counts = _dry_run(importer, parsed, owner, replace_release, user)
    names = {
        str(key): name
        for key, name in Organization.objects.filter(pk__in=list(counts.by_owner)).values_list(
            "pk", "name"
        )
    }
    owners = [
        OwnerChanges(owner_id=key, owner=names.get(key, key), **per)
        for key, per in counts.by_owner.items()
    ]
    owners.sort(key=lambda o: (o.owner_id != str(owner.pk), o.owner))
    return ChangePreview(rows_read=counts.rows_read, replace_release=replace_release, owners=owners)


def _dry_run(
    importer: Importer[Parsed],
    parsed: Parsed,
    owner: Organization,
    replace_release: bool,
    user: User | None,
) -> ImportCounts:
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                dataset=importer.dataset,
                file_name="(preview)",
                sha256="",
                owner=owner,
                imported_by=user,
                replace_release=replace_release,
            )
            raise _RollBack(importer.persist(parsed, run, no_progress))
    except _RollBack as done:
        return done.counts


# --- Withdrawals: recorded, listed, undone -----------------------------------------------------


def record_withdrawals(run: ImportRun, model: str, rows: list[tuple[Any, str, bool, str]]) -> None:
    """Note what ``run`` withdrew: (record key, source id, public, snapshot) per record."""
    Withdrawal.objects.bulk_create(
        [
            Withdrawal(
                run=run,
                model=model,
                object_id=str(key),
                source_id=source_id[:200],
                public=public,
                snapshot=snapshot,
            )
            for key, source_id, public, snapshot in rows
        ],
        batch_size=900,
    )


def snapshot_of(obj: Any) -> str:
    """A registry row as Django serializes it (with its many-to-many links), for undo."""
    return str(serializers.serialize("json", [obj]))


class NothingToUndo(ValueError):
    """The run withdrew nothing, or its withdrawals were undone already."""


def do_undo_withdrawals(run: ImportRun, user: User | None = None) -> int:
    """Bring back what ``run`` withdrew; return how many records came back.

    A withdrawn event is un-withdrawn; a deleted registry row is re-created from its snapshot,
    unless a row with its key exists again (a later import re-added it). Audited; derived
    figures are rebuilt in the same transaction.
    """
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        withdrawals = list(run.withdrawals.all())
        if not withdrawals or run.withdrawals_undone_at is not None:
            raise NothingToUndo(
                f"import {run.pk} has no withdrawals to undo"
                + (" (already undone)" if run.withdrawals_undone_at else "")
            )
        restored = 0
        for label in sorted({w.model for w in withdrawals}):
            mine = [w for w in withdrawals if w.model == label]
            restored += _restore(label, mine)
        run.withdrawals_undone_at = timezone.now()
        run.save(update_fields=["withdrawals_undone_at", "updated_at"])
        AuditEvent.objects.create(
            actor=user,
            action="import.withdrawals_undone",
            target=f"{run.dataset}:{run.file_name}",
            detail={"import_run": str(run.pk), "withdrawn": len(withdrawals), "restored": restored},
        )
        import_persisted.send(
            sender=Importer, run=run, dataset=run.dataset, counts=None, parsed=None
        )
    return restored


def _restore(label: str, withdrawals: list[Withdrawal]) -> int:
    model = apps.get_model(label)
    snapshots = [w.snapshot for w in withdrawals if w.snapshot]
    if not snapshots:
        keys = [model._meta.pk.to_python(w.object_id) for w in withdrawals]
        restored = 0
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            restored += model._default_manager.filter(pk__in=chunk, withdrawn=True).update(
                withdrawn=False
            )
        return restored
    restored = 0
    for text in snapshots:
        for item in serializers.deserialize("json", text):
            if model._default_manager.filter(pk=item.object.pk).exists():
                continue
            try:
                with transaction.atomic():
                    item.save()
            except IntegrityError:
                continue  # a row with the same key was imported again since: keep that one
            restored += 1
    return restored
