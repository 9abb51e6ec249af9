"""Reads of events. Every function takes the asking user and goes through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.functions import ExtractYear

from commonground.events.models import Event, ViolenceType
from commonground.sharing.policy import AnyUser, access_owned


def visible_events(user: AnyUser | None) -> QuerySet[Event]:
    """Current (not withdrawn) events the user may see."""
    return access_owned(Event.objects.filter(withdrawn=False), user)


def event_totals(events: QuerySet[Event]) -> dict[str, Any]:
    """Counts and sums of a set of events, in one pass per grouping."""
    totals = events.aggregate(
        events=Count("id"),
        fatalities_best=Sum("fatalities_best"),
        civilian_deaths=Sum("civilian_deaths"),
        first=Min("date_start"),
        last=Max("date_start"),
    )
    by_dataset = dict(
        events.order_by().values_list("dataset").annotate(n=Count("id")).values_list("dataset", "n")
    )
    by_year = {
        str(year): n
        for year, n in events.order_by()
        .annotate(year=ExtractYear("date_start"))
        .values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
        .order_by("year")
    }
    by_type = dict(
        events.order_by()
        .values_list("violence_type")
        .annotate(n=Count("id"))
        .values_list("violence_type", "n")
    )
    countries = sorted(
        events.order_by().values_list("country_code", flat=True).distinct()  # type: ignore[arg-type]
    )
    return {
        "events": totals["events"],
        "events_by_dataset": by_dataset,
        "events_by_year": by_year,
        "events_by_violence_type": {k: by_type.get(k, 0) for k in ViolenceType.values},
        "fatalities_best": totals["fatalities_best"] or 0,
        "civilian_deaths": totals["civilian_deaths"] or 0,
        "period": {
            "first": totals["first"].isoformat() if totals["first"] else None,
            "last": totals["last"].isoformat() if totals["last"] else None,
        },
        "countries": countries,
    }


def dataset_summary(user: AnyUser | None) -> dict[str, Any]:
    """What is loaded, as this user may see it: the home page and ``/api/v1/stats``."""
    from commonground.registry.queries import registry_counts

    summary = event_totals(visible_events(user))
    summary.update(registry_counts(user))
    return summary
