"""Trends of a monthly series: change against the previous period and the year before, and
unusual months.

Plain functions over a zero-filled monthly series (a list of counts, one per month, from
:mod:`commonground.analysis.panels`), which know nothing of the database or of who asks;
:func:`area_trends` at the end builds the series from the events the user may see.

**Change.** A period is the ``length`` months ending with ``end`` (a ``month_id``). It is compared
with the ``length`` months just before it ("previous period") and with the same months a year
earlier ("year before"). A percentage is given only when the base is not zero: "up from nothing"
has no percentage, and saying +100 % or infinity would mislead.

**Unusual months** (rule ``negative-binomial-trailing-24``). A month is unusual when its count is
above the 99th percentile of a negative binomial fitted by the method of moments to the 24 months
before it (mean ``m``, variance ``v``; when ``v <= m`` the data show no over-dispersion and a
Poisson of mean ``m`` is used instead), and it is at least 3. Why this rule: conflict counts are
over-dispersed (a quiet month, then a massacre), so a Poisson threshold flags far too many months;
the trailing window follows the conflict's own level rather than a 30-year average; and the floor of
3 keeps a single event after a quiet spell from being called a surge. A month needs 12 months of
history before it can be judged (fewer and the fit means little); months with less are not flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Max, Min, Sum
from scipy import stats

from commonground.analysis import figures
from commonground.analysis.models import CountryMonthFigure
from commonground.analysis.panels import PANEL_TYPES, month_id, month_label
from commonground.core.models import Area
from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters
from commonground.sharing.policy import AnyUser

#: The unusual-month rule and its parameters, named so pages and the API can state them.
RULE_NAME = "negative-binomial-trailing-24"
TRAILING_MONTHS = 24
MIN_HISTORY = 12
QUANTILE = 0.99
MIN_COUNT = 3


@dataclass(frozen=True)
class Change:
    """A period's total against the previous period's and the same months a year before."""

    start: int
    end: int
    current: int
    previous: int | None
    year_before: int | None

    @property
    def vs_previous(self) -> int | None:
        return None if self.previous is None else self.current - self.previous

    @property
    def vs_year_before(self) -> int | None:
        return None if self.year_before is None else self.current - self.year_before

    @property
    def pct_previous(self) -> float | None:
        return percent(self.current, self.previous)

    @property
    def pct_year_before(self) -> float | None:
        return percent(self.current, self.year_before)

    def as_dict(self) -> dict[str, object]:
        return {
            "from": month_label(self.start),
            "to": month_label(self.end),
            "months": self.end - self.start + 1,
            "current": self.current,
            "previous": self.previous,
            "change_previous": self.vs_previous,
            "percent_previous": self.pct_previous,
            "year_before": self.year_before,
            "change_year_before": self.vs_year_before,
            "percent_year_before": self.pct_year_before,
        }


def percent(current: int, base: int | None) -> float | None:
    """Change in percent, one decimal; None when there is no base or it is zero."""
    if not base:
        return None
    return round(100.0 * (current - base) / base, 1)


def window_sum(series: Sequence[int], first: int, start: int, end: int) -> int | None:
    """Sum of months ``start..end`` of a series beginning at ``first``; None if any is outside."""
    if start < first or end >= first + len(series) or start > end:
        return None
    return int(sum(series[start - first : end - first + 1]))


def change(series: Sequence[int], first: int, end: int, length: int) -> Change:
    """The ``length`` months ending at ``end`` against the period before and a year before.

    ``series[i]`` is the count of month ``first + i``. A comparison period that falls before the
    series starts is None (unknown), never zero: the record does not reach back that far.
    """
    if length < 1:
        raise ValueError("a period is at least one month long")
    start = end - length + 1
    current = window_sum(series, first, start, end)
    if current is None:
        raise ValueError(f"the period {month_label(start)}..{month_label(end)} is outside the data")
    return Change(
        start=start,
        end=end,
        current=current,
        previous=window_sum(series, first, start - length, start - 1),
        year_before=window_sum(series, first, start - 12, end - 12),
    )


@dataclass(frozen=True)
class UnusualMonth:
    month_id: int
    count: int
    expected: float
    threshold: int

    def as_dict(self) -> dict[str, object]:
        return {
            "month": month_label(self.month_id),
            "count": self.count,
            "expected": round(self.expected, 2),
            "threshold": self.threshold,
        }


def upper_threshold(history: np.ndarray, quantile: float = QUANTILE) -> tuple[float, int]:
    """The trailing mean and the ``quantile`` of a negative binomial (or Poisson) fitted to it.

    Method of moments: ``r = m^2 / (v - m)``, ``p = r / (r + m)``. Returns (mean, threshold),
    the threshold being the smallest count whose cumulative probability reaches ``quantile``.
    """
    mean = float(history.mean())
    if mean == 0.0:
        return 0.0, 0
    variance = float(history.var(ddof=1)) if history.size > 1 else mean
    if variance > mean:
        size = mean * mean / (variance - mean)
        threshold = stats.nbinom.ppf(quantile, size, size / (size + mean))
    else:
        threshold = stats.poisson.ppf(quantile, mean)
    return mean, int(threshold)


def unusual_months(
    series: Sequence[int],
    first: int,
    trailing: int = TRAILING_MONTHS,
    min_history: int = MIN_HISTORY,
    quantile: float = QUANTILE,
    min_count: int = MIN_COUNT,
) -> list[UnusualMonth]:
    """Months whose count is above the upper quantile of their trailing window (see module doc)."""
    values = np.asarray(series, dtype=float)
    found = []
    for i in range(min_history, len(values)):
        count = int(values[i])
        if count < min_count:
            continue
        expected, threshold = upper_threshold(values[max(0, i - trailing) : i], quantile)
        if count > threshold:
            found.append(UnusualMonth(first + i, count, expected, threshold))
    return found


def trend_summary(
    series: Sequence[int], first: int, end: int | None = None, lengths: Sequence[int] = (1, 3, 12)
) -> dict[str, object]:
    """Changes over each period length ending at ``end`` (default: the series' last month)."""
    last = first + len(series) - 1
    end = last if end is None else end
    changes = [change(series, first, end, n).as_dict() for n in lengths if end - n + 1 >= first]
    return {"end": month_label(end), "changes": changes}


# --- Reading through the access policy --------------------------------------------------------

#: The figures whose trends an area shows.
TREND_FIGURES = ("events", "deaths", "events_one_sided", "civilian_deaths")


def data_months(user: AnyUser | None, country: str) -> tuple[int, int] | None:
    """The first and last month of the events in ``country`` that the user may see.

    From the stored country-month figures (their first and last days), which the access policy
    filters as it filters events: a scan of a million events took 8 s.
    """
    bounds = (
        figures.figure_rows(CountryMonthFigure, user, EventFilters())
        .filter(country_code=country)
        .aggregate(first=Min("first_day"), last=Max("last_day"))
    )
    if bounds["first"] is None:
        return None
    return month_id(bounds["first"]), month_id(bounds["last"])


def area_series(user: AnyUser | None, area: Area, first: int, last: int) -> dict[str, list[int]]:
    """The panel's monthly figures of an area (``TREND_FIGURES``), from the stored figures.

    The same numbers as the area's column of ``build_panel`` (the tests compare them), without
    reading the area's events: they are a hundred thousand rows on a busy country.
    """
    rows = (
        figures.area_rows(user, area)
        .filter(violence_type__in=PANEL_TYPES)
        .values("month", "violence_type")
        .annotate(n=Sum("events"), dead=Sum("deaths"), civilians=Sum("civilian_deaths"))
    )
    series = {name: [0] * (last - first + 1) for name in TREND_FIGURES}
    for row in rows:
        at = month_id(row["month"]) - first
        if not 0 <= at <= last - first:
            continue
        series["events"][at] += row["n"]
        series["deaths"][at] += row["dead"]
        series["civilian_deaths"][at] += row["civilians"]
        if row["violence_type"] == ViolenceType.ONE_SIDED:
            series["events_one_sided"][at] += row["n"]
    return series


def area_trends(
    user: AnyUser | None,
    area: Area,
    end: int | None = None,
    lengths: Sequence[int] = (1, 3, 12),
) -> dict[str, Any] | None:
    """Trends of an area's visible events, per figure; None when the user sees no event there.

    The series runs over the months of the whole country's visible record, so the latest period
    ends with the country's last month of data even when the area was quiet then.
    """
    span = data_months(user, area.country_code)
    if span is None:
        return None
    first, last = span
    end = last if end is None else min(max(end, first), last)
    found = {}
    for figure, series in area_series(user, area, first, last).items():
        summary = trend_summary(series, first, end, lengths)
        unusual = [u for u in unusual_months(series, first) if u.month_id <= end]
        found[figure] = {**summary, "unusual": [u.as_dict() for u in reversed(unusual)]}
    return {
        "area": area.code,
        "first": month_label(first),
        "last": month_label(last),
        "end": month_label(end),
        "figures": found,
        "rule": rule(),
    }


def rule() -> dict[str, Any]:
    """The unusual-month rule and its parameters, as pages and the API state them."""
    return {
        "name": RULE_NAME,
        "trailing_months": TRAILING_MONTHS,
        "min_history": MIN_HISTORY,
        "quantile": QUANTILE,
        "min_count": MIN_COUNT,
    }
