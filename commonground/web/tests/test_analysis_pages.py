"""Trends on area pages, networks on actor pages and the map's hot spot layer, on the real file.

Expected figures come from the CSV read with the csv module. A restricted incident of the
MINUSCA JMAC checks that an anonymous visitor gets no analysis of it.
"""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from commonground.analysis.tests.test_coverage import plant_forecast
from commonground.core.services import do_import
from commonground.events.models import Event
from commonground.registry.importers import PRESENCE
from commonground.registry.models import Actor, ActorIdentifier, ActorKind
from commonground.sharing.models import Organization, Sensitivity
from commonground.sharing.services import local_organization
from commonground.web.tests.conftest import RealData

pytestmark = pytest.mark.django_db


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]  # test client response
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(response: object, element_id: str) -> str:
    """The text of one element of the page, found by id (up to its section's end)."""
    html = response.content.decode()  # type: ignore[attr-defined]  # test client response
    start = html.index(f'id="{element_id}"')
    end = html.index("</section>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end]))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def restricted_incident(secret: Actor | None = None) -> Event:
    """A JMAC incident in Ouaka in December 2022, restricted to the mission."""
    event = Event.objects.filter(admin1__code="CAF.ouaka", violence_type="non_state").first()
    assert event is not None
    event.pk, event.source_id, event.dataset = None, "JMAC-W-1", "jmac-incidents"
    event.owner = Organization.objects.get(slug="minusca-jmac")
    event.sensitivity = Sensitivity.RESTRICTED
    event.date_start = event.date_end = datetime.date(2022, 12, 20)
    if secret is not None:
        event.actor2 = secret
    event.save()
    return event


# --- Trends on the area page ------------------------------------------------------------------


def test_area_trends_equal_counts_from_the_csv(real_data: RealData, client: Client) -> None:
    rows = [r for r in csv_rows(real_data.path) if r["adm_1"] == "Ouaka province"]
    latest_quarter = sum(1 for r in rows if "2022-10" <= r["date_start"][:7] <= "2022-12")
    quarter_before = sum(1 for r in rows if "2022-07" <= r["date_start"][:7] <= "2022-09")
    a_year_before = sum(1 for r in rows if "2021-10" <= r["date_start"][:7] <= "2021-12")

    page = client.get("/areas/CAF.ouaka/")

    assert page.status_code == 200
    html = page.content.decode()
    row = re.search(r'<tr data-figure="events" data-months="3">(.*?)</tr>', html, re.S)
    assert row is not None
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in found]
    assert cells[1] == str(latest_quarter)
    assert cells[2] == str(quarter_before)
    assert cells[4] == str(a_year_before)
    assert "Unusual months" in section(page, "trends")
    assert "negative binomial" in section(page, "trends")


def test_an_anonymous_visitor_gets_no_trend_of_a_restricted_incident(
    real_data: RealData, client: Client
) -> None:
    restricted_incident()

    def latest_month(response: object) -> str:
        html = response.content.decode()  # type: ignore[attr-defined]  # test client response
        pattern = r'<tr data-figure="events" data-months="1">.*?<td class="num">(\d+)</td>'
        row = re.search(pattern, html, re.S)
        assert row is not None
        return row.group(1)

    anonymous = latest_month(client.get("/areas/CAF.ouaka/"))
    analyst = latest_month(signed_in(real_data.cast["amina"]).get("/areas/CAF.ouaka/"))
    civil_society = latest_month(signed_in(real_data.cast["jean"]).get("/areas/CAF.ouaka/"))

    assert int(analyst) == int(anonymous) + 1
    assert civil_society == anonymous


# --- The network on the actor page ------------------------------------------------------------


