"""``commonground voices``: an organization's keys and its reports, for the operator.

Whoever runs the command holds the machine (and the key files), so these commands act for the
operator; each one is audited. See docs/voices.md.
"""

from __future__ import annotations

from pathlib import Path

import click


def organization_or_fail(slug: str) -> object:
    from commonground.sharing.models import Organization

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise click.ClickException(f"no organization {slug!r} (see `commonground manage shell`)")
    return organization


@click.group()
def voices() -> None:
    """Community reports: rotate or shred an organization's key, export its reports."""


@voices.command(name="rotate-key")
@click.argument("organization", metavar="ORG")
def rotate_key(organization: str) -> None:
    """Give ORG a new key and re-wrap every report's data key with it."""
    from commonground.voices import crypto
    from commonground.voices.services import do_rotate_key

    org = organization_or_fail(organization)
    try:
        count = do_rotate_key(org)  # type: ignore[arg-type]  # an Organization, checked above
    except (crypto.KeyMissing, crypto.CannotOpen) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"New key for {organization}: {count:,} reports re-wrapped.")


@voices.command()
@click.argument("organization", metavar="ORG")
@click.option("--yes", is_flag=True, help="Confirm: the reports' words can never be read again.")
def shred(organization: str, yes: bool) -> None:
    """Destroy ORG's key and every report's wrapped key: their protected fields are gone for good.

    The coarse columns (area, month, category, counts, status) stay. Nothing brings the
    narratives, contacts, names, places or exact dates back, not even a backup of the key file.
    """
    from commonground.voices.services import do_shred

    org = organization_or_fail(organization)
    if not yes:
        raise click.ClickException(
            f"shredding destroys {organization}'s key: its reports can never be read again. "
            "Run again with --yes to confirm."
        )
    count = do_shred(org)  # type: ignore[arg-type]  # an Organization, checked above
    click.echo(f"Shredded the key of {organization}: {count:,} reports can never be read again.")


@voices.command()
@click.argument("organization", metavar="ORG")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON lines file to write (created readable by you only).",
)
def export(organization: str, out: Path) -> None:
    """Write ORG's reports, decrypted, as JSON lines (audited): the organization's own data."""
    from commonground.voices import crypto
    from commonground.voices.services import export_to_file

    org = organization_or_fail(organization)
    try:
        count = export_to_file(org, out)  # type: ignore[arg-type]  # an Organization, checked above
    except (crypto.KeyMissing, crypto.CannotOpen) as exc:
        out.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {count:,} reports of {organization} to {out}.")


# The intake channels' commands (odk-keygen, import-odk-encrypted, sms-channel), in their module.
import commonground.voices.channels_cli  # noqa: E402, F401
