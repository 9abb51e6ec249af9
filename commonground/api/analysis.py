"""``/panels``, ``/trends``, ``/hotspots``, ``/networks``, ``/coverage``: analysis of what you see.

Each route reads through the access policy (``visible_events``), so two callers with different
access get different answers from the same URL. The methods are in ``docs/analysis.md``.
"""

from __future__ import annotations

import itertools
import json
import uuid
from typing import Any, Literal

import polars as pl
from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, field_validator, model_validator

from commonground.analysis import coverage, hotspots, networks, trends
from commonground.analysis.panels import (
    FIGURES,
    Panel,
    PanelTooLarge,
    build_panel,
    month_label,
)
from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.schemas import AREA_CODE, COUNTRY_CODE, QueryFilters
from commonground.core.csv_out import csv_text
from commonground.core.models import Area, AreaLevel
from commonground.core.periods import MONTH_OR_DAY, parse_period_month
from commonground.events import queries
from commonground.events.queries import visible_events
from commonground.sharing.policy import AnyUser, access_areas, policy

router = Router(tags=["analysis"])

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


MONTH_HELP = (
    "YYYY-MM, or a day YYYY-MM-DD standing for its month; from 1946-01 to December two years "
    "after this one."
)


def old_name(old: str, new: str) -> Any:
    """``old``, a deprecated alias of ``new``, kept for a release (docs/api.md, "Deprecated")."""
    return Field(
        None,
        alias=old,
        pattern=MONTH_OR_DAY,
        description=f"Deprecated: use {new}. Accepted until API version 2.",
        json_schema_extra={"deprecated": True},
    )


def one_of(new: str | None, old: str | None, name: str) -> str | None:
    """The value of a parameter given by its name or its deprecated alias (or both, agreeing)."""
    if new and old and parse_period_month(new) != parse_period_month(old):
        raise ValueError(f"{name} and its deprecated alias disagree; give {name} alone")
    return new or old


class MonthEnd(QueryFilters):
    """``date_to``, the last month of the period (``to``: its deprecated alias)."""

    date_to: str | None = Field(None, pattern=MONTH_OR_DAY, description="Last month: " + MONTH_HELP)
    old_to: str | None = old_name("to", "date_to")

    @field_validator("date_to", "old_to", mode="after")
    @classmethod
    def in_bounds(cls, value: str | None) -> str | None:
        if value is not None:
            parse_period_month(value)
        return value

    @model_validator(mode="after")
    def same_end(self) -> MonthEnd:
        self.date_to = one_of(self.date_to, self.old_to, "date_to")
        return self

    def last(self) -> int | None:
        return parse_period_month(self.date_to) if self.date_to else None

    def last_label(self) -> str | None:
        return month_label(last) if (last := self.last()) is not None else None


class MonthRange(MonthEnd):
    """``date_from`` and ``date_to``, both optional, in order (``from``, ``to``: deprecated)."""

    date_from: str | None = Field(
        None, pattern=MONTH_OR_DAY, description="First month: " + MONTH_HELP
    )
    old_from: str | None = old_name("from", "date_from")

    @field_validator("date_from", "old_from", mode="after")
    @classmethod
    def from_in_bounds(cls, value: str | None) -> str | None:
        if value is not None:
            parse_period_month(value)
        return value

    @model_validator(mode="after")
    def in_order(self) -> MonthRange:
        self.date_from = one_of(self.date_from, self.old_from, "date_from")
        first, last = self.first(), self.last()
        if first is not None and last is not None and first > last:
            raise ValueError("date_from is after date_to")
        return self

    def first(self) -> int | None:
        return parse_period_month(self.date_from) if self.date_from else None

    def first_label(self) -> str | None:
        return month_label(first) if (first := self.first()) is not None else None


def country_or_404(user: AnyUser | None, country: str) -> Area:
    """The country's area if ``user`` may know of it; a hidden one answers as a missing one."""
    area = access_areas(Area.objects.filter(code=country, level=AreaLevel.COUNTRY), user).first()
    if area is None:
        raise Http404("No such country.")
    return area


# --- Panels --------------------------------------------------------------------------------------

#: The most rows (units x months) one panel request may build: the largest panel of the real
#: data (CAF, PRIO-GRID, 1991-08 to 2022-12) has 58,812. A row is ~330 bytes of JSON and ~55 of
#: CSV, so an answer stays under ~35 MB; bigger panels are refused (docs/api.md, "Budgets").
MAX_PANEL_ROWS = 100_000


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
    try:
        return build_panel(
            visible_events(request.user),
            country,
            query.level,
            first,
            last,
            MAX_PANEL_ROWS,
            viewer=request.user,
        )
    except PanelTooLarge as exc:
        raise HttpError(422, str(exc)) from exc


