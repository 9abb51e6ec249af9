"""``/panels``, ``/trends``, ``/hotspots``, ``/networks``, ``/coverage``: analysis of what you see.

Each route reads through the access policy (``visible_events``), so two callers with different
access get different answers from the same URL. The methods are in ``docs/analysis.md``.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, Query, Router, Schema
from pydantic import Field, model_validator

from commonground.analysis import coverage, hotspots, networks, trends
from commonground.analysis.panels import FIGURES, Panel, build_panel, month_label, parse_month
from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.schemas import AREA_CODE, COUNTRY_CODE, QueryFilters
from commonground.core.models import Area, AreaLevel
from commonground.events import queries
from commonground.events.queries import visible_events
from commonground.sharing.policy import AnyUser, access_areas, policy

router = Router(tags=["analysis"])

#: A month, ``YYYY-MM``.
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

Figure = Literal[
    "events",
    "deaths",
    "civilian_deaths",
    "events_state_based",
    "events_non_state",
    "events_one_sided",
    "events_unrest",
    "deaths_state_based",
    "deaths_non_state",
    "deaths_one_sided",
    "deaths_unrest",
]
assert set(Figure.__args__) == set(FIGURES)  # type: ignore[attr-defined]  # Literal's members


class MonthRange(QueryFilters):
    """``from`` and ``to`` as ``YYYY-MM``, both optional, in order."""

    month_from: str | None = Field(None, alias="from", pattern=MONTH, description="YYYY-MM")
    month_to: str | None = Field(None, alias="to", pattern=MONTH, description="YYYY-MM")

    @model_validator(mode="after")
    def in_order(self) -> MonthRange:
        if self.month_from and self.month_to and self.month_from > self.month_to:
            raise ValueError("from is after to")
        return self

    def first(self) -> int | None:
        return parse_month(self.month_from) if self.month_from else None

    def last(self) -> int | None:
        return parse_month(self.month_to) if self.month_to else None


def country_or_404(user: AnyUser | None, country: str) -> Area:
    """The country's area if ``user`` may know of it; a hidden one answers as a missing one."""
    area = access_areas(Area.objects.filter(code=country, level=AreaLevel.COUNTRY), user).first()
    if area is None:
        raise Http404("No such country.")
    return area


# --- Panels --------------------------------------------------------------------------------------


class PanelQuery(MonthRange):
    level: Literal["country", "admin1", "priogrid"] = "admin1"
    fmt: Literal["json", "csv"] = Field("json", alias="format")


class PanelRow(Schema):
    unit: str
    unit_name: str
    month: str
    figures: dict[str, int]


class UnknownRow(Schema):
    month: str
    figures: dict[str, int]


class PanelOut(Schema):
    country: str
    level: str
    first_month: str | None
    last_month: str | None
    figures: list[str]
    units: list[dict[str, str]]
    rows: list[PanelRow]
    unknown: list[UnknownRow] = Field(
        description="Per month, events whose unit is unknown at this level (admin-1 only)."
    )
    totals: dict[str, int] = Field(description="Panel rows and unknown rows together.")
    unknown_totals: dict[str, int]


def visible_panel(request: HttpRequest, country: str, query: PanelQuery) -> Panel | None:
    """The panel of the caller's visible events; None when they see none and gave no months."""
    first, last = query.first(), query.last()
    if first is None or last is None:
        span = trends.data_months(request.user, country)
        if span is None:
            return None
        first = span[0] if first is None else first
        last = span[1] if last is None else last
        if first > last:
            return None
    events = visible_events(request.user)
    return build_panel(events, country, query.level, first, last, viewer=request.user)


