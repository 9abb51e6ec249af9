"""The ``commonground`` command: set up, import, inspect, export, demo and serve.

Exit status of ``import``: 0 on success, 2 when validation rejects the file (nothing changed),
1 on any other failure. Any command but ``init``, ``demo`` and ``manage`` exits with 2, saying
to run ``commonground init``, when the database is not set up (or not migrated) yet.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext as _

from commonground.alerts.cli import alerts
from commonground.cli.forecast import forecast
from commonground.cli.language import (
    VERSION_OPTION_HELP,
    LocalizedGroup,
    gettext_noop,
    number,
    setup_django,
)
from commonground.voices.cli import voices

__all__ = ["cli", "main", "setup_django"]

EXIT_REJECTED = 2


#: Commands that work on a database that is not set up yet (they set it up, or pass through).
WITHOUT_DATABASE = frozenset({"init", "demo", "manage"})


@click.group(
    cls=LocalizedGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=gettext_noop(
        "Common Ground: one shared, trustworthy and safe picture of a conflict area.\n\n"
        "The database is DATABASE_URL, or a SQLite file under COMMONGROUND_HOME "
        "(default ~/.local/share/commonground). The language is COMMONGROUND_LANGUAGE (en or "
        "fr), else the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE)."
    ),
)
@click.version_option(package_name="commonground", help=VERSION_OPTION_HELP)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """The root group; its language is chosen in ``LocalizedGroup.main`` (cli/language.py)."""
    setup_django()
    asks_help = bool({"-h", "--help"} & set(sys.argv[1:]))  # help needs no database
    if ctx.invoked_subcommand not in WITHOUT_DATABASE and not (ctx.resilient_parsing or asks_help):
        from commonground.cli.setup import database_not_ready

        problem = database_not_ready()
        if problem:
            click.echo(problem, err=True)
            sys.exit(EXIT_REJECTED)


@cli.command(
    help=gettext_noop(
        "Create or migrate the database named by DATABASE_URL; collect the static files."
    )
)
def init() -> None:
    from commonground.cli.setup import migrate_database, remove_import_leftovers
    from commonground.core.staticfiles import prepare_static

    click.echo(migrate_database())
    remove_import_leftovers()
    click.echo(prepare_static() or _("Static files up to date."))


@cli.command(
    name="import",
    help=gettext_noop(
        "Import PATH as DATASET, all or nothing; re-importing the same file changes nothing."
        "\n\n"
        "DATASET is ged (UCDP GED CSV or GeoJSON), acled (ACLED export CSV), operations, "
        "parallel-forces, presence (registry CSVs) or incidents (Common Ground incident "
        "template). An import adds and updates records; it withdraws none unless "
        "--replace-release is given."
    ),
)
@click.argument(
    "dataset",
    type=click.Choice(
        [
            *("ged", "acled", "operations", "parallel-forces", "presence", "incidents"),
            *("mandate-taxonomy", "mandate-tasks", "agreement", "agreement-events", "geopko"),
            *("geopko-contributors", "geopko-units"),
        ]
    ),
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--owner",
    default=None,
    help=gettext_noop(
        "Slug of the organization that will own the records "
        "(default: COMMONGROUND_DEFAULT_OWNER, 'local')."
    ),
)
@click.option(
    "--replace-release",
    is_flag=True,
    help=gettext_noop(
        "The file is the whole release: withdraw the owner's records of DATASET in the "
        "file's countries that the file lacks (they can be listed and brought back with "
        "`commonground imports`). Off by default: an import then withdraws nothing."
    ),
)
@click.option(
    "--dry-run",
    is_flag=True,
    help=gettext_noop(
        "Check the file and show what would be added, updated, left unchanged and "
        "withdrawn, per owner, without writing anything."
    ),
)
@click.option(
    "--version",
    "version",
    default=None,
    help=gettext_noop(
        "The file's GED version (23.1, 24.0.3, 25.01-25.06) when its name does not carry "
        "it, e.g. a renamed file."
    ),
)
@click.option(
    "--circle",
    default=None,
    help=gettext_noop(
        "Slug of one of the owner's sharing circles: the records this import creates go "
        "into it (default: none, the owner's alone). A circle of another owner refuses the "
        "import; records already there keep their circle."
    ),
)
@click.option("--quiet", is_flag=True, help=gettext_noop("No progress bar."))
def import_(
    dataset: str,
    path: Path,
    owner: str | None,
    replace_release: bool,
    dry_run: bool,
    version: str | None,
    circle: str | None,
    quiet: bool,
) -> None:
    from commonground.cli.output import ImportOptions, run_import

    options = ImportOptions(replace_release, dry_run, version, circle)
    sys.exit(run_import(dataset, path, owner, quiet, options))


LIMIT_OPTION = click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help=gettext_noop("Runs."),
)
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help=gettext_noop("Print a JSON list.")
)


@cli.group(
    invoke_without_command=True,
    help=gettext_noop(
        "Past imports: list them (the default), list what one withdrew, undo its withdrawals."
        "\n\n"
        "A run whose process ended before its commit (killed, power cut) shows as "
        "interrupted: nothing of it is in the database. On PostgreSQL it shows as running "
        "while its database session may still be committing."
    ),
)
@LIMIT_OPTION
@JSON_OPTION
@click.pass_context
def imports(ctx: click.Context, limit: int, as_json: bool) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(imports_list, limit=limit, as_json=as_json)


@imports.command(
    name="list",
    help=gettext_noop(
        "The latest imports, newest first: id, when, dataset, file, owner, state and counts."
    ),
)
@LIMIT_OPTION
@JSON_OPTION
def imports_list(limit: int, as_json: bool) -> None:
    from commonground.cli.output import import_runs, print_import_runs

    runs = import_runs(limit)
    if as_json:
        click.echo(json.dumps(runs, indent=2))
    else:
        print_import_runs(runs)


@imports.command(
    name="withdrawn",
    help=gettext_noop(
        "List the records import RUN withdrew (RUN: its id, or the id's first 8 characters)."
    ),
)
@click.argument("run_id", metavar="RUN")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help=gettext_noop("Records to list."),
)
def imports_withdrawn(run_id: str, limit: int) -> None:
    from commonground.cli.output import find_run, print_withdrawals

    print_withdrawals(find_run(run_id), limit)


@imports.command(
    name="undo-withdrawals",
    help=gettext_noop("Bring back every record import RUN withdrew (audited; figures follow)."),
)
@click.argument("run_id", metavar="RUN")
def imports_undo_withdrawals(run_id: str) -> None:
    from commonground.cli.output import find_run
    from commonground.core.services import NothingToUndo, do_undo_withdrawals

    run = find_run(run_id)
    try:
        restored = do_undo_withdrawals(run)
    except NothingToUndo as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _("Brought back {count} of the records import {run} withdrew.").format(
            count=number(restored), run=run.pk
        )
    )


@cli.command(
    help=gettext_noop(
        "What is in the database: events by dataset and year, deaths, registries, imports."
    )
)
@click.option("--json", "as_json", is_flag=True, help=gettext_noop("Print one JSON object."))
def stats(as_json: bool) -> None:
    from commonground.cli.output import print_stats
    from commonground.cli.setup import operator_stats

    figures = operator_stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2, sort_keys=True))
    else:
        print_stats(figures)


@cli.group(help=gettext_noop("Export records that may leave the machine."))
def export() -> None:
    pass


@export.command(
    name="events",
    help=gettext_noop(
        "Export events as CSV, GeoJSON or HXL-tagged CSV.\n\n"
        "Raw ACLED rows are never exported: ACLED's terms allow sharing derived data only. "
        "Text that a spreadsheet would run as a formula is quoted. A --country with no event "
        "ever imported is refused (exit 2) rather than exported as an empty file."
    ),
)
@click.option("--country", help=gettext_noop("ISO3 code, e.g. CAF."))
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help=gettext_noop("First day.")
)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help=gettext_noop("Last day."))
@click.option("--dataset", help=gettext_noop("Only this dataset (ucdp-ged, incidents, ...)."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "geojson", "hxl"]),
    required=True,
    help=gettext_noop("csv, geojson, or hxl (CSV with a row of HXL hashtags)."),
)
@click.option(
    "--max-sensitivity",
    type=click.Choice(["public", "partners", "restricted", "confidential"]),
    default="public",
    show_default=True,
    help=gettext_noop("Most sensitive records to include."),
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help=gettext_noop("File to write (default: standard output)."),
)
def export_events(
    country: str | None,
    date_from: Any,
    date_to: Any,
    dataset: str | None,
    fmt: str,
    max_sensitivity: str,
    output: Path | None,
) -> None:
    from commonground.events.exports import ExportRefused
    from commonground.events.exports import export_events as run_export

    try:
        report = run_export(
            fmt=fmt,
            country=country,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
            dataset=dataset,
            max_sensitivity=max_sensitivity,
            output=output,
        )
    except ExportRefused as exc:
        click.echo(_("Refused: {reason}").format(reason=exc), err=True)
        sys.exit(EXIT_REJECTED)
    click.echo(report, err=True)


@cli.command(
    help=gettext_noop("Set up a demo: migrate, import the real data, create the demo accounts.")
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=gettext_noop(
        "Folder with the real data (default: COMMONGROUND_DATA_DIR, ../shared/data)."
    ),
)
@click.option("--quiet", is_flag=True, help=gettext_noop("No progress bars."))
def demo(data_dir: Path | None, quiet: bool) -> None:
    from commonground.cli.setup import run_demo

    sys.exit(run_demo(data_dir, quiet))


@cli.command(help=gettext_noop("Serve the web app and API (no internet needed)."))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help=gettext_noop("Address to listen on.")
)
@click.option(
    "--port", default=8000, show_default=True, type=int, help=gettext_noop("Port to listen on.")
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help=gettext_noop("Threads each."),
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help=gettext_noop(
        "Server processes. 1: one Waitress process (any system). More: Gunicorn pre-forks "
        "them (Linux and macOS), for a server with several CPUs."
    ),
)
def serve(host: str, port: int, threads: int, workers: int) -> None:
    from commonground.cli.setup import remove_import_leftovers
    from commonground.core.staticfiles import prepare_static
    from commonground.web.server import serve as run_server

    remove_import_leftovers()
    collected = prepare_static()  # hashed, compressed names (a no-op when nothing changed)
    if collected:
        click.echo(collected)
    click.echo(
        _("Common Ground on {address} (Ctrl+C to stop)").format(address=f"http://{host}:{port}/")
    )
    run_server(host, port, threads=threads, workers=workers)


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    help=gettext_noop(
        "Run a Django management command, e.g. `commonground manage createsuperuser`."
    ),
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["commonground manage", *args])


@cli.group(
    help=gettext_noop(
        "API tokens for scripts: create, list and revoke (the token is shown once, never stored)."
    )
)
def token() -> None:
    pass


@token.command(
    name="create",
    help=gettext_noop(
        "Create an API token for USERNAME and print it once on standard output.\n\n"
        "Only its SHA-256 is kept: copy the token now. Scripts send it as "
        "'Authorization: Bearer <token>'."
    ),
)
@click.argument("username")
@click.option(
    "--name",
    required=True,
    help=gettext_noop("What the token is for, e.g. 'nightly export'."),
)
def token_create(username: str, name: str) -> None:
    from django.contrib.auth.models import User

    from commonground.sharing.services import do_create_api_token

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(_("no user named {name}").format(name=repr(username)))
    try:
        record, plaintext = do_create_api_token(user, name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _("Token {id} ({prefix}…) for {user}: {name}").format(
            id=record.pk, prefix=record.prefix, user=username, name=name
        ),
        err=True,
    )
    click.echo(plaintext)


@token.command(
    name="revoke",
    help=gettext_noop(
        "Revoke the token with id TOKEN_ID (see `commonground token list`) from now on."
    ),
)
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    from commonground.sharing.models import ApiToken
    from commonground.sharing.services import do_revoke_api_token

    record = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if record is None:
        raise click.ClickException(_("no token with id {id}").format(id=token_id))
    if record.revoked_at is not None:
        click.echo(
            _("Token {id} was already revoked on {when}.").format(
                id=token_id, when=f"{record.revoked_at:%Y-%m-%d %H:%M}"
            )
        )
        return
    do_revoke_api_token(record)
    click.echo(
        _("Revoked token {id} ({prefix}…) of {user}.").format(
            id=token_id, prefix=record.prefix, user=record.user.username
        )
    )


@token.command(
    name="list",
    help=gettext_noop("List API tokens: id, user, name, prefix, created, last used, revoked."),
)
@click.option("--user", "username", help=gettext_noop("Only this user's tokens."))
def token_list(username: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from commonground.sharing.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("id")
    if username:
        tokens = tokens.filter(user__username=username)
    table = Table(title=_("API tokens"))
    for column in (
        _("id"),
        _("user"),
        _("name"),
        _("prefix"),
        _("created"),
        _("last used"),
        _("revoked"),
    ):
        table.add_column(column)
    for record in tokens:
        table.add_row(
            str(record.pk),
            record.user.username,
            record.name,
            f"{record.prefix}…",
            f"{record.created_at:%Y-%m-%d %H:%M}",
            f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else _("never"),
            f"{record.revoked_at:%Y-%m-%d %H:%M}" if record.revoked_at else "",
        )
    Console(width=120).print(table)


cli.add_command(forecast)  # commonground/cli/forecast.py
cli.add_command(voices)  # commonground/voices/cli.py
cli.add_command(alerts)  # commonground/alerts/cli.py


def main() -> None:
    cli(prog_name="commonground")
