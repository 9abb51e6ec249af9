"""Honest dates (issue 10 §3): every page that shows a period says how old the data is.

On the real GED file, whose last event is in December 2022, years before today: the expected
month and age come from the CSV file and today's date, never from our queries.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from commonground.analysis.freshness import OLD_AFTER_MONTHS, duration_words
from commonground.web.tests.conftest import FullData

pytestmark = pytest.mark.django_db


def text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def last_event(full_data: FullData) -> datetime.date:
    with full_data.path.open(newline="", encoding="utf-8") as handle:
        return max(
            datetime.date.fromisoformat(r["date_start"][:10]) for r in csv.DictReader(handle)
        )


def expected_age(last: datetime.date) -> tuple[str, int]:
    """``Data ends December 2022, 4 years before today.`` and the months behind."""
    today = timezone.localdate()
    months = (today.year - last.year) * 12 + today.month - last.month
    month = f"{calendar.month_name[last.month]} {last.year}"
    return f"Data ends {month}, {duration_words(months)} before today.", months


@pytest.mark.parametrize("url", ["/", "/areas/CAF.ouaka/", "/coverage/?country=CAF"])
def test_pages_that_show_a_period_say_how_old_the_data_is(
    full_data: FullData, client: Client, url: str
) -> None:
    sentence, months = expected_age(last_event(full_data))
    page = text(client.get(url).content)
    assert sentence in page
    assert months > OLD_AFTER_MONTHS  # the real data is years old: the warning must show
    assert "Old data." in page
    assert "what happened since is not shown" in page


def test_the_overview_names_its_periods_by_their_months(
    full_data: FullData, client: Client
) -> None:
    last = last_event(full_data)
    page = text(client.get("/").content)
    year = f"Jan\N{EN DASH}Dec {last.year}"
    assert f"{year}, the last 12 months of data" in page
    assert f"Jan {last.year - 4} \N{EN DASH} Dec {last.year}, the last 5 years of data" in page
    assert f"Central African Republic: {year}" in page
    assert "Latest 12 months" not in page and "Latest 5 years" not in page


def test_area_trends_are_the_last_months_of_data_not_of_today(
    full_data: FullData, client: Client
) -> None:
    page = text(client.get("/areas/CAF.ouaka/").content)
    assert "Last 12 months of data" in page and "Latest 12 months" not in page


def test_the_dates_speak_french(full_data: FullData, client: Client) -> None:
    last = last_event(full_data)
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content)
    translation.activate("en")  # the request left French active in this thread
    assert f"Les données s\N{RIGHT SINGLE QUOTATION MARK}arrêtent en décembre {last.year}" in page
    assert f"jan.\N{EN DASH}déc. {last.year}, les 12 derniers mois de données" in page
    assert "Données anciennes." in page