def test_actor_page_ranks_the_actor_in_the_network(real_data: RealData, client: Client) -> None:
    rows = csv_rows(real_data.path)
    fights = [r for r in rows if r["type_of_violence"] in {"1", "2"}]
    counts: dict[str, set[str]] = {}
    for r in fights:
        counts.setdefault(r["side_a_new_id"], set()).add(r["side_b_new_id"])
        counts.setdefault(r["side_b_new_id"], set()).add(r["side_a_new_id"])
    most = max(counts, key=lambda side: len(counts[side]))
    actor_id = ActorIdentifier.objects.get(scheme="ucdp", value=most).actor_id

    page = client.get(f"/actors/{actor_id}/")

    assert page.status_code == 200
    html = page.content.decode()
    own = re.search(r'<tr class="current" aria-current="true">(.*?)</tr>', html, re.S)
    assert own is not None
    numbers = re.findall(r'<td class="num">([^<]*)</td>', own.group(1))
    assert numbers[1] == str(len(counts[most]))  # opponents: distinct sides it fought
    assert "Year by year" in section(page, "network")


def test_a_restricted_opponent_stays_out_of_the_network(
    real_data: RealData, client: Client
) -> None:
    secret = Actor.objects.create(name="Ouaka informant network", kind=ActorKind.MILITIA)
    event = restricted_incident(secret)
    assert event.actor1 is not None

    anonymous = section(client.get(f"/actors/{event.actor1.pk}/"), "network")
    marc = signed_in(real_data.cast["marc"])
    mission = section(marc.get(f"/actors/{event.actor1.pk}/"), "network")

    assert "Ouaka informant network" in mission
    assert "Ouaka informant network" not in anonymous


# --- The hot spot layer -------------------------------------------------------------------------


def test_hotspot_layer_data(real_data: RealData, client: Client) -> None:
    answer = client.get("/map/data/hotspots.json", {"country": "CAF"}).json()
    assert answer["windows"][-1] == {"from": "2022-01", "to": "2022-12"}
    assert answer["cells"], "no hot spot anywhere in five years of the CAR"
    assert {c["category"] for c in answer["cells"]} <= {
        "emerging",
        "persistent",
        "recurring",
        "cooling",
        "former",
    }
    assert sum(answer["summary"].values()) > len(answer["cells"])  # "none" cells are counted

    one_sided = client.get(
        "/map/data/hotspots.json",
        {"country": "CAF", "violence_type": "one_sided", "date_to": "2016-06-30"},
    ).json()
    assert one_sided["figure"] == "events_one_sided"
    assert one_sided["windows"][-1] == {"from": "2015-07", "to": "2016-06"}

    assert client.get("/map/data/hotspots.json").json()["cells"] == []


def test_map_offers_the_hotspot_layer(real_data: RealData, client: Client) -> None:
    page = client.get("/map/", {"country": "CAF", "hotspots": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="hotspots" value="1" data-url="/map/data/hotspots.json" checked' in html
    assert "How hot spots are found" in html


# --- The coverage page ------------------------------------------------------------------------


def import_presence() -> None:
    folder = Path(settings.COMMONGROUND_DATA_DIR)
    do_import(PRESENCE, folder / "presence_CAF.csv", owner=local_organization())


def test_coverage_without_a_forecast_says_so(real_data: RealData, client: Client) -> None:
    import_presence()
    page = client.get("/coverage/")
    assert page.status_code == 200
    body = text(page)
    assert "No forecast has been made for this country." in body
    assert "not a forecast" in body
    assert "Method and limits" in body
    html = page.content.decode()
    assert 'href="/coverage/" aria-current="page"' in html
    ranked = re.findall(r'<tr data-unit="([^"]+)" data-protection="([a-z]+)">', html)
    assert len(ranked) == 17  # the 16 prefectures and Bangui
    assert {p for _u, p in ranked} <= {"present", "uncertain", "none"}


def test_coverage_with_a_forecast_ranks_high_risk_nobody_there_first(
    real_data: RealData, client: Client
) -> None:
    import_presence()
    plant_forecast({"CAF.ouaka": 0.3, "CAF.vakaga": 0.3, "CAF.sangha-mbaere": 0.7})

    page = client.get("/coverage/", {"country": "CAF"})

    html = page.content.decode()
    assert "Forecast by the model planted" in text(page)
    assert "No forecast has been made" not in text(page)
    ranked = re.findall(r'<tr data-unit="([^"]+)" data-protection="([a-z]+)">', html)
    assert ranked[0] == ("CAF.sangha-mbaere", "none")
    assert 'id="coverage-map-data"' in html
    assert client.get("/coverage/", {"country": "MLI"}).status_code == 404
