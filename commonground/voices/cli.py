"""``commonground voices``: an organization's keys and its reports, for the operator.

Whoever runs the command holds the machine (and the key files), so these commands act for the
operator; each one is audited. See docs/voices.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from django.utils.translation import gettext as _

from commonground.cli.language import gettext_noop, number, rejection_text

if TYPE_CHECKING:  # the models load with Django, after the CLI is built
    from commonground.sharing.models import Organization


def organization_or_fail(slug: str) -> Organization:
    from commonground.sharing.models import Organization

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise click.ClickException(
            _("no organization %(slug)s (see `commonground manage shell`)") % {"slug": repr(slug)}
        )
    return organization


@click.group(
    help=gettext_noop(
        "Community reports: rotate or shred an organization's key, export its reports."
    )
)
def voices() -> None:
    """Community reports: rotate or shred an organization's key, export its reports."""


@voices.command(
    name="rotate-key",
    help=gettext_noop("Give ORG a new key and re-wrap every report's data key with it."),
)
@click.argument("organization", metavar="ORG")
def rotate_key(organization: str) -> None:
    """Give ORG a new key and re-wrap every report's data key with it."""
    from commonground.voices import crypto
    from commonground.voices.services import do_rotate_key

    org = organization_or_fail(organization)
    try:
        count = do_rotate_key(org)
    except (crypto.KeyMissing, crypto.CannotOpen) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _("New key for %(org)s: %(count)s reports re-wrapped.")
        % {"org": organization, "count": number(count)}
    )


@voices.command(
    help=gettext_noop(
        "Destroy ORG's key and every report's wrapped key: their protected fields are gone for "
        "good.\n\n"
        "The coarse columns (area, month, category, counts, status) stay. Nothing brings the "
        "narratives, contacts, names, places or exact dates back, not even a backup of the key "
        "file."
    )
)
@click.argument("organization", metavar="ORG")
@click.option(
    "--yes", is_flag=True, help=gettext_noop("Confirm: the reports' words can never be read again.")
)
def shred(organization: str, yes: bool) -> None:
    """Destroy ORG's key and every report's wrapped key: their protected fields are gone for good.

    The coarse columns (area, month, category, counts, status) stay. Nothing brings the
    narratives, contacts, names, places or exact dates back, not even a backup of the key file.
    """
    from commonground.voices.services import do_shred

    org = organization_or_fail(organization)
    if not yes:
        raise click.ClickException(
            _(
                "shredding destroys %(org)s's key: its reports can never be read again. "
                "Run again with --yes to confirm."
            )
            % {"org": organization}
        )
    count = do_shred(org)
    click.echo(
        _("Shredded the key of %(org)s: %(count)s reports can never be read again.")
        % {"org": organization, "count": number(count)}
    )


@voices.command(
    help=gettext_noop(
        "Write ORG's reports, decrypted, as JSON lines (audited): the organization's own data."
    )
)
@click.argument("organization", metavar="ORG")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help=gettext_noop("JSON lines file to write (created readable by you only)."),
)
@click.option(
    "--verification",
    "verification",
    type=click.Path(path_type=Path, dir_okay=False),
    help=gettext_noop(
        "Also write themes, corroborations, duplicates and follow-ups to this CSV file "
        "(one row each; created readable by you only)."
    ),
)
def export(organization: str, out: Path, verification: Path | None) -> None:
    """Write ORG's reports, decrypted, as JSON lines (audited): the organization's own data."""
    from commonground.voices import crypto
    from commonground.voices.services import export_to_file
    from commonground.voices.verification import do_export_verification

    org = organization_or_fail(organization)
    try:
        count = export_to_file(org, out)
    except (crypto.KeyMissing, crypto.CannotOpen) as exc:
        out.unlink(missing_ok=True)
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _("Wrote %(count)s reports of %(org)s to %(path)s.")
        % {"count": number(count), "org": organization, "path": out}
    )
    if verification is not None:
        rows = do_export_verification(org, verification)
        click.echo(
            _("Wrote %(count)s verification rows of %(org)s to %(path)s.")
            % {"count": number(rows), "org": organization, "path": verification}
        )


