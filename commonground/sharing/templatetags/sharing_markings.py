"""``{% tlp_badge record %}``: the TLP 2.0 marking beside a record's sensitivity (ADR 0020)."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.sharing.markings import Tlp, tlp_for

register = template.Library()


@register.inclusion_tag("sharing/_tlp_badge.html")
def tlp_badge(record: Any = None, marking: str = "") -> dict[str, Any]:
    """The badge of an owned record (its sensitivity), or of a given marking ("RED", ...)."""
    tlp = Tlp(marking) if marking else tlp_for(getattr(record, "sensitivity", 0))
    css = tlp.value.lower().replace("+", "-")
    return {"tlp": tlp, "css": css}


@register.filter
def tlp(sensitivity: int) -> str:
    """``{{ level|tlp }}``: the TLP 2.0 label of a sensitivity level (``TLP:AMBER``)."""
    from commonground.sharing.markings import tlp_label

    return tlp_label(sensitivity)
