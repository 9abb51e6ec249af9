"""The map (``/map/``) and the small JSON endpoints it draws from.

Every endpoint reads the same query string as the page and the events list
(``parse_event_filters``) and shows exactly what the access policy lets the user see: points
from ``filter_events(visible_events(user))``, counts and sums from the stored figures
(``analysis.figures``, which fall back to the events for filters they cannot answer). Answers
are cached per data generation and viewer visibility (``analysis.cache``), never across
visibilities.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from commonground.analysis import figures
from commonground.analysis.cache import cached_response
from commonground.analysis.freshness import today
from commonground.core.geo import priogrid_centre
from commonground.events import queries
from commonground.events.models import Event, ViolenceType
from commonground.events.schemas import EventFilters, ParsedFilters, parse_event_filters
from commonground.registry.models import Presence
from commonground.registry.queries import (
    PresenceEnd,
    presence_end,
    presence_list,
    present_during,
    present_on,
    visible_operation_ids,
)
from commonground.sharing.geomask import masked_points, shown_to
from commonground.sharing.policy import policy, record_denied, request_viewer
from commonground.web.basemap import ADMIN1_STATIC, country_outlines, outlines_version
from commonground.web.periods import period_query, with_query
from commonground.web.views import narrowing

#: At most this many events are drawn as points; past it the map says so and the counts per
#: area or grid cell still take in every event. Reading 20,000 points took 0.6 s on 1,000,000
#: events (random reads into the events table), 5,000 take 0.1 s (docs/performance.md).
MAP_POINTS_LIMIT = 5_000

#: How events are drawn: clustered points, a choropleth per admin-1 area, or per grid cell.
VIEWS = ("points", "areas", "grid")

#: Colours by violence type (ColorBrewer Dark2, distinguishable for most colour vision).
VIOLENCE_COLOURS = {
    ViolenceType.STATE_BASED: "#1b9e77",
    ViolenceType.NON_STATE: "#7570b3",
    ViolenceType.ONE_SIDED: "#d95f02",
    ViolenceType.UNREST: "#e7298a",
    ViolenceType.STRATEGIC: "#666666",
}

#: The path of an area's page (the area pages may come later; the map links to them already).
AREA_PATH = "/areas/{code}/"

#: A year of caching for the country outlines: their URL changes with the package version.
OUTLINES_MAX_AGE = 365 * 24 * 3600


def map_view(request: HttpRequest) -> str:
    view = request.GET.get("view", "")
    return view if view in VIEWS else VIEWS[0]


def filtered(request: HttpRequest) -> tuple[ParsedFilters, QuerySet[Event]]:
    """The request's filters and the visible events they select (the one place for both)."""
    parsed = parse_event_filters(request.GET)
    return parsed, queries.filter_events(queries.visible_events(request.user), parsed.filters)


def without_dates(filters: EventFilters) -> EventFilters:
    return filters.model_copy(update={"date_from": None, "date_to": None})


def json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, encoder=DjangoJSONEncoder, status=status)


def list_query(request: HttpRequest) -> str:
    """The query string of the events list that shows the same events."""
    params = request.GET.copy()
    for name in ("view", "presence", "lang", "page"):
        params.pop(name, None)
    return params.urlencode()


def map_config(overview: bool = False) -> dict[str, Any]:
    """What the map script needs: where its data is, the words it shows, the optional tiles."""
    types = {value: str(label) for value, label in ViolenceType.choices}
    return {
        "overview": overview,
        "urls": {
            "countries": reverse("web:map_countries") + f"?v={outlines_version()}",
            "admin1": static(ADMIN1_STATIC),
            "events": reverse("web:map_events"),
            "areas": reverse("web:map_areas"),
            "grid": reverse("web:map_grid"),
            "presence": reverse("web:map_presence"),
            "timeline": reverse("web:map_timeline"),
            "summary": reverse("web:map_summary"),
            "event": reverse("web:map_event", args=[0]).replace("/0/", "/{id}/"),
            "area": AREA_PATH,
        },
        "tiles": settings.COMMONGROUND_TILE_URL,
        "colours": VIOLENCE_COLOURS,
        "labels": {
            "violence_types": types,
            "events": _("Events"),
            "deaths": _("Deaths"),
            "civilian_deaths": _("Civilian deaths"),
            "other_deaths": _("Other deaths"),
            "loading": _("Loading…"),
            "failed": _("The map data could not be loaded. Try again, or reload the page."),
            "open_area": _("Click to open the area page"),
            "no_events": _("No events"),
            "no_boundary": _("no boundary on this map; see the table below"),
            "legend_areas": _("Events per admin-1 area"),
            "legend_grid": _("Events per grid cell (0.5°)"),
            "legend_points": _("Type of violence"),
            "presence": _("Presence"),
            "presence_forces": _("Missions and forces"),
            "presence_civilian": _("Humanitarian, peacebuilding, civil society"),
            "presence_other": _("Other"),
            "organization": _("Organization"),
            "kind": _("Kind"),
            "presence_type": _("Type"),
            "place": _("Place"),
            "period": _("Period"),
            "operation": _("Operation"),
            "source": _("Source"),
            "cell": _("Grid cell"),
            "chart": _("Events and deaths per month"),
            "month": _("Month"),
        },
    }


