"""The review calendar on the real files: intervals, the two-year flag, and what changed,
recomputed here from the GED and implementation-events CSV files with the csv module."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from django.test import Client

from commonground.core.models import ImportRun
from commonground.mandates.tests.conftest import EVENTS

pytestmark = pytest.mark.django_db


def test_intervals_follow_the_renewals_and_say_what_is_missing(
    client: Client, tasks_run: ImportRun
) -> None:
    page = client.get("/mandates/MINUSCA/reviews/")
    assert page.status_code == 200
    windows = page.context["windows"]
    assert [w.before.number for w in windows][:3] == [2149, 2217, 2301]
    assert windows[-1].after is None and windows[-1].end == datetime.date.today()
    for w in windows:
        assert w.too_long is ((w.end - w.start).days > 731)
    assert "not in the data" in page.content.decode()
    assert client.get("/mandates/MINUSCA/reviews/?lang=fr").status_code == 200


def test_events_and_agreement_events_between_two_renewals_equal_the_csv(
    client: Client,
    ged_run: ImportRun,
    tasks_run: ImportRun,
    events_run: ImportRun,
    geopko_run: ImportRun,
    data_dir: Path,
) -> None:
    windows = client.get("/mandates/MINUSCA/reviews/").context["windows"]
    window = next(w for w in windows if w.before.number == 2448)  # 2018-12-13 to 2019-11-15
    start, end = window.start.isoformat(), window.end.isoformat()
    events = deaths = 0
    with (data_dir / "ged_23_1_CAF.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if start <= row["date_start"][:10] < end:
                events += 1
                deaths += int(row["best"])
    assert (window.events, window.deaths) == (events, deaths)
    with (data_dir / EVENTS).open(encoding="utf-8", newline="") as handle:
        dated = [r for r in csv.DictReader(handle) if start <= r["date"] < end]
    # Month-only dates (YYYY-MM) count from the month's first day.
    expected = {r["event_id"] for r in dated if len(r["date"]) == 10 or r["date"] + "-01" >= start}
    assert {e.key for e in window.agreement_events} == expected
    assert window.advances + window.setbacks == len(expected)
