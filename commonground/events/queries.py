"""Reads of events. Every function takes the asking user and goes through the access policy."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth

from commonground.core.models import Area, AreaLevel, ImportRun
from commonground.events.models import Event, LikelyDuplicate, ViolenceType
from commonground.events.schemas import EventFilters
from commonground.registry.models import Actor, ActorKind
from commonground.registry.search import fold
from commonground.sharing.policy import AnyUser, access_areas, access_owned, viewer_for


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

    Dates filter on the start date, as UCDP's ``year`` does; ``actor`` matches part of either
    side's name or aliases, ignoring accents and case (``registry.search``).
    """
    if filters.country:
        events = events.filter(country_code=filters.country)
    if filters.admin1:
        events = events.filter(admin1__code=filters.admin1)
    if filters.admin2:
        events = events.filter(admin2__code=filters.admin2)
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
        typed = fold(filters.actor)
        events = events.filter(
            Q(actor1__search_key__contains=typed) | Q(actor2__search_key__contains=typed)
        )
    if filters.actor_id:
        events = events.filter(Q(actor1_id=filters.actor_id) | Q(actor2_id=filters.actor_id))
    return events.order_by("-date_start", "-id")


#: How the events list may be sorted (the ``sort`` parameter), each a full, stable order.
EVENT_SORTS: dict[str, tuple[str, ...]] = {
    "-date": ("-date_start", "-id"),
    "date": ("date_start", "id"),
    "-deaths": ("-fatalities_best", "-date_start", "-id"),
    "deaths": ("fatalities_best", "date_start", "id"),
}
#: The order when none is asked for: newest first.
DEFAULT_SORT = "-date"


def event_list(
    user: AnyUser | None, filters: EventFilters, sort: str = DEFAULT_SORT
) -> QuerySet[Event]:
    """The events list: visible, filtered, sorted (``EVENT_SORTS``), with what each row shows."""
    events = filter_events(visible_events(user), filters).order_by(*EVENT_SORTS[sort])
    return events.select_related("actor1", "actor2", "admin1")


def event_list_count(user: AnyUser | None, filters: EventFilters) -> int:
    """How many events ``event_list`` holds, from the stored figures when they can say.

    A ``COUNT`` over the filtered events visits every matching row (0.8 s for 60,000 of a
    million events); the figures answer exactly the same number for whole-month filters.
    """
    from commonground.analysis.figures import event_count

    return event_count(user, filters)


@dataclass(frozen=True)
class FilterChoices:
    """What the filter form offers: only values found among the events the user may see."""

    countries: list[str]
    admin1_areas: list[Area]
    datasets: list[str]


def filter_choices(user: AnyUser | None) -> FilterChoices:
    """The filter form's choices, from the stored figures and cached per visibility.

    They change only with the data, and three ``DISTINCT`` scans of every visible event on each
    page view were the events page's main cost (docs/performance.md).
    """
    from commonground.analysis.cache import cached_value
    from commonground.analysis.figures import filter_choices as stored_choices

    return cached_value("filter_choices", user, lambda: stored_choices(user))


def filter_choices_from_events(user: AnyUser | None) -> FilterChoices:
    """The same choices read from the events themselves (what the stored ones must equal)."""
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


@dataclass(frozen=True)
class ImportRow:
    """An import run as a viewer sees it listed: its counts only if they may see them."""

    run: ImportRun
    counts_shown: bool


def latest_imports(user: AnyUser | None, limit: int) -> list[ImportRow]:
    """The newest runs the user may see, each saying whether its counts may be shown.

    A run's added/updated/unchanged/withdrawn counts cover every record it wrote, including
    ones the viewer may not see: they are shown to administrators, to the members of the
    organization that imported, and to others only when every record the run wrote or
    withdrew was public (``ImportRun.only_public``).
    """
    viewer = viewer_for(user)
    return [
        ImportRow(
            run=run,
            counts_shown=viewer.is_platform_admin
            or run.owner_id in viewer.roles
            or run.only_public,
        )
        for run in visible_imports(user)[:limit]
    ]


