"""The analysis on the pages: trends on area pages, networks on actor pages, the hot spot layer of
the map, and the coverage page.

Thin: the figures come from ``commonground.analysis`` (trends, hotspots, networks, coverage),
which read only what the access policy lets the asking user see (forecasts are made from public
events only and need no check).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from commonground.analysis import actor_figures, coverage, figures, hotspots, networks, trends
from commonground.analysis.freshness import data_age, month_span, today
from commonground.analysis.panels import (
    PANEL_TYPES,
    month_id,
    month_label,
    month_start,
    parse_month,
)
from commonground.core.models import Area
from commonground.events import queries
from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters, parse_event_filters
from commonground.registry.models import Actor, PresenceKind
from commonground.sharing.policy import AnyUser, policy
from commonground.web.basemap import ADMIN1_STATIC

#: How many unusual months an area page lists per figure (the API gives them all).
UNUSUAL_SHOWN = 6

#: How many actors the network table on an actor page ranks.
NETWORK_ROWS = 10

#: How many opponents the actor page's network chart draws (the tables list all).
EGO_SHOWN = 20

FIGURE_LABELS = {
    "events": gettext_lazy("Events"),
    "deaths": gettext_lazy("Deaths (best)"),
    "events_one_sided": gettext_lazy("One-sided violence events"),
    "civilian_deaths": gettext_lazy("Civilian deaths"),
}

#: Named against the data, not today: the data may end years before today (issue 10 §3).
PERIOD_LABELS = {
    1: gettext_lazy("Last month of data"),
    3: gettext_lazy("Last 3 months of data"),
    12: gettext_lazy("Last 12 months of data"),
}


# --- Area page: trends -------------------------------------------------------------------------


def area_trends_context(user: AnyUser | None, area: Area) -> dict[str, Any] | None:
    """The trends section of an area page, or None when the user sees no event in the country."""
    found = trends.area_trends(user, area)
    if found is None:
        return None
    periods: dict[int, list[dict[str, Any]]] = {}
    for figure, data in found["figures"].items():
        for row in data["changes"]:
            periods.setdefault(row["months"], []).append(
                {"figure": figure, "label": FIGURE_LABELS[figure], **row}
            )
    unusual = [
        {
            "figure": figure,
            "label": FIGURE_LABELS[figure],
            "months": found["figures"][figure]["unusual"][:UNUSUAL_SHOWN],
            "total": len(found["figures"][figure]["unusual"]),
        }
        for figure in ("events", "civilian_deaths")
    ]
    return {
        **found,
        "age": data_age(month_end(month_start(parse_month(found["last"])))),
        "periods": [
            {"months": n, "label": PERIOD_LABELS.get(n, n), "rows": rows}
            for n, rows in sorted(periods.items())
        ],
        "unusual": unusual,
    }


def month_end(day: datetime.date) -> datetime.date:
    following = day.replace(day=28) + datetime.timedelta(days=4)
    return following - datetime.timedelta(days=following.day)


# --- Actor page: network -----------------------------------------------------------------------


def actor_network_context(
    user: AnyUser | None,
    actor: Actor,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, Any]:
    """The network section of an actor page: its place among armed actors, overall and by year.

    The network takes in the visible events of the countries where the actor appears, in the
    months of the page's period when one is given (the stored dyad figures are monthly: a
    period that cuts a month takes in that whole month, and the section says so).
    """
    countries = actor_figures.actor_countries(user, actor)
    first = month_id(date_from) if date_from else None
    last = month_id(date_to) if date_to else None
    rows = networks.in_period(networks.visible_dyads(user, countries), first, last)
    network = networks.build_network(rows)
    nodes = network.nodes()
    ranks = {row["id"]: n for n, row in enumerate(nodes, 1)}
    own = next((row for row in nodes if row["id"] == actor.pk), None)
    top = nodes[:NETWORK_ROWS]
    if own and own not in top:
        top = [*top, own]
    return {
        "countries": countries,
        "own": own,
        "rank": ranks.get(actor.pk),
        "actors": len(nodes),
        "edges": network.graph.number_of_edges(),
        "components": network.components(),
        "top": [{**row, "rank": ranks[row["id"]]} for row in top],
        "by_year": networks.actor_by_year(rows, actor.pk),
        "chart": ego_chart(network, actor),
        "months": None
        if first is None and last is None
        else (month_label(first) if first else "…", month_label(last) if last else "…"),
    }


def ego_chart(network: networks.Network, actor: Actor) -> dict[str, Any] | None:
    """The actor, the actors it fought and the civilians it attacked, placed on a circle.

    Only the ``EGO_SHOWN`` opponents with most events are drawn; the tables list every one.
    """
    graph = network.graph
    ties = (
        sorted(
            (
                (graph.edges[actor.pk, other]["events"], graph.nodes[other]["name"], other)
                for other in graph.neighbors(actor.pk)
            ),
            key=lambda t: (-t[0], t[1]),
        )[:EGO_SHOWN]
        if actor.pk in graph
        else []
    )
    others = [
        {"name": name, "events": events, "url": reverse("web:actor", args=[other]), "kind": "fight"}
        for events, name, other in ties
    ]
    targets = network.one_sided.get(actor.pk)
    if targets:
        others.append(
            {"name": _("Civilians"), "events": targets["events"], "url": None, "kind": "civilians"}
        )
    if not others:
        return None
    for k, node in enumerate(others):
        angle = 2 * math.pi * k / len(others)
        node["x"], node["y"] = round(math.cos(angle), 4), round(math.sin(angle), 4)
    return {
        "actor": actor.name,
        "nodes": others,
        "labels": {
            # {actor}, {other} and {events} are filled in by network.js.
            "fought": _("{actor} fought {other}: {events} events"),
            "attacked": _("{actor} attacked civilians: {events} events"),
        },
    }


# --- The map's hot spot layer -----------------------------------------------------------------


def hotspot_figure(violence_type: str | None) -> str:
    """Events of the map's violence type if it is one a panel counts; all events otherwise."""
    return f"events_{violence_type}" if violence_type in PANEL_TYPES else "events"


