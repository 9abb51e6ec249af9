"""Terminal output: progress bars and summary tables with rich."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from commonground.core.importing import ImportRejected, ProgressCallback, no_progress
from commonground.core.models import ImportRun

if TYPE_CHECKING:
    from commonground.core.services import ChangePreview, Importer
    from commonground.sharing.models import Organization

console = Console(stderr=True)
out = Console()


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
        console.print(f"[red]No organization with the slug {owner_slug!r}.[/]")
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
                console.print(f"New records would go into the circle {circle.slug!r}.")
            return _dry_run(importer, path, owner, options)
        with placing_imports(circle):
            run = _do_import(importer, path, owner, quiet, options)
    except ImportRejected as exc:
        console.print(f"[red bold]Rejected {path}: nothing was changed.[/]")
        console.print(exc.summary(), markup=False, highlight=False, soft_wrap=True)
        return 2
    except VersionNotAccepted as exc:
        console.print(f"[red bold]Refused {path}: {exc}; nothing was changed.[/]")
        return 2
    except Exception as exc:  # the summary names the failure; the transaction rolled back
        console.print(f"[red bold]Import of {path} failed; nothing was changed:[/] {exc}")
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
    console.print("[bold]Dry run: nothing was written.[/]")
    return 0


def print_preview(preview: ChangePreview, title: str) -> None:
    """What an import would change, one row per owner of the records it would change."""
    table = Table(title=title)
    for column in ("owner", "added", "updated", "unchanged", "withdrawn"):
        table.add_column(column, justify="left" if column == "owner" else "right")
    for owner in preview.owners:
        counts = (owner.added, owner.updated, owner.unchanged, owner.removed)
        table.add_row(owner.owner, *(f"{n:,}" for n in counts))
    counts = (preview.added, preview.updated, preview.unchanged, preview.removed)
    table.add_row("all", *(f"{n:,}" for n in counts), style="bold")
    out.print(table)
    if not preview.replace_release:
        out.print("Nothing is withdrawn: the file does not replace the release.")


def find_run(text: str) -> ImportRun:
    """The import run whose id is ``text``, or starts with it (at least 8 characters)."""
    import click

    key = text.strip().lower().replace("-", "")
    if len(key) < 8:
        raise click.ClickException("give at least the first 8 characters of the import's id")
    runs = [run for run in ImportRun.objects.only("id") if run.pk.hex.startswith(key)]
    if len(runs) != 1:
        found = "no import" if not runs else f"{len(runs)} imports"
        raise click.ClickException(f"{found} with an id starting {text!r}")
    return ImportRun.objects.select_related("owner").get(pk=runs[0].pk)


def print_withdrawals(run: ImportRun, limit: int) -> None:
    withdrawals = run.withdrawals.all()
    total = withdrawals.count()
    undone = run.withdrawals_undone_at
    state = f", undone {undone:%Y-%m-%d %H:%M}" if undone else ""
    table = Table(title=f"Withdrawn by import {run.pk} ({run.file_name}): {total:,}{state}")
    table.add_column("record")
    table.add_column("source id")
    table.add_column("key", justify="right")
    for withdrawal in withdrawals[:limit]:
        table.add_row(withdrawal.model, withdrawal.source_id, withdrawal.object_id)
    out.print(table)
    if total > limit:
        out.print(f"... and {total - limit:,} more (--limit)")


class _progress_bar:  # used as a context manager, reads like a function
    """A rich progress bar fed by the importers' (phase, done, total) callback."""

    def __enter__(self) -> ProgressCallback:
        self.progress = Progress(
            TextColumn("{task.description:<12}"),
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
                self.tasks[phase] = self.progress.add_task(phase, total=max(total, 1))
            self.progress.update(self.tasks[phase], completed=done, total=max(total, 1))

        return callback

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def print_import_summary(run: ImportRun) -> None:
    table = Table(title=f"{run.dataset} {run.dataset_version} — {run.file_name}")
    for column in ("read", "added", "updated", "unchanged", "withdrawn", "likely duplicates"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            f"{n:,}"
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
            f"Withdrawn records: `commonground imports withdrawn {run.pk.hex[:8]}` lists them, "
            f"`commonground imports undo-withdrawals {run.pk.hex[:8]}` brings them back."
        )
    for problem in run.problems[:5]:
        console.print(
            f"[yellow]{problem.get('reason', problem)}[/]", highlight=False, soft_wrap=True
        )
    if len(run.problems) > 5:
        console.print(f"[yellow]... and {len(run.problems) - 5} more warnings[/]")


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


def print_import_runs(runs: list[dict[str, Any]]) -> None:
    """The runs as a table: the real state (interrupted, undone withdrawals) and counts."""
    table = Table(title="Imports, newest first")
    for column in ("id", "started (UTC)", "dataset", "file", "owner", "state"):
        table.add_column(column)
    for column in ("read", "added", "updated", "unchanged", "withdrawn"):
        table.add_column(column, justify="right")
    for run in runs:
        withdrawn = f"{run['removed']:,}" + (" (undone)" if run["withdrawals_undone"] else "")
        table.add_row(
            run["id"].replace("-", "")[:8],
            run["started"],
            f"{run['dataset']} {run['version']}".strip(),
            run["file"],
            run["owner"],
            run["state"],
            *(f"{run[n]:,}" for n in ("read", "added", "updated", "unchanged")),
            withdrawn,
        )
    Console(width=160).print(table)


def print_stats(figures: dict[str, Any]) -> None:
    table = Table(title="Common Ground")
    table.add_column("what")
    table.add_column("figure", justify="right")
    for key in (
        "events",
        "fatalities_best",
        "civilian_deaths",
        "operations",
        "parallel_forces",
        "organizations",
        "presence",
        "imports",
    ):
        table.add_row(key.replace("_", " "), f"{figures[key]:,}")
    for dataset, n in figures["events_by_dataset"].items():
        table.add_row(f"events in {dataset}", f"{n:,}")
    period = figures["period"]
    table.add_row("period", f"{period['first']} to {period['last']}")
    table.add_row("countries", ", ".join(figures["countries"]))
    out.print(table)
