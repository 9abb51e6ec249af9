"""A period across the map, area, actor and events pages: "who targeted civilians where, in 2014?"

Every expected figure is computed from the real UCDP GED file of the CAR (Polars), never typed.
Periods of whole months are answered by the stored monthly figures; a period that cuts a month
is read from the events: both are checked against the file.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import polars as pl
import pytest
from django.test import Client, override_settings

from commonground.registry.models import Actor
from commonground.web.tests.conftest import RealData

pytestmark = pytest.mark.django_db

YEAR_2014 = {"date_from": "2014-01-01", "date_to": "2014-12-31"}
#: A period that starts and ends inside a month: the figures are read from the events.
CUT_MONTHS = {"date_from": "2014-01-15", "date_to": "2014-06-10"}


def ged(data: RealData, period: dict[str, str]) -> pl.DataFrame:
    """The file's events whose start date falls in the period (as the filters read dates)."""
    frame = pl.read_csv(data.path, infer_schema_length=0).with_columns(
        pl.col("date_start").str.slice(0, 10).str.to_date("%Y-%m-%d").alias("day"),
        pl.col("best").cast(pl.Int64),
        pl.col("deaths_civilians").cast(pl.Int64),
    )
    start = datetime.date.fromisoformat(period["date_from"])
    end = datetime.date.fromisoformat(period["date_to"])
    return frame.filter(pl.col("day").is_between(start, end))


def perpetrators(frame: pl.DataFrame) -> list[tuple[str, int, int]]:
    """Side A of the one-sided events: events and deaths, most events then deaths then name."""
    one_sided = frame.filter(pl.col("type_of_violence") == "3")
    counted = one_sided.group_by("side_a").agg(pl.len().alias("events"), pl.col("best").sum())
    ranked = counted.sort(["events", "best", "side_a"], descending=[True, True, False])
    return list(ranked.select("side_a", "events", "best").iter_rows())


def headline(response: Any) -> tuple[int, int, int]:
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    found = re.search(
        r"Events ([\d,]+) Deaths \(best estimate\) ([\d,]+) Civilian deaths ([\d,]+)", page
    )
    assert found, page[:2000]
    events, deaths, civilians = (int(g.replace(",", "")) for g in found.groups())
    return events, deaths, civilians


def totals(frame: pl.DataFrame) -> tuple[int, int, int]:
    return frame.height, int(frame["best"].sum()), int(frame["deaths_civilians"].sum())


@pytest.mark.parametrize("period", [YEAR_2014, CUT_MONTHS], ids=["whole-year", "cut-months"])
def test_who_targeted_civilians_in_the_car_in_a_period(
    real_data: RealData, client: Client, period: dict[str, str]
) -> None:
    """One-sided violence in CAF in the period: the perpetrators table counts as the file."""
    rows = ged(real_data, period)
    expected = perpetrators(rows)
    assert len(expected) > 2

    response = client.get("/areas/CAF/", period)

    assert response.status_code == 200
    shown = [(r["actor"].name, r["events"], r["deaths"]) for r in response.context["perpetrators"]]
    assert shown == expected[: len(shown)]
    assert len(shown) == min(len(expected), 15)
    html = response.content.decode()
    assert all(f">{name}</a>" in html for name, _events, _deaths in shown)
    assert headline(response) == totals(rows)


def test_area_page_for_2014_shows_2014_figures_only(real_data: RealData, client: Client) -> None:
    rows = ged(real_data, YEAR_2014).filter(pl.col("adm_1") == "Ouaka province")
    every_year = client.get("/areas/CAF.ouaka/")

    response = client.get("/areas/CAF.ouaka/", YEAR_2014)

    assert headline(response) == totals(rows)
    assert headline(every_year)[0] > rows.height > 0
    months = response.context["chart"]["months"]
    assert months[0] >= "2014-01-01" and months[-1] <= "2014-12-01"
    assert all(e.date_start.year == 2014 for e in response.context["latest"])
    children = {row["area"].code: row["events"] for row in response.context["children"]}
    bambari = rows.filter(pl.col("adm_2") == "Bambari region").height
    assert children["CAF.ouaka.bambari"] == bambari


