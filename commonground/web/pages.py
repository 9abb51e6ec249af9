"""The area, operation and actor pages: thin views over the events and registry queries.

Every read goes through the access policy; a record the user may not see answers exactly as a
missing one does (404), and the denied read is written to the audit log.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.analysis import actor_figures
from commonground.analysis import figures as stored
from commonground.analysis.cache import cached_response
from commonground.analysis.freshness import today
from commonground.core.models import Area, AreaLevel
from commonground.events import queries
from commonground.events.models import Event, ViolenceType
from commonground.mandates.queries import mission_of
from commonground.registry import queries as registry
from commonground.registry.models import Presence
from commonground.sharing.policy import AnyUser, policy, record_denied
from commonground.web import analysis_views
from commonground.web.basemap import ADMIN1_STATIC
from commonground.web.periods import Period, joined, period_of

#: How many of the latest events an area page lists.
LATEST_EVENTS = 10

#: How many actors, areas and dyads a table shows before "and N more".
TOP_ROWS = 15

#: The security council resolutions, as links anyone can follow (links, not loaded resources).
RESOLUTION_URL = "https://undocs.org/S/RES/{number}"

#: Labels of the registry's mandate focus tags; an unknown tag is shown as written.
MANDATE_FOCUS = {
    "advice": gettext_lazy("Advice"),
    "arms_embargo": gettext_lazy("Arms embargo"),
    "arms_monitoring": gettext_lazy("Arms monitoring"),
    "aviation_security": gettext_lazy("Aviation security"),
    "border": gettext_lazy("Border"),
    "buffer_zone": gettext_lazy("Buffer zone"),
    "capacity_building": gettext_lazy("Capacity building"),
    "ceasefire_monitoring": gettext_lazy("Ceasefire monitoring"),
    "close_air_support": gettext_lazy("Close air support"),
    "counter_piracy": gettext_lazy("Counter-piracy"),
    "ct": gettext_lazy("Counterterrorism"),
    "ddr": gettext_lazy("Disarmament, demobilization and reintegration"),
    "defence_cooperation": gettext_lazy("Defence cooperation"),
    "deterrence": gettext_lazy("Deterrence"),
    "disarmament": gettext_lazy("Disarmament"),
    "elections": gettext_lazy("Elections"),
    "enforcement": gettext_lazy("Enforcement"),
    "evacuation": gettext_lazy("Evacuation"),
    "good_offices": gettext_lazy("Good offices"),
    "human_rights": gettext_lazy("Human rights"),
    "humanitarian": gettext_lazy("Humanitarian"),
    "interposition": gettext_lazy("Interposition"),
    "maritime_security": gettext_lazy("Maritime security"),
    "mediation": gettext_lazy("Mediation"),
    "partnership": gettext_lazy("Partnership"),
    "peace_process": gettext_lazy("Peace process"),
    "peacebuilding": gettext_lazy("Peacebuilding"),
    "peacekeeping": gettext_lazy("Peacekeeping"),
    "poc": gettext_lazy("Protection of civilians"),
    "police": gettext_lazy("Policing"),
    "police_support": gettext_lazy("Support to the police"),
    "political": gettext_lazy("Political"),
    "preparation": gettext_lazy("Preparing a follow-on mission"),
    "prevention": gettext_lazy("Prevention"),
    "protection": gettext_lazy("Protection"),
    "protection_of_institutions": gettext_lazy("Protection of institutions"),
    "protection_of_nationals": gettext_lazy("Protection of nationals"),
    "qrf": gettext_lazy("Quick reaction force"),
    "referendum": gettext_lazy("Referendum"),
    "regime_protection": gettext_lazy("Regime protection"),
    "regional": gettext_lazy("Regional"),
    "reintegration": gettext_lazy("Reintegration"),
    "rule_of_law": gettext_lazy("Rule of law"),
    "safe_areas": gettext_lazy("Safe areas"),
    "sanctions_enforcement": gettext_lazy("Sanctions enforcement"),
    "sanctions_monitoring": gettext_lazy("Sanctions monitoring"),
    "security": gettext_lazy("Security"),
    "separation_of_forces": gettext_lazy("Separation of forces"),
    "ssr": gettext_lazy("Security sector reform"),
    "stabilization": gettext_lazy("Stabilization"),
    "support": gettext_lazy("Support"),
    "support_logistics": gettext_lazy("Logistic support"),
    "support_to_regional_force": gettext_lazy("Support to a regional force"),
    "training": gettext_lazy("Training"),
    "transition": gettext_lazy("Transition"),
    "transitional_administration": gettext_lazy("Transitional administration"),
    "verification": gettext_lazy("Verification"),
}


# --- Shared helpers ---------------------------------------------------------------------------


def stated_date(day: datetime.date | None, precision: str) -> str | None:
    """A date to the precision its source gave (``2014``, ``2014-04``, ``2014-04-10``)."""
    if day is None:
        return None
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def chart(figures: dict[str, Any]) -> dict[str, Any]:
    """The monthly series as the chart script reads it, with its translated words."""
    monthly = figures["monthly"]
    return {
        "months": [f"{month}-01" for month in monthly],
        "events": [f["events"] for f in monthly.values()],
        "deaths": [f["deaths"] for f in monthly.values()],
        "civilian_deaths": [f["civilian_deaths"] for f in monthly.values()],
        "labels": {
            "events": _("Events"),
            "deaths": _("Deaths"),
            "civilian_deaths": _("Civilian deaths"),
            "other_deaths": _("Other deaths"),
        },
    }


def by_type(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Figures per violence type, in the order of the types, leaving out types with no event."""
    return [
        {"code": code, "label": label, **figures["by_violence_type"][code]}
        for code, label in ViolenceType.choices
        if figures["by_violence_type"][code]["events"]
    ]


