"""Set-up work behind ``commonground init``, ``stats`` and ``demo``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    return ngettext(
        "Database ready (%(vendor)s: %(name)s); %(count)s migration applied.",
        "Database ready (%(vendor)s: %(name)s); %(count)s migrations applied.",
        applied,
    ) % {"vendor": connection.vendor, "name": name, "count": applied}


def remove_import_leftovers() -> None:
    """Delete the staging folders of imports that were killed, saying so (issue 11 §14)."""
    import click

    from commonground.events.bulk import remove_staging_leftovers

    for folder in remove_staging_leftovers():
        click.echo(
            _("Removed %(folder)s, left by an import that was interrupted.") % {"folder": folder}
        )


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
    from rich.markup import escape

    from commonground.cli.output import console
    from commonground.forecasts.queries import current_forecast
    from commonground.forecasts.services import do_forecast_run

    for country, level in DEMO_FORECASTS:
        current = current_forecast(country, level)
        if current is not None and not current.is_stale:
            continue
        run = do_forecast_run(country, level, made_by_label="commonground demo")
        message = _("Forecast %(country)s by %(level)s: %(model)s %(version)s") % {
            "country": country,
            "level": level,
            "model": run.model_name,
            "version": run.model_version,
        }
        console.print(escape(message))


def run_demo(data_dir: Path | None, quiet: bool) -> int:
    """Migrate, import the real data in place, create the demo cast; 0 when all went well."""
    from rich.markup import escape

    from commonground.cli.output import console, run_import
    from commonground.core.staticfiles import prepare_static
    from commonground.testing.cast import CAST, DEMO_PASSWORD, ensure_cast

    folder = Path(data_dir or settings.COMMONGROUND_DATA_DIR)
    console.print(migrate_database())
    console.print(prepare_static() or _("Static files up to date."))
    missing = [name for _d, name in DEMO_FILES if not (folder / name).exists()]
    if missing:
        message = _("The demo data is not in %(folder)s: missing %(files)s.") % {
            "folder": folder,
            "files": ", ".join(missing),
        }
        console.print(f"[red]{escape(message)}[/]")
        console.print(_("Point COMMONGROUND_DATA_DIR or --data-dir at the shared/data folder."))
        return 1
    for dataset, name in DEMO_FILES:
        status = run_import(dataset, folder / name, None, quiet)
        if status != 0:
            return status
    ensure_cast()
    from commonground.sharing.demo import ensure_demo_circles  # ADR 0020

    console.print(_("Sharing circle: %(circle)s.") % {"circle": ensure_demo_circles()})
    demo_forecasts()
    from commonground.mandates.services import do_demo_scores  # labelled (docs/mandates.md)
    from commonground.sharing.services import local_organization

    scored = do_demo_scores(local_organization(), "appr_rca_2019")
    console.print(
        _("Demonstration APPR-RCA implementation scores: %(count)s new or changed.")
        % {"count": scored}
    )
    from commonground.mandates.services import do_seed_review_calendar  # docs/mandates.md

    ends = do_seed_review_calendar(local_organization(), folder / "mandates/README.md")
    console.print(
        _("Mandate end dates on the review calendars: %(count)s new or changed.") % {"count": ends}
    )
    from commonground.mandates.models import ReviewItem, ReviewKind

    deadlines = ReviewItem.objects.filter(kind=ReviewKind.REPORTING).count()
    console.print(
        _("Reporting deadlines on the review calendars: %(count)s, each with its source.")
        % {"count": deadlines}
    )
    from commonground.voices.demo import do_demo_reports  # synthetic, labelled (docs/voices.md)

    console.print(
        _("Synthetic voices reports for femmes-bambari: %(count)s new.")
        % {"count": do_demo_reports()}
    )
    from commonground.alerts.demo import do_demo_alerts  # synthetic, labelled (docs/alerts.md)

    console.print(
        _("Synthetic alerts of femmes-bambari: %(count)s new.") % {"count": do_demo_alerts()}
    )
    from commonground.learning.demo import do_demo_learning  # labelled demonstration

    console.print(
        _("Learning demonstration: %(what)s and two MINUSCA benchmarks.")
        % {"what": do_demo_learning()}
    )
    from commonground.voices.demo_kobo import do_demo_kobo_for_demo  # KoBo channel, survey

    console.print(
        _("Synthetic KoBo reports, survey responses: %(count)s new.")
        % {"count": do_demo_kobo_for_demo()}
    )
    from commonground.voices import demo_figures  # released figures (docs/disclosure-gate.md)

    demo_figures.do_demo_circle()
    console.print(
        _("Synthetic reports for released figures: %(count)s new.")
        % {"count": demo_figures.do_demo_figure_reports()}
    )
    console.print(
        "\n"
        + escape(_("Demo accounts (password for all: %(password)s):"))
        % {"password": f"[bold]{escape(DEMO_PASSWORD)}[/]"}
    )
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
        return _(
            "The database cannot be opened (%(error)s). Check DATABASE_URL or COMMONGROUND_HOME."
        ) % {"error": exc}
    if not pending:
        return ""
    name = connection.settings_dict["NAME"]
    if executor.loader.applied_migrations:
        return ngettext(
            "The database (%(vendor)s: %(name)s) needs %(count)s migration this version of "
            "Common Ground brings: run `commonground init` first.",
            "The database (%(vendor)s: %(name)s) needs %(count)s migrations this version of "
            "Common Ground brings: run `commonground init` first.",
            len(pending),
        ) % {"vendor": connection.vendor, "name": name, "count": len(pending)}
    return _(
        "The database (%(vendor)s: %(name)s) is not set up yet: run `commonground init` to "
        "create it (or `commonground demo` for the demo data)."
    ) % {"vendor": connection.vendor, "name": name}
