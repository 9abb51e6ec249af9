"""The map page and its JSON endpoints, on the real UCDP GED file and registries.

Expected figures come from the CSV files through Python's csv module.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import resolve

from commonground.core.geo import priogrid_centre
from commonground.events.models import Event
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.web.tests.conftest import FullData

pytestmark = pytest.mark.django_db

ONE_SIDED_2014 = {
    "country": "CAF",
    "violence_type": "one_sided",
    "date_from": "2014-01-01",
    "date_to": "2014-12-31",
}


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def one_sided_2014(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["type_of_violence"] == "3" and r["date_start"].startswith("2014")]


def get_json(client: Client, path: str, params: dict[str, str] | None = None) -> Any:
    response = client.get(path, params or {})
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def restricted_copy(source_id: str) -> Event:
    event = Event.objects.filter(dataset="ucdp-ged", admin1__isnull=False).order_by("pk").first()
    assert event is not None
    event.pk = None
    event._state.adding = True
    event.dataset, event.source_id = "jmac-incidents", source_id
    event.owner = Organization.objects.get(slug="minusca-jmac")
    event.sensitivity = Sensitivity.RESTRICTED
    event.save()
    return event


# --- The page ---------------------------------------------------------------------------------


def test_map_page_counts_one_sided_violence_in_2014(full_data: FullData, client: Client) -> None:
    expected = len(one_sided_2014(csv_rows(full_data.path)))

    response = client.get("/map/", ONE_SIDED_2014)
    html = response.content.decode()

    assert response.status_code == 200
    assert expected == 292
    count = re.search(r'<p id="map-count"[^>]*>(.*?)</p>', html, re.S)
    assert count is not None and "<strong>292 events</strong>" in count.group(1)
    assert 'href="/events/?country=CAF&amp;violence_type=one_sided&amp;date_from=2014-01-01' in html
    assert 'value="one_sided" selected' in html and 'value="2014-01-01"' in html


def test_map_page_keeps_view_and_layers_in_the_query(full_data: FullData, client: Client) -> None:
    html = client.get("/map/", {"view": "grid", "presence": "1"}).content.decode()

    assert 'name="view" value="grid" checked' in html
    assert 'name="presence" value="1" checked' in html
    config = json.loads(re.search(r'id="map-config"[^>]*>(.*?)</script>', html).group(1))  # type: ignore[union-attr]  # the page embeds it
    assert config["tiles"] == ""
    assert config["urls"]["events"] == "/map/data/events.geojson"
    assert config["urls"]["event"] == "/map/events/{id}/"
    assert config["urls"]["area"] == "/areas/{code}/"


def test_a_bad_filter_is_named_and_the_others_kept(full_data: FullData, client: Client) -> None:
    response = client.get("/map/", {**ONE_SIDED_2014, "min_deaths": "many"})

    assert response.status_code == 400
    assert "Minimum deaths: “many” — use a whole number" in response.content.decode()
    assert response.context["count"] == 292


def test_summary_fragment_is_what_the_page_shows(full_data: FullData, client: Client) -> None:
    html = client.get("/map/data/summary/", ONE_SIDED_2014).content.decode()

    assert '<p id="map-count"' in html and "<strong>292 events</strong>" in html
    # The area links keep the map's period (its dates only), so the area opens on 2014.
    period = "date_from=2014-01-01&amp;date_to=2014-12-31"
    assert 'id="map-areas"' in html and f'href="/areas/CAF.ouaka/?{period}"' in html
    assert "<html" not in html


# --- Data endpoints -----------------------------------------------------------------------------


def test_events_geojson(full_data: FullData, client: Client) -> None:
    expected = {r["id"] for r in one_sided_2014(csv_rows(full_data.path))}

    data = get_json(client, "/map/data/events.geojson", ONE_SIDED_2014)

    assert data["type"] == "FeatureCollection" and data["count"] == len(expected) == 292
    source_ids = set(
        Event.objects.filter(pk__in=[f["id"] for f in data["features"]]).values_list(
            "source_id", flat=True
        )
    )
    assert source_ids == expected
    first = data["features"][0]
    assert first["geometry"]["type"] == "Point" and len(first["geometry"]["coordinates"]) == 2
    assert first["properties"]["violence_type"] == "one_sided"
    assert first["properties"]["date"].startswith("2014")


def test_areas_json_joins_every_located_event(full_data: FullData, client: Client) -> None:
    rows = one_sided_2014(csv_rows(full_data.path))
    by_name = Counter(r["adm_1"].removesuffix(" province") for r in rows if r["adm_1"])

    data = get_json(client, "/map/data/areas.json", ONE_SIDED_2014)

    assert {a["name"]: a["events"] for a in data["areas"]} == dict(by_name)
    ouaka = next(a for a in data["areas"] if a["code"] == "CAF.ouaka")
    in_ouaka = [r for r in rows if r["adm_1"] == "Ouaka province"]
    assert ouaka["deaths"] == sum(int(r["best"]) for r in in_ouaka)
    assert ouaka["civilian_deaths"] == sum(int(r["deaths_civilians"]) for r in in_ouaka)


def test_grid_json_counts_per_priogrid_cell(full_data: FullData, client: Client) -> None:
    rows = one_sided_2014(csv_rows(full_data.path))
    by_cell = Counter(int(r["priogrid_gid"]) for r in rows)

    data = get_json(client, "/map/data/grid.json", ONE_SIDED_2014)

    assert data["size"] == 0.5
    assert {c["gid"]: c["events"] for c in data["cells"]} == dict(by_cell)
    cell = data["cells"][0]
    assert (cell["lat"], cell["lon"]) == priogrid_centre(cell["gid"])


def test_timeline_takes_every_filter_but_the_period(full_data: FullData, client: Client) -> None:
    rows = [r for r in csv_rows(full_data.path) if r["type_of_violence"] == "3"]
    months = Counter(r["date_start"][:7] for r in rows)

    data = get_json(client, "/map/data/timeline.json", ONE_SIDED_2014)

    assert sum(data["events"]) == len(rows) == 1076
    by_month = dict(zip(data["months"], data["events"], strict=True))
    assert by_month["2014-01-01"] == months["2014-01"]
    deaths = dict(zip(data["months"], data["civilian_deaths"], strict=True))
    assert deaths["2014-01-01"] == sum(
        int(r["deaths_civilians"]) for r in rows if r["date_start"].startswith("2014-01")
    )


def test_presence_in_the_country_and_period(full_data: FullData, client: Client) -> None:
    data = get_json(
        client,
        "/map/data/presence.geojson",
        {"country": "CAF", "date_from": "2014-01-01", "date_to": "2014-12-31"},
    )
    everything = get_json(
        client, "/map/data/presence.geojson", {"country": "CAF", "date_from": "1946-01-01"}
    )
    with (Path(full_data.path).parent / "presence_CAF.csv").open(encoding="utf-8") as handle:
        located = [r for r in csv.DictReader(handle) if r["latitude"] and r["longitude"]]

    assert len(everything["features"]) == len(located)
    assert 0 < len(data["features"]) < len(located)
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert "UN_mission" in kinds
    minusca = next(f for f in data["features"] if f["properties"]["operation"] == "MINUSCA")
    assert minusca["properties"]["organization"]
    assert minusca["properties"]["start"] <= "2014-12-31"


def test_event_popup_shows_provenance(full_data: FullData, client: Client) -> None:
    event = Event.objects.get(dataset="ucdp-ged", source_id="36211")

    html = client.get(f"/map/events/{event.pk}/").content.decode()

    assert "ged_23_1_CAF.csv" in html and "row 3" in html
    assert "ucdp-ged 23.1" in html and "36211" in html
    assert f'href="/events/{event.pk}/"' in html


def test_country_outlines_are_cached_long(full_data: FullData, client: Client) -> None:
    response = client.get("/map/countries.geojson", {"v": "1.0.1"})
    data = json.loads(response.content)

    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    codes = {f["properties"]["iso_a3"] for f in data["features"]}
    assert {"CAF", "TCD", "SSD", "COD", "COG", "CMR", "MLI", "NER", "BFA"} <= codes


def test_data_is_never_cached_across_users(full_data: FullData, client: Client) -> None:
    for path in ("events.geojson", "areas.json", "grid.json", "timeline.json", "presence.geojson"):
        response = client.get(f"/map/data/{path}")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


# --- The access policy ------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "extra"), [(None, 0), ("jean", 0), ("amina", 1)])
def test_restricted_events_only_for_those_who_may_see_them(
    full_data: FullData, username: str | None, extra: int
) -> None:
    hidden = restricted_copy(f"JMAC-MAP-{username}")
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))

    events = get_json(client, "/map/data/events.geojson")
    areas = get_json(client, "/map/data/areas.json")
    grid = get_json(client, "/map/data/grid.json")
    timeline = get_json(client, "/map/data/timeline.json")

    assert events["count"] == 1848 + extra
    assert (hidden.pk in {f["id"] for f in events["features"]}) == bool(extra)
    located = 1848 - 42  # 42 GED events have no admin-1 name
    assert sum(a["events"] for a in areas["areas"]) == located + extra
    assert sum(c["events"] for c in grid["cells"]) == 1848 + extra
    assert sum(timeline["events"]) == 1848 + extra
    popup = client.get(f"/map/events/{hidden.pk}/")
    assert popup.status_code == (200 if extra else 404)


def test_a_hidden_event_popup_is_a_404_like_a_missing_one(
    full_data: FullData, client: Client
) -> None:
    hidden = restricted_copy("JMAC-MAP-404")

    assert client.get(f"/map/events/{hidden.pk}/").status_code == 404
    assert client.get(f"/map/events/{hidden.pk + 1000}/").status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied")
    assert list(denied.values_list("target", flat=True)) == [f"event:{hidden.pk}"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/map/",
        "/map/countries.geojson",
        "/map/data/events.geojson",
        "/map/data/areas.json",
        "/map/data/grid.json",
        "/map/data/presence.geojson",
        "/map/data/timeline.json",
        "/map/data/summary/",
        "/map/events/1/",
    ],
)
def test_every_map_url_declares_its_access_policy(url: str) -> None:
    assert getattr(resolve(url).func, "access_policy", None) == "public"


# --- Settings ---------------------------------------------------------------------------------


def settings_error(tile_url: str) -> str:
    """Import the settings in a fresh interpreter with COMMONGROUND_TILE_URL set."""
    code = "import commonground.settings as s; print(repr(s.COMMONGROUND_TILE_URL))"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        env={**__import__("os").environ, "COMMONGROUND_TILE_URL": tile_url},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout + result.stderr


def test_tile_url_setting_is_checked() -> None:
    assert "'https://tiles.example.org/{z}/{x}/{y}.png'" in settings_error(
        "https://tiles.example.org/{z}/{x}/{y}.png"
    )
    assert "COMMONGROUND_TILE_URL must be an http(s) URL with {z}, {x} and {y}" in settings_error(
        "tile.example.org"
    )


def test_tile_layer_is_offered_only_when_set(
    full_data: FullData, client: Client, settings: Any
) -> None:
    settings.COMMONGROUND_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"

    html = client.get("/map/").content.decode()

    assert '"tiles": "https://tiles.example.org/{z}/{x}/{y}.png"' in html