@policy("public")
@require_GET
@never_cache
def map_hotspots(request: HttpRequest) -> JsonResponse:
    """Emerging, persistent and cooling hot spots (Gi*) on PRIO-GRID cells of one country.

    Reads the map's filters: ``country`` (required), ``violence_type`` (the figure tested) and
    ``date_to`` (the month the last window ends with; default the last month with an event).
    Other filters do not apply: the statistic needs every cell of the country.
    """
    parsed = parse_event_filters(request.GET)
    filters = parsed.filters
    if not filters.country:
        return JsonResponse(
            {"cells": [], "message": _("Choose a country to see its hot spots.")}, status=200
        )
    last = month_id(filters.date_to) if filters.date_to else None
    figure = hotspot_figure(filters.violence_type)
    found = hotspots.country_hotspots(request.user, filters.country, figure, last)
    if found is None:
        return JsonResponse({"cells": [], "message": _("No events that you may see here.")})
    label = str(dict(ViolenceType.choices).get(filters.violence_type or "", _("Events")))
    return JsonResponse(
        {
            "size": 0.5,
            "figure": figure,
            "figure_label": label,
            "title": _("Hot spots: %(figure)s") % {"figure": label},
            "empty": _("no hot spot in these windows"),
            "windows": found.window_labels(),
            "summary": found.summary(),
            "rule": hotspots.RULE_NAME,
            "cells": [c.as_dict() for c in found.cells if c.category != "none"],
        }
    )


# --- The coverage page ------------------------------------------------------------------------

COVER_LABELS = {
    "present": gettext_lazy("Present"),
    "uncertain": gettext_lazy("Uncertain"),
    "none": gettext_lazy("None known"),
}

STATES_SHOWN: tuple[coverage.Status, ...] = ("present", "uncertain")

OTHER_KINDS = tuple(
    k
    for k in PresenceKind.values
    if k not in coverage.PROTECTION_KINDS and k not in coverage.PEACEBUILDING_KINDS
)


def coverage_rows(found: coverage.Coverage) -> list[dict[str, Any]]:
    """The ranked table's rows, with area names and who is present, uncertain, absent."""
    areas = {a.code: a for a in Area.objects.filter(code__in=[r.unit for r in found.rows])}
    rows = []
    for n, row in enumerate(found.rows, 1):
        rows.append(
            {
                "rank": n,
                "unit": row.unit,
                "area": areas.get(row.unit),
                "risk": row.risk,
                "risk_percent": round(100 * row.risk, 1),
                "gap": row.gap,
                "protection": row.protection,
                "protection_label": COVER_LABELS[row.protection],
                "peacebuilding": row.peacebuilding,
                "peacebuilding_label": COVER_LABELS[row.peacebuilding],
                "detail": row.detail,
                **{
                    f"{group}_{state}": row.names(kinds, state)
                    for group, kinds in (
                        ("protection", coverage.PROTECTION_KINDS),
                        ("peacebuilding", coverage.PEACEBUILDING_KINDS),
                        ("other", OTHER_KINDS),
                    )
                    for state in STATES_SHOWN
                },
            }
        )
    return rows


def coverage_map(found: coverage.Coverage, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What coverage.js draws: the gap of each admin-1 area, and the words of its tooltip."""
    return {
        "admin1": static(ADMIN1_STATIC),
        "country": found.country,
        "basis": found.basis,
        "max_gap": max((r["gap"] for r in rows), default=0.0),
        "units": {
            r["unit"]: {
                "rank": r["rank"],
                "gap": r["gap"],
                "risk": r["risk"],
                "protection": str(r["protection_label"]),
                "peacebuilding": str(r["peacebuilding_label"]),
            }
            for r in rows
        },
        "labels": {
            "rank": _("Rank"),
            "risk": _("Risk"),
            "events": _("one-sided events"),
            "protection": _("Protection"),
            "peacebuilding": _("Peacebuilding"),
            "no_data": _("not in the table"),
            "legend": _("Coverage gap (risk times weight), darkest first")
            if found.basis == "forecast"
            else _("Coverage gap (one-sided events times weight), darkest first"),
            "no_gap": _("no gap: protection present, or no risk"),
        },
    }


def as_of_day(text: str) -> datetime.date | None:
    """The coverage page's ``as_of`` (``YYYY-MM-DD``); None, the risk period, when absent or bad."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


@policy("public")
@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Risk to civilians against the presence of protection actors and peacebuilders, per area."""
    countries = queries.filter_choices(request.user).countries
    country = request.GET.get("country", "").strip().upper() or (countries[0] if countries else "")
    if country and country not in countries:
        raise Http404(_("No events that you may see in this country."))
    as_of = as_of_day(request.GET.get("as_of", ""))
    found = coverage.country_coverage(request.user, country, as_of) if country else None
    rows = coverage_rows(found) if found else []
    context = {
        "countries": countries,
        "country": country,
        "coverage": found,
        "rows": rows,
        "map": coverage_map(found, rows) if found else None,
        "unplaced": found.unplaced if found else [],
        "risk_months": coverage.RISK_MONTHS,
        "weights": coverage.GAP_WEIGHT,
        "age": data_age(figures.event_figures(request.user, EventFilters(country=country))["last"])
        if country
        else None,
        "period_name": month_span(found.first, found.last) if found else "",
        "today": today(),
    }
    return render(request, "web/coverage.html", context)