def events_url(query: str | None) -> str | None:
    """The events list with a filter, or None when no filter selects these events."""
    return f"{reverse('web:event_list')}?{query}" if query else None


def latest(events: QuerySet[Event]) -> list[Event]:
    return list(
        events.select_related("actor1", "actor2", "admin1").order_by("-date_start", "-id")[
            :LATEST_EVENTS
        ]
    )


# --- Area page --------------------------------------------------------------------------------


def area_event_query(area: Area) -> str:
    """The events list's filter for an area's events (country, admin-1 or admin-2)."""
    if area.level == AreaLevel.COUNTRY:
        return urlencode({"country": area.country_code})
    if area.level == AreaLevel.ADMIN1:
        return urlencode({"admin1": area.code})
    return urlencode({"admin2": area.code})


def children_with_figures(
    user: AnyUser | None, area: Area, period: Period | None = None
) -> list[dict[str, Any]]:
    """The areas one level below, each with its events (in the period), most events first."""
    counts = stored.child_area_counts(user, area, period.filters if period else None)
    rows = [
        {"area": child, "events": counts.get(child.code, 0)}
        for child in queries.area_list(user, parent=area.code)
    ]
    return sorted(rows, key=lambda row: (-row["events"], row["area"].name_en))


def presence_in(
    user: AnyUser | None, area: Area, as_of: datetime.date | None = None
) -> dict[str, Any]:
    """Who was present in the area and the areas below it, one row per (organization, place).

    ``presence_CAF.md``: each record is a piece of evidence, not an installation, so records of
    the same organization and place are one row, with every kind, type and source they give.
    The row starts at the earliest start a source stated (None when none did) and ends at the
    latest effective end (a record's own end, else its operation's: issue 10 §4), or is open
    (None, "end unknown") when any of its records has neither. Each row is judged for
    ``as_of`` (default today): ``ended`` before it, ``present`` (a known end after it) or
    ``unknown`` (no known end).
    """
    as_of = as_of or today()
    if area.level == AreaLevel.COUNTRY:
        records = registry.presence_list(user, country=area.country_code)
    else:
        records = registry.presence_list(user, area=area.code)
    rows = dedupe_presence(records, registry.visible_operation_ids(user), as_of)
    return {
        "as_of": as_of,
        "rows": rows,
        "counts": {
            state: sum(1 for r in rows if r["status"] == state)
            for state in ("present", "unknown", "ended")
        },
    }


