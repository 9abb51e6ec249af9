"""Terminal output: progress bars and summary tables with rich."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from commonground.cli.language import gettext_noop, number, rejection_text
from commonground.core.importing import ImportRejected, ProgressCallback, no_progress
from commonground.core.models import ImportRun

if TYPE_CHECKING:
    from commonground.core.services import ChangePreview, Importer
    from commonground.sharing.models import Organization

console = Console(stderr=True)
out = Console()

#: The importers' progress phases (``core/importing.py``) as the progress bar names them.
PHASES = {
    "reading": gettext_noop("Reading the file"),
    "validating": gettext_noop("Checking rows"),
    "indexing": gettext_noop("Indexing"),
    "writing": gettext_noop("Writing"),
    "updating": gettext_noop("Updating"),
    "persisted": gettext_noop("Saved"),
}


@dataclass(frozen=True)
class ImportOptions:
    """What the user asked of one import besides the file (see ``commonground import``)."""

    replace_release: bool = False
    dry_run: bool = False
    version: str | None = None
    circle: str | None = None  # slug of one of the owner's circles for the new records


def run_import(
    dataset: str,
    path: Path,
    owner_slug: str | None,
    quiet: bool,
    options: ImportOptions = ImportOptions(),
) -> int:
    """Import one file with a progress bar and a summary; the exit status (0, 1 or 2).

    With ``options.dry_run`` the file is checked and what it would change is shown; nothing
    is written.
    """
    from commonground.cli.importers import load_importer
    from commonground.core.services import VersionNotAccepted
    from commonground.sharing.circles import SharingRefused, import_circle, placing_imports
    from commonground.sharing.models import Organization
    from commonground.sharing.services import local_organization, organization_by_slug

    try:
        owner = organization_by_slug(owner_slug) if owner_slug else local_organization()
    except Organization.DoesNotExist:
        message = _("No organization with the slug %(slug)s.") % {"slug": repr(owner_slug)}
        console.print(f"[red]{escape(message)}[/]")
        return 1
    try:
        circle = import_circle(owner, options.circle) if options.circle else None
    except SharingRefused as refusal:
        console.print(str(refusal), style="red", markup=False, highlight=False)
        return 1
    importer = load_importer(dataset)
    try:
        if options.dry_run:
            if circle is not None:
                console.print(
                    _("New records would go into the circle %(slug)s.")
                    % {"slug": repr(circle.slug)},
                    markup=False,
                )
            return _dry_run(importer, path, owner, options)
        with placing_imports(circle):
            run = _do_import(importer, path, owner, quiet, options)
    except ImportRejected as exc:
        message = _("Rejected %(path)s: nothing was changed.") % {"path": path}
        console.print(f"[red bold]{escape(message)}[/]", soft_wrap=True)
        console.print(rejection_text(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    except VersionNotAccepted as exc:
        message = _("Refused %(path)s: %(reason)s; nothing was changed.") % {
            "path": path,
            "reason": exc,
        }
        console.print(f"[red bold]{escape(message)}[/]", soft_wrap=True)
        return 2
    except Exception as exc:  # the summary names the failure; the transaction rolled back
        message = _("Import of %(path)s failed; nothing was changed:") % {"path": path}
        console.print(f"[red bold]{escape(message)}[/] {escape(str(exc))}")
        return 1
    print_import_summary(run)
    return 0


def _do_import(
    importer: Importer[Any], path: Path, owner: Organization, quiet: bool, options: ImportOptions
) -> ImportRun:
    from contextlib import nullcontext

    from commonground.core.services import do_import

    with nullcontext(no_progress) if quiet else _progress_bar() as callback:
        return do_import(
            importer,
            path,
            owner=owner,
            progress=callback,
            replace_release=options.replace_release,
            version=options.version,
        )


def _dry_run(
    importer: Importer[Any], path: Path, owner: Organization, options: ImportOptions
) -> int:
    from commonground.core.services import parse_file, preview_import

    parsed = parse_file(importer, path, no_progress, options.version)
    preview = preview_import(importer, parsed, owner, replace_release=options.replace_release)
    print_preview(preview, f"{importer.dataset} {importer.version_of(parsed)} — {path.name}")
    message = _("Dry run: nothing was written.")
    console.print(f"[bold]{escape(message)}[/]")
    return 0


def print_preview(preview: ChangePreview, title: str) -> None:
    """What an import would change, one row per owner of the records it would change."""
    table = Table(title=title)
    table.add_column(_("owner"), justify="left")
    for column in (_("added"), _("updated"), _("unchanged"), _("withdrawn")):
        table.add_column(column, justify="right")
    for owner in preview.owners:
        counts = (owner.added, owner.updated, owner.unchanged, owner.removed)
        table.add_row(owner.owner, *(number(n) for n in counts))
    counts = (preview.added, preview.updated, preview.unchanged, preview.removed)
    table.add_row(_("all owners"), *(number(n) for n in counts), style="bold")
    out.print(table)
    if not preview.replace_release:
        out.print(_("Nothing is withdrawn: the file does not replace the release."))


def find_run(text: str) -> ImportRun:
    """The import run whose id is ``text``, or starts with it (at least 8 characters)."""
    import click

    key = text.strip().lower().replace("-", "")
    if len(key) < 8:
        raise click.ClickException(_("give at least the first 8 characters of the import's id"))
    runs = [run for run in ImportRun.objects.only("id") if run.pk.hex.startswith(key)]
    if not runs:
        raise click.ClickException(
            _("no import with an id starting %(text)s") % {"text": repr(text)}
        )
    if len(runs) != 1:
        raise click.ClickException(
            _("%(count)s imports with an id starting %(text)s")
            % {"count": len(runs), "text": repr(text)}
        )
    return ImportRun.objects.select_related("owner").get(pk=runs[0].pk)


def print_withdrawals(run: ImportRun, limit: int) -> None:
    withdrawals = run.withdrawals.all()
    total = withdrawals.count()
    undone = run.withdrawals_undone_at
    title = _("Withdrawn by import %(run)s (%(file)s): %(total)s") % {
        "run": run.pk,
        "file": run.file_name,
        "total": number(total),
    }
    if undone:
        title += _(", undone %(when)s") % {"when": f"{undone:%Y-%m-%d %H:%M}"}
    table = Table(title=escape(title))
    table.add_column(_("record"))
    table.add_column(_("source id"))
    table.add_column(_("key"), justify="right")
    for withdrawal in withdrawals[:limit]:
        table.add_row(withdrawal.model, withdrawal.source_id, withdrawal.object_id)
    out.print(table)
    if total > limit:
        out.print(_("... and %(count)s more (--limit)") % {"count": number(total - limit)})


class _progress_bar:  # used as a context manager, reads like a function
    """A rich progress bar fed by the importers' (phase, done, total) callback."""

    def __enter__(self) -> ProgressCallback:
        self.progress = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.progress.start()
        self.tasks: dict[str, Any] = {}

        def callback(phase: str, done: int, total: int) -> None:
            if phase not in self.tasks:
                label = _(PHASES[phase]) if phase in PHASES else phase
                self.tasks[phase] = self.progress.add_task(label, total=max(total, 1))
            self.progress.update(self.tasks[phase], completed=done, total=max(total, 1))

        return callback

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def print_import_summary(run: ImportRun) -> None:
    table = Table(title=f"{run.dataset} {run.dataset_version} — {run.file_name}")
    for column in (
        _("read"),
        _("added"),
        _("updated"),
        _("unchanged"),
        _("withdrawn"),
        _("likely duplicates"),
    ):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            number(n)
            for n in (
                run.rows_read,
                run.added,
                run.updated,
                run.unchanged,
                run.removed,
                run.likely_duplicates,
            )
        )
    )
    console.print(table)
    if run.removed:
        console.print(
            _(
                "Withdrawn records: `commonground imports withdrawn %(run)s` lists them, "
                "`commonground imports undo-withdrawals %(run)s` brings them back."
            )
            % {"run": run.pk.hex[:8]}
        )
    for problem in run.problems[:5]:
        console.print(
            f"[yellow]{problem.get('reason', problem)}[/]", highlight=False, soft_wrap=True
        )
    if len(run.problems) > 5:
        more = len(run.problems) - 5
        message = ngettext(
            "... and %(count)s more warning", "... and %(count)s more warnings", more
        ) % {"count": number(more)}
        console.print(f"[yellow]{escape(message)}[/]")


