"""Reads of events. Every function takes the asking user and goes through the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from commonground.core.models import Area, AreaLevel, ImportRun
from commonground.events.models import Event, LikelyDuplicate, ViolenceType
from commonground.events.schemas import EventFilters
from commonground.sharing.policy import AnyUser, access_owned, viewer_for


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
    countries = sorted(events.order_by().values_list("country_code", flat=True).distinct())
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

    events = visible_events(user)
    summary = event_totals(events)
    summary["datasets"] = dataset_totals(events)
    summary.update(registry_counts(user))
    return summary


def dataset_totals(events: QuerySet[Event]) -> list[dict[str, Any]]:
    """Per dataset: versions, events, period, countries and deaths, so each source is credited."""
    rows = (
        events.order_by()
        .values("dataset")
        .annotate(
            events=Count("id"),
            fatalities_best=Sum("fatalities_best"),
            civilian_deaths=Sum("civilian_deaths"),
            first=Min("date_start"),
            last=Max("date_start"),
        )
        .order_by("dataset")
    )
    pairs = events.order_by().values_list("dataset", "dataset_version", "country_code").distinct()
    versions: dict[str, set[str]] = {}
    countries: dict[str, set[str]] = {}
    for dataset, version, country in pairs:
        versions.setdefault(dataset, set()).add(version)
        countries.setdefault(dataset, set()).add(country)
    return [
        {
            "dataset": row["dataset"],
            "versions": sorted(versions.get(row["dataset"], ())),
            "events": row["events"],
            "fatalities_best": row["fatalities_best"] or 0,
            "civilian_deaths": row["civilian_deaths"] or 0,
            "first": row["first"].isoformat() if row["first"] else None,
            "last": row["last"].isoformat() if row["last"] else None,
            "countries": sorted(countries.get(row["dataset"], ())),
        }
        for row in rows
    ]


def filter_events(events: QuerySet[Event], filters: EventFilters) -> QuerySet[Event]:
    """Apply validated filters to an already access-checked queryset; newest first.

    Dates filter on the start date, as UCDP's ``year`` does; ``actor`` matches either side's
    name, case-insensitively.
    """
    if filters.country:
        events = events.filter(country_code=filters.country)
    if filters.admin1:
        events = events.filter(admin1__code=filters.admin1)
    if filters.dataset:
        events = events.filter(dataset=filters.dataset)
    if filters.violence_type:
        events = events.filter(violence_type=filters.violence_type)
    if filters.date_from:
        events = events.filter(date_start__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(date_start__lte=filters.date_to)
    if filters.min_deaths is not None:
        events = events.filter(fatalities_best__gte=filters.min_deaths)
    if filters.actor:
        events = events.filter(
            Q(actor1__name__icontains=filters.actor) | Q(actor2__name__icontains=filters.actor)
        )
    return events.order_by("-date_start", "-id")


def event_list(user: AnyUser | None, filters: EventFilters) -> QuerySet[Event]:
    """The events list: visible, filtered, with what each table row shows in the same query."""
    events = filter_events(visible_events(user), filters)
    return events.select_related("actor1", "actor2", "admin1")


@dataclass(frozen=True)
class FilterChoices:
    """What the filter form offers: only values found among the events the user may see."""

    countries: list[str]
    admin1_areas: list[Area]
    datasets: list[str]


def filter_choices(user: AnyUser | None) -> FilterChoices:
    events = visible_events(user).order_by()
    return FilterChoices(
        countries=sorted(events.values_list("country_code", flat=True).distinct()),
        admin1_areas=list(
            Area.objects.filter(level=AreaLevel.ADMIN1, pk__in=events.values("admin1")).order_by(
                "country_code", "name_en"
            )
        ),
        datasets=sorted(events.values_list("dataset", flat=True).distinct()),
    )


def visible_event(user: AnyUser | None, event_id: int) -> Event | None:
    """One event with everything its page shows, or None if it is missing or hidden.

    Withdrawn events stay readable: their page is their provenance.
    """
    events = access_owned(Event.objects.all(), user).select_related(
        "actor1", "actor2", "admin1", "admin2", "owner", "import_run", "import_run__imported_by"
    )
    return events.filter(pk=event_id).first()


def event_exists(event_id: int) -> bool:
    """Whether an id names an event at all: only to tell the audit log about a denied read."""
    return Event.objects.filter(pk=event_id).exists()


@dataclass(frozen=True)
class DuplicateFlag:
    other: Event
    distance_km: float
    days_apart: int


def duplicate_flags(user: AnyUser | None, event: Event) -> list[DuplicateFlag]:
    """Likely duplicates of an event, either way round, whose other event the user may see.

    A flag pointing at a hidden event is left out: showing it would reveal that event exists.
    """
    visible = access_owned(Event.objects.all(), user)
    flags = LikelyDuplicate.objects.filter(Q(event=event) | Q(other=event)).order_by("distance_km")
    others = {f.other_id if f.event_id == event.pk else f.event_id: f for f in flags}
    shown = visible.filter(pk__in=list(others)).select_related("actor1", "actor2")
    return [
        DuplicateFlag(other, others[other.pk].distance_km, others[other.pk].days_apart)
        for other in shown
    ]


def visible_imports(user: AnyUser | None) -> QuerySet[ImportRun]:
    """Import runs a signed-in user may see, newest first.

    Administrators see every run; others see their organizations' runs and any run that wrote
    records they may see. Anonymous visitors see none: file names and outcomes are operational.
    """
    from commonground.registry.queries import (
        visible_operations,
        visible_parallel_forces,
        visible_presence,
    )

    viewer = viewer_for(user)
    runs = ImportRun.objects.order_by("-started_at").select_related("imported_by", "owner")
    if viewer.user_id is None:
        return runs.none()
    if viewer.is_platform_admin:
        return runs
    wrote_visible = Q(owner_id__in=list(viewer.roles))
    for records in (
        visible_events(user),
        visible_operations(user),
        visible_parallel_forces(user),
        visible_presence(user),
    ):
        wrote_visible |= Q(Exists(records.filter(import_run=OuterRef("pk"))))
    return runs.filter(wrote_visible)