def dedupe_presence(
    records: Iterable[Presence], visible_operations: set[Any], as_of: datetime.date
) -> list[Any]:
    rows: dict[tuple[Any, str], dict[str, Any]] = {}
    for record in records:
        place = record.place or (record.area.name_en if record.area else "")
        row = rows.setdefault(
            (record.organization_id, place.casefold()),
            {
                "organization": record.organization,
                "names": set(),
                "place": place,
                "area": record.area,
                "kinds": set(),
                "types": set(),
                "starts": [],
                "ends": [],
                "open": False,
                "operation": None,
                "sources": [],
            },
        )
        if record.organization_name:
            row["names"].add(record.organization_name)
        row["kinds"].add(str(record.get_actor_kind_display()))
        row["types"].add(str(record.get_presence_type_display()))
        if record.start_date:
            row["starts"].append((record.start_date, record.start_precision))
        end = registry.presence_end(record, visible_operations)
        if end.known:
            row["ends"].append(end)
        else:
            row["open"] = True
        if record.operation_id and record.operation_id in visible_operations:
            row["operation"] = record.operation
        row["sources"].append(record)
    found = []
    for row in rows.values():
        start = min(row.pop("starts"), default=None)
        ends: list[registry.PresenceEnd] = row.pop("ends")
        last = None if row["open"] else max(ends, key=ended_on, default=None)
        status = "unknown" if last is None else "ended" if ended_on(last) < as_of else "present"
        found.append(
            {
                **row,
                "names": sorted(row["names"]),
                "kinds": sorted(row["kinds"]),
                "types": sorted(row["types"]),
                "start": stated_date(*start) if start else None,
                "end": last.text if last else None,
                "end_basis": last.basis if last else "unknown",
                "status": status,
            }
        )
    return sorted(found, key=lambda r: (r["organization"].name.casefold(), r["place"]))


def ended_on(end: registry.PresenceEnd) -> datetime.date:
    return end.last or datetime.date.max


def as_of_date(request: HttpRequest) -> datetime.date | None:
    """The ``as_of`` date of the presence views (``YYYY-MM-DD``); None (today) when absent or
    not a date."""
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", "").strip())
    except ValueError:
        return None


@policy("public")
@cached_response(anonymous_only=True)
def area_page(request: HttpRequest, code: str) -> HttpResponse:
    """A country, admin-1 or admin-2 area: its figures, who acts there, who is present.

    ``date_from``/``date_to`` (the events list's names) read the figures, the tables and the
    latest events for that period, and every link onwards keeps it.
    """
    area = queries.area_by_code(request.user, code)
    if area is None:  # hidden answers as missing; nothing to audit (an area is a place name)
        raise Http404(_("No such area."))
    period = period_of(request)
    user, dates = request.user, period.filters
    events = queries.area_events(user, area, period.date_from, period.date_to)
    # stored monthly sums, same as the events
    figures = stored.area_figures(user, area, period.date_from, period.date_to)
    admin1 = area if area.level == AreaLevel.ADMIN1 else area.parent
    context = {
        "area": area,
        "ancestors": ancestors(area),
        "figures": figures,
        "by_type": by_type(figures),
        "events_url": events_url(joined(area_event_query(area), period.query())),
        "children": children_with_figures(user, area, period),
        "perpetrators": actor_figures.perpetrators_against_civilians(user, area, dates)[:TOP_ROWS],
        "actors": actor_figures.active_actors(user, area, dates)[:TOP_ROWS],
        "presence": presence_in(user, area, as_of_date(request)),
        "trends": analysis_views.area_trends_context(user, area),
        "latest": latest(events),
        "chart": chart(figures),
        "map": {
            "admin1": static(ADMIN1_STATIC),
            "country": area.country_code,
            "highlight": admin1.code if admin1 and area.level != AreaLevel.COUNTRY else None,
        },
        **period_context(period),
    }
    status = 400 if period.errors else 200
    return render(request, "web/area.html", context, status=status)


