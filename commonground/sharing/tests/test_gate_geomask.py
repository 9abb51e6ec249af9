"""Geo-masking as DHS does it, inside the admin-2 area, the same each time (SYNTHETIC points)."""

from __future__ import annotations

import datetime

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
