"""``commonground alerts list``: every alert on this installation, for the operator.

Whoever runs the command holds the database, so it lists every alert (docs/alerts.md): when,
owner, urgency, category, area, state and how many recipients answered. Never the source
reports, and not the alert's text (it is for the recipients, not for the machine's log).
"""

from __future__ import annotations

import click


@click.group()
def alerts() -> None:
    """Alerts raised from community reports: list them (the operator)."""


@alerts.command(name="list")
@click.option("--owner", default="", help="Only the alerts of this organization (slug).")
def list_alerts(owner: str) -> None:
    """Every alert, newest first: owner, urgency, category, area, state, answers."""
    from django.db.models import Count
    from rich.console import Console
    from rich.table import Table

    from commonground.alerts.queries import operator_alerts

    found = operator_alerts().annotate(
        acks=Count("acknowledgements", distinct=True), answers=Count("responses", distinct=True)
    )
    if owner:
        found = found.filter(owner__slug=owner)
    table = Table(title="Alerts")
    for column in ("raised", "owner", "urgency", "category", "area", "state", "acks", "responses"):
        table.add_column(column)
    for alert in found.order_by("-created_at"):
        table.add_row(
            f"{alert.created_at:%Y-%m-%d %H:%M}",
            alert.owner.slug,
            alert.urgency,
            alert.category,
            alert.area.code,
            alert.state,
            str(alert.acks),
            str(alert.answers),
        )
    Console(width=120).print(table)
