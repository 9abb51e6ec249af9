"""The parallel-forces atlas (``/atlas/``): forces that ran beside UN operations, on a world map,
on a timeline by purpose, and in a table, filtered by the query string.

The forces come from ``parallel_force_list`` (the access policy applies); the map and the
timeline are drawn in the browser from data embedded in the page (``json_script``), so the page
and its pictures always show the same filtered list. The map data is also served as GeoJSON at
``/atlas/countries.geojson`` for whoever wants the shaded countries alone.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from commonground.registry.models import (
    CommandRelation,
    LeadEntityType,
    ParallelForce,
    PurposeType,
    UnscStatus,
)
from commonground.registry.queries import parallel_force_list
from commonground.sharing.policy import AnyUser, policy
from commonground.web.basemap import country_outlines, outlines_version
from commonground.web.templatetags.commonground import country_name

#: The path of an operation's page (the operation pages are built beside this one).
OPERATION_PATH = "/operations/{slug}/"

#: In the query string, forces whose Council status was not established (stored empty).
UNSC_NOT_ESTABLISHED = "unknown"

#: One colour per purpose (ColorBrewer Set2 and Dark2, distinguishable for most colour vision).
PURPOSE_COLOURS = {
    PurposeType.BRIDGING: "#66c2a5",
    PurposeType.DETERRENCE: "#8da0cb",
    PurposeType.COUNTERTERRORISM: "#d95f02",
    PurposeType.STABILIZATION: "#e7298a",
    PurposeType.TRAINING: "#a6d854",
    PurposeType.OTHER: "#999999",
}


def unsc_choices() -> list[tuple[str, str]]:
    """Council statuses as the filter offers them: the empty status has a name of its own."""
    return [
        (UNSC_NOT_ESTABLISHED if value == "" else value, str(label))
        for value, label in UnscStatus.choices
    ]


@dataclass
class AtlasFilters:
    """The atlas filters read from a query string, and the values it named that do not exist."""

    lead_entity_type: str = ""
    purpose_type: str = ""
    unsc_status: str = ""
    command_relation: str = ""
    current: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def unsc_value(self) -> str | None:
        """The stored value to filter on: None for no filter, "" for not established."""
        if not self.unsc_status:
            return None
        return "" if self.unsc_status == UNSC_NOT_ESTABLISHED else self.unsc_status

    @property
    def any(self) -> bool:
        return bool(
            self.lead_entity_type
            or self.purpose_type
            or self.unsc_status
            or self.command_relation
            or self.current
        )


def parse_atlas_filters(query: QueryDict) -> AtlasFilters:
    """Read the filters; an unknown value is named in ``errors`` and left out."""
    filters = AtlasFilters(current=query.get("current", "") in ("1", "on", "true"))
    allowed = {
        "lead_entity_type": {value for value, _label in LeadEntityType.choices},
        "purpose_type": {value for value, _label in PurposeType.choices},
        "unsc_status": {value for value, _label in unsc_choices()},
        "command_relation": {value for value, _label in CommandRelation.choices},
    }
    for name, values in allowed.items():
        value = query.get(name, "").strip()
        if not value:
            continue
        if value in values:
            setattr(filters, name, value)
        else:
            filters.errors.append(
                _("%(name)s: %(value)s is not one of the values offered; it was left out.")
                % {"name": name, "value": value[:80]}
            )
    return filters


def is_current(force: ParallelForce, year: int) -> bool:
    """Still deployed: no end year (ongoing, or end not established), or ending this year."""
    return force.end_year is None or force.end_year >= year


def atlas_forces(user: AnyUser | None, filters: AtlasFilters) -> list[ParallelForce]:
    """The visible forces that the filters select, by start year."""
    forces = parallel_force_list(
        user,
        lead_entity_type=filters.lead_entity_type or None,
        purpose_type=filters.purpose_type or None,
        unsc_status=filters.unsc_value,
        command_relation=filters.command_relation or None,
    )
    listed = list(forces)
    if filters.current:
        year = datetime.date.today().year
        listed = [force for force in listed if is_current(force, year)]
    return listed


@cache
def _outlined_countries() -> frozenset[str]:
    collection = json.loads(country_outlines())
    return frozenset(f["properties"]["iso_a3"] for f in collection["features"])


def countries_of(forces: list[ParallelForce]) -> list[dict[str, Any]]:
    """Each host country with the forces it hosted, the most forces first."""
    by_country: dict[str, list[ParallelForce]] = defaultdict(list)
    for force in forces:
        for code in force.host_countries:
            by_country[code].append(force)
    outlined = _outlined_countries()
    rows: list[dict[str, Any]] = []
    for code, hosted in by_country.items():
        rows.append(
            {
                "code": code,
                "name": country_name(code) or code,
                "count": len(hosted),
                "on_map": code in outlined,
                "forces": [
                    {"name": f.name, "years": years_text(f), "slug": f.slug} for f in hosted
                ],
            }
        )
    rows.sort(key=lambda row: (-int(row["count"]), str(row["name"])))
    return rows


def years_text(force: ParallelForce) -> str:
    end = str(force.end_year) if force.end_year else "…"
    return f"{force.start_year}\N{EN DASH}{end}"


def timeline_data(forces: list[ParallelForce], this_year: int) -> dict[str, Any]:
    """One bar per force, from its start year to its end year (or this year), by purpose."""
    purposes: dict[str, str] = {str(value): str(label) for value, label in PurposeType.choices}
    colours: dict[str, str] = {str(value): colour for value, colour in PURPOSE_COLOURS.items()}
    traces: dict[str, dict[str, Any]] = {}
    for force in forces:
        end = force.end_year or this_year
        trace = traces.setdefault(
            force.purpose_type,
            {
                "name": purposes.get(force.purpose_type, force.purpose_type),
                "colour": colours.get(force.purpose_type, "#999999"),
                "names": [],
                "starts": [],
                "lengths": [],
                "texts": [],
            },
        )
        trace["names"].append(force.name)
        trace["starts"].append(force.start_year)
        trace["lengths"].append(end - force.start_year + 1)
        trace["texts"].append(f"{force.name} ({force.lead_entity}), {years_text(force)}")
    order = [value for value, _label in PurposeType.choices if value in traces]
    return {
        "order": [force.name for force in forces],
        "traces": [traces[value] for value in order],
        "this_year": this_year,
    }


def force_rows(forces: list[ParallelForce]) -> list[dict[str, Any]]:
    """What the table shows of each force (the linked operations are the visible ones)."""
    return [
        {
            "force": force,
            "operations": [
                {"acronym": op.acronym, "url": OPERATION_PATH.format(slug=op.slug)}
                for op in force.parallel_to.all()
            ],
        }
        for force in forces
    ]


def atlas_config(forces: list[ParallelForce], this_year: int) -> dict[str, Any]:
    return {
        "urls": {"countries": reverse("web:map_countries") + f"?v={outlines_version()}"},
        "countries": countries_of(forces),
        "timeline": timeline_data(forces, this_year),
        "labels": {
            "forces": _("Parallel forces"),
            "force_count": _("forces"),
            "no_forces": _("No parallel force in the filtered list"),
            "legend": _("Parallel forces per host country"),
            "failed": _("The map could not be loaded. The table below lists every force."),
            "year": _("Year"),
            "ongoing": _("ongoing or end not established"),
        },
    }


@policy("public")
def atlas_page(request: HttpRequest) -> HttpResponse:
    """The atlas: map, timeline and table of the forces the query string selects."""
    filters = parse_atlas_filters(request.GET)
    forces = atlas_forces(request.user, filters)
    this_year = datetime.date.today().year
    countries = countries_of(forces)
    context = {
        "filters": filters,
        "forces": force_rows(forces),
        "count": len(forces),
        "countries": countries,
        "maritime": sum(1 for force in forces if not force.host_countries),
        "lead_entity_types": LeadEntityType.choices,
        "purpose_types": PurposeType.choices,
        "unsc_statuses": unsc_choices(),
        "command_relations": CommandRelation.choices,
        "purpose_colours": [
            (label, PURPOSE_COLOURS[PurposeType(value)]) for value, label in PurposeType.choices
        ],
        "atlas_config": atlas_config(forces, this_year),
    }
    return render(request, "web/atlas.html", context, status=400 if filters.errors else 200)


@policy("public")
@require_GET
@never_cache
def atlas_countries(request: HttpRequest) -> JsonResponse:
    """The host countries of the filtered forces, as GeoJSON outlines with their counts."""
    filters = parse_atlas_filters(request.GET)
    counts = {row["code"]: row for row in countries_of(atlas_forces(request.user, filters))}
    collection = json.loads(country_outlines())
    features = []
    for feature in collection["features"]:
        row = counts.get(feature["properties"]["iso_a3"])
        if row is None:
            continue
        properties = {
            **feature["properties"],
            "forces": row["count"],
            "names": [force["name"] for force in row["forces"]],
        }
        features.append({**feature, "properties": properties})
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        status=400 if filters.errors else 200,
    )
