"""Trends: the rule on planted series, and the figures on the real CAR file against the CSV.

Expected counts are computed from ``ged_23_1_CAF.csv`` with the csv module (``ged_rows``), not
from our panels, so a bug in either side makes the test fail.
"""

from __future__ import annotations

from datetime import date as D
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User

from commonground.analysis.panels import build_panel, month_id, parse_month
from commonground.analysis.trends import (
    MIN_COUNT,
    TREND_FIGURES,
    area_series,
    area_trends,
    change,
    data_months,
    percent,
    unusual_months,
    upper_threshold,
)
from commonground.core.models import Area, ImportRun
from commonground.events.models import Event
from commonground.events.queries import area_events
from commonground.events.tests.conftest import GedRow
from commonground.sharing.models import Organization, Sensitivity

FIRST = parse_month("2010-01")


# --- Pure functions -----------------------------------------------------------------------------


def test_change_against_the_period_before_and_the_year_before() -> None:
    series = list(range(1, 25))  # 2010-01 has 1 event ... 2011-12 has 24
    found = change(series, FIRST, parse_month("2011-12"), 3)
    assert (found.current, found.previous, found.year_before) == (
        22 + 23 + 24,
        19 + 20 + 21,
        10 + 11 + 12,
    )
    assert found.vs_previous == 9 and found.vs_year_before == 69 - 33
    assert found.pct_year_before == round(100 * 36 / 33, 1)


def test_a_comparison_before_the_record_is_unknown_not_zero() -> None:
    found = change([0, 0, 5], FIRST, FIRST + 2, 1)
    assert (found.current, found.previous, found.year_before) == (5, 0, None)
    assert found.pct_previous is None  # "up from nothing" has no percentage
    assert percent(5, None) is None
    with pytest.raises(ValueError, match="outside the data"):
        change([1, 2], FIRST, FIRST + 5, 1)


def test_a_planted_surge_is_flagged_and_a_flat_series_is_not() -> None:
    rng = np.random.default_rng(7)
    quiet = [int(v) for v in rng.poisson(2.0, 36)]
    series = [*quiet, 25, *[int(v) for v in rng.poisson(2.0, 6)]]
    flagged = unusual_months(series, FIRST)
    assert [u.month_id for u in flagged] == [FIRST + 36]
    assert flagged[0].count == 25 and flagged[0].threshold < 25

    assert unusual_months([4] * 60, FIRST) == []
    assert unusual_months([int(v) for v in rng.poisson(3.0, 60)], FIRST) == []


def test_the_threshold_widens_with_over_dispersion() -> None:
    steady = np.array([5.0] * 24)
    bursty = np.array([0.0, 0.0, 0.0, 20.0] * 6)
    assert upper_threshold(steady)[1] < upper_threshold(bursty)[1]
    assert upper_threshold(steady)[0] == upper_threshold(bursty)[0] == 5.0


def test_small_counts_after_a_quiet_spell_are_not_a_surge() -> None:
    series = [0] * 30 + [MIN_COUNT - 1]
    assert unusual_months(series, FIRST) == []
    assert [u.count for u in unusual_months([0] * 30 + [MIN_COUNT], FIRST)] == [MIN_COUNT]


# --- On the real CAR file ---------------------------------------------------------------------


def months_total(rows: list[GedRow], start: str, end: str, key: str = "") -> dict[str, int]:
    """Events and deaths of ``rows`` whose start date falls in months ``start..end``."""
    chosen = [r for r in rows if start <= r["date_start"][:7] <= end]
    return {
        "events": len(chosen),
        "deaths": sum(int(r["best"]) for r in chosen),
        "events_one_sided": sum(1 for r in chosen if r["type_of_violence"] == "3"),
        "civilian_deaths": sum(int(r["deaths_civilians"]) for r in chosen),
    }


