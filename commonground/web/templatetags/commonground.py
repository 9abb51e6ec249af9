"""Template helpers that pick the reader's language for names stored in both languages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from commonground.core.areas import country_names
from commonground.core.models import Area
from commonground.events.models import ViolenceType

register = template.Library()


def _in_french() -> bool:
    return (get_language() or "en").startswith("fr")


@register.filter
def area_name(area: Area | None) -> str:
    """An area's name in the reader's language (French names for French readers)."""
    if area is None:
        return ""
    return (area.name_fr if _in_french() else area.name_en) or area.name_en


@register.filter
def country_name(iso3: str) -> str:
    """A country's name from its ISO3 code, in the reader's language."""
    if not iso3:
        return ""
    english, french = country_names(iso3)
    return french if _in_french() else english


@register.filter
def violence_label(value: str) -> str:
    """The translated label of a violence type code such as ``one_sided``."""
    try:
        return str(ViolenceType(value).label)
    except ValueError:
        return value


@register.filter
def field_rows(fields: object) -> list[tuple[str, object]]:
    """A source's own fields as (name, value) rows.

    A template cannot loop over ``dict.items`` safely: a source field called ``items`` would win.
    """
    if not isinstance(fields, dict):
        return []
    return [(str(name), value) for name, value in fields.items()]


@register.simple_tag(takes_context=True)
def period_url(context: template.Context, name: str, *args: object) -> str:
    """The URL of a page (as ``{% url %}``) carrying the period the current page is read for.

    Pages put the period's query string in their context as ``period_query``; links drawn with
    this tag keep it, so following an area or an actor keeps the period.
    """
    from django.urls import reverse

    from commonground.web.periods import with_query

    return with_query(reverse(name, args=args), str(context.get("period_query") or ""))