def panel_csv(panel: Panel) -> HttpResponse:
    """The panel as CSV; events of unknown unit follow as rows with an empty unit.

    Written through the one CSV writer (``core.csv_out``): area names that start like a
    formula are quoted.
    """
    header = [["unit", "unit_name", "month", *FIGURES]]
    rows = (
        [row["unit"], row["unit_name"], month_label(row["month_id"]), *(row[f] for f in FIGURES)]
        for row in panel.frame.iter_rows(named=True)
    )
    unknown = (
        ["", "unknown", month_label(row["month_id"]), *(row[f] for f in FIGURES)]
        for row in panel.unknown.iter_rows(named=True)
    )
    text = csv_text(itertools.chain(header, rows, unknown))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
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
        # An int key, as ninja's own: merged into its 200 (a "200" string would be a second one).
        "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
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
    return panel_json(panel)


def month_labels(column: str) -> pl.Expr:
    """``YYYY-MM`` of a ``month_id`` column, computed by Polars (as :func:`month_label`)."""
    year = (pl.col(column) // 12).cast(pl.String).str.zfill(4)
    month = (pl.col(column) % 12 + 1).cast(pl.String).str.zfill(2)
    return pl.concat_str([year, month], separator="-")


def panel_json(panel: Panel) -> HttpResponse:
    """The panel as ``PanelOut`` JSON, its rows written by Polars.

    A panel may have up to ``MAX_PANEL_ROWS`` rows; one pydantic object per row made the
    largest take 20 s and hundreds of MB, so the rows skip them (Schemathesis checks the answer
    against ``PanelOut``, and ``test_analysis`` its figures).
    """
    rows = panel.frame.select(
        "unit", "unit_name", month_labels("month_id").alias("month"),
        pl.struct(*FIGURES).alias("figures"),
    )  # fmt: skip
    unknown = panel.unknown.select(
        month_labels("month_id").alias("month"), pl.struct(*FIGURES).alias("figures")
    )
    main, apart = sums(panel.frame), sums(panel.unknown)
    names = panel.frame.select("unit", "unit_name").unique(maintain_order=True)
    head = {
        "country": panel.country,
        "level": panel.level,
        "first_month": month_label(panel.first_month),
        "last_month": month_label(panel.last_month),
        "figures": list(FIGURES),
        "units": [{"code": u, "name": n} for u, n in names.iter_rows()],
        "unknown": unknown.to_dicts(),
        "totals": {f: main[f] + apart[f] for f in FIGURES},
        "unknown_totals": apart,
    }
    text = json.dumps(head, ensure_ascii=False)
    body = f'{text[:-1]}, "rows": {rows.write_json() if rows.height else "[]"}}}'
    return HttpResponse(body, content_type="application/json; charset=utf-8")


# --- Trends --------------------------------------------------------------------------------------


class TrendQuery(MonthEnd):
    months: int | None = Field(
        None, ge=1, le=60, description="Period length; default three: 1, 3 and 12 months."
    )


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
    end = query.last()
    found = trends.area_trends(request.user, area, end, lengths)
    if found is None:
        raise Http404("No events that you may see in this area's country.")
    return found


# --- Hot spots -----------------------------------------------------------------------------------


class HotspotQuery(MonthEnd):
    figure: Figure = "events"
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
    last = query.last()
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
        "from": query.first_label(),
        "to": query.last_label(),
        "components": network.components(),
        "nodes": network.nodes(),
        "edges": network.edges(),
    }


# --- Coverage ------------------------------------------------------------------------------------


class CoveragePresenceOut(Schema):
    """Who is present in an area, as coverage weighs it (``/presence`` lists the evidence)."""

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
    presence: list[CoveragePresenceOut]
    detail: dict[str, Any]


class CoverageOut(Schema):
    country: str
    basis: Literal["forecast", "recent_one_sided"]
    period_from: str = Field(description="First day of the period risk and presence are for.")
    period_to: str
    forecast: dict[str, Any] | None
    rows: list[CoverageRowOut]
    unplaced: list[CoveragePresenceOut] = Field(description="Presence with no known admin-1 area.")
    unknown_area_events: int


def presence_out(actor: coverage.Actor) -> CoveragePresenceOut:
    return CoveragePresenceOut(
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