# --- The page ---------------------------------------------------------------------------------


@policy("public")
@cached_response(anonymous_only=True)
def map_page(request: HttpRequest) -> HttpResponse:
    """The map with its filters; every filter lives in the query string, so a view is a link."""
    parsed = parse_event_filters(request.GET)
    context = {
        "filters": parsed.filters,
        "errors": parsed.errors,
        "choices": queries.filter_choices(request.user),
        "violence_types": ViolenceType.choices,
        "view": map_view(request),
        "presence": request.GET.get("presence") == "1",
        "map_config": map_config(),
        **narrowing(request.user, parsed.filters),
        **summary_context(request, parsed.filters),
    }
    return render(request, "web/map.html", context, status=400 if parsed.errors else 200)


def summary_context(request: HttpRequest, filters: EventFilters) -> dict[str, Any]:
    """The count, the deaths and the admin-1 table under the map (page and partial alike).

    The area links keep the map's period, so an area opens on the same dates.
    """
    areas = figures.admin1_figures(request.user, filters)
    found = figures.event_figures(request.user, filters)
    return {
        "count": found["events"],
        "deaths": found["deaths"],
        "civilian_deaths": found["civilian_deaths"],
        "shown": min(found["events"], MAP_POINTS_LIMIT),
        "limit": MAP_POINTS_LIMIT,
        "areas": [
            {**a, "url": with_query(AREA_PATH.format(code=a["code"]), period_query(filters))}
            for a in areas
        ],
        "without_admin1": found["events"] - sum(a["events"] for a in areas),
        "list_query": list_query(request),
    }


@policy("public")
@require_GET
@never_cache
@cached_response()
def map_summary(request: HttpRequest) -> HttpResponse:
    """The summary under the map, as an HTML fragment the script swaps in when filters change."""
    parsed = parse_event_filters(request.GET)
    context = {"errors": parsed.errors, **summary_context(request, parsed.filters)}
    return render(request, "web/_map_summary.html", context)


# --- Data for the map ---------------------------------------------------------------------------


@policy("public")
@require_GET
def map_countries(request: HttpRequest) -> HttpResponse:
    """Country outlines (public geography from an installed package); cached for a long time."""
    response = HttpResponse(country_outlines(), content_type="application/geo+json")
    patch_cache_control(response, public=True, max_age=OUTLINES_MAX_AGE, immutable=True)
    return response


@policy("public")
@require_GET
@never_cache
@cached_response()
def map_events(request: HttpRequest) -> HttpResponse:
    """Events as GeoJSON points, newest first, at most ``MAP_POINTS_LIMIT`` of them."""
    parsed, events = filtered(request)
    points = queries.event_points(events, MAP_POINTS_LIMIT)
    points = masked_points(points, events, request_viewer(request))  # non-owners: geomasked
    features = [
        {
            "type": "Feature",
            "id": p["id"],
            "geometry": {"type": "Point", "coordinates": [p["longitude"], p["latitude"]]},
            "properties": {
                "date": p["date_start"],
                "violence_type": p["violence_type"],
                "deaths": p["fatalities_best"],
            },
        }
        for p in points
    ]
    count = (
        figures.event_count(request.user, parsed.filters)
        if len(points) == MAP_POINTS_LIMIT
        else len(points)
    )
    return json(
        {
            "type": "FeatureCollection",
            "count": count,
            "limit": MAP_POINTS_LIMIT,
            "errors": [error.fields for error in parsed.errors],
            "features": features,
        }
    )


@policy("public")
@require_GET
@never_cache
@cached_response()
def map_areas(request: HttpRequest) -> HttpResponse:
    """Figures per admin-1 area code (the choropleth joins them to the boundaries by code)."""
    parsed = parse_event_filters(request.GET)
    rows = figures.admin1_figures(request.user, parsed.filters)
    return json(
        {
            "areas": [
                {
                    "code": r["code"],
                    "name": r["name_fr"] if request.LANGUAGE_CODE == "fr" else r["name_en"],
                    "events": r["events"],
                    "deaths": r["deaths"],
                    "civilian_deaths": r["civilian_deaths"],
                }
                for r in rows
            ]
        }
    )