# --- Areas and their figures (the API's /areas; the area pages) --------------------------------


def area_list(
    user: AnyUser | None,
    country: str | None = None,
    level: int | None = None,
    parent: str | None = None,
) -> QuerySet[Area]:
    """Areas ``user`` may know of, by level then code (``sharing.policy.access_areas``)."""
    areas = access_areas(Area.objects.select_related("parent").order_by("level", "code"), user)
    if country:
        areas = areas.filter(country_code=country)
    if level is not None:
        areas = areas.filter(level=level)
    if parent:
        areas = areas.filter(parent__code=parent)
    return areas


def area_by_code(user: AnyUser | None, code: str) -> Area | None:
    """An area ``user`` may know of; a hidden one is None, exactly like a missing one."""
    return access_areas(Area.objects.select_related("parent"), user).filter(code=code).first()


def area_events(
    user: AnyUser | None,
    area: Area,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Event]:
    """The visible events in an area: a country by its code, admin-1 and admin-2 by the link."""
    events = visible_events(user)
    if area.level == AreaLevel.COUNTRY:
        events = events.filter(country_code=area.country_code)
    elif area.level == AreaLevel.ADMIN1:
        events = events.filter(admin1=area)
    else:
        events = events.filter(admin2=area)
    if date_from:
        events = events.filter(date_start__gte=date_from)
    if date_to:
        events = events.filter(date_start__lte=date_to)
    return events


def _figures(row: dict[str, Any]) -> dict[str, int]:
    return {
        "events": row["events"] or 0,
        "deaths": row["deaths"] or 0,
        "civilian_deaths": row["civilian_deaths"] or 0,
    }


_FIGURES = {
    "events": Count("id"),
    "deaths": Sum("fatalities_best"),
    "civilian_deaths": Sum("civilian_deaths"),
}


def event_figures(events: QuerySet[Event]) -> dict[str, Any]:
    """Events, deaths (best estimate) and civilian deaths: in total, by violence type and month.

    The monthly series runs without gaps from the first month with an event to the last one
    (months with none are zeros), keyed ``YYYY-MM``, by the events' start dates.
    """
    events = events.order_by()
    totals = events.aggregate(**_FIGURES, first=Min("date_start"), last=Max("date_start"))
    by_type = {
        row["violence_type"]: _figures(row)
        for row in events.values("violence_type").annotate(**_FIGURES)
    }
    zero = {"events": 0, "deaths": 0, "civilian_deaths": 0}
    months = {
        row["month"].strftime("%Y-%m"): _figures(row)
        for row in events.annotate(month=TruncMonth("date_start"))
        .values("month")
        .annotate(**_FIGURES)
        .order_by("month")
    }
    monthly: dict[str, dict[str, int]] = {}
    if totals["first"] is not None:
        year, month = totals["first"].year, totals["first"].month
        while (year, month) <= (totals["last"].year, totals["last"].month):
            key = f"{year:04d}-{month:02d}"
            monthly[key] = months.get(key, dict(zero))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        **_figures(totals),
        "first": totals["first"],
        "last": totals["last"],
        "by_violence_type": {t: by_type.get(t, dict(zero)) for t in ViolenceType.values},
        "monthly": monthly,
    }


# --- Actors, as far as the events the user may see show them -----------------------------------


