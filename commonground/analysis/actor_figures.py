"""Who acts where, from the stored dyad-month figures (``DyadMonthFigure``).

Why: the actor pages, the area pages' "who attacks civilians" and "active actors" tables and
the actor networks grouped every event by actor on each view: 8 to 60 s on a country with a
million events. The stored rows give the same answers in milliseconds to a second. They are
filtered by the same access policy as the events (``figures.figure_rows``), so a viewer's
tables sum only the events they may see. The event versions in ``events.queries`` and
``analysis.networks.dyads`` stay the reference the tests compare these with.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from commonground.analysis.figures import (
    admin1_sums,
    figure_rows,
    month_and_type_sums,
    whole_months,
)
from commonground.analysis.models import DyadMonthFigure
from commonground.core.models import Area, AreaLevel
from commonground.events import queries
from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters
from commonground.registry.models import Actor, ActorKind
from commonground.sharing.policy import AnyUser

SIDES = ("actor1", "actor2")


def visible_rows(user: AnyUser | None, period: EventFilters | None = None) -> QuerySet[Any]:
    """The dyad figure rows the user may see, of the (whole-month) period if one is given."""
    return figure_rows(DyadMonthFigure, user, period or EventFilters())


def stored_answers(period: EventFilters | None) -> bool:
    """Whether the monthly figure rows answer a period exactly (open, or whole months).

    A period such as 10 to 20 April cuts a month's row: the events are read instead.
    """
    return period is None or whole_months(period.date_from, period.date_to)


def area_rows(
    user: AnyUser | None, area: Area, period: EventFilters | None = None
) -> QuerySet[Any]:
    """The dyad figure rows of an area's visible events (country, admin-1 or admin-2)."""
    rows = visible_rows(user, period)
    if area.level == AreaLevel.COUNTRY:
        return rows.filter(country_code=area.country_code)
    if area.level == AreaLevel.ADMIN1:
        return rows.filter(admin1=area)
    return rows.filter(admin2=area)


def actor_rows(
    user: AnyUser | None, actor: Actor, period: EventFilters | None = None
) -> QuerySet[Any]:
    """The rows of the visible events with ``actor`` on either side (each event once)."""
    return visible_rows(user, period).filter(Q(actor1=actor) | Q(actor2=actor))


def area_events(user: AnyUser | None, area: Area, period: EventFilters | None) -> QuerySet[Any]:
    """The area's visible events in the period: what a period the rows cannot answer reads."""
    period = period or EventFilters()
    return queries.area_events(user, area, period.date_from, period.date_to)


def actor_events(user: AnyUser | None, actor: Actor, period: EventFilters | None) -> QuerySet[Any]:
    """The actor's visible events in the period (see ``area_events``)."""
    return queries.filter_events(queries.actor_events(user, actor), period or EventFilters())


# --- Area pages --------------------------------------------------------------------------------


def perpetrators_against_civilians(
    user: AnyUser | None, area: Area, period: EventFilters | None = None
) -> list[dict[str, Any]]:
    """``queries.perpetrators_against_civilians`` of the area's one-sided events (in a period)."""
    if not stored_answers(period):
        return queries.perpetrators_against_civilians(area_events(user, area, period))
    rows = (
        area_rows(user, area, period)
        .filter(violence_type=ViolenceType.ONE_SIDED, actor1__isnull=False)
        .values("actor1")
        .annotate(
            n_events=Sum("events"), n_deaths=Sum("deaths"), n_civilians=Sum("civilian_deaths")
        )
    )
    return queries.ranked_by_events(
        {
            row["actor1"]: {
                "events": int(row["n_events"] or 0),
                "deaths": int(row["n_deaths"] or 0),
                "civilian_deaths": int(row["n_civilians"] or 0),
            }
            for row in rows
        }
    )


def active_actors(
    user: AnyUser | None, area: Area, period: EventFilters | None = None
) -> list[dict[str, Any]]:
    """``queries.active_actors`` of the area's events (civilians as a side left out)."""
    if not stored_answers(period):
        return queries.active_actors(area_events(user, area, period))
    figures: dict[Any, dict[str, int]] = {}
    for side in SIDES:
        rows = (
            area_rows(user, area, period)
            .filter(**{f"{side}__isnull": False})
            .exclude(**{f"{side}__kind": ActorKind.CIVILIANS})
            .values(side)
            .annotate(n_events=Sum("events"), n_deaths=Sum("deaths"))
        )
        for row in rows:
            found = figures.setdefault(row[side], {"events": 0, "deaths": 0})
            found["events"] += int(row["n_events"] or 0)
            found["deaths"] += int(row["n_deaths"] or 0)
    return queries.ranked_by_events(figures)


# --- Actor pages -------------------------------------------------------------------------------


def actor_figures(
    user: AnyUser | None, actor: Actor, period: EventFilters | None = None
) -> dict[str, Any]:
    """``queries.event_figures`` of the actor's visible events (in a period)."""
    if not stored_answers(period):
        return queries.event_figures(actor_events(user, actor, period))
    return month_and_type_sums(actor_rows(user, actor, period))


def actor_admin1_figures(
    user: AnyUser | None, actor: Actor, period: EventFilters | None = None
) -> list[dict[str, Any]]:
    """``queries.admin1_figures`` of the actor's visible events (in a period)."""
    if not stored_answers(period):
        return queries.admin1_figures(actor_events(user, actor, period))
    return admin1_sums(actor_rows(user, actor, period))


def actor_dyads(
    user: AnyUser | None, actor: Actor, period: EventFilters | None = None
) -> list[dict[str, Any]]:
    """``queries.actor_dyads``: the actors this one appears with, most frequent first."""
    if not stored_answers(period):
        events = actor_events(user, actor, period).order_by()
        counted = events.values("actor1", "actor2", "violence_type").annotate(
            events=Count("id"), deaths=Sum("fatalities_best")
        )
        return queries.dyad_table(actor, counted)
    rows = (
        actor_rows(user, actor, period)
        .values("actor1", "actor2", "violence_type")
        .annotate(events=Sum("events"), deaths=Sum("deaths"))
    )
    return queries.dyad_table(actor, rows)


def actor_countries(user: AnyUser | None, actor: Actor) -> list[str]:
    """The countries of the actor's visible events."""
    found = actor_rows(user, actor).values_list("country_code", flat=True).distinct()
    return sorted(set(found))


# --- Actor lists ---------------------------------------------------------------------------------


def actor_list(
    user: AnyUser | None,
    q: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    order: str = "events",
) -> QuerySet[Actor]:
    """``queries.actor_list`` from the stored figures: the same actors with the same counts.

    Counting each actor's events in a million took over ten minutes for the whole list; the
    actor's figure rows are found by index and are a few hundred at most.
    """
    rows = visible_rows(user)
    if country:
        rows = rows.filter(country_code=country)
    side_a, side_b = (queries.counted_as(rows, side, Sum("events")) for side in SIDES)
    return queries.ranked_actors(side_a, side_b, q=q, kind=kind, order=order)


def visible_actor(user: AnyUser | None, actor_id: Any) -> Actor | None:
    """One actor, if it appears in an event the user may see; else None, as for a missing one."""
    return actor_list(user).filter(pk=actor_id).first()
