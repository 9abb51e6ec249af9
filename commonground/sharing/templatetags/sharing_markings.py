"""``{% tlp_badge record %}``: the TLP 2.0 marking beside a record's sensitivity (ADR 0020)."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.sharing.markings import Tlp, tlp_for

register = template.Library()


@register.inclusion_tag("sharing/_tlp_badge.html")
def tlp_badge(record: Any = None, marking: str = "", level: int | None = None) -> dict[str, Any]:
    """The badge of an owned record (its sensitivity), of a given marking ("RED", ...), or of a
    sensitivity level (``level=circle.max_sensitivity``: how far a circle or agreement shares)."""
    if marking:
        tlp = Tlp(marking)
    else:
        tlp = tlp_for(level if level is not None else getattr(record, "sensitivity", 0))
    css = tlp.value.lower().replace("+", "-")
    return {"tlp": tlp, "css": css}


@register.filter
def tlp(sensitivity: int) -> str:
    """``{{ level|tlp }}``: the TLP 2.0 label of a sensitivity level (``TLP:AMBER``)."""
    from commonground.sharing.markings import tlp_label

    return tlp_label(sensitivity)
