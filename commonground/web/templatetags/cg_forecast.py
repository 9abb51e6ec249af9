"""``{% area_forecast area as forecast %}``: the forecast section's context, for area pages."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.core.models import Area
from commonground.web.forecasts import area_forecast_context

register = template.Library()


@register.simple_tag
def area_forecast(area: Area) -> dict[str, Any] | None:
    return area_forecast_context(area)
