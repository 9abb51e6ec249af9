"""The ``commonground`` command: set up, import, inspect, export, demo and serve.

Exit status of ``import``: 0 on success, 2 when validation rejects the file (nothing changed),
1 on any other failure.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from commonground.cli.forecast import forecast

EXIT_REJECTED = 2


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="commonground")
def cli() -> None:
    """Common Ground: one shared, trustworthy and safe picture of a conflict area.

    The database is DATABASE_URL, or a SQLite file under COMMONGROUND_HOME
    (default ~/.local/share/commonground).
    """
    setup_django()


@cli.command()
def init() -> None:
    """Create or migrate the database named by DATABASE_URL."""
    from commonground.cli.setup import migrate_database

    click.echo(migrate_database())


@cli.command(name="import")
@click.argument(
    "dataset",
    type=click.Choice(["ged", "acled", "operations", "parallel-forces", "presence", "incidents"]),
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--owner",
    default=None,
    help="Slug of the organization that will own the records "
    "(default: COMMONGROUND_DEFAULT_OWNER, 'local').",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_(dataset: str, path: Path, owner: str | None, quiet: bool) -> None:
    """Import PATH as DATASET, all or nothing; re-importing the same file changes nothing.

    DATASET is ged (UCDP GED CSV or GeoJSON), acled (ACLED export CSV), operations,
    parallel-forces, presence (registry CSVs) or incidents (Common Ground incident template).
    """
    from commonground.cli.output import run_import

    sys.exit(run_import(dataset, path, owner, quiet))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats(as_json: bool) -> None:
    """What is in the database: events by dataset and year, deaths, registries, imports."""
    from commonground.cli.output import print_stats
    from commonground.cli.setup import operator_stats

    figures = operator_stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2, sort_keys=True))
    else:
        print_stats(figures)


@cli.group()
def export() -> None:
    """Export records that may leave the machine."""


@export.command(name="events")
@click.option("--country", help="ISO3 code, e.g. CAF.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day.")
@click.option("--dataset", help="Only this dataset (ucdp-ged, incidents, ...).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "geojson", "hxl"]),
    required=True,
    help="csv, geojson, or hxl (CSV with a row of HXL hashtags).",
)
@click.option(
    "--max-sensitivity",
    type=click.Choice(["public", "partners", "restricted", "confidential"]),
    default="public",
    show_default=True,
    help="Most sensitive records to include.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File to write (default: standard output).",
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
    """Export events as CSV, GeoJSON or HXL-tagged CSV.

    Raw ACLED rows are never exported: ACLED's terms allow sharing derived data only.
    Text that a spreadsheet would run as a formula is quoted. A --country with no event ever
    imported is refused (exit 2) rather than exported as an empty file.
    """
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
        click.echo(f"Refused: {exc}", err=True)
        sys.exit(EXIT_REJECTED)
    click.echo(report, err=True)


@cli.command()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder with the real data (default: COMMONGROUND_DATA_DIR, ../shared/data).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def demo(data_dir: Path | None, quiet: bool) -> None:
    """Set up a demo: migrate, import the real data, create the demo accounts."""
    from commonground.cli.setup import run_demo

    sys.exit(run_demo(data_dir, quiet))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads each."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes. 1: one Waitress process (any system). More: Gunicorn pre-forks "
    "them (Linux and macOS), for a server with several CPUs.",
)
def serve(host: str, port: int, threads: int, workers: int) -> None:
    """Serve the web app and API (no internet needed)."""
    from commonground.web.server import serve as run_server

    click.echo(f"Common Ground on http://{host}:{port}/ (Ctrl+C to stop)")
    run_server(host, port, threads=threads, workers=workers)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `commonground manage createsuperuser`."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["commonground manage", *args])


@cli.group()
def token() -> None:
    """API tokens for scripts: create, list and revoke (the token is shown once, never stored)."""


@token.command(name="create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'nightly export'.")
def token_create(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it once on standard output.

    Only its SHA-256 is kept: copy the token now. Scripts send it as
    'Authorization: Bearer <token>'.
    """
    from django.contrib.auth.models import User

    from commonground.sharing.services import do_create_api_token

    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    try:
        record, plaintext = do_create_api_token(user, name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Token {record.pk} ({record.prefix}…) for {username}: {name}", err=True)
    click.echo(plaintext)


@token.command(name="revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `commonground token list`) from now on."""
    from commonground.sharing.models import ApiToken
    from commonground.sharing.services import do_revoke_api_token

    record = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if record is None:
        raise click.ClickException(f"no token with id {token_id}")
    if record.revoked_at is not None:
        click.echo(f"Token {token_id} was already revoked on {record.revoked_at:%Y-%m-%d %H:%M}.")
        return
    do_revoke_api_token(record)
    click.echo(f"Revoked token {token_id} ({record.prefix}…) of {record.user.username}.")


@token.command(name="list")
@click.option("--user", "username", help="Only this user's tokens.")
def token_list(username: str | None) -> None:
    """List API tokens: id, user, name, prefix, created, last used, revoked."""
    from rich.console import Console
    from rich.table import Table

    from commonground.sharing.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("id")
    if username:
        tokens = tokens.filter(user__username=username)
    table = Table(title="API tokens")
    for column in ("id", "user", "name", "prefix", "created", "last used", "revoked"):
        table.add_column(column)
    for record in tokens:
        table.add_row(
            str(record.pk),
            record.user.username,
            record.name,
            f"{record.prefix}…",
            f"{record.created_at:%Y-%m-%d %H:%M}",
            f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never",
            f"{record.revoked_at:%Y-%m-%d %H:%M}" if record.revoked_at else "",
        )
    Console(width=120).print(table)


cli.add_command(forecast)  # commonground/cli/forecast.py


def main() -> None:
    cli(prog_name="commonground")
