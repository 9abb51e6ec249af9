"""The events list: sorted, downloadable as the CLI exports (same licence rules), actors linked.

Expected values are computed from the real UCDP GED file of the CAR with Polars.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from commonground.events.models import Event
from commonground.registry.models import Actor
from commonground.sharing.models import Licence, Organization, Sensitivity
from commonground.web.tests.conftest import RealData
from commonground.web.views import EVENTS_PER_PAGE

pytestmark = pytest.mark.django_db

ONE_SIDED_2014 = {"violence_type": "one_sided", "date_from": "2014-01-01", "date_to": "2014-12-31"}


def ged(data: RealData) -> pl.DataFrame:
    return pl.read_csv(data.path, infer_schema_length=0).with_columns(
        pl.col("date_start").str.slice(0, 10).alias("day"), pl.col("best").cast(pl.Int64)
    )


def one_sided_2014(data: RealData) -> pl.DataFrame:
    frame = ged(data)
    return frame.filter(
        (pl.col("type_of_violence") == "3")
        & pl.col("day").is_between(pl.lit("2014-01-01"), pl.lit("2014-12-31"))
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Sorting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "column", "descending"),
    [
        ("date", "day", False),
        ("-date", "day", True),
        ("deaths", "best", False),
        ("-deaths", "best", True),
    ],
)
def test_events_list_sorted(
    real_data: RealData, client: Client, sort: str, column: str, descending: bool
) -> None:
    expected = ged(real_data)[column].sort(descending=descending).to_list()

    response = client.get("/events/", {"sort": sort})
    shown = response.context["page"].object_list
    values = [e.date_start.isoformat() if column == "day" else e.fatalities_best for e in shown]

    assert response.status_code == 200
    assert values == expected[:EVENTS_PER_PAGE]
    last = client.get(
        "/events/", {"sort": sort, "page": response.context["page"].paginator.num_pages}
    )
    last_values = [
        e.date_start.isoformat() if column == "day" else e.fatalities_best
        for e in last.context["page"].object_list
    ]
    assert last_values == expected[-len(last_values) :]


def test_sort_links_and_pages_keep_filters_and_order(real_data: RealData, client: Client) -> None:
    html = client.get("/events/", {**ONE_SIDED_2014, "sort": "-deaths"}).content.decode()
    html = html.replace("&amp;", "&")

    assert 'aria-sort="descending"' in html
    assert "sort=deaths" in html  # the deaths header turns the order round
    assert (
        "violence_type=one_sided&date_from=2014-01-01&date_to=2014-12-31&sort=-deaths&page=2"
        in html
    )


def test_unknown_order_is_named_and_newest_first_used(real_data: RealData, client: Client) -> None:
    response = client.get("/events/", {"sort": "random()"})

    assert response.status_code == 400
    assert "random()" in response.content.decode()
    dates = [e.date_start for e in response.context["page"].object_list]
    assert dates == sorted(dates, reverse=True)


# --- Downloads --------------------------------------------------------------------------------


def download(client: Client, fmt: str, params: dict[str, str]) -> Any:
    response = client.get(f"/events/download/{fmt}/", params)
    assert response.status_code == 200, response
    return response


def test_download_three_formats_as_the_list_is_filtered(
    real_data: RealData, client: Client
) -> None:
    expected = one_sided_2014(real_data)
    ids = set(expected["id"].to_list())

    plain = download(client, "csv", ONE_SIDED_2014)
    rows = list(csv.DictReader(io.StringIO(b"".join(plain.streaming_content).decode())))
    hxl = download(client, "hxl", ONE_SIDED_2014)
    hxl_lines = list(csv.reader(io.StringIO(b"".join(hxl.streaming_content).decode())))
    geo = download(client, "geojson", ONE_SIDED_2014)
    features = json.loads(b"".join(geo.streaming_content))["features"]

    assert {r["source_id"] for r in rows} == ids
    assert all(r["violence_type"] == "one_sided" for r in rows)
    assert "attachment" in plain["Content-Disposition"] and ".csv" in plain["Content-Disposition"]
    assert hxl_lines[1][:3] == ["#meta+dataset", "#event+id", "#date+start"]
    assert {line[1] for line in hxl_lines[2:]} == ids
    assert {f["properties"]["source_id"] for f in features} == ids
    assert geo["Content-Type"] == "application/geo+json"


def test_download_follows_the_list_order(real_data: RealData, client: Client) -> None:
    response = download(client, "csv", {**ONE_SIDED_2014, "sort": "-deaths"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    deaths = [int(r["fatalities_best"]) for r in rows]
    assert deaths == sorted(one_sided_2014(real_data)["best"].to_list(), reverse=True)


def test_download_refuses_bad_filters_and_unknown_formats(
    real_data: RealData, client: Client
) -> None:
    bad = client.get("/events/download/csv/", {"date_from": "2014-13-01"})
    assert bad.status_code == 400
    assert "2014-13-01" in bad.content.decode()
    assert client.get("/events/download/xlsx/").status_code == 404


#: Who downloads what (synthetic: real 2014 one-sided events relabelled as below).
#: (user, relabelled as, in the list, in the download)
DOWNLOAD_RULES = [
    ("admin", "ACLED licence", True, False),
    ("amina", "JMAC restricted", True, False),
    ("amina", "JMAC public", True, True),
    (None, "JMAC restricted", False, False),
    (None, "public CC-BY", True, True),
]


@override_settings(COMMONGROUND_RESPONSE_CACHE=False)
@pytest.mark.parametrize(("user", "relabelled", "listed", "downloaded"), DOWNLOAD_RULES)
def test_downloads_respect_access_exportable(
    real_data: RealData, user: str | None, relabelled: str, listed: bool, downloaded: bool
) -> None:
    event = Event.objects.filter(violence_type="one_sided", date_start__year=2014).first()
    assert event is not None
    jmac = Organization.objects.get(slug="minusca-jmac")
    relabellings: dict[str, dict[str, Any]] = {
        "ACLED licence": {"licence": Licence.ACLED},
        "JMAC restricted": {"owner": jmac, "sensitivity": Sensitivity.RESTRICTED},
        "JMAC public": {"owner": jmac, "sensitivity": Sensitivity.PUBLIC},
        "public CC-BY": {},
    }
    changes = relabellings[relabelled]
    Event.objects.filter(pk=event.pk).update(**changes)
    client = signed_in(real_data.cast[user]) if user else Client()

    page = client.get("/events/", ONE_SIDED_2014)
    in_list = event.pk in {e.pk for e in page.context["page"].paginator.object_list}
    response = download(client, "csv", ONE_SIDED_2014)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert in_list is listed
    assert (event.source_id in {r["source_id"] for r in rows}) is downloaded


# --- Actors are links ---------------------------------------------------------------------------


def test_actors_link_to_their_pages(real_data: RealData, client: Client) -> None:
    upc = Actor.objects.get(name="UPC")
    event = Event.objects.filter(actor1=upc).select_related("actor2").first()
    assert event is not None and event.actor2 is not None

    listed = client.get("/events/", {"actor_id": str(upc.pk)}).content.decode()
    detail = client.get(f"/events/{event.pk}/").content.decode()

    assert f'<a href="/actors/{upc.pk}/">UPC</a>' in listed
    assert f'<a href="/actors/{upc.pk}/">UPC</a>' in detail
    assert f'<a href="/actors/{event.actor2.pk}/">' in detail
