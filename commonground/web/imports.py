"""The import page (``/import/``): upload, check row by row, confirm, watch the progress.

1. The user picks a dataset and an owner organization and uploads a file. It is stored, never
   executed, in a folder with a random name under ``COMMONGROUND_HOME/uploads``.
2. The importer's pure ``parse`` validates it (no database write) and the page shows either the
   problems (file, row, column, reason) or a preview: rows read, what the import would add,
   update, leave unchanged and withdraw per owner (computed without writing), first rows,
   warnings. Nothing is withdrawn unless the user ticks "replace the release" (ADR 0010).
3. On confirmation ``do_import`` runs in a background thread that writes its progress into the
   ``jobs`` cache (files under ``COMMONGROUND_HOME``, shared by every server process) under the
   job id; the page polls ``/import/<job>/progress``, whichever process answers, and shows the
   summary.

Only users for whom ``may_import`` holds get here (analysts and above); a job is visible only to
the user who started it.
"""

from __future__ import annotations

import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonground.cli.importers import IMPORTERS, load_importer
from commonground.core.importing import ImportRejected, Problem, no_progress
from commonground.core.models import ImportRun
from commonground.core.services import (
    NothingToUndo,
    VersionNotAccepted,
    do_import,
    do_undo_withdrawals,
    parse_file,
    preview_import,
)
from commonground.sharing.models import ROLE_RANK, Organization, Role
from commonground.sharing.policy import may_import, policy, viewer_for

#: The largest file accepted (bytes); ``COMMONGROUND_UPLOAD_MAX_BYTES`` overrides it.
DEFAULT_UPLOAD_MAX_BYTES = 512 * 1024 * 1024

#: File name endings the importers read.
ALLOWED_SUFFIXES = (".csv", ".geojson", ".json")

#: How many rows of the file the preview shows.
PREVIEW_ROWS = 10

#: How long a job's state stays in the cache, and an unconfirmed upload on disk (seconds).
JOB_TTL = 24 * 3600

#: The columns of an event file that the preview shows (from the canonical event frame).
EVENT_PREVIEW_COLUMNS = (
    "source_id",
    "date_start",
    "country_code",
    "admin1_name",
    "place",
    "violence_type",
    "actor1_name",
    "actor2_name",
    "fatalities_best",
)

#: The preview's column headings, in the reader's language (a registry's own columns keep
#: the file's names, which the user wrote).
PREVIEW_HEADINGS = {
    "source_id": gettext_lazy("Id in the file"),
    "date_start": gettext_lazy("Start date"),
    "country_code": gettext_lazy("Country"),
    "admin1_name": gettext_lazy("Admin-1"),
    "place": gettext_lazy("Place"),
    "violence_type": gettext_lazy("Violence type"),
    "actor1_name": gettext_lazy("Side A"),
    "actor2_name": gettext_lazy("Side B"),
    "fatalities_best": gettext_lazy("Deaths (best estimate)"),
    "row": gettext_lazy("Row"),
    "id": gettext_lazy("Id in the file"),
}

_JOB_ID = re.compile(r"[0-9a-f]{32}")
_WARNING = re.compile(r"^warning: (?P<file>[^,]+), row (?P<row>\d+), column '(?P<column>[^']+)': ")


# --- Who may import, and for whom -------------------------------------------------------------


def import_owners(user: Any) -> list[Organization]:
    """Organizations the user imports for: analyst or above there (a platform admin: all)."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin and not any(
        viewer.rank_in(org) >= ROLE_RANK[Role.ANALYST] for org in viewer.roles
    ):
        return list(Organization.objects.order_by("name"))
    ids = [org for org in viewer.roles if viewer.rank_in(org) >= ROLE_RANK[Role.ANALYST]]
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def signed_in(request: HttpRequest) -> User | None:
    """The signed-in user, as the audit log and import runs record it."""
    return request.user if isinstance(request.user, User) else None


def check_importer(request: HttpRequest) -> HttpResponse | None:
    """The login redirect for an anonymous visitor; 403 for a user who may not import."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_import(request.user):
        raise PermissionDenied(_("Only analysts and above may import data."))
    return None


# --- Uploads on disk --------------------------------------------------------------------------