@policy("public")
@require_GET
@never_cache
@cached_response()
def map_grid(request: HttpRequest) -> HttpResponse:
    """Figures per PRIO-GRID cell (0.5° squares), with each cell's centre."""
    parsed = parse_event_filters(request.GET)
    cells = []
    for row in figures.grid_figures(request.user, parsed.filters):
        latitude, longitude = priogrid_centre(row["gid"])
        cells.append({**row, "lat": latitude, "lon": longitude})
    return json({"size": 0.5, "cells": cells})


@policy("public")
@require_GET
@never_cache
@cached_response()
def map_timeline(request: HttpRequest) -> HttpResponse:
    """Events, deaths and civilian deaths per month under every filter but the period."""
    parsed = parse_event_filters(request.GET)
    monthly = figures.event_figures(request.user, without_dates(parsed.filters))["monthly"]
    return json(
        {
            "months": [f"{month}-01" for month in monthly],
            "events": [f["events"] for f in monthly.values()],
            "deaths": [f["deaths"] for f in monthly.values()],
            "civilian_deaths": [f["civilian_deaths"] for f in monthly.values()],
        }
    )


def end_label(end: PresenceEnd) -> str:
    """How a presence's end reads: its date, the operation's end, or that it is unknown."""
    if end.basis == "record":
        return end.text
    if end.basis == "operation":
        return _("%(end)s (when its operation ended)") % {"end": end.text}
    return _("end unknown")


def presence_feature(record: Presence, visible_operations: set[Any]) -> dict[str, Any]:
    end = presence_end(record, visible_operations)
    shown = record.operation if record.operation_id in visible_operations else None
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [record.longitude, record.latitude]},
        "properties": {
            "id": record.source_id,
            "organization": record.organization.name,
            "name": record.organization_name,
            "kind": record.actor_kind,
            "kind_label": str(record.get_actor_kind_display()),
            "presence_type": str(record.get_presence_type_display()),
            "place": record.place or (record.area.name_en if record.area else ""),
            "start": record.start_date,
            "end": end.text or None,
            "end_basis": end.basis,
            "end_label": end_label(end),
            "operation": shown.acronym if shown else "",
            "source_url": record.source_url,
        },
    }


def as_of_date(request: HttpRequest) -> tuple[datetime.date | None, str | None]:
    """The ``as_of`` parameter (``YYYY-MM-DD``), or why it cannot be read."""
    text = request.GET.get("as_of", "").strip()
    if not text:
        return None, None
    try:
        return datetime.date.fromisoformat(text), None
    except ValueError:
        return None, _("as_of: %(value)s is not a date as YYYY-MM-DD.") % {"value": text[:40]}


@policy("public")
@require_GET
@never_cache
def map_presence(request: HttpRequest) -> JsonResponse:
    """Presence records with coordinates, in the country, and present on a date or in a period.

    ``as_of`` (a date) shows the records that may be present on that day; without it, the
    records that meet the filters' period; with neither, those present today. A record ends
    when it says, else when its operation ended (operations registry), else its end is unknown
    and it is shown, marked so (issue 10 §4).
    """
    parsed = parse_event_filters(request.GET)
    filters = parsed.filters
    as_of, problem = as_of_date(request)
    if problem:
        return json({"type": "FeatureCollection", "features": [], "error": problem}, status=400)
    if as_of is None and filters.date_from is None and filters.date_to is None:
        as_of = today()
    visible = visible_operation_ids(request.user)
    records = presence_list(request.user, country=filters.country).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    if as_of is not None:
        chosen = [r for r in records if present_on(r, as_of, visible)]
        heading = _("Presence as of %(day)s") % {"day": as_of.isoformat()}
    else:
        chosen = [
            r for r in records if present_during(r, filters.date_from, filters.date_to, visible)
        ]
        heading = _("Presence, %(start)s to %(end)s") % {
            "start": filters.date_from.isoformat() if filters.date_from else "…",
            "end": filters.date_to.isoformat() if filters.date_to else "…",
        }
    return json(
        {
            "type": "FeatureCollection",
            "as_of": as_of,
            "heading": heading,
            "features": [presence_feature(r, visible) for r in chosen],
        }
    )


@policy("public")
@require_GET
@never_cache
def map_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """An event's details and provenance for the map's popup; hidden answers as missing."""
    event: Event | None = queries.visible_event(request.user, event_id)
    if event is None:
        if queries.event_exists(event_id):
            record_denied(request.user, f"event:{event_id}", "not visible under access policy")
        raise Http404(_("No such event."))
    shown = shown_to(event, request_viewer(request))  # geomasked for a non-owner
    return render(request, "web/_map_event.html", {"event": shown})
