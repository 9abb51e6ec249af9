"""Forecasts in the pages: the fan chart of an area page and the forecast layer of the map.

Forecasts are made from public events only (``commonground forecast run`` reads
``visible_events(None)``), so every visitor may see them: the views are public and the pages
say so. Which forecast is current, and whether it is stale, is decided in
:mod:`commonground.forecasts.queries`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from commonground.analysis.forecast.reliability import reliability
from commonground.analysis.freshness import month_name
from commonground.core.models import Area, AreaLevel
from commonground.forecasts.queries import ForecastView, current_forecast
from commonground.sharing.policy import policy

LEVELS = {AreaLevel.COUNTRY: "country", AreaLevel.ADMIN1: "admin1"}


def chart_data(rows: list[Any]) -> dict[str, Any]:
    """What the fan chart draws: months, the quantile bands, the mean, and its words."""
    return {
        "months": [row.month for row in rows],
        **{key: [getattr(row, key) for row in rows] for key in ("q05", "q25", "q50", "q75", "q95")},
        "mean": [row.deaths_mean for row in rows],
        "labels": {
            "band90": _("90 % of outcomes"),
            "band50": _("50 % of outcomes"),
            "median": _("Median"),
            "mean": _("Expected deaths"),
            "deaths": _("Deaths"),
        },
    }


def area_forecast_context(area: Area) -> dict[str, Any] | None:
    """The forecast section of an area page; None for areas forecasts are not made for."""
    level = LEVELS.get(AreaLevel(area.level))
    if level is None:
        return None
    view = current_forecast(area.country_code, level)
    rows = view.units.get(area.code, []) if view else []
    if view is None or not rows:
        return {"view": None, "rows": [], "chart": None}
    return {
        "view": view,
        "rows": rows,
        "chart": chart_data(rows),
        "reliability": reliability(view.country, view.level, view.model_version),
    }


def month_label(month: str) -> str:
    """``2023-01`` as ``January 2023`` in the active language."""
    year, number = month.split("-")
    return month_name(datetime.date(int(year), int(number), 1))


def _map_units(view: ForecastView, step: int) -> list[dict[str, Any]]:
    found = []
    for code, rows in sorted(view.units.items()):
        row = next((r for r in rows if r.step == step), None)
        if row is not None:
            found.append({"code": code, **{k: getattr(row, k) for k in MAP_FIELDS}})
    return found


MAP_FIELDS = ("month", "p_any_death", "p_one_sided", "deaths_mean", "q05", "q50", "q95")


def map_summary(view: ForecastView, legend: str, tested: list[str]) -> list[str]:
    """The sentences under the map's forecast layer: what, from which data, stale, how reliable."""
    found = [
        _("%(legend)s (model %(model)s).")
        % {"legend": legend, "model": f"{view.model_name} {view.model_version}"}
    ]
    if view.data_age:
        found.append(view.data_age.text)
    if view.is_stale:
        found.append(_("Stale forecast: %(reason)s.") % {"reason": view.stale_reason})
    if tested:
        found.append(_("How reliable: %(words)s") % {"words": tested[0]})
    return found


@policy("public")
def map_forecast(request: HttpRequest) -> JsonResponse:
    """The current admin-1 forecast of a country for one step, for the map's forecast layer."""
    country = request.GET.get("country", "").upper()[:3]
    try:
        step = min(max(int(request.GET.get("step", "1")), 1), 12)
    except ValueError:
        step = 1
    view = current_forecast(country, "admin1") if country.isalpha() else None
    if view is None:
        return JsonResponse({"available": False, "message": _("No forecast for this country.")})
    tested = reliability(view.country, view.level, view.model_version)
    units = _map_units(view, step)
    legend = _("Chance of any death in %(month)s") % {
        "month": month_label(units[0]["month"]) if units else ""
    }
    return JsonResponse(
        {
            "available": True,
            "country": view.country,
            "step": step,
            "data_cut": view.data_cut,
            "age_days": view.age_days,
            "is_stale": view.is_stale,
            "stale_reason": view.stale_reason,
            "model": f"{view.model_name} {view.model_version}",
            "months": view.months,
            "month": units[0]["month"] if units else "",
            "made_from": view.data_age.text if view.data_age else "",
            "reliability": tested.sentences() if tested else [],
            "summary": map_summary(view, legend, tested.sentences() if tested else []),
            "units": units,
            "labels": {
                "title": _("Chance of any death"),
                "stale": _("Stale forecast"),
                "deaths": _("Expected deaths"),
                "legend": legend,
            },
        }
    )