def counted_as(rows: QuerySet[Any], side: str, measure: Count | Sum) -> Coalesce:
    """``measure`` over the ``rows`` with the outer actor on one ``side`` (correlated subquery).

    Over events the measure is ``Count("id")``; over stored figures, ``Sum("events")``.
    """
    counted = (
        rows.filter(**{side: OuterRef("pk")})
        .order_by()
        .values(side)
        .annotate(n=measure)
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def actor_list(
    user: AnyUser | None,
    q: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    order: str = "events",
) -> QuerySet[Actor]:
    """Actors that appear in at least one visible event (in ``country``, if given).

    An actor named only in records the user may not see is not listed: its name alone could
    reveal a restricted report. Each actor carries ``event_count``, ``as_side_a``, ``as_side_b``.
    Counted over the events: the reference for ``analysis.actor_figures.actor_list``, which the
    pages and the API use (the same answer from the stored figures).
    """
    events = visible_events(user)
    if country:
        events = events.filter(country_code=country)
    side_a, side_b = (counted_as(events, side, Count("id")) for side in ("actor1", "actor2"))
    return ranked_actors(side_a, side_b, q=q, kind=kind, order=order)


def ranked_actors(
    as_side_a: Coalesce,
    as_side_b: Coalesce,
    q: str | None = None,
    kind: str | None = None,
    order: str = "events",
) -> QuerySet[Actor]:
    """Actors with the counts given (subqueries on the outer actor), those with none left out."""
    actors = (
        Actor.objects.annotate(as_side_a=as_side_a, as_side_b=as_side_b)
        .annotate(event_count=F("as_side_a") + F("as_side_b"))
        .filter(event_count__gt=0)
    )
    if q:
        actors = actors.filter(search_key__contains=fold(q))
    if kind:
        actors = actors.filter(kind=kind)
    if order == "name":
        return actors.order_by("name", "id")
    return actors.order_by("-event_count", "name", "id")


def visible_actor(user: AnyUser | None, actor_id: Any) -> Actor | None:
    """One actor, if it appears in an event the user may see; else None, as for a missing one."""
    return actor_list(user).filter(pk=actor_id).first()


def actor_exists(actor_id: Any) -> bool:
    """Whether an id names an actor at all: only to tell the audit log about a denied read."""
    return Actor.objects.filter(pk=actor_id).exists()


def actor_events(user: AnyUser | None, actor: Actor) -> QuerySet[Event]:
    return visible_events(user).filter(Q(actor1=actor) | Q(actor2=actor))


def actor_dyads(user: AnyUser | None, actor: Actor) -> list[dict[str, Any]]:
    """The actors this one appears with in visible events, most frequent first.

    Each: the other actor, events and deaths together, and events by violence type. Events
    whose other side is unknown are in the actor's figures but in no dyad.
    """
    rows = (
        actor_events(user, actor)
        .order_by()
        .values("actor1", "actor2", "violence_type")
        .annotate(events=Count("id"), deaths=Sum("fatalities_best"))
    )
    return dyad_table(actor, rows)


def dyad_table(actor: Actor, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of (actor1, actor2, violence_type, events, deaths) as ``actor``'s dyads."""
    dyads: dict[Any, dict[str, Any]] = {}
    for row in rows:
        other = row["actor2"] if row["actor1"] == actor.pk else row["actor1"]
        if other is None:
            continue
        dyad = dyads.setdefault(
            other,
            {"events": 0, "deaths": 0, "by_violence_type": dict.fromkeys(ViolenceType.values, 0)},
        )
        dyad["events"] += row["events"]
        dyad["deaths"] += row["deaths"] or 0
        dyad["by_violence_type"][row["violence_type"]] += row["events"]
    others = Actor.objects.in_bulk(list(dyads))
    found = [{"actor": others[pk], **dyad} for pk, dyad in dyads.items() if pk in others]
    return sorted(found, key=lambda d: (-d["events"], d["actor"].name, str(d["actor"].pk)))


# --- The map and the overview: counts per country, admin-1 area, grid cell; points ------------


def countries_by_events(user: AnyUser | None) -> list[tuple[str, int]]:
    """Countries with events the user may see, most events first (then by code)."""
    rows = (
        visible_events(user)
        .order_by()
        .values_list("country_code")
        .annotate(n=Count("id"))
        .values_list("country_code", "n")
    )
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def admin1_figures(events: QuerySet[Event]) -> list[dict[str, Any]]:
    """Events, deaths and civilian deaths per admin-1 area, most events first.

    Each row: ``code``, ``name_en``, ``name_fr`` and the figures. Events with no admin-1 area
    (located only to the country) are in no row; ``event_figures`` still counts them.
    """
    rows = (
        events.order_by()
        .filter(admin1__isnull=False)
        .values("admin1__code", "admin1__name_en", "admin1__name_fr")
        .annotate(**_FIGURES)
        .order_by("-events", "admin1__code")
    )
    return [
        {
            "code": row["admin1__code"],
            "name_en": row["admin1__name_en"],
            "name_fr": row["admin1__name_fr"],
            **_figures(row),
        }
        for row in rows
    ]


def grid_figures(events: QuerySet[Event]) -> list[dict[str, int]]:
    """Events, deaths and civilian deaths per PRIO-GRID cell (``gid``), by cell id."""
    rows = events.order_by().values("priogrid_gid").annotate(**_FIGURES).order_by("priogrid_gid")
    return [{"gid": row["priogrid_gid"], **_figures(row)} for row in rows]


def event_points(events: QuerySet[Event], limit: int) -> list[dict[str, Any]]:
    """What a map marker needs of at most ``limit`` events, newest first; details come on click."""
    rows = events.order_by("-date_start", "-id").values(
        "id", "latitude", "longitude", "date_start", "violence_type", "fatalities_best"
    )[:limit]
    return [dict(row) for row in rows]


# --- The area and actor pages: who does what, in a set of events --------------------------------


def perpetrators_against_civilians(events: QuerySet[Event]) -> list[dict[str, Any]]:
    """Side A of the one-sided events among ``events``, most events first.

    In UCDP's one-sided violence, side A is the organized group or government that attacked
    civilians. Each row: ``actor`` and the events, deaths and civilian deaths of those events.
    """
    rows = (
        events.order_by()
        .filter(violence_type=ViolenceType.ONE_SIDED, actor1__isnull=False)
        .values("actor1")
        .annotate(**_FIGURES)
    )
    return ranked_by_events({row["actor1"]: _figures(row) for row in rows})


def active_actors(events: QuerySet[Event]) -> list[dict[str, Any]]:
    """Actors on either side of ``events``, most events first; civilians as a side are left out.

    Each row: ``actor``, ``events`` (with it on either side) and ``deaths`` in those events.
    """
    figures: dict[Any, dict[str, int]] = {}
    for side in ("actor1", "actor2"):
        rows = (
            events.order_by()
            .filter(**{f"{side}__isnull": False})
            .exclude(**{f"{side}__kind": ActorKind.CIVILIANS})
            .values(side)
            .annotate(events=Count("id"), deaths=Sum("fatalities_best"))
        )
        for row in rows:
            found = figures.setdefault(row[side], {"events": 0, "deaths": 0})
            found["events"] += row["events"]
            found["deaths"] += row["deaths"] or 0
    return ranked_by_events(figures)


def ranked_by_events(figures: dict[Any, dict[str, int]]) -> list[dict[str, Any]]:
    """Figures per actor id as rows with their actor: most events, then most deaths, then name."""
    actors = Actor.objects.in_bulk(list(figures))
    found = [{"actor": actors[pk], **f} for pk, f in figures.items() if pk in actors]
    return sorted(found, key=lambda r: (-r["events"], -r["deaths"], r["actor"].name))


def child_area_counts(events: QuerySet[Event], level: int) -> dict[str, int]:
    """Events per admin-1 (``level`` 1) or admin-2 (``level`` 2) area code."""
    field = "admin1__code" if level == AreaLevel.ADMIN1 else "admin2__code"
    rows = (
        events.order_by()
        .filter(**{f"{field}__isnull": False})
        .values_list(field)
        .annotate(n=Count("id"))
        .values_list(field, "n")
    )
    return dict(rows)