def uploads_root() -> Path:
    root = Path(settings.COMMONGROUND_HOME) / "uploads"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def upload_limit() -> int:
    return int(getattr(settings, "COMMONGROUND_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


def remove_stale_uploads(root: Path) -> None:
    """Folders of uploads never confirmed, or of finished jobs left behind, after a day."""
    limit = time.time() - JOB_TTL
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def safe_file_name(name: str) -> str:
    """The uploaded name, reduced to safe characters: importers read versions from names."""
    base = get_valid_filename(Path(name).name) or "upload.csv"
    return base[-120:]


def job_folder(job: str) -> Path:
    return uploads_root() / job


def remove_job_files(job: str) -> None:
    shutil.rmtree(job_folder(job), ignore_errors=True)


# --- Job state in the cache ---------------------------------------------------------------------


def job_key(job: str) -> str:
    return f"commonground:import-job:{job}"


def job_state(job: str) -> dict[str, Any] | None:
    state = caches["jobs"].get(job_key(job))
    return state if isinstance(state, dict) else None


def save_job(job: str, state: dict[str, Any]) -> None:
    caches["jobs"].set(job_key(job), state, JOB_TTL)


def update_job(job: str, **changes: Any) -> None:
    state = job_state(job) or {}
    state.update(changes)
    save_job(job, state)


def owned_job(request: HttpRequest, job: str) -> dict[str, Any]:
    """The job's state if the requesting user started it; otherwise 404, as for a missing one."""
    if not _JOB_ID.fullmatch(job):
        raise Http404(_("No such import."))
    state = job_state(job)
    if state is None or state.get("user_id") != request.user.pk:
        raise Http404(_("No such import."))
    return state


# --- Step 2: what parse says ------------------------------------------------------------------


@dataclass
class Warning_:
    row: int | None
    column: str
    reasons: list[str]


def grouped_warnings(notes: list[str]) -> list[Warning_]:
    """The importer's warnings, one per row of the file (a row may have several reasons)."""
    by_row: dict[int | None, Warning_] = {}
    loose: list[Warning_] = []
    for note in notes:
        if not note.startswith("warning:"):
            continue
        match = _WARNING.match(note)
        if match is None:
            loose.append(Warning_(None, "", [note.removeprefix("warning:").strip()]))
            continue
        row = int(match["row"])
        reason = note[match.end() :]
        entry = by_row.setdefault(row, Warning_(row, "", []))
        columns = [c for c in entry.column.split(", ") if c]
        if match["column"] not in columns:
            columns.append(match["column"])
        entry.column = ", ".join(columns)
        entry.reasons.append(reason)
    rows = sorted(by_row.values(), key=lambda w: w.row or 0)
    return rows + loose


def preview_of(parsed: Any) -> dict[str, Any]:
    """Rows read, the first rows and the warnings of whatever an importer's parse returned."""
    frame = getattr(parsed, "frame", None)
    if frame is not None:
        columns = [c for c in EVENT_PREVIEW_COLUMNS if c in frame.columns]
        head = frame.select(columns).head(PREVIEW_ROWS)
        return {
            "rows_read": int(frame.height),
            "columns": columns,
            "headings": [PREVIEW_HEADINGS.get(c, c) for c in columns],
            "rows": [[str(v) if v is not None else "" for v in row] for row in head.iter_rows()],
            "warnings": grouped_warnings(list(getattr(parsed, "notes", []))),
        }
    records = list(getattr(parsed, "records", []))
    columns = ["row", "id"]
    value_columns: list[str] = []
    for record in records[:PREVIEW_ROWS]:
        for name in record.values:
            if name not in value_columns and len(value_columns) < 6:
                value_columns.append(name)
    rows = [
        [str(record.row), record.key] + [_cell(record.values.get(name)) for name in value_columns]
        for record in records[:PREVIEW_ROWS]
    ]
    return {
        "rows_read": len(records),
        "columns": columns + value_columns,
        "headings": [PREVIEW_HEADINGS.get(c, c) for c in columns] + value_columns,
        "rows": rows,
        "warnings": [],
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)[:120]


# --- Step 3: the background job -----------------------------------------------------------------


class ProgressWriter:
    """The progress callback: writes the phase and count into the cache, at most ~100 times."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, phase: str, done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 0
        if (phase, percent) == self.last and done != total:
            return
        self.last = (phase, percent)
        update_job(self.job, phase=phase, done=done, total=total, percent=percent)


def run_job(
    job: str,
    dataset: str,
    path: Path,
    owner_id: Any,
    user_id: Any,
    replace_release: bool = False,
    version: str | None = None,
) -> None:
    """Run one confirmed import and record its outcome in the job's state."""
    try:
        importer = load_importer(dataset)
        owner = Organization.objects.get(pk=owner_id)
        user = User.objects.get(pk=user_id)
        update_job(job, state="running", phase="starting")
        run = do_import(
            importer,
            path,
            owner=owner,
            user=user,
            progress=ProgressWriter(job),
            replace_release=replace_release,
            version=version,
        )
        update_job(job, state="done", percent=100, summary=run_summary(run))
    except ImportRejected as exc:
        update_job(
            job, state="rejected", problems=[p.as_dict() for p in exc.problems], more=exc.more
        )
    except Exception as exc:  # any failure is shown to the user; the data is intact
        update_job(job, state="failed", error=f"{type(exc).__name__}: {exc}")
    finally:
        remove_job_files(job)


def run_job_in_thread(language: str, *args: Any) -> None:
    """The background thread: its own database connection, closed when the job ends, and the
    language of the user who started it (the importers' problems and warnings are in it)."""
    close_old_connections()
    try:
        with translation.override(language):
            run_job(*args)
    finally:
        connection.close()


def start_job(
    job: str,
    dataset: str,
    path: Path,
    owner_id: Any,
    user_id: Any,
    replace_release: bool = False,
    version: str | None = None,
) -> None:
    """Start the import; synchronously when ``COMMONGROUND_IMPORT_SYNC`` is set (tests)."""
    args = (job, dataset, path, owner_id, user_id, replace_release, version)
    if getattr(settings, "COMMONGROUND_IMPORT_SYNC", False):
        run_job(*args)
        return
    thread = threading.Thread(
        target=run_job_in_thread,
        args=(translation.get_language(), *args),
        name=f"import-{job[:8]}",
        daemon=True,
    )
    thread.start()


def run_summary(run: ImportRun) -> dict[str, Any]:
    return {
        "run": str(run.pk),
        "dataset": run.dataset,
        "file_name": run.file_name,
        "rows_read": run.rows_read,
        "added": run.added,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "removed": run.removed,
        "likely_duplicates": run.likely_duplicates,
        "link": result_link(run.dataset),
        "withdrawals_link": reverse("web:import_withdrawals", args=[run.pk]) if run.removed else "",
    }


def result_link(dataset: str) -> str:
    """Where to see what was imported: the atlas for forces, the events list for events."""
    if dataset == "parallel_forces" or dataset == "parallel-forces":
        return reverse("web:atlas")
    if dataset in ("operations", "presence"):
        return reverse("web:home")
    return reverse("web:event_list") + f"?dataset={dataset}"


# --- Views --------------------------------------------------------------------------------------


def dataset_choices() -> list[tuple[str, str]]:
    """Each dataset the page imports, described in the reader's language."""
    return [
        (name, f"{name}: {_(str(help_text))}") for name, (_target, help_text) in IMPORTERS.items()
    ]


def form_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "datasets": dataset_choices(),
        "owners": import_owners(request.user),
        "max_mb": upload_limit() // (1024 * 1024),
        **extra,
    }


@policy("importer")
@never_cache
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Step 1 (the form) and step 2 (the upload checked row by row, or its problems)."""
    denied = check_importer(request)
    if denied is not None:
        return denied
    if request.method != "POST":
        return render(request, "web/import.html", form_context(request))

    owners = {str(org.pk): org for org in import_owners(request.user)}
    dataset = request.POST.get("dataset", "")
    owner = owners.get(request.POST.get("owner", "")) or (
        next(iter(owners.values())) if len(owners) == 1 else None
    )
    upload = request.FILES.get("file")
    replace_release = request.POST.get("replace_release") == "on"
    version = request.POST.get("version", "").strip()[:40] or None
    errors = []
    if dataset not in IMPORTERS:
        errors.append(_("Choose a dataset."))
    if owner is None:
        errors.append(_("Choose the organization the data will belong to."))
    if upload is None:
        errors.append(_("Choose a file to upload."))
    elif upload.size is not None and upload.size > upload_limit():
        errors.append(
            _("The file is larger than %(mb)s MB; import it with the command line instead.")
            % {"mb": upload_limit() // (1024 * 1024)}
        )
    elif not (upload.name or "").lower().endswith(ALLOWED_SUFFIXES):
        errors.append(_("The file must be a CSV or GeoJSON file (.csv, .geojson or .json)."))
    if errors or upload is None or owner is None:
        context = form_context(request, errors=errors, chosen=dataset)
        return render(request, "web/import.html", context, status=400)

    root = uploads_root()
    remove_stale_uploads(root)
    job = secrets.token_hex(16)
    folder = root / job
    folder.mkdir(mode=0o700)
    path = folder / safe_file_name(upload.name or "upload.csv")
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    path.chmod(0o600)

    importer = load_importer(dataset)
    context = form_context(
        request,
        chosen=dataset,
        dataset=dataset,
        owner=owner,
        file=path.name,
        version=version or "",
        replace_release=replace_release,
    )
    try:
        parsed = parse_file(importer, path, no_progress, version)
        changes = preview_import(
            importer, parsed, owner, replace_release=replace_release, user=signed_in(request)
        )
    except VersionNotAccepted:
        remove_job_files(job)
        reason = _("Only GED files take a version; leave the Version field empty.")
        context.update(problems=[Problem(path.name, None, None, reason)], more=0, rows_read=0)
        return render(request, "web/import_check.html", context, status=422)
    except ImportRejected as exc:
        remove_job_files(job)
        context.update(problems=exc.problems, more=exc.more, rows_read=exc.rows_read)
        return render(request, "web/import_check.html", context, status=422)
    except Exception as exc:  # an unreadable file is a problem to show
        remove_job_files(job)
        problem = Problem(path.name, None, None, f"{type(exc).__name__}: {exc}")
        context.update(problems=[problem], more=0, rows_read=0)
        return render(request, "web/import_check.html", context, status=422)
    preview = preview_of(parsed)
    save_job(
        job,
        {
            "state": "checked",
            "user_id": request.user.pk,
            "dataset": dataset,
            "owner_id": str(owner.pk),
            "owner": owner.name,
            "file": path.name,
            "rows_read": preview["rows_read"],
            "replace_release": replace_release,
            "version": version,
        },
    )
    context.update(job=job, preview=preview, changes=changes)
    return render(request, "web/import_check.html", context)


@policy("importer")
@require_POST
def import_confirm(request: HttpRequest, job: str) -> HttpResponse:
    """Step 3: start the import of a checked upload and go to its progress page."""
    denied = check_importer(request)
    if denied is not None:
        return denied
    state = owned_job(request, job)
    if state.get("state") == "checked":
        path = job_folder(job) / str(state["file"])
        if not path.exists():
            raise Http404(_("The uploaded file is gone; upload it again."))
        update_job(job, state="queued", phase="queued", percent=0)
        start_job(
            job,
            str(state["dataset"]),
            path,
            state["owner_id"],
            request.user.pk,
            bool(state.get("replace_release")),
            state.get("version") or None,
        )
    return redirect("web:import_job", job=job)


def progress_labels() -> dict[str, str]:
    """The words the progress script shows, in the reader's language."""
    return {
        "queued": _("Waiting to start…"),
        "starting": _("Starting…"),
        "reading": _("Reading the file"),
        "validating": _("Checking rows"),
        "writing": _("Writing"),
        "updating": _("Updating"),
        "done": _("Done."),
        "rejected": _("Rejected: nothing was written."),
        "failed": _("Failed: nothing was written."),
        "lost": _("The progress could not be read; reload the page."),
    }


@policy("importer")
@require_GET
@never_cache
def import_job(request: HttpRequest, job: str) -> HttpResponse:
    """The progress page of one import; its script polls the progress endpoint."""
    denied = check_importer(request)
    if denied is not None:
        return denied
    state = owned_job(request, job)
    context = {"job": job, "state": state, "labels": progress_labels()}
    return render(request, "web/import_progress.html", context)


@policy("importer")
@require_GET
@never_cache
def import_progress(request: HttpRequest, job: str) -> JsonResponse:
    """The job's state as JSON: state, phase, done, total, percent, and at the end the summary."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not signed in"}, status=401)
    if not may_import(request.user):
        return JsonResponse({"error": "not allowed"}, status=403)
    state = owned_job(request, job)
    shown = {k: v for k, v in state.items() if k not in ("user_id", "owner_id")}
    return JsonResponse(shown)


# --- What an import withdrew, and undoing it ---------------------------------------------------

#: How many withdrawn records the withdrawals page lists.
WITHDRAWALS_SHOWN = 500


def managed_run(request: HttpRequest, run_id: Any) -> ImportRun:
    """An import run of an organization the user imports for; 404 otherwise, as for none."""
    owners = {org.pk for org in import_owners(request.user)}
    run = ImportRun.objects.filter(pk=run_id, owner_id__in=owners).first()
    if run is None:
        raise Http404(_("No such import."))
    return run


@policy("importer")
@never_cache
@require_http_methods(["GET", "POST"])
def import_withdrawals(request: HttpRequest, run_id: Any) -> HttpResponse:
    """The records one import withdrew, and (POST) bringing them back.

    Only for users who import for the run's organization: the records are that
    organization's own (an import withdraws no other organization's records).
    """
    denied = check_importer(request)
    if denied is not None:
        return denied
    run = managed_run(request, run_id)
    message = ""
    if request.method == "POST":
        try:
            restored = do_undo_withdrawals(run, user=signed_in(request))
        except NothingToUndo:
            message = _("There is nothing to bring back: the withdrawals were undone already.")
        else:
            message = _("%(count)s records were brought back.") % {"count": restored}
        run.refresh_from_db()
    withdrawals = run.withdrawals.all()
    context = {
        "run": run,
        "withdrawals": withdrawals[:WITHDRAWALS_SHOWN],
        "total": withdrawals.count(),
        "message": message,
    }
    return render(request, "web/import_withdrawals.html", context)
