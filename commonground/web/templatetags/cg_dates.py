"""``{% data_age age %}``: the one sentence every page that shows a period says about the data.

``age`` is an :class:`commonground.analysis.freshness.DataAge` (or None: nothing is said).
``{% visible_data_age country %}`` says it for the events the viewer may see (in one country,
or everywhere when ``country`` is empty), for pages whose views do not compute it.
"""

from __future__ import annotations

from typing import Any

from django import template

from commonground.analysis import figures
from commonground.analysis.cache import cached_value
from commonground.analysis.freshness import DataAge
from commonground.analysis.freshness import data_age as age_of
from commonground.events.schemas import EventFilters

register = template.Library()


@register.inclusion_tag("web/_data_age.html")
def data_age(age: DataAge | None, element_id: str = "data-age") -> dict[str, Any]:
    return {"age": age, "element_id": element_id}


@register.inclusion_tag("web/_data_age.html", takes_context=True)
def visible_data_age(context: template.Context, country: str | None = None) -> dict[str, Any]:
    """The age of the latest event the viewer may see (from the stored figures, cached per data
    generation and visibility like every aggregate)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    filters = EventFilters(country=country or None)
    last = cached_value(
        "last_event_day", user, lambda: figures.event_figures(user, filters)["last"], country
    )
    return {"age": age_of(last), "element_id": "data-age"}