def by_period(found: dict[str, Any], figure: str, months: int) -> dict[str, Any]:
    return next(c for c in found["figures"][figure]["changes"] if c["months"] == months)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "adm_1"), [("CAF", None), ("CAF.ouaka", "Ouaka province")], ids=["country", "ouaka"]
)
def test_trend_figures_equal_counts_from_the_csv(
    ged_imported: ImportRun, ged_rows: list[GedRow], code: str, adm_1: str | None
) -> None:
    rows = [r for r in ged_rows if adm_1 is None or r["adm_1"] == adm_1]
    last = max(r["date_start"][:7] for r in ged_rows)
    assert last == "2022-12"

    found = area_trends(None, Area.objects.get(code=code))

    assert found is not None and found["end"] == last
    periods = {
        3: (("2022-10", "2022-12"), ("2022-07", "2022-09"), ("2021-10", "2021-12")),
        12: (("2022-01", "2022-12"), ("2021-01", "2021-12"), ("2021-01", "2021-12")),
    }
    for months, (now, before, year_before) in periods.items():
        for figure in ("events", "deaths", "events_one_sided", "civilian_deaths"):
            row = by_period(found, figure, months)
            assert (row["from"], row["to"]) == now
            assert row["current"] == months_total(rows, *now)[figure], (figure, months)
            assert row["previous"] == months_total(rows, *before)[figure], (figure, months)
            assert row["year_before"] == months_total(rows, *year_before)[figure], (figure, months)


@pytest.mark.django_db
def test_unusual_months_on_the_real_file_are_real_peaks(
    ged_imported: ImportRun, ged_rows: list[GedRow]
) -> None:
    found = area_trends(None, Area.objects.get(code="CAF"))
    assert found is not None
    unusual = found["figures"]["events"]["unusual"]
    assert unusual, "thirty years of CAR conflict with not one unusual month?"
    per_month: dict[str, int] = {}
    for row in ged_rows:
        per_month[row["date_start"][:7]] = per_month.get(row["date_start"][:7], 0) + 1
    for month in unusual:
        assert month["count"] == per_month[month["month"]]
        assert month["count"] > month["threshold"] >= month["expected"]


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_no_trend_of_restricted_records(
    ged_imported: ImportRun, cast: dict[str, User]
) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    event = Event.objects.filter(admin1__code="CAF.ouaka", date_start__year=2022).first()
    assert event is not None
    event.pk, event.source_id, event.dataset = None, "JMAC-T-1", "jmac-incidents"
    event.owner, event.sensitivity = jmac, Sensitivity.RESTRICTED
    event.date_start = event.date_end = event.date_start.replace(month=12, day=15)
    event.save()
    ouaka = Area.objects.get(code="CAF.ouaka")

    public = area_trends(None, ouaka)
    analyst = area_trends(cast["amina"], ouaka)
    civil_society = area_trends(cast["jean"], ouaka)

    assert public and analyst and civil_society
    assert (
        by_period(analyst, "events", 1)["current"] == by_period(public, "events", 1)["current"] + 1
    )
    assert by_period(civil_society, "events", 1) == by_period(public, "events", 1)


@pytest.mark.django_db
def test_stored_series_equal_the_panel_of_the_events_in_every_area(
    ged_imported: ImportRun, ged_rows: list[GedRow]
) -> None:
    span = data_months(None, "CAF")
    starts = sorted(r["date_start"] for r in ged_rows)
    assert span == (
        month_id(D.fromisoformat(starts[0][:10])),
        month_id(D.fromisoformat(starts[-1][:10])),
    )
    first, last = span
    areas = Area.objects.filter(country_code="CAF")
    assert areas.count() > 50  # the country, its admin-1 and admin-2 areas
    for area in areas:
        panel = build_panel(area_events(None, area), "CAF", "country", first, last)
        expected = {name: panel.frame.get_column(name).to_list() for name in TREND_FIGURES}
        assert area_series(None, area, first, last) == expected, area.code