@override_settings(COMMONGROUND_RESPONSE_CACHE=False)  # each list is read, not replayed
def test_area_page_links_keep_the_period(real_data: RealData, client: Client) -> None:
    """Areas, actors and the events list behind every figure: all for 2014, counts agree."""
    html = client.get("/areas/CAF.ouaka/", YEAR_2014).content.decode().replace("&amp;", "&")
    period = "date_from=2014-01-01&date_to=2014-12-31"

    assert f'href="/areas/CAF/?{period}"' in html  # up
    assert f'href="/areas/CAF.ouaka.bambari/?{period}"' in html  # down
    upc = Actor.objects.get(name="UPC")
    assert f'href="/actors/{upc.pk}/?{period}"' in html
    assert f"/map/?country=CAF&admin1=CAF.ouaka&{period}" in html
    links = re.findall(r'<a href="(/events/\?[^"]*)">([\d,]+)</a>', html)
    assert len(links) > 4
    for url, shown in links:
        assert period in url, url
        listed = client.get(url).context["page"].paginator.count
        assert listed == int(shown.replace(",", "")), url


def test_actor_page_for_a_period(real_data: RealData, client: Client) -> None:
    rows = ged(real_data, YEAR_2014)
    mine = rows.filter((pl.col("side_a") == "anti-Balaka") | (pl.col("side_b") == "anti-Balaka"))
    actor = Actor.objects.get(name="anti-Balaka")

    response = client.get(f"/actors/{actor.pk}/", YEAR_2014)
    html = response.content.decode().replace("&amp;", "&")

    assert headline(response) == totals(mine)
    upc = mine.filter((pl.col("side_a") == "UPC") | (pl.col("side_b") == "UPC")).height
    fights = {d["actor"].name: d["count"] for d in response.context["fights"]}
    assert fights.get("UPC", 0) == upc
    ouaka = mine.filter(pl.col("adm_1") == "Ouaka province").height
    areas = {row["code"]: row["events"] for row in response.context["areas"]}
    assert areas["CAF.ouaka"] == ouaka
    assert 'href="/areas/CAF.ouaka/?date_from=2014-01-01&date_to=2014-12-31"' in html
    assert f"/events/?actor_id={actor.pk}&date_from=2014-01-01&date_to=2014-12-31" in html


def test_map_area_links_keep_the_period(real_data: RealData, client: Client) -> None:
    response = client.get("/map/", {"country": "CAF", **YEAR_2014})
    urls = {area["code"]: area["url"] for area in response.context["areas"]}

    assert urls["CAF.ouaka"] == "/areas/CAF.ouaka/?date_from=2014-01-01&date_to=2014-12-31"
    summary = client.get("/map/data/summary/", {"country": "CAF", **YEAR_2014})
    link = "/areas/CAF.ouaka/?date_from=2014-01-01&amp;date_to=2014-12-31"
    assert link in summary.content.decode()


def test_a_bad_date_is_named_and_the_page_shows_every_date(
    real_data: RealData, client: Client
) -> None:
    every_year = headline(client.get("/areas/CAF.ouaka/"))

    response = client.get("/areas/CAF.ouaka/", {"date_from": "2014-13-01"})

    assert response.status_code == 400
    assert "2014-13-01" in response.content.decode()
    assert headline(response) == every_year


def test_events_list_area_links_keep_the_period(real_data: RealData, client: Client) -> None:
    html = client.get("/events/", {"admin1": "CAF.ouaka", **YEAR_2014}).content.decode()

    assert 'href="/areas/CAF.ouaka/?date_from=2014-01-01&amp;date_to=2014-12-31"' in html
    upc = Actor.objects.get(name="UPC")
    assert f'href="/actors/{upc.pk}/?date_from=2014-01-01&amp;date_to=2014-12-31"' in html


def test_the_actor_network_follows_the_period(real_data: RealData, client: Client) -> None:
    """The network section counts the armed actors (those that fought, and the perpetrators of
    one-sided violence) and the pairs that fought, in 2014 only."""
    year = ged(real_data, YEAR_2014)
    fights = year.filter(pl.col("type_of_violence").is_in(["1", "2"]))
    pairs = {frozenset((a, b)) for a, b in fights.select("side_a", "side_b").iter_rows()}
    perpetrators = set(year.filter(pl.col("type_of_violence") == "3")["side_a"])
    actors = {name for pair in pairs for name in pair} | perpetrators
    actor = Actor.objects.get(name="anti-Balaka")

    network = client.get(f"/actors/{actor.pk}/", YEAR_2014).context["network"]
    every_year = client.get(f"/actors/{actor.pk}/").context["network"]

    assert (network["actors"], network["edges"]) == (len(actors), len(pairs))
    assert network["months"] == ("2014-01", "2014-12")
    assert every_year["actors"] > network["actors"]
    assert every_year["months"] is None