def period_context(period: Period) -> dict[str, Any]:
    """What the period form and the links that keep the period need."""
    return {
        "period": period.filters,
        "period_query": period.query(),
        "errors": period.errors,
    }


def ancestors(area: Area) -> list[Area]:
    """The areas above this one, the country first."""
    found: list[Area] = []
    parent = area.parent
    while parent is not None:
        found.insert(0, parent)
        parent = parent.parent
    return found


# --- Operation page ---------------------------------------------------------------------------


@policy("public")
def operation_page(request: HttpRequest, slug: str) -> HttpResponse:
    """An operation: type, lead, authorization, mandate, years, hosts, and parallel forces."""
    operation = registry.visible_operation(request.user, slug)
    if operation is None:
        if registry.operation_exists(slug):
            record_denied(request.user, f"operation:{slug}", "not visible under access policy")
        raise Http404(_("No such operation."))
    visible = registry.visible_operation_ids(request.user)
    forces = registry.parallel_force_list(request.user, beside=operation).select_related(
        "operation"
    )
    own = registry.force_record_of(request.user, operation)
    presence = list(registry.operation_presence(request.user, operation))
    context = {
        "operation": operation,
        "start": stated_date(operation.start_date, operation.start_precision),
        "end": stated_date(operation.end_date, operation.end_precision),
        "resolutions": [
            {"number": n, "url": RESOLUTION_URL.format(number=n)}
            for n in operation.unsc_resolutions
        ],
        "mandate": [
            str(MANDATE_FOCUS.get(tag, tag.replace("_", " "))) for tag in operation.mandate_focus
        ],
        "forces": forces,
        "mission_records": mission_of(request.user, operation.acronym),
        "visible_operations": visible,
        "own_force": own,
        "presence": [
            {
                "record": record,
                "start": stated_date(record.start_date, record.start_precision),
                "end": registry.presence_end(record, visible),
            }
            for record in presence
        ],
    }
    return render(request, "web/operation.html", context)


# --- Actor page -------------------------------------------------------------------------------


@policy("public")
@cached_response(anonymous_only=True)
def actor_page(request: HttpRequest, actor_id: uuid.UUID) -> HttpResponse:
    """An actor: activity over time and place, and its dyads (whom it fights, whom it targets)."""
    actor = actor_figures.visible_actor(request.user, actor_id)
    if actor is None:
        if queries.actor_exists(actor_id):
            record_denied(request.user, f"actor:{actor_id}", "named only in hidden events")
        raise Http404(_("No such actor."))
    period = period_of(request)
    user, dates = request.user, period.filters
    events = queries.filter_events(queries.actor_events(user, actor), dates)
    figures = actor_figures.actor_figures(user, actor, dates)  # stored, same as the events
    dyads = actor_figures.actor_dyads(user, actor, dates)
    fights = [
        {**d, "count": d["by_violence_type"]["state_based"] + d["by_violence_type"]["non_state"]}
        for d in dyads
    ]
    one_sided = [{**d, "count": d["by_violence_type"]["one_sided"]} for d in dyads]
    actor_query = joined(urlencode({"actor_id": actor.pk}), period.query())
    context = {
        "actor": actor,
        "identifiers": actor.identifiers.order_by("scheme", "value"),
        "figures": figures,
        "by_type": by_type(figures),
        "events_url": events_url(actor_query),
        "areas": actor_figures.actor_admin1_figures(user, actor, dates)[:TOP_ROWS],
        "fights": sorted((d for d in fights if d["count"]), key=lambda d: -d["count"]),
        "one_sided": sorted((d for d in one_sided if d["count"]), key=lambda d: -d["count"]),
        "network": analysis_views.actor_network_context(
            user, actor, period.date_from, period.date_to
        ),
        "latest": latest(events),
        "chart": chart(figures),
        **period_context(period),
    }
    status = 400 if period.errors else 200
    return render(request, "web/actor.html", context, status=status)