@voices.command(
    name="import-kobo",
    help=gettext_noop(
        "Import a KoBoToolbox or ODK Central EXPORT (CSV, XLSX or Central's ZIP) of XLSFORM "
        "into ORG's FORM."
        "\n\n"
        "FORM is the slug of ORG's report form (made, unpublished, if missing). The first "
        "import stores the XLSForm and a suggested mapping (check it at /voices/kobo/); later "
        "imports reuse it and add only submissions not yet stored (keyed on meta/instanceID)."
    ),
)
@click.argument("organization", metavar="ORG")
@click.argument("form", metavar="FORM")
@click.argument("xlsform", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("export", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--dry-run", is_flag=True, help=gettext_noop("Check everything and say what would be added.")
)
def import_kobo(organization: str, form: str, xlsform: Path, export: Path, dry_run: bool) -> None:
    """A KoBo/ODK export into a report form; what a person reads is the ``help`` above."""
    from commonground.core.importing import ImportRejected
    from commonground.voices.kobo import do_import_kobo
    from commonground.voices.models import ReportForm
    from commonground.voices.queries import refresh_statistics

    org = organization_or_fail(organization)
    report_form, created = ReportForm.objects.get_or_create(
        owner=org, slug=form, defaults={"title": form, "published": False}
    )
    try:
        result, mapping = do_import_kobo(report_form, xlsform, export, dry_run=dry_run)
    except ImportRejected as exc:
        if created:
            report_form.delete()
        raise click.ClickException(_("nothing imported:") + "\n" + rejection_text(exc)) from exc
    if created and dry_run:
        report_form.delete()
    if result.added and not dry_run:
        refresh_statistics()  # a bulk load: the inbox's plans need fresh statistics
    verb = _("would add") if dry_run else _("added")
    click.echo(
        _(
            "%(file)s: %(rows)s rows, %(verb)s %(added)s reports, %(known)s already stored, "
            "%(repeated)s repeated in the file (form %(form)s, mapping: %(mapping)s)."
        )
        % {
            "file": export.name,
            "rows": number(result.rows),
            "verb": verb,
            "added": number(result.added),
            "known": number(result.already_known),
            "repeated": number(result.repeated_in_file),
            "form": mapping.form_id,
            "mapping": ", ".join(sorted(mapping.fields)),
        }
    )


@voices.command(
    name="import-survey",
    help=gettext_noop(
        "Import one round of a perception SURVEY (slug) of ORG: its XLSFORM and a KoBo or ODK "
        "Central EXPORT of the responses. Answers are encrypted; see docs/voices.md."
    ),
)
@click.argument("organization", metavar="ORG")
@click.argument("survey", metavar="SURVEY")
@click.argument("xlsform", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("export", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--round",
    "round_number",
    type=click.IntRange(1, 999),
    required=True,
    help=gettext_noop("The round's number (1 for the first)."),
)
@click.option(
    "--dry-run", is_flag=True, help=gettext_noop("Check everything and say what would be added.")
)
def import_survey(
    organization: str, survey: str, xlsform: Path, export: Path, round_number: int, dry_run: bool
) -> None:
    """Import one round of a perception SURVEY (slug) of ORG: its XLSFORM and a KoBo or ODK
    Central EXPORT of the responses. Answers are encrypted; see docs/voices.md."""
    from django.db import transaction

    from commonground.core.importing import ImportRejected
    from commonground.voices.surveys import do_create_survey, do_import_survey_round
    from commonground.voices.xlsform import read_xlsform

    org = organization_or_fail(organization)
    try:
        with transaction.atomic():
            found = do_create_survey(org, survey, read_xlsform(xlsform))
            result = do_import_survey_round(found, round_number, export, dry_run=dry_run)
            if dry_run:
                transaction.set_rollback(True)
    except ImportRejected as exc:
        raise click.ClickException(_("nothing imported:") + "\n" + rejection_text(exc)) from exc
    verb = _("would add") if dry_run else _("added")
    click.echo(
        _(
            "%(file)s: %(rows)s rows, %(verb)s %(added)s responses to round %(round)s, "
            "%(known)s already stored, %(repeated)s repeated in the file."
        )
        % {
            "file": export.name,
            "rows": number(result.rows),
            "verb": verb,
            "added": number(result.added),
            "round": round_number,
            "known": number(result.already_known),
            "repeated": number(result.repeated_in_file),
        }
    )


# The intake channels' commands (odk-keygen, import-odk-encrypted, sms-channel), in their module.
import commonground.voices.channels_cli  # noqa: E402, F401
