"""The benchmark and assumption-flag rules on small hand-made series (pure logic)."""

from __future__ import annotations

import datetime

import pytest

from commonground.learning.assess import (
    MET,
    NO_DATA,
    NOT_MET,
    benchmark_statuses,
    current_status,
    movement,
)

JAN, FEB, MAR, APR, MAY = (datetime.date(2020, m, 1) for m in range(1, 6))


def test_met_needs_the_run_of_months_with_data() -> None:
    series = {JAN: 1.0, FEB: 1.0, MAR: 5.0, APR: 0.0, MAY: 1.0}
    statuses = benchmark_statuses(series, "lt", 2, 2, JAN, MAY)
    assert [s.status for s in statuses] == [NOT_MET, MET, NOT_MET, NOT_MET, MET]
    assert [s.run for s in statuses] == [1, 2, 0, 1, 2]


def test_a_month_without_data_breaks_the_run_and_is_no_data() -> None:
    series = {JAN: 0.0, FEB: 0.0, APR: 0.0, MAY: 0.0}
    statuses = benchmark_statuses(series, "le", 0, 2, JAN, MAY)
    assert [s.status for s in statuses] == [NOT_MET, MET, NO_DATA, NOT_MET, MET]
    assert current_status(statuses) == MET
    assert current_status(benchmark_statuses({}, "lt", 1, 1, JAN, FEB)) == NO_DATA


@pytest.mark.parametrize(
    ("comparison", "value", "holds"),
    [("lt", 2, False), ("le", 2, True), ("ge", 2, True), ("gt", 2, False), ("gt", 3, True)],
)
def test_comparisons_at_the_threshold(comparison: str, value: float, holds: bool) -> None:
    (status,) = benchmark_statuses({JAN: value}, comparison, 2, 1, JAN, JAN)
    assert status.holds is holds


def test_assumption_flagged_only_beyond_the_margin() -> None:
    series = {JAN: 10.0, FEB: 12.0, MAR: 14.0}  # recent mean 12
    at_margin = movement(series, 10.0, "decrease", 0.2)  # moved 2, allowed 2
    assert (at_margin.against, at_margin.allowance, at_margin.flagged) == (2.0, 2.0, False)
    assert movement(series, 10.0, "decrease", 0.1).flagged
    assert not movement(series, 10.0, "increase", 0.1).flagged  # higher is better: moved well
    assert movement(series, 16.0, "increase", 0.1).flagged


def test_assumption_without_baseline_or_data_is_not_flagged() -> None:
    assert movement({JAN: 5.0}, None, "decrease", 0.1).reason == "no_baseline"
    assert movement({}, 1.0, "decrease", 0.1).reason == "no_data"
    zero = movement({JAN: 0.5}, 0.0, "decrease", 0.4)
    assert zero.allowance == 0.4 and zero.flagged
