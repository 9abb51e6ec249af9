"""Reads of programmes, indicators and benchmarks, each through the access policy.

A programme's theory of change, PDIA log and hand-entered values are seen with the programme or
indicator they belong to; an indicator linked from a visible record but itself hidden is left
out, as if it did not exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet

from commonground.learning import assess, compute
from commonground.learning.models import (
    Benchmark,
    Indicator,
    NodeKind,
    Programme,
    Source,
    TocNode,
)
from commonground.sharing.policy import AnyUser, access_owned


def visible_programmes(user: AnyUser | None) -> QuerySet[Programme]:
    return access_owned(Programme.objects.select_related("owner"), user)


def visible_programme(user: AnyUser | None, slug: str) -> Programme | None:
    return visible_programmes(user).filter(slug=slug).first()


def programme_exists(slug: str) -> bool:
    """For the audit log only: never tell the asker."""
    return Programme.objects.filter(slug=slug).exists()


def visible_indicators(user: AnyUser | None) -> QuerySet[Indicator]:
    return access_owned(Indicator.objects.select_related("owner", "area"), user)


def visible_indicator(user: AnyUser | None, slug: str) -> Indicator | None:
    return visible_indicators(user).filter(slug=slug).first()


def indicator_exists(slug: str) -> bool:
    return Indicator.objects.filter(slug=slug).exists()


def visible_benchmarks(user: AnyUser | None, mission: str | None = None) -> QuerySet[Benchmark]:
    """Benchmarks the user may see whose indicator they may see too."""
    benchmarks = access_owned(Benchmark.objects.select_related("indicator", "area", "owner"), user)
    benchmarks = benchmarks.filter(indicator__in=visible_indicators(user).values("pk"))
    return benchmarks.filter(mission=mission) if mission else benchmarks


@dataclass
class BenchmarkView:
    benchmark: Benchmark
    statuses: list[assess.MonthStatus]
    current: str
    months_met: int
    months_with_data: int

    @property
    def events_query(self) -> str:
        """The events list's filters behind an events or deaths benchmark (empty otherwise)."""
        indicator = self.benchmark.indicator
        if indicator.source not in (Source.EVENTS, Source.DEATHS):
            return ""
        query = {"country": indicator.country_code, "violence_type": indicator.violence_type}
        if self.benchmark.area is not None:
            query[f"admin{self.benchmark.area.level}"] = self.benchmark.area.code
        return urlencode({k: v for k, v in query.items() if v})


def benchmark_view(benchmark: Benchmark, user: AnyUser | None) -> BenchmarkView:
    """A benchmark's status month by month, from the indicator values the user may see."""
    series = compute.indicator_series(benchmark.indicator, user, benchmark.area)
    statuses = assess.benchmark_statuses(
        series,
        benchmark.comparison,
        benchmark.threshold,
        benchmark.months,
        benchmark.period_start,
        benchmark.period_end,
    )
    return BenchmarkView(
        benchmark=benchmark,
        statuses=statuses,
        current=assess.current_status(statuses),
        months_met=sum(s.status == assess.MET for s in statuses),
        months_with_data=sum(s.status != assess.NO_DATA for s in statuses),
    )


def benchmark_views(user: AnyUser | None, mission: str | None = None) -> list[BenchmarkView]:
    return [benchmark_view(b, user) for b in visible_benchmarks(user, mission)]


def benchmark_missions(user: AnyUser | None) -> list[str]:
    return sorted(set(visible_benchmarks(user).values_list("mission", flat=True)))


@dataclass
class NodeView:
    node: TocNode
    indicators: list[Indicator]
    movements: list[tuple[Indicator, assess.Movement]] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return any(m.flagged for _i, m in self.movements)


def theory_of_change(programme: Programme, user: AnyUser | None) -> list[NodeView]:
    """The nodes of a programme with their visible indicators; assumptions assessed."""
    visible = set(visible_indicators(user).values_list("pk", flat=True))
    views = []
    for node in programme.nodes.prefetch_related("indicators").order_by("kind", "key"):
        indicators = [i for i in node.indicators.all() if i.pk in visible]
        view = NodeView(node, indicators)
        if node.kind in (NodeKind.ASSUMPTION, NodeKind.OUTCOME):
            for indicator in indicators:
                series = compute.indicator_series(indicator, user, indicator.area)
                move = assess.movement(series, indicator.baseline, indicator.desired, node.margin)
                view.movements.append((indicator, move))
        views.append(view)
    return views


def latest_actual(indicator: Indicator, user: AnyUser | None) -> tuple[datetime.date, float] | None:
    """The last month with data and its value, for the indicator's area or the country."""
    series = compute.indicator_series(indicator, user, indicator.area)
    if not series:
        return None
    month = max(series)
    return month, series[month]


def pdia_entries(programme: Programme, user: AnyUser | None) -> list[dict[str, Any]]:
    """The log, newest first; evidence links to records the user may not see are left out."""
    visible = set(visible_indicators(user).values_list("pk", flat=True))
    entries = []
    for entry in programme.pdia.select_related("indicator", "event", "author"):
        entries.append(
            {
                "entry": entry,
                "indicator": entry.indicator if entry.indicator_id in visible else None,
                "event": entry.event
                if entry.event_id and event_visible(entry.event_id, user)
                else None,
            }
        )
    return entries


def event_visible(event_id: int, user: AnyUser | None) -> bool:
    from commonground.events.queries import visible_events

    return visible_events(user).filter(pk=event_id).exists()
