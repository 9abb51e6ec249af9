"""``commonground voices odk-keygen | import-odk-encrypted | sms-channel``: intake channels' keys.

Added to the ``voices`` group of ``cli.py``. Each command acts for the operator who holds the
machine and its key folder (docs/voices.md, "ODK encrypted forms" and "SMS gateways").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext as _

from commonground.cli.language import gettext_noop, number, rejection_text
from commonground.voices.cli import organization_or_fail, voices


def odk_key_file(slug: str) -> Path:
    from commonground.voices import crypto

    return crypto.key_folder() / f"{slug}.odk.pem"


@voices.command(
    name="odk-keygen",
    help=gettext_noop(
        "Make ORG's RSA key pair for encrypted ODK forms; print the public key for the XLSForm."
        "\n\n"
        "The private key goes to COMMONGROUND_HOME/keys/ORG.odk.pem (mode 600) and is never "
        "replaced: submissions made with its public key open only with it. Paste the printed "
        "line in the XLSForm's settings sheet, column public_key."
    ),
)
@click.argument("organization", metavar="ORG")
def odk_keygen(organization: str) -> None:
    """Make ORG's RSA key pair for encrypted ODK forms; print the public key for the XLSForm.

    The private key goes to COMMONGROUND_HOME/keys/ORG.odk.pem (mode 600) and is never
    replaced: submissions made with its public key open only with it. Paste the printed line
    in the XLSForm's settings sheet, column public_key.
    """
    from commonground.voices import odk

    organization_or_fail(organization)
    path = odk_key_file(organization)
    key = odk.generate_private_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise click.ClickException(
            _(
                "%(path)s exists: %(org)s already has an ODK key (submissions made with it "
                "open only with it; move it away yourself if you really mean to replace it)"
            )
            % {"path": path, "org": organization}
        ) from exc
    with os.fdopen(fd, "wb") as out:
        out.write(odk.private_key_pem(key))
    click.echo(
        _("Private key written to %(path)s (back it up with the organization's key).")
        % {"path": path}
    )
    click.echo(_("Public key for the XLSForm settings sheet, column public_key:"))
    click.echo(odk.public_key_for_xlsform(key))


def load_odk_key(slug: str) -> Any:
    from commonground.voices import odk

    path = odk_key_file(slug)
    if not path.exists():
        raise click.ClickException(
            _("no ODK key for %(org)s in %(path)s: run `commonground voices odk-keygen %(org)s`")
            % {"org": slug, "path": path}
        )
    return odk.load_private_key(path.read_bytes(), str(path))


@voices.command(
    name="import-odk-encrypted",
    help=gettext_noop(
        "Decrypt ORG's encrypted ODK submissions at PATH and import them into ORG's FORM.\n\n"
        "PATH is a zip, a folder of instance folders (submission.xml + submission.xml.enc) or "
        "one manifest. Everything is decrypted first: a submission that does not open stops "
        "the import with nothing stored. They go in as the form's KoBo/ODK exports do (its "
        "stored mapping, keyed on meta/instanceID, so a second import adds nothing)."
    ),
)
@click.argument("organization", metavar="ORG")
@click.argument("form", metavar="FORM")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help=gettext_noop("Decrypt and check everything and say what would be added; store nothing."),
)
def import_odk_encrypted(organization: str, form: str, path: Path, dry_run: bool) -> None:
    """Decrypt ORG's encrypted ODK submissions at PATH and import them into ORG's FORM.

    PATH is a zip, a folder of instance folders (submission.xml + submission.xml.enc) or one
    manifest. Everything is decrypted first: a submission that does not open stops the import
    with nothing stored. They go in as the form's KoBo/ODK exports do (its stored mapping,
    keyed on meta/instanceID, so a second import adds nothing).
    """
    from commonground.voices import odk
    from commonground.voices.models import ReportForm

    organization_or_fail(organization)
    report_form = ReportForm.objects.filter(owner__slug=organization, slug=form).first()
    if report_form is None:
        raise click.ClickException(
            _("%(org)s has no form %(form)s") % {"org": organization, "form": repr(form)}
        )
    try:
        export = odk.read_encrypted_for_form(path, load_odk_key(organization), report_form)
    except odk.OdkDecryptError as exc:
        raise click.ClickException(str(exc)) from exc
    from commonground.core.importing import ImportRejected
    from commonground.voices.kobo import import_submission_rows

    try:
        rows = export.rows
        result = import_submission_rows(
            report_form, rows, path.name, entries=export.entries, dry_run=dry_run
        )
    except ImportRejected as exc:
        raise click.ClickException(_("nothing imported:") + "\n" + rejection_text(exc)) from exc
    click.echo(
        _(
            "Decrypted %(count)s submissions from %(file)s: %(verb)s %(added)s reports, "
            "%(known)s already stored, %(repeated)s repeated in the file."
        )
        % {
            "count": number(len(rows)),
            "file": path.name,
            "verb": _("would add") if dry_run else _("added"),
            "added": number(result.added),
            "known": number(result.already_known),
            "repeated": number(result.repeated_in_file),
        }
    )
    if dry_run:
        click.echo(_("Dry run: nothing was stored."))


@voices.command(
    name="sms-channel",
    help=gettext_noop(
        "Open ORG's webhook for GATEWAY and print its address and the secret to sign with.\n\n"
        "The secret is derived from ORG's SMS key (COMMONGROUND_HOME/keys/ORG.sms.key, made on "
        "first use) and is never stored; --rotate makes a new one. Give it to whoever "
        "configures the gateway."
    ),
)
@click.argument("organization", metavar="ORG")
@click.argument("gateway", type=click.Choice(["rapidpro", "frontlinesms", "telerivet"]))
@click.option(
    "--rotate",
    is_flag=True,
    help=gettext_noop("Give the channel a new secret (the old one stops)."),
)
@click.option(
    "--off",
    is_flag=True,
    help=gettext_noop("Switch the channel off (its webhook then refuses all)."),
)
def sms_channel(organization: str, gateway: str, rotate: bool, off: bool) -> None:
    """Open ORG's webhook for GATEWAY and print its address and the secret to sign with.

    The secret is derived from ORG's SMS key (COMMONGROUND_HOME/keys/ORG.sms.key, made on first
    use) and is never stored; --rotate makes a new one. Give it to whoever configures the gateway.
    """
    from django.urls import reverse

    from commonground.voices import sms
    from commonground.voices.services import audit
    from commonground.voices.sms_models import SmsChannel

    org = organization_or_fail(organization)
    channel, made = SmsChannel.objects.get_or_create(owner=org, gateway=gateway)
    if rotate and not made:
        channel.generation += 1
    channel.active = not off
    channel.save()
    audit(
        "voices.sms.channel",
        None,
        str(channel),
        generation=channel.generation,
        active=channel.active,
    )
    key = sms.sms_key(org, create=True)
    assert key is not None
    click.echo(f"Webhook: POST {reverse('voices:sms', args=[organization, gateway])}")
    click.echo(
        _("Headers: X-CG-Timestamp (Unix seconds), X-CG-Signature (sha256=HMAC, docs/voices.md)")
    )
    state = _("on") if channel.active else _("OFF")
    click.echo(
        _("Channel %(state)s, secret generation %(generation)s:")
        % {"state": state, "generation": channel.generation}
    )
    click.echo(sms.channel_secret(key, channel))
