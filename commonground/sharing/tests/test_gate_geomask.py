"""Geo-masking as DHS does it, inside the admin-2 area, the same each time (SYNTHETIC points)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from commonground.sharing import geomask

#: A SYNTHETIC admin-2 area about 30 km across, near Bambari.
AREA = box(20.5, 5.6, 20.8, 5.9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(20.55, 20.75),
    st.floats(5.65, 5.85),
    st.text(min_size=1, max_size=12),
    st.booleans(),
)
def test_a_masked_point_moves_at_most_as_dhs_allows_and_stays_in_its_area(
    lon: float, lat: float, record: str, urban: bool
) -> None:
    moved = geomask.mask_point(lon, lat, AREA, record, urban)
    assert AREA.contains(Point(moved))
    limit = geomask.URBAN_MAX_M if urban else geomask.RURAL_FAR_MAX_M
    assert geomask.distance_m((lon, lat), moved) <= limit + 1
    assert geomask.mask_point(lon, lat, AREA, record, urban) == moved  # the same every time


def test_rural_points_move_up_to_5_km_and_one_in_a_hundred_up_to_10() -> None:
    far = sum(
        geomask.distance_m((20.65, 5.75), geomask.mask_point(20.65, 5.75, AREA, str(n), False))
        > geomask.RURAL_MAX_M
        for n in range(3000)
    )
    assert 5 <= far <= 60  # about 1 % of 3,000, of which some draw under 5 km anyway


def test_a_point_near_the_border_stays_inside() -> None:
    for n in range(200):
        moved = geomask.mask_point(20.5005, 5.6005, AREA, f"edge-{n}", False)
        assert AREA.contains(Point(moved))


def test_dates_leave_as_months() -> None:
    assert geomask.coarsen_date(datetime.date(2024, 3, 17)) == datetime.date(2024, 3, 1)


# --- Points of protected records shown to a non-owner (events shared through a circle) --------

#: A SYNTHETIC partners incident of the women's network near Bambari, in its protection circle.
TRUE_POINT = (20.70, 5.78)  # longitude, latitude
#: Public events that place the admin-2 centres of Ouaka (the platform's own admin-2 placement).
CENTRES = {
    "CAF.ouaka.bambari": (20.67, 5.76),
    "CAF.ouaka.ippy": (21.22, 6.26),
    "CAF.ouaka.grimari": (20.06, 5.73),
}
EXACT = ("grace", "jean", "admin")  # the owner's members; the platform administrator
MASKED = ("lucie", "awa", "amina", "marc")  # the circle's organizations that see the record


def synthetic_event(key: str, point: tuple[float, float], area: Any, **fields: Any) -> Any:
    from commonground.core.models import ImportRun
    from commonground.events.models import Event

    run = ImportRun.objects.create(dataset="geomask", file_name="g", sha256="0" * 64)
    return Event.objects.create(
        dataset="geomask",
        dataset_version="1",
        source_id=key,
        import_run=run,
        source_row=2,
        content_hash="x",
        date_start=datetime.date(2021, 5, 9),
        date_end=datetime.date(2021, 5, 9),
        date_precision=1,
        longitude=point[0],
        latitude=point[1],
        location_precision=1,
        country_code="CAF",
        priogrid_gid=1,
        violence_type="one_sided",
        fatalities_best=1,
        admin1=area.parent,
        admin2=area,
        **fields,
    )


@pytest.fixture
def incident(cast: dict[str, User]) -> Any:
    from commonground.sharing.circles import do_set_record_circle
    from commonground.sharing.demo import ensure_demo_circles
    from commonground.sharing.models import Organization, Sensitivity
    from commonground.sharing.tests.gate_synthetic import ensure_areas

    areas = ensure_areas()
    local = Organization.objects.get(slug="local")
    for code, point in CENTRES.items():
        synthetic_event(f"public-{code}", point, areas[code], owner=local, sensitivity=0)
    event = synthetic_event(
        "incident",
        TRUE_POINT,
        areas["CAF.ouaka.bambari"],
        owner=Organization.objects.get(slug="femmes-bambari"),
        sensitivity=Sensitivity.PARTNERS,
    )
    do_set_record_circle(event, ensure_demo_circles(), None)
    return event


def nearest_centre(point: tuple[float, float]) -> str:
    return min(CENTRES, key=lambda code: geomask.distance_m(point, CENTRES[code]))


def shown(client: Client, event: Any) -> list[tuple[float, float, str, int]]:
    """The point, start date and precision of the incident on each route that shows it."""
    detail = client.get(f"/api/v1/events/{event.pk}").json()
    listed = client.get("/api/v1/events?dataset=geomask&limit=100").json()["results"]
    mine = next(e for e in listed if e["id"] == event.pk)
    feature = client.get("/api/v1/events?dataset=geomask&format=geojson&limit=100").json()
    point = next(f for f in feature["features"] if f["id"] == event.pk)["geometry"]
    return [
        (detail["longitude"], detail["latitude"], detail["date_start"], detail["date_precision"]),
        (mine["longitude"], mine["latitude"], mine["date_start"], mine["date_precision"]),
        (*point["coordinates"], mine["date_start"], mine["date_precision"]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", MASKED)
def test_a_non_owner_sees_the_point_moved_within_its_admin2_the_same_each_time(
    who: str, client: Client, cast: dict[str, User], incident: Any
) -> None:
    from commonground.voices.places import admin1_codes_at

    client.force_login(cast[who])
    first = shown(client, incident)
    assert shown(client, incident) == first  # the same on every request: nothing to average
    for lon, lat, start, precision in first:
        assert (lon, lat) != TRUE_POINT
        assert 0 < geomask.distance_m(TRUE_POINT, (lon, lat)) <= geomask.RURAL_FAR_MAX_M + 1
        assert admin1_codes_at(lat, lon)[0] == "CAF.ouaka"
        assert nearest_centre((lon, lat)) == "CAF.ouaka.bambari"  # still placed in Bambari
        assert (start, precision) == ("2021-05-01", 4)  # the month only
    layer = client.get("/map/data/events.geojson?dataset=geomask").json()["features"]
    marker = next(f for f in layer if f["id"] == incident.pk)
    first.append((*marker["geometry"]["coordinates"], marker["properties"]["date"], 4))
    assert len({(lon, lat) for lon, lat, _s, _p in first}) == 1  # one masked point everywhere
    listed_page = client.get("/events/?dataset=geomask").content.decode()
    row = f'href="/events/{incident.pk}/">'
    assert f"{row}2021-05<" in listed_page  # the list: the month too
    for page in (f"/events/{incident.pk}/", f"/map/events/{incident.pk}/"):
        body = client.get(page).content.decode()
        assert f"{TRUE_POINT[1]}, {TRUE_POINT[0]}" not in body and "2021-05-09" not in body
        assert "Location moved by up to 10 km" in body  # the reader is told, never misled
    detail = client.get(f"/api/v1/events/{incident.pk}").json()
    assert detail["geomasked"] is True
    assert detail["location_precision"] >= 2  # UCDP where_prec 2: within 25 km
    assert detail["source_fields"] == {}  # the source's own columns hold the exact point and day


@pytest.mark.django_db
@pytest.mark.parametrize("who", EXACT)
def test_the_owner_and_the_platform_admin_see_the_exact_point(
    who: str, client: Client, cast: dict[str, User], incident: Any
) -> None:
    client.force_login(cast[who])
    for lon, lat, start, precision in shown(client, incident):
        assert ((lon, lat), start, precision) == (TRUE_POINT, "2021-05-09", 1)
    detail = client.get(f"/api/v1/events/{incident.pk}").json()
    assert detail["geomasked"] is False
    assert detail["location_precision"] == incident.location_precision
    assert "Location moved" not in client.get(f"/events/{incident.pk}/").content.decode()
    layer = client.get("/map/data/events.geojson?dataset=geomask").json()["features"]
    marker = next(f for f in layer if f["id"] == incident.pk)
    assert tuple(marker["geometry"]["coordinates"]) == TRUE_POINT


def test_public_records_are_never_masked() -> None:
    from commonground.sharing.policy import ANONYMOUS

    class Public:
        sensitivity = 0
        owner_id = None

    record = Public()
    assert geomask.shown_to(record, ANONYMOUS) is record
