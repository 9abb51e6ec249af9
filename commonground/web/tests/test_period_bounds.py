"""Pages read the same bounded period filters as the API (core.periods, events.schemas).

Before, ``date_to=9999-12-31`` was a server error on most pages. Now each page that filters by
period leaves the filter out, says why with the bounds, and answers 400 (as for any bad
filter); the map's data and the area pages (helper ``web``'s) leave it out too, and never
answer a 500. Real UCDP GED events of CAF.
"""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.web.tests.conftest import RealData

pytestmark = pytest.mark.django_db

#: Pages that say a bad filter with a 400.
PAGES = ["/", "/events/", "/map/"]

#: The map's data and the area pages: a bad filter is left out (their status is web's choice).
LENIENT = [
    "/map/data/events.geojson",
    "/map/data/areas.json",
    "/map/data/grid.json",
    "/map/data/timeline.json",
    "/map/data/summary/",
    "/areas/CAF/",
    "/areas/CAF.ouaka/",
]

#: Values past either bound.
OUT_OF_RANGE = [
    {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01"},
    {"date_from": "1900-01-01", "date_to": "9999-12-31"},
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("params", OUT_OF_RANGE)
def test_an_out_of_range_date_is_a_bad_filter_not_a_server_error(
    real_data: RealData, path: str, params: dict[str, str]
) -> None:
    response = Client().get(path, params)
    assert response.status_code == 400, (path, params, response.status_code)


@pytest.mark.parametrize("path", LENIENT)
@pytest.mark.parametrize("params", OUT_OF_RANGE)
def test_an_out_of_range_date_is_never_a_server_error(
    real_data: RealData, path: str, params: dict[str, str]
) -> None:
    response = Client().get(path, params)
    assert response.status_code < 500, (path, params, response.status_code)


def test_the_page_says_the_bounds(real_data: RealData) -> None:
    html = Client().get("/events/", {"date_to": "9999-12-31"}).content.decode()
    assert "To: “9999-12-31” — write the date as YYYY-MM-DD, from 1946-01-01" in html
