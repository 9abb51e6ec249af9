"""Set-up work behind ``commonground init``, ``stats`` and ``demo``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from commonground.alerts.queries import alerts_counts
from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.events.queries import event_totals
from commonground.mandates.queries import mandate_counts
from commonground.registry.models import Operation, ParallelForce, Presence
from commonground.sharing.models import Organization
from commonground.sharing.policy import access_operator
from commonground.voices.queries import voices_counts

#: What the demo imports, in order (parallel forces refer to operations), from the data folder.
DEMO_FILES = (
    ("operations", "operations.csv"),
    ("parallel-forces", "parallel_forces.csv"),
    ("presence", "presence_CAF.csv"),
    ("ged", "ged_23_1_CAF.csv"),
    ("mandate-taxonomy", "mandates/taxonomy.csv"),
    ("mandate-tasks", "mandates/minusca_mandate_tasks.csv"),
    ("agreement", "mandates/appr_rca_2019_provisions.csv"),
    ("agreement-events", "mandates/appr_rca_2019_implementation_events.csv"),
    ("geopko", "geopko/FrontMap_v.2.3.csv"),
    ("geopko-contributors", "geopko/TCCMap_v.2.3.csv"),
    ("geopko-units", "geopko/TTMap_v.2.3.csv"),
)


#: Files next to a SQLite database that hold its data too (write-ahead log, shared memory,
#: rollback journal).
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def protect_files() -> list[Path]:
    """Make the home folder 0700 and the secret key and SQLite files 0600; returns the changed.

    New installations are created so (``commonground.settings``); this tightens one made by an
    older version, whose database was world-readable.
    """
    changed: list[Path] = []
    home = Path(settings.COMMONGROUND_HOME)
    wanted: list[tuple[Path, int]] = [(home, 0o700), (home / "secret_key", 0o600)]
    if connection.vendor == "sqlite":
        name = str(settings.DATABASES["default"]["NAME"])
        wanted += [(Path(name + suffix), 0o600) for suffix in SQLITE_COMPANIONS]
    for path, mode in wanted:
        if path.exists() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
            changed.append(path)
    return changed


def migrate_database() -> str:
    """Apply migrations and keep the files private; say which database it is."""
    protect_files()
    out = io.StringIO()
    call_command("migrate", interactive=False, verbosity=1, stdout=out)
    applied = out.getvalue().count(" OK")
    name = settings.DATABASES["default"]["NAME"]
    return f"Database ready ({connection.vendor}: {name}); {applied} migrations applied."


def remove_import_leftovers() -> None:
    """Delete the staging folders of imports that were killed, saying so (issue 11 §14)."""
    import click

    from commonground.events.bulk import remove_staging_leftovers

    for folder in remove_staging_leftovers():
        click.echo(f"Removed {folder}, left by an import that was interrupted.")


def operator_stats() -> dict[str, Any]:
    """The figures ``commonground stats`` prints, for the operator (everything)."""
    figures = event_totals(access_operator(Event.objects.filter(withdrawn=False)))
    figures.update(
        operations=access_operator(Operation.objects.all()).count(),
        parallel_forces=access_operator(ParallelForce.objects.all()).count(),
        organizations=Organization.objects.count(),
        presence=access_operator(Presence.objects.all()).count(),
        imports=ImportRun.objects.count(),
        imports_succeeded=ImportRun.objects.filter(outcome="succeeded").count(),
        withdrawn_events=Event.objects.filter(withdrawn=True).count(),
        **mandate_counts(access_operator),
        **voices_counts(),  # commonground/voices/queries.py
        **alerts_counts(),  # commonground/alerts/queries.py
    )
    return figures


#: The forecasts the demo makes: CAR by admin-1 area and as a whole (docs/forecasting.md).
DEMO_FORECASTS = (("CAF", "admin1"), ("CAF", "country"))


def demo_forecasts() -> None:
    """Make the demo's forecasts unless a current one exists, so a second run changes nothing."""
    from commonground.cli.output import console
    from commonground.forecasts.queries import current_forecast
    from commonground.forecasts.services import do_forecast_run

    for country, level in DEMO_FORECASTS:
        current = current_forecast(country, level)
        if current is not None and not current.is_stale:
            continue
        run = do_forecast_run(country, level, made_by_label="commonground demo")
        console.print(f"Forecast {country} by {level}: {run.model_name} {run.model_version}")


