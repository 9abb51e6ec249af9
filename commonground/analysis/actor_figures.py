"""Who acts in an area, from the stored actor-month figures (``ActorMonthFigure``).

Why: the area pages' "who attacks civilians" and "active actors" tables grouped every event of
the area by actor on each view, 25 s for a country with a million events. The stored rows give
the same tables in milliseconds. They are filtered by the same access policy as the events
(``figures.figure_rows``), so a viewer's tables sum only the events they may see; the event
versions (``events.queries.perpetrators_against_civilians``, ``active_actors``) stay the
reference that the tests compare these with.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from commonground.analysis.figures import figure_rows
from commonground.analysis.models import ActorMonthFigure
from commonground.core.models import Area, AreaLevel
from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters
from commonground.registry.models import Actor, ActorKind
from commonground.sharing.policy import AnyUser


def area_rows(user: AnyUser | None, area: Area) -> QuerySet[Any]:
    """The actor figure rows of an area's visible events (country, admin-1 or admin-2)."""
    rows = figure_rows(ActorMonthFigure, user, EventFilters())
    if area.level == AreaLevel.COUNTRY:
        return rows.filter(country_code=area.country_code)
    if area.level == AreaLevel.ADMIN1:
        return rows.filter(admin1=area)
    return rows.filter(admin2=area)


def ranked(figures: dict[Any, dict[str, int]]) -> list[dict[str, Any]]:
    """Rows with their actor, most events first, then most deaths, then by name."""
    actors = Actor.objects.in_bulk(list(figures))
    found = [{"actor": actors[pk], **f} for pk, f in figures.items() if pk in actors]
    return sorted(found, key=lambda r: (-r["events"], -r["deaths"], r["actor"].name))


def perpetrators_against_civilians(user: AnyUser | None, area: Area) -> list[dict[str, Any]]:
    """Side A of the area's one-sided events, as the events query gives it, from the figures."""
    rows = (
        area_rows(user, area)
        .filter(side=ActorMonthFigure.Side.A, violence_type=ViolenceType.ONE_SIDED)
        .values("actor")
        .annotate(
            n_events=Sum("events"), n_deaths=Sum("deaths"), n_civilians=Sum("civilian_deaths")
        )
    )
    return ranked(
        {
            row["actor"]: {
                "events": int(row["n_events"] or 0),
                "deaths": int(row["n_deaths"] or 0),
                "civilian_deaths": int(row["n_civilians"] or 0),
            }
            for row in rows
        }
    )


def active_actors(user: AnyUser | None, area: Area) -> list[dict[str, Any]]:
    """Actors on either side of the area's events (civilians as a side left out)."""
    rows = (
        area_rows(user, area)
        .exclude(actor__kind=ActorKind.CIVILIANS)
        .values("actor")
        .annotate(n_events=Sum("events"), n_deaths=Sum("deaths"))
    )
    return ranked(
        {
            row["actor"]: {"events": int(row["n_events"] or 0), "deaths": int(row["n_deaths"] or 0)}
            for row in rows
        }
    )