def panel_csv(panel: Panel) -> HttpResponse:
    """The panel as CSV; events of unknown unit follow as rows with an empty unit."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit", "unit_name", "month", *FIGURES])
    for row in panel.frame.iter_rows(named=True):
        month = month_label(row["month_id"])
        writer.writerow([row["unit"], row["unit_name"], month, *(row[f] for f in FIGURES)])
    for row in panel.unknown.iter_rows(named=True):
        month = month_label(row["month_id"])
        writer.writerow(["", "unknown", month, *(row[f] for f in FIGURES)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"panel-{panel.country}-{panel.level}-{month_label(panel.first_month)}"
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{month_label(panel.last_month)}.csv"'
    )
    return response


def sums(frame: Any) -> dict[str, int]:
    return (
        {f: int(frame.get_column(f).sum()) for f in FIGURES}
        if frame.height
        else dict.fromkeys(FIGURES, 0)
    )


@router.get(
    "/panels/{country}",
    response={200: PanelOut, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra={
        **ANONYMOUS_ALLOWED,
        "responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
)
@policy("public")
def get_panel(
    request: HttpRequest,
    country: PathEx[str, P(pattern=COUNTRY_CODE)],
    query: Query[PanelQuery],
) -> Any:
    """The zero-filled area-month panel of the events you may see, as JSON or CSV.

    One row per unit (the country, each admin-1 area, or each PRIO-GRID cell with an event) and
    month, with events and deaths in total and by violence type; months default to the first
    and last with an event. Events whose admin-1 is unknown are counted apart (``unknown``), so
    rows and unknown rows add up to the events' totals.
    """
    country_or_404(request.user, country)
    panel = visible_panel(request, country, query)
    if panel is None:
        empty = dict.fromkeys(FIGURES, 0)
        return PanelOut(
            country=country, level=query.level, first_month=None, last_month=None,
            figures=list(FIGURES), units=[], rows=[], unknown=[], totals=empty,
            unknown_totals=empty,
        )  # fmt: skip
    if query.fmt == "csv":
        return panel_csv(panel)
    rows = [
        PanelRow(
            unit=r["unit"],
            unit_name=r["unit_name"],
            month=month_label(r["month_id"]),
            figures={f: r[f] for f in FIGURES},
        )
        for r in panel.frame.iter_rows(named=True)
    ]
    unknown = [
        UnknownRow(month=month_label(r["month_id"]), figures={f: r[f] for f in FIGURES})
        for r in panel.unknown.iter_rows(named=True)
    ]
    main, apart = sums(panel.frame), sums(panel.unknown)
    names = panel.frame.select("unit", "unit_name").unique(maintain_order=True)
    return PanelOut(
        country=country,
        level=query.level,
        first_month=month_label(panel.first_month),
        last_month=month_label(panel.last_month),
        figures=list(FIGURES),
        units=[{"code": u, "name": n} for u, n in names.iter_rows()],
        rows=rows,
        unknown=unknown,
        totals={f: main[f] + apart[f] for f in FIGURES},
        unknown_totals=apart,
    )


# --- Trends --------------------------------------------------------------------------------------


class TrendQuery(QueryFilters):
    months: int | None = Field(
        None, ge=1, le=60, description="Period length; default three: 1, 3 and 12 months."
    )
    to: str | None = Field(None, pattern=MONTH, description="Last month of the period, YYYY-MM.")


class ChangeOut(Schema):
    model_config = {"populate_by_name": True}

    month_from: str = Field(alias="from")
    month_to: str = Field(alias="to")
    months: int
    current: int
    previous: int | None
    change_previous: int | None
    percent_previous: float | None
    year_before: int | None
    change_year_before: int | None
    percent_year_before: float | None


class UnusualOut(Schema):
    month: str
    count: int
    expected: float = Field(description="Mean of the trailing window.")
    threshold: int = Field(description="Counts above this are unusual.")


class FigureTrend(Schema):
    end: str
    changes: list[ChangeOut]
    unusual: list[UnusualOut] = Field(description="Latest first.")


class TrendsOut(Schema):
    area: str
    first: str
    last: str
    end: str
    figures: dict[str, FigureTrend]
    rule: dict[str, Any]


@router.get(
    "/trends/{code}",
    response={200: TrendsOut, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    by_alias=True,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_trends(
    request: HttpRequest,
    code: PathEx[str, P(pattern=AREA_CODE, max_length=120)],
    query: Query[TrendQuery],
) -> Any:
    """Change against the period before and a year before, and unusual months, for an area.

    Figures: events, deaths, one-sided events, civilian deaths. A 404 when the area is unknown
    or you see no event in its country.
    """
    area = queries.area_by_code(request.user, code)
    if area is None:
        raise Http404("No such area.")
    lengths = (query.months,) if query.months else (1, 3, 12)
    end = parse_month(query.to) if query.to else None
    found = trends.area_trends(request.user, area, end, lengths)
    if found is None:
        raise Http404("No events that you may see in this area's country.")
    return found


# --- Hot spots -----------------------------------------------------------------------------------


class HotspotQuery(QueryFilters):
    figure: Figure = "events"
    to: str | None = Field(None, pattern=MONTH, description="Last month of the last window.")
    window_months: int = Field(hotspots.WINDOW_MONTHS, ge=1, le=24)
    windows: int = Field(hotspots.WINDOWS, ge=2, le=8)


class CellOut(Schema):
    gid: int
    lat: float
    lon: float
    category: str
    counts: list[int] = Field(description="Per window, oldest first.")
    z: list[float]
    p: list[float]
    hot: list[bool]


class HotspotsOut(Schema):
    country: str
    figure: str
    rule: str
    permutations: int
    seed: int
    alpha: float
    windows: list[dict[str, str]]
    fdr_cuts: list[float] = Field(description="Per window, the p-value a hot cell must reach.")
    summary: dict[str, int]
    cells: list[CellOut]


@router.get(
    "/hotspots/{country}",
    response={200: HotspotsOut, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_hotspots(
    request: HttpRequest,
    country: PathEx[str, P(pattern=COUNTRY_CODE)],
    query: Query[HotspotQuery],
) -> Any:
    """Getis-Ord Gi* per time window on the country's PRIO-GRID cells, and each cell's class.

    Classes: emerging, persistent, recurring, cooling, former, none (docs/analysis.md). A 404
    when the country is unknown or you see no event in it.
    """
    country_or_404(request.user, country)
    last = parse_month(query.to) if query.to else None
    found = hotspots.country_hotspots(
        request.user, country, query.figure, last, query.window_months, query.windows
    )
    if found is None:
        raise Http404("No events that you may see in this country.")
    return {
        "country": country,
        "figure": query.figure,
        "rule": hotspots.RULE_NAME,
        "permutations": hotspots.PERMUTATIONS,
        "seed": hotspots.SEED,
        "alpha": hotspots.ALPHA,
        "windows": found.window_labels(),
        "fdr_cuts": found.cuts,
        "summary": found.summary(),
        "cells": [c.as_dict() for c in found.cells],
    }


# --- Networks ------------------------------------------------------------------------------------


class NodeOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    opponents: int
    fight_events: int
    one_sided_events: int
    one_sided_deaths: int
    degree: float | None
    betweenness: float | None
    eigenvector: float | None


class EdgeOut(Schema):
    source: uuid.UUID
    source_name: str
    target: uuid.UUID
    target_name: str
    events: int
    deaths: int
    state_based: int
    non_state: int


class NetworkOut(Schema):
    country: str
    month_from: str | None = Field(alias="from")
    month_to: str | None = Field(alias="to")
    components: int
    nodes: list[NodeOut] = Field(description="Armed actors, by betweenness then degree.")
    edges: list[EdgeOut] = Field(description="Who fought whom, most events first.")

    model_config = {"populate_by_name": True}


@router.get(
    "/networks/{country}",
    response={200: NetworkOut, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    by_alias=True,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_network(
    request: HttpRequest,
    country: PathEx[str, P(pattern=COUNTRY_CODE)],
    query: Query[MonthRange],
) -> Any:
    """Who fought whom and who targeted civilians in a country, between two months if given.

    Nodes are armed actors with their one-sided violence and centralities (degree, betweenness,
    eigenvector, on the graph of fights); edges carry events and deaths (best estimate).
    """
    country_or_404(request.user, country)
    network = networks.country_network(request.user, country, query.first(), query.last())
    return {
        "country": country,
        "from": query.month_from,
        "to": query.month_to,
        "components": network.components(),
        "nodes": network.nodes(),
        "edges": network.edges(),
    }


# --- Coverage ------------------------------------------------------------------------------------


class PresenceOut(Schema):
    organization: str
    place: str
    kinds: list[str]
    status: Literal["present", "uncertain", "absent"]
    sources: list[str]


class CoverageRowOut(Schema):
    rank: int
    unit: str
    risk: float = Field(
        description="Forecast probability of one-sided violence (basis forecast), or the "
        "one-sided events of the last 12 months (basis recent_one_sided: not a forecast)."
    )
    gap: float
    protection: Literal["present", "uncertain", "none"]
    peacebuilding: Literal["present", "uncertain", "none"]
    presence: list[PresenceOut]
    detail: dict[str, Any]


class CoverageOut(Schema):
    country: str
    basis: Literal["forecast", "recent_one_sided"]
    period_from: str = Field(description="First day of the period risk and presence are for.")
    period_to: str
    forecast: dict[str, Any] | None
    rows: list[CoverageRowOut]
    unplaced: list[PresenceOut] = Field(description="Presence with no known admin-1 area.")
    unknown_area_events: int


def presence_out(actor: coverage.Actor) -> PresenceOut:
    return PresenceOut(
        organization=actor.organization,
        place=actor.place,
        kinds=sorted(actor.kinds),
        status=actor.status,
        sources=actor.sources,
    )


@router.get(
    "/coverage/{country}",
    response={200: CoverageOut, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_coverage(
    request: HttpRequest, country: PathEx[str, P(pattern=COUNTRY_CODE)]
) -> CoverageOut:
    """Risk to civilians against protection and peacebuilding presence, per admin-1 area.

    Highest gap first ("high risk, nobody there"). ``basis`` says whether the risk is the
    current forecast or, when there is none, the stand-in of recent one-sided violence.
    """
    country_or_404(request.user, country)
    found = coverage.country_coverage(request.user, country)
    if found is None:
        raise Http404("No forecast and no events that you may see in this country.")
    forecast = found.forecast
    return CoverageOut(
        country=country,
        basis=found.basis,
        period_from=found.first.isoformat(),
        period_to=found.last.isoformat(),
        forecast=None
        if forecast is None
        else {
            "run_id": forecast.run_id,
            "model_name": forecast.model_name,
            "model_version": forecast.model_version,
            "data_cut": forecast.data_cut,
            "made_at": forecast.made_at.isoformat(),
            "is_stale": forecast.is_stale,
            "stale_reason": forecast.stale_reason,
        },
        rows=[
            CoverageRowOut(
                rank=n,
                unit=row.unit,
                risk=row.risk,
                gap=row.gap,
                protection=row.protection,
                peacebuilding=row.peacebuilding,
                presence=[presence_out(a) for a in row.actors],
                detail=row.detail,
            )
            for n, row in enumerate(found.rows, 1)
        ],
        unplaced=[presence_out(a) for a in found.unplaced],
        unknown_area_events=found.unknown_area_events,
    )