def import_runs(limit: int) -> list[dict[str, Any]]:
    """The latest runs as ``commonground imports`` shows them, the real state included."""
    from commonground.core.queries import recent_runs, run_state

    return [
        {
            "id": str(run.id),
            "dataset": run.dataset,
            "version": run.dataset_version,
            "file": run.file_name,
            "started": run.started_at.isoformat(timespec="seconds"),
            "finished": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
            "state": run_state(run),
            "read": run.rows_read,
            "added": run.added,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "removed": run.removed,
            "withdrawals_undone": run.withdrawals_undone_at is not None,
            "replace_release": run.replace_release,
            "owner": run.owner.name if run.owner else "",
            "problems": len(run.problems),
            "process": f"{run.host}:{run.pid}" if run.pid else "",
        }
        for run in recent_runs(limit)
    ]


#: An import's state (``core.queries.run_state``) as the table of imports names it, short.
RUN_STATES = {
    "running": gettext_noop("running"),
    "succeeded": gettext_noop("succeeded"),
    "rejected": gettext_noop("rejected"),
    "failed": gettext_noop("failed"),
    "interrupted": gettext_noop("interrupted"),
}


def print_import_runs(runs: list[dict[str, Any]]) -> None:
    """The runs as a table: the real state (interrupted, undone withdrawals) and counts."""
    table = Table(title=_("Imports, newest first"))
    for column in (_("id"), _("started (UTC)"), _("dataset"), _("file"), _("owner"), _("state")):
        table.add_column(column)
    for column in (_("read"), _("added"), _("updated"), _("unchanged"), _("withdrawn")):
        table.add_column(column, justify="right")
    for run in runs:
        withdrawn = number(run["removed"]) + (
            " " + _("(undone)") if run["withdrawals_undone"] else ""
        )
        table.add_row(
            run["id"].replace("-", "")[:8],
            run["started"],
            f"{run['dataset']} {run['version']}".strip(),
            run["file"],
            run["owner"],
            _(RUN_STATES.get(run["state"], run["state"])),
            *(number(run[n]) for n in ("read", "added", "updated", "unchanged")),
            withdrawn,
        )
    Console(width=160).print(table)


#: The figures ``commonground stats`` prints as a table, and their names there.
STATS_ROWS = {
    "events": gettext_noop("events"),
    "fatalities_best": gettext_noop("fatalities best"),
    "civilian_deaths": gettext_noop("civilian deaths"),
    "operations": gettext_noop("operations"),
    "parallel_forces": gettext_noop("parallel forces"),
    "organizations": gettext_noop("organizations"),
    "presence": gettext_noop("presence"),
    "imports": gettext_noop("imports"),
}


def print_stats(figures: dict[str, Any]) -> None:
    table = Table(title="Common Ground")
    table.add_column(_("what"))
    table.add_column(_("figure"), justify="right")
    for key, label in STATS_ROWS.items():
        table.add_row(_(label), number(figures[key]))
    for dataset, n in figures["events_by_dataset"].items():
        table.add_row(_("events in %(dataset)s") % {"dataset": dataset}, number(n))
    period = figures["period"]
    table.add_row(
        _("period"),
        _("%(first)s to %(last)s") % {"first": period["first"], "last": period["last"]},
    )
    table.add_row(_("countries"), ", ".join(figures["countries"]))
    out.print(table)