def run_demo(data_dir: Path | None, quiet: bool) -> int:
    """Migrate, import the real data in place, create the demo cast; 0 when all went well."""
    from commonground.cli.output import console, run_import
    from commonground.core.staticfiles import prepare_static
    from commonground.testing.cast import CAST, DEMO_PASSWORD, ensure_cast

    folder = Path(data_dir or settings.COMMONGROUND_DATA_DIR)
    console.print(migrate_database())
    console.print(prepare_static() or "Static files up to date.")
    missing = [name for _d, name in DEMO_FILES if not (folder / name).exists()]
    if missing:
        console.print(f"[red]The demo data is not in {folder}: missing {', '.join(missing)}.[/]")
        console.print("Point COMMONGROUND_DATA_DIR or --data-dir at the shared/data folder.")
        return 1
    for dataset, name in DEMO_FILES:
        status = run_import(dataset, folder / name, None, quiet)
        if status != 0:
            return status
    ensure_cast()
    from commonground.sharing.demo import ensure_demo_circles  # ADR 0020

    console.print(f"Sharing circle: {ensure_demo_circles()}.")
    demo_forecasts()
    from commonground.mandates.services import do_demo_scores  # labelled (docs/mandates.md)
    from commonground.sharing.services import local_organization

    scored = do_demo_scores(local_organization(), "appr_rca_2019")
    console.print(f"Demonstration APPR-RCA implementation scores: {scored} new or changed.")
    from commonground.mandates.services import do_seed_review_calendar  # docs/mandates.md

    ends = do_seed_review_calendar(local_organization(), folder / "mandates/README.md")
    console.print(f"Mandate end dates on the review calendars: {ends} new or changed.")
    from commonground.voices.demo import do_demo_reports  # synthetic, labelled (docs/voices.md)

    console.print(f"Synthetic voices reports for femmes-bambari: {do_demo_reports()} new.")
    from commonground.alerts.demo import do_demo_alerts  # synthetic, labelled (docs/alerts.md)

    console.print(f"Synthetic alerts of femmes-bambari: {do_demo_alerts()} new.")
    from commonground.learning.demo import do_demo_learning  # labelled demonstration

    console.print(f"Learning demonstration: {do_demo_learning()} and two MINUSCA benchmarks.")
    from commonground.voices.demo_kobo import do_demo_kobo_for_demo  # KoBo channel, survey

    console.print(f"Synthetic KoBo reports, survey responses: {do_demo_kobo_for_demo()} new.")
    from commonground.voices import demo_figures  # released figures (docs/disclosure-gate.md)

    demo_figures.do_demo_circle()
    console.print(
        f"Synthetic reports for released figures: {demo_figures.do_demo_figure_reports()} new."
    )
    console.print(f"\nDemo accounts (password for all: [bold]{DEMO_PASSWORD}[/]):")
    for member in CAST:
        console.print(f"  {member.username:<8} {member.role:<15} {member.description}")
    return 0


def database_not_ready() -> str:
    """What to do when the database is not set up or not migrated; empty when it is ready.

    Without this, the first query fails with "no such table" and a traceback.
    """
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"The database cannot be opened ({exc}). Check DATABASE_URL or COMMONGROUND_HOME."
    if not pending:
        return ""
    name = connection.settings_dict["NAME"]
    if executor.loader.applied_migrations:
        return (
            f"The database ({connection.vendor}: {name}) needs {len(pending)} migrations "
            "this version of Common Ground brings: run `commonground init` first."
        )
    return (
        f"The database ({connection.vendor}: {name}) is not set up yet: run "
        "`commonground init` to create it (or `commonground demo` for the demo data)."
    )
