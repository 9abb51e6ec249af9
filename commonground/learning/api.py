"""Read routes for benchmarks, programmes (theory of change, flags) and indicator values.

Mounted by ``commonground/api``. Every read goes through ``learning.queries`` (the access
policy), as the pages do: a hidden programme or indicator answers 404 like a missing one.
Schema names start with ``Learning`` so they stay unique in the OpenAPI document.
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from ninja import P, PathEx, Router, Schema
from pydantic import Field

from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.schemas import SLUG
from commonground.learning import compute, queries
from commonground.learning.models import Indicator, Programme
from commonground.sharing.markings import tlp_label
from commonground.sharing.policy import policy, record_denied

router = Router(tags=["learning"])

ERRORS = frozenset({401, 404, 422})
SlugPath = PathEx[str, P(pattern=SLUG, max_length=80)]


class LearningMonthOut(Schema):
    month: datetime.date
    value: float | None = Field(description="Null: the source does not cover the month.")
    holds: bool | None
    run: int = Field(description="Consecutive months the condition has held, this one included.")
    status: str = Field(description="met, not_met or no_data.")


class LearningBenchmarkOut(Schema):
    id: str
    mission: str
    title: str
    title_fr: str
    owner: str
    indicator: str = Field(description="The indicator's slug.")
    area: str | None = Field(description="Area code; null for the whole country.")
    comparison: str = Field(description="lt, le, ge or gt.")
    threshold: float
    months: int
    current: str
    demonstration: bool
    statuses: list[LearningMonthOut]
    tlp: str = Field(description="TLP 2.0 marking of the record's sensitivity.")


class LearningIndicatorOut(Schema):
    slug: str
    name: str
    name_fr: str
    source: str
    unit: str
    desired: str
    baseline: float | None
    target: float | None
    by_sex: bool = Field(description="The indicator asks for values by sex (WPS).")
    sex_split: bool = Field(description="Its source gives values for women and men.")
    sex_note: str = Field(description="Why the source gives no value per sex (else empty).")
    tlp: str = Field(description="TLP 2.0 marking of the record's sensitivity.")


class LearningNodeOut(Schema):
    key: str
    kind: str
    label: str
    label_fr: str
    indicators: list[str]
    flagged: bool = Field(description="An assumption whose indicators moved against it.")


class LearningEdgeOut(Schema):
    source: str
    target: str
    kind: str


class LearningProgrammeOut(Schema):
    slug: str
    title: str
    title_fr: str
    owner: str
    demonstration: bool
    indicators: list[LearningIndicatorOut]
    nodes: list[LearningNodeOut]
    edges: list[LearningEdgeOut]
    tlp: str = Field(description="TLP 2.0 marking of the programme (its theory of change too).")


class LearningValueOut(Schema):
    area: str | None
    month: datetime.date
    value: float | None
    women: float | None
    men: float | None
    tlp: str = Field(description="TLP 2.0 marking of the indicator.")


class LearningSeriesValueOut(Schema):
    month: datetime.date
    value: float | None = Field(description="Null: a month with a value by sex only.")
    women: float | None
    men: float | None


class LearningSeriesOut(Schema):
    slug: str
    area: str | None = Field(description="The indicator's area code; null for the country.")
    sex_split: bool = Field(description="Its source gives values for women and men.")
    sex_note: str = Field(description="Why the source gives no value per sex (else empty).")
    values: list[LearningSeriesValueOut]
    tlp: str = Field(description="TLP 2.0 marking of the indicator.")


def indicator_out(indicator: Indicator) -> LearningIndicatorOut:
    return LearningIndicatorOut(
        slug=indicator.slug,
        name=indicator.name,
        name_fr=indicator.name_fr,
        source=indicator.source,
        unit=indicator.unit,
        desired=indicator.desired,
        baseline=indicator.baseline,
        target=indicator.target,
        by_sex=indicator.by_sex,
        sex_split=not compute.sex_note(indicator),
        sex_note=compute.sex_note(indicator),
        tlp=tlp_label(indicator.sensitivity),
    )


@router.get(
    "/learning/benchmarks",
    response={200: list[LearningBenchmarkOut], frozenset({401, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_benchmarks(request: HttpRequest, mission: str = "") -> list[LearningBenchmarkOut]:
    """Exit benchmarks the caller may see, each with its status month by month."""
    return [
        LearningBenchmarkOut(
            id=str(v.benchmark.pk),
            mission=v.benchmark.mission,
            title=v.benchmark.title,
            title_fr=v.benchmark.title_fr,
            owner=str(v.benchmark.owner),
            indicator=v.benchmark.indicator.slug,
            area=v.benchmark.area.code if v.benchmark.area else None,
            comparison=v.benchmark.comparison,
            threshold=v.benchmark.threshold,
            months=v.benchmark.months,
            current=v.current,
            demonstration=v.benchmark.demonstration,
            statuses=[LearningMonthOut(**vars(s)) for s in v.statuses],
            tlp=tlp_label(v.benchmark.sensitivity),
        )
        for v in queries.benchmark_views(request.user, mission[:80] or None)
    ]


def programme_or_404(request: HttpRequest, slug: str) -> Programme:
    programme = queries.visible_programme(request.user, slug)
    if programme is None:
        if queries.programme_exists(slug):
            record_denied(request.user, f"programme:{slug}", "not visible under access policy")
        raise Http404("No such programme.")
    return programme


@router.get(
    "/learning/programmes/{slug}",
    response={200: LearningProgrammeOut, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_programme(request: HttpRequest, slug: SlugPath) -> LearningProgrammeOut:
    """A programme's indicators and theory of change, assumptions flagged (docs/learning.md)."""
    programme = programme_or_404(request, slug)
    nodes = queries.theory_of_change(programme, request.user)
    indicators = queries.visible_indicators(request.user).filter(programme=programme)
    return LearningProgrammeOut(
        slug=programme.slug,
        title=programme.title,
        title_fr=programme.title_fr,
        owner=str(programme.owner),
        demonstration=programme.demonstration,
        indicators=[indicator_out(i) for i in indicators],
        nodes=[
            LearningNodeOut(
                key=n.node.key,
                kind=n.node.kind,
                label=n.node.label,
                label_fr=n.node.label_fr,
                indicators=[i.slug for i in n.indicators],
                flagged=n.flagged and n.node.kind == "assumption",
            )
            for n in nodes
        ],
        edges=[
            LearningEdgeOut(source=e.source.key, target=e.target.key, kind=e.kind)
            for e in programme.edges.select_related("source", "target")
        ],
        tlp=tlp_label(programme.sensitivity),
    )


