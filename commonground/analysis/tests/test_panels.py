"""Panels on the real UCDP GED 23.1 CAR file: totals add up, zeros are there, unknowns apart."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from commonground.analysis.panels import (
    FIGURES,
    build_panel,
    month_id,
    month_label,
    month_start,
    parse_month,
)
from commonground.core.models import Area, AreaLevel, ImportRun
from commonground.events.models import Event
from commonground.events.queries import visible_events
from commonground.events.tests.conftest import GedRow

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ged_imported")]

GED_TYPES = {"1": "state_based", "2": "non_state", "3": "one_sided"}


def test_month_ids_round_trip() -> None:
    assert month_id(datetime.date(2014, 1, 31)) == 2014 * 12
    assert month_start(2014 * 12 + 11) == datetime.date(2014, 12, 1)
    assert month_label(parse_month("1989-01")) == "1989-01"
    with pytest.raises(ValueError, match="2014-13"):
        parse_month("2014-13")


@pytest.mark.parametrize("level", ["country", "admin1", "priogrid"])
def test_panel_totals_equal_the_files_totals(
    ged_rows: list[GedRow], level: str, ged_imported: ImportRun
) -> None:
    panel = build_panel(visible_events(None), "CAF", level)  # type: ignore[arg-type]  # parametrized Level
    totals = panel.frame.select(pl.col(f).sum() for f in FIGURES).row(0, named=True)
    unknown = panel.unknown.select(pl.col(f).sum() for f in FIGURES).row(0, named=True)
    assert totals["events"] + unknown["events"] == len(ged_rows)
    assert totals["deaths"] + unknown["deaths"] == sum(int(r["best"]) for r in ged_rows)
    for code, name in GED_TYPES.items():
        rows = [r for r in ged_rows if r["type_of_violence"] == code]
        assert totals[f"events_{name}"] + unknown[f"events_{name}"] == len(rows)
        assert totals[f"deaths_{name}"] + unknown[f"deaths_{name}"] == sum(
            int(r["best"]) for r in rows
        )


def test_panel_is_zero_filled_over_every_unit_and_month(ged_rows: list[GedRow]) -> None:
    panel = build_panel(visible_events(None), "CAF", "admin1")
    starts = sorted(r["date_start"][:7] for r in ged_rows)
    admin1 = Area.objects.filter(country_code="CAF", level=AreaLevel.ADMIN1).count()
    months = panel.last_month - panel.first_month + 1
    assert panel.frame.height == admin1 * months
    assert (month_label(panel.first_month), month_label(panel.last_month)) == (
        starts[0],
        starts[-1],
    )
    assert (panel.frame.get_column("events") == 0).sum() > 0
    assert panel.frame.select(pl.struct("unit", "month_id").is_unique().all()).item()


def test_events_with_no_admin1_are_counted_apart(ged_rows: list[GedRow]) -> None:
    panel = build_panel(visible_events(None), "CAF", "admin1")
    without = [r for r in ged_rows if not r["adm_1"].strip()]
    assert panel.unknown.get_column("events").sum() == len(without)
    assert Event.objects.filter(admin1__isnull=True).count() == len(without)


def test_month_range_limits_the_panel(ged_rows: list[GedRow]) -> None:
    start, end = parse_month("2014-01"), parse_month("2014-12")
    panel = build_panel(visible_events(None), "CAF", "country", start, end)
    in_2014 = [r for r in ged_rows if r["date_start"].startswith("2014")]
    assert panel.frame.height == 12
    assert panel.frame.get_column("events").sum() == len(in_2014)
