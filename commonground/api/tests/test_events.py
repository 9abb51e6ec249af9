"""``/events`` on the real UCDP GED file: filters, paging, GeoJSON and provenance.

Expected figures come from the CSV read with Python's csv module, never from our own code.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.test import Client

from commonground.api.paging import MAX_PAGE_SIZE
from commonground.api.tests.conftest import GED_EVENTS, ApiData, client_for, csv_rows
from commonground.events.models import Event

pytestmark = pytest.mark.django_db

GED = "ged_23_1_CAF.csv"


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_one_sided_violence_in_2014_as_the_file_counts_it(api_data: ApiData) -> None:
    expected = sum(
        1 for row in csv_rows(GED) if row["type_of_violence"] == "3" and row["year"] == "2014"
    )
    assert expected == 292
    page = get(
        Client(),
        "/api/v1/events",
        country="CAF",
        violence_type="one_sided",
        date_from="2014-01-01",
        date_to="2014-12-31",
    )
    assert page["count"] == expected


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"admin1": "CAF.ouaka"}, lambda r: r["adm_1"] == "Ouaka province"),
        ({"min_deaths": "50"}, lambda r: int(r["best"]) >= 50),
        ({"actor": "anti-balaka"}, lambda r: "anti-balaka" in (r["side_a"] + r["side_b"]).lower()),
        ({"violence_type": "non_state"}, lambda r: r["type_of_violence"] == "2"),
        ({"dataset": "ucdp-ged", "country": "caf"}, lambda r: True),
    ],
)
def test_filters_match_the_file(api_data: ApiData, params: dict[str, str], keep: Any) -> None:
    expected = sum(1 for row in csv_rows(GED) if keep(row))
    assert get(Client(), "/api/v1/events", **params, page_size=1)["count"] == expected


def test_paging_walks_every_event_once(api_data: ApiData) -> None:
    client = Client()
    url: str | None = f"/api/v1/events?page_size={MAX_PAGE_SIZE}"
    seen: list[int] = []
    pages = 0
    while url:
        page = client.get(url).json()
        assert page["count"] == GED_EVENTS
        assert len(page["results"]) <= MAX_PAGE_SIZE
        assert (page["previous"] is None) == (pages == 0)
        seen += [event["id"] for event in page["results"]]
        url, pages = page["next"], pages + 1
    assert pages == math.ceil(GED_EVENTS / MAX_PAGE_SIZE)
    assert len(seen) == len(set(seen)) == GED_EVENTS
    dates = [e["date_start"] for e in get(client, "/api/v1/events", page_size=20)["results"]]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_paging_links_keep_the_filters(api_data: ApiData) -> None:
    page = get(Client(), "/api/v1/events", admin1="CAF.ouaka", page_size=100, page=2)
    assert page["next"].startswith("http://testserver/api/v1/events?")
    assert "admin1=CAF.ouaka" in page["next"] and "page=3" in page["next"]
    assert "page=1" in page["previous"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page_size": MAX_PAGE_SIZE + 1}, 422),
        ({"page_size": 0}, 422),
        ({"page": 0}, 422),
        ({"page": 5, "page_size": 500}, 404),  # 1,848 events make 4 pages
        ({"page": 4, "page_size": 500}, 200),
    ],
)
def test_page_bounds(api_data: ApiData, params: dict[str, int], status: int) -> None:
    response = Client().get("/api/v1/events", params)
    assert response.status_code == status
    if status != 200:
        assert response.json()["error"]["code"] in {"validation_error", "not_found"}


def test_geojson_is_a_valid_feature_collection(api_data: ApiData) -> None:
    by_id = {row["id"]: row for row in csv_rows(GED)}
    collection = get(Client(), "/api/v1/events", format="geojson", page_size=MAX_PAGE_SIZE)
    assert collection["type"] == "FeatureCollection"
    assert collection["count"] == GED_EVENTS
    assert len(collection["features"]) == MAX_PAGE_SIZE
    for feature in collection["features"]:
        assert set(feature) >= {"type", "geometry", "properties"}
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        longitude, latitude = geometry["coordinates"]  # RFC 7946: longitude first
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90
        row = by_id[feature["properties"]["source_id"]]
        assert (longitude, latitude) == (float(row["longitude"]), float(row["latitude"]))
        assert feature["properties"]["fatalities_best"] == int(row["best"])


def test_an_event_with_its_provenance(api_data: ApiData) -> None:
    row = csv_rows(GED)[10]
    event = Event.objects.get(dataset="ucdp-ged", source_id=row["id"])
    detail = get(Client(), f"/api/v1/events/{event.pk}")
    assert detail["source_id"] == row["id"]
    assert detail["date_start"] == row["date_start"][:10]
    assert detail["fatalities_best"] == int(row["best"])
    assert detail["licence"] == "CC-BY-4.0" and detail["sensitivity"] == "public"
    provenance = detail["provenance"]
    assert provenance["file_name"] == GED
    assert provenance["source_row"] == 12  # header is row 1; csv_rows()[10] is the 11th record
    assert provenance["dataset_version"] == "23.1"
    assert len(provenance["import_run"]["sha256"]) == 64
    assert detail["source_fields"]["side_a"] == row["side_a"]


def test_token_and_session_see_the_same_event(api_data: ApiData) -> None:
    path = f"/api/v1/events/{api_data.confidential.pk}"
    by_token = client_for(api_data, "token").get(path).json()
    by_session = client_for(api_data, "amina").get(path).json()
    assert by_token == by_session
    assert by_token["sensitivity"] == "confidential"
    assert by_token["owner_organization"]["slug"] == "minusca-jmac"
