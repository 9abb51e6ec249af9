"""``commonground alerts list``: every alert on this installation, for the operator.

Whoever runs the command holds the database, so it lists every alert (docs/alerts.md): when,
owner, urgency, category, area, state and how many recipients answered. Never the source
reports, and not the alert's text (it is for the recipients, not for the machine's log).
"""

from __future__ import annotations

import click
from django.utils.translation import gettext as _

from commonground.cli.language import gettext_noop


@click.group(help=gettext_noop("Alerts raised from community reports: list them (the operator)."))
def alerts() -> None:
    pass


@alerts.command(
    name="list",
    help=gettext_noop("Every alert, newest first: owner, urgency, category, area, state, answers."),
)
@click.option(
    "--owner", default="", help=gettext_noop("Only the alerts of this organization (slug).")
)
def list_alerts(owner: str) -> None:
    from django.db.models import Count
    from rich.console import Console
    from rich.table import Table

    from commonground.alerts.queries import operator_alerts

    found = operator_alerts().annotate(
        acks=Count("acknowledgements", distinct=True), answers=Count("responses", distinct=True)
    )
    if owner:
        found = found.filter(owner__slug=owner)
    table = Table(title=_("Alerts"))
    for column in (
        _("raised"),
        _("owner"),
        _("urgency"),
        _("category"),
        _("area"),
        _("state"),
        _("acks"),
        _("responses"),
    ):
        table.add_column(column)
    for alert in found.order_by("-created_at"):
        table.add_row(
            f"{alert.created_at:%Y-%m-%d %H:%M}",
            alert.owner.slug,
            short(alert.get_urgency_display()),
            short(alert.get_category_display()),
            alert.area.code,
            short(alert.get_state_display()),
            str(alert.acks),
            str(alert.answers),
        )
    Console(width=120).print(table)


def short(label: str) -> str:
    """A choice's label up to its colon ("Immediate: act now, ..." is "Immediate"): a table cell."""
    return str(label).split(":")[0].strip()
