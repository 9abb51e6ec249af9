"""Terminal output: progress bars and summary tables with rich."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from commonground.core.importing import ImportRejected, ProgressCallback, no_progress
from commonground.core.models import ImportRun

console = Console(stderr=True)
out = Console()


def run_import(dataset: str, path: Path, owner_slug: str | None, quiet: bool) -> int:
    """Import one file with a progress bar and a summary; the exit status (0, 1 or 2)."""
    from commonground.cli.importers import load_importer
    from commonground.core.services import do_import
    from commonground.sharing.models import Organization
    from commonground.sharing.services import local_organization, organization_by_slug

    try:
        owner = organization_by_slug(owner_slug) if owner_slug else local_organization()
    except Organization.DoesNotExist:
        console.print(f"[red]No organization with the slug {owner_slug!r}.[/]")
        return 1
    importer = load_importer(dataset)
    try:
        if quiet:
            run = do_import(importer, path, owner=owner, progress=no_progress)
        else:
            with _progress_bar() as (callback):
                run = do_import(importer, path, owner=owner, progress=callback)
    except ImportRejected as exc:
        console.print(f"[red bold]Rejected {path}: nothing was changed.[/]")
        console.print(exc.summary(), markup=False, highlight=False, soft_wrap=True)
        return 2
    except Exception as exc:  # the summary names the failure; the transaction rolled back
        console.print(f"[red bold]Import of {path} failed; nothing was changed:[/] {exc}")
        return 1
    print_import_summary(run)
    return 0


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
    for column in ("read", "added", "updated", "unchanged", "removed", "likely duplicates"):
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
            "removed": run.removed,
            "problems": len(run.problems),
            "process": f"{run.host}:{run.pid}" if run.pid else "",
        }
        for run in recent_runs(limit)
    ]


def print_import_runs(runs: list[dict[str, Any]]) -> None:
    table = Table(title="Imports")
    for column in ("started", "dataset", "file", "state"):
        table.add_column(column)
    for column in ("read", "added", "updated", "removed"):
        table.add_column(column, justify="right")
    for run in runs:
        table.add_row(
            run["started"],
            f"{run['dataset']} {run['version']}".strip(),
            run["file"],
            run["state"],
            *(f"{run[n]:,}" for n in ("read", "added", "updated", "removed")),
        )
    out.print(table)


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
