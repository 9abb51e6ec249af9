"""``{% data_age age %}``: the one sentence every page that shows a period says about the data.

``age`` is an :class:`commonground.analysis.freshness.DataAge` (or None: nothing is said).
"""

from __future__ import annotations

from typing import Any

from django import template

from commonground.analysis.freshness import DataAge

register = template.Library()


@register.inclusion_tag("web/_data_age.html")
def data_age(age: DataAge | None, element_id: str = "data-age") -> dict[str, Any]:
    return {"age": age, "element_id": element_id}