def visible_indicator_or_404(request: HttpRequest, slug: str) -> Indicator:
    indicator = queries.visible_indicator(request.user, slug)
    if indicator is None:
        if queries.indicator_exists(slug):
            record_denied(request.user, f"indicator:{slug}", "not visible under access policy")
        raise Http404("No such indicator.")
    return indicator


@router.get(
    "/learning/indicators/{slug}/values",
    response={200: list[LearningValueOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def indicator_values(request: HttpRequest, slug: SlugPath) -> list[LearningValueOut]:
    """An indicator's values per area and month (the tidy table), as the caller may see them."""
    indicator = visible_indicator_or_404(request, slug)
    table = compute.indicator_table(indicator, request.user)
    tlp = tlp_label(indicator.sensitivity)
    return [LearningValueOut(**row, tlp=tlp) for row in table.iter_rows(named=True)]


@router.get(
    "/learning/indicators/{slug}/series",
    response={200: LearningSeriesOut, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def indicator_series(request: HttpRequest, slug: SlugPath) -> LearningSeriesOut:
    """The indicator's monthly series in its area (or the country), with women and men where
    its source has a sex dimension, as the caller may see it."""
    indicator = visible_indicator_or_404(request, slug)
    series = compute.indicator_series(indicator, request.user, indicator.area)
    split = compute.sex_series(indicator, request.user, indicator.area)
    women, men = (split["women"], split["men"]) if split is not None else ({}, {})
    months = sorted(set(series) | set(women) | set(men))
    return LearningSeriesOut(
        slug=indicator.slug,
        area=indicator.area.code if indicator.area else None,
        sex_split=split is not None,
        sex_note=compute.sex_note(indicator),
        values=[
            LearningSeriesValueOut(month=m, value=series.get(m), women=women.get(m), men=men.get(m))
            for m in months
        ],
        tlp=tlp_label(indicator.sensitivity),
    )
