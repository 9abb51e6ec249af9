"""Benchmark status month by month, and assumption flags: pure rules over indicator series.

Benchmark (docs/learning.md): in month *m* the condition *holds* when the indicator's value in
*m* compares with the threshold as stated. The benchmark is **met** in *m* when the condition
held in *m* and in each of the ``months - 1`` months before it, every one with data; **not met**
when *m* has data but that run is shorter; **no data** when the source does not cover *m*.

Assumption flag: for each indicator linked to the assumption, *recent* is the mean of its last
``RECENT_MONTHS`` months with data (of the indicator's area, or the country). It has moved
*against* the assumption by ``recent - baseline`` when lower is better, ``baseline - recent``
when higher is better. The assumption is **flagged** when, for any indicator, that movement is
strictly greater than ``margin * |baseline|`` (``margin`` alone when the baseline is 0).
An indicator without a baseline or without data cannot flag it, and says so.
"""

from __future__ import annotations

import calendar
import datetime
import operator
from collections.abc import Callable
from dataclasses import dataclass

from commonground.learning.compute import Series, months_between
from commonground.learning.models import Comparison, Desired

RECENT_MONTHS = 3

COMPARE: dict[str, Callable[[float, float], bool]] = {
    Comparison.BELOW: operator.lt,
    Comparison.AT_MOST: operator.le,
    Comparison.AT_LEAST: operator.ge,
    Comparison.ABOVE: operator.gt,
}

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"


@dataclass(frozen=True)
class MonthStatus:
    month: datetime.date
    value: float | None
    holds: bool | None
    run: int
    status: str

    @property
    def month_end(self) -> datetime.date:
        """The month's last day (to link to the events behind a count)."""
        return self.month.replace(day=calendar.monthrange(self.month.year, self.month.month)[1])


def benchmark_statuses(
    series: Series,
    comparison: str,
    threshold: float,
    months: int,
    first: datetime.date,
    last: datetime.date | None,
) -> list[MonthStatus]:
    """The status of every month from ``first`` to ``last`` (default: the last month with data)."""
    if last is None:
        last = max(series) if series else first
    compare = COMPARE[comparison]
    statuses: list[MonthStatus] = []
    run = 0
    for month in months_between(first, last):
        value = series.get(month)
        if value is None:
            run = 0
            statuses.append(MonthStatus(month, None, None, 0, NO_DATA))
            continue
        holds = compare(value, threshold)
        run = run + 1 if holds else 0
        statuses.append(MonthStatus(month, value, holds, run, MET if run >= months else NOT_MET))
    return statuses


def current_status(statuses: list[MonthStatus]) -> str:
    """The status of the last month with data (no data when none has any)."""
    with_data = [s for s in statuses if s.status != NO_DATA]
    return with_data[-1].status if with_data else NO_DATA


@dataclass(frozen=True)
class Movement:
    """How one indicator moved against an assumption."""

    baseline: float | None
    recent: float | None
    against: float | None
    allowance: float | None
    flagged: bool
    reason: str


def recent_mean(series: Series, months: int = RECENT_MONTHS) -> float | None:
    last = sorted(series)[-months:]
    if not last:
        return None
    return sum(series[m] for m in last) / len(last)


def movement(series: Series, baseline: float | None, desired: str, margin: float) -> Movement:
    """The assumption-flag rule of the module doc for one indicator."""
    recent = recent_mean(series)
    if baseline is None:
        return Movement(None, recent, None, None, False, "no_baseline")
    if recent is None:
        return Movement(baseline, None, None, None, False, "no_data")
    against = recent - baseline if desired == Desired.DECREASE else baseline - recent
    allowance = margin * abs(baseline) if baseline else margin
    flagged = against > allowance
    return Movement(baseline, recent, against, allowance, flagged, "against" if flagged else "ok")
