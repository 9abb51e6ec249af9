"""The overview (``/``) on the real UCDP GED file and registries.

Expected figures come from the CSV files through Python's csv module, never from our queries.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.events.models import Event
from commonground.sharing.models import Organization, Sensitivity
from commonground.web.overview import Headline, Period, chosen_period, latest_months
from commonground.web.tests.conftest import FullData

D = datetime.date


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def figures(rows: list[dict[str, str]], first: str, last: str) -> dict[str, float]:
    chosen = [r for r in rows if first <= r["date_start"][:10] <= last]
    events = len(chosen)
    return {
        "events": events,
        "deaths": sum(int(r["best"]) for r in chosen),
        "civilians": sum(int(r["deaths_civilians"]) for r in chosen),
        "one_sided": 100 * sum(r["type_of_violence"] == "3" for r in chosen) / events,
    }


# --- Periods (pure) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period(D(2022, 1, 1), D(2022, 12, 31)), Period(D(2021, 1, 1), D(2021, 12, 31))),
        (Period(D(2021, 1, 1), D(2021, 12, 31)), Period(D(2020, 1, 1), D(2020, 12, 31))),
        (Period(D(2014, 3, 1), D(2014, 4, 30)), Period(D(2014, 1, 1), D(2014, 2, 28))),
        (Period(D(2014, 1, 10), D(2014, 1, 19)), Period(D(2013, 12, 31), D(2014, 1, 9))),
    ],
)
def test_previous_period_has_equal_length(period: Period, previous: Period) -> None:
    assert period.previous() == previous


def test_default_period_is_the_twelve_months_up_to_the_latest_event() -> None:
    from commonground.events.schemas import EventFilters

    assert latest_months(D(2022, 12, 30), 12) == Period(D(2022, 1, 1), D(2022, 12, 31))
    assert latest_months(D(2020, 2, 3), 12) == Period(D(2019, 3, 1), D(2020, 2, 29))
    assert chosen_period(EventFilters(), D(1991, 8, 8), D(2022, 12, 30)) == Period(
        D(2022, 1, 1), D(2022, 12, 31)
    )
    only_from = EventFilters(date_from=D(2014, 1, 1))
    assert chosen_period(only_from, D(1991, 8, 8), D(2022, 12, 30)) == Period(
        D(2014, 1, 1), D(2022, 12, 30)
    )
    assert chosen_period(EventFilters(), None, None) is None


def test_change_is_told_in_percent_or_points() -> None:
    assert Headline("e", "Events", 50, 100).change_text == "\N{MINUS SIGN}50 %"
    assert Headline("e", "Events", 3, 0).change_text == "none in the previous period"
    share = Headline("s", "Share", 42.25, 40.0, is_share=True)
    assert share.change_text == "+2.2 points" or share.change_text == "+2.3 points"
    assert Headline("e", "Events", 7, 7).change_text == "±0 %"


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overview_defaults_to_the_country_with_most_events_and_its_latest_year(
    full_data: FullData, client: Client
) -> None:
    rows = csv_rows(full_data.path)
    now = figures(rows, "2022-01-01", "2022-12-31")
    before = figures(rows, "2021-01-01", "2021-12-31")

    response = client.get("/")
    page = text(response.content)

    assert response.status_code == 200
    picture = response.context["picture"]
    assert picture["country"] == "CAF"
    assert picture["period"] == Period(D(2022, 1, 1), D(2022, 12, 31))
    assert "All years: 1,848 events, from 1991-08-08 to 2022-12-30." in page
    headline = {h.key: h for h in picture["headlines"]}
    assert headline["events"].value == now["events"]
    assert headline["events"].previous == before["events"]
    assert headline["deaths"].value == now["deaths"]
    assert headline["civilians"].value == now["civilians"]
    assert headline["one-sided"].value == pytest.approx(now["one_sided"])
    assert headline["one-sided"].previous == pytest.approx(before["one_sided"])
    assert f"Events {now['events']:,}" in page
    assert "the period of equal length just before, 2021-01-01 to 2021-12-31" in page


@pytest.mark.django_db
def test_most_affected_areas_link_to_area_pages(full_data: FullData, client: Client) -> None:
    rows = csv_rows(full_data.path)
    in_2014 = [r for r in rows if r["date_start"].startswith("2014")]
    top = max(
        {r["adm_1"] for r in in_2014 if r["adm_1"]},
        key=lambda a: sum(r["adm_1"] == a for r in in_2014),
    )
    response = client.get(
        "/", {"country": "CAF", "date_from": "2014-01-01", "date_to": "2014-12-31"}
    )

    areas = response.context["picture"]["areas"]
    assert areas[0]["name_en"] == top.removesuffix(" province")
    assert areas[0]["events"] == sum(r["adm_1"] == top for r in in_2014)
    assert len(areas) == 10
    html = response.content.decode()
    assert f'href="/areas/{areas[0]["code"]}/"' in html
    located = sum(1 for r in in_2014 if r["adm_1"])
    assert response.context["picture"]["without_admin1"] == len(in_2014) - located


@pytest.mark.django_db
def test_operations_present_in_the_period(full_data: FullData, client: Client) -> None:
    with (Path(full_data.path).parent / "operations.csv").open(encoding="utf-8") as handle:
        hosted = {
            r["acronym"]
            for r in csv.DictReader(handle)
            if "CAF" in r["host_countries"].split(";")
            and r["start_date"][:4] <= "2014"
            and (not r["end_date"] or r["end_date"][:4] >= "2014")
        }
    response = client.get(
        "/", {"country": "CAF", "date_from": "2014-01-01", "date_to": "2014-12-31"}
    )

    shown = {op.acronym for op in response.context["picture"]["operations"]}
    assert shown == hosted
    assert {"MINUSCA", "MISCA"} <= shown
    organizations = [
        row["organization"].name for row in response.context["picture"]["organizations"]
    ]
    assert any("MINUSCA" in name or "Stabilization Mission" in name for name in organizations)


@pytest.mark.django_db
def test_timeline_and_map_are_on_the_page(full_data: FullData, client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    timeline = json.loads(re.search(r'id="timeline-data"[^>]*>(.*?)</script>', html).group(1))  # type: ignore[union-attr]  # the page embeds it

    assert sum(timeline["events"]) == 1848
    assert timeline["months"][0] == "1991-08-01" and timeline["months"][-1] == "2022-12-01"
    assert timeline["range"] == ["2022-01-01", "2022-12-31"]
    assert 'id="map"' in html and "/static/plotly/plotly.min.js" in html
    assert 'data-query="country=CAF&amp;date_from=2022-01-01&amp;date_to=2022-12-31"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "events"), [(None, 1848), ("amina", 1849)])
def test_restricted_events_count_only_for_those_who_may_see_them(
    full_data: FullData, username: str | None, events: int
) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    event = Event.objects.get(dataset="ucdp-ged", source_id="36210")
    event.pk = None
    event._state.adding = True
    event.dataset, event.source_id = "jmac-incidents", "JMAC-OVERVIEW"
    event.owner, event.sensitivity = jmac, Sensitivity.RESTRICTED
    event.save()
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))

    picture = client.get("/", {"country": "CAF"}).context["picture"]

    assert picture["overall"]["events"] == events


@pytest.mark.django_db
def test_overview_in_french(full_data: FullData, client: Client) -> None:
    page = text(client.get("/", {"lang": "fr"}).content)

    assert "Zones les plus touchées" in page
    assert "Opérations présentes" in page
    assert "Toutes les années : 1 848 événements" in page.replace(
        "\N{NO-BREAK SPACE}", " "
    ).replace("\N{NARROW NO-BREAK SPACE}", " ")


@pytest.mark.django_db
def test_a_bad_period_is_named_and_the_default_used(full_data: FullData, client: Client) -> None:
    response = client.get("/", {"country": "CAF", "date_from": "2014-13-01"})

    assert response.status_code == 400
    assert "From: “2014-13-01” — write the date as YYYY-MM-DD" in response.content.decode()
    assert response.context["picture"]["period"] == Period(D(2022, 1, 1), D(2022, 12, 31))
