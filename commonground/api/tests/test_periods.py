"""Every period parameter of every route is bounded; out-of-range input is a 422 that says why.

Before: ``date_to=9999-12-31`` (events, areas) and ``to=0000-01`` (panels, trends, hotspots,
networks) were server errors, and ``/panels/CAF?level=priogrid&to=2200-01`` answered 123 MB
to anyone. The panel case uses the real UCDP GED events of the Central African Republic.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from commonground.api.analysis import MAX_PANEL_ROWS
from commonground.api.tests.conftest import ApiData
from commonground.core.periods import EARLIEST_DAY, latest_day

pytestmark = pytest.mark.django_db

LAST = latest_day()
AFTER = f"{LAST.year + 1}-01"

#: (request, the parameter the error names): each is refused with a 422, never a 500.
OUT_OF_RANGE = [
    ("/api/v1/events?date_to=9999-12-31", "date_to"),
    ("/api/v1/events?date_from=1900-01-01", "date_from"),
    (f"/api/v1/events?date_to={LAST.year + 1}-01-01", "date_to"),
    ("/api/v1/areas/CAF?date_to=9999-12-31", "date_to"),
    ("/api/v1/areas/CAF?date_from=0001-01-01", "date_from"),
    ("/api/v1/panels/CAF?to=0000-01", "to"),
    ("/api/v1/panels/CAF?level=priogrid&to=2200-01", "to"),
    ("/api/v1/panels/CAF?date_to=9999-12", "date_to"),
    ("/api/v1/panels/CAF?date_from=1945-12", "date_from"),
    ("/api/v1/trends/CAF?to=0000-01", "to"),
    ("/api/v1/trends/CAF?date_to=9999-01", "date_to"),
    ("/api/v1/hotspots/CAF?to=0000-01", "to"),
    (f"/api/v1/hotspots/CAF?date_to={AFTER}", "date_to"),
    ("/api/v1/networks/CAF?from=0000-01", "from"),
    ("/api/v1/networks/CAF?date_to=2022-02-30", "date_to"),
]


@pytest.mark.parametrize(("url", "field"), OUT_OF_RANGE)
def test_an_out_of_range_period_is_refused_with_a_message(
    api_data: ApiData, url: str, field: str
) -> None:
    response = Client().get(url)
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["message"]
    assert [d["field"] for d in error["details"]] == [field]


#: The bounds themselves are accepted (first day, and the last day or month).
IN_RANGE = [
    f"/api/v1/events?date_from={EARLIEST_DAY.isoformat()}&date_to={LAST.isoformat()}",
    f"/api/v1/areas/CAF?date_from={EARLIEST_DAY.isoformat()}&date_to={LAST.isoformat()}",
    f"/api/v1/trends/CAF?date_to={LAST.isoformat()[:7]}",
    f"/api/v1/networks/CAF?date_from=1946-01&date_to={LAST.isoformat()}",
    "/api/v1/panels/CAF?level=country&date_from=1946-01",
]


@pytest.mark.parametrize("url", IN_RANGE)
def test_the_bounds_themselves_are_accepted(api_data: ApiData, url: str) -> None:
    assert Client().get(url).status_code == 200


def test_the_bounds_are_said_in_the_message(api_data: ApiData) -> None:
    message = Client().get("/api/v1/events?date_to=9999-12-31").json()["error"]["details"][0]
    assert EARLIEST_DAY.isoformat() in message["message"]
    assert LAST.isoformat() in message["message"]


# --- The panel's budget ---------------------------------------------------------------------------


def test_a_panel_over_the_budget_is_refused_before_it_is_built(api_data: ApiData) -> None:
    # 156 PRIO-GRID cells of CAF with an event x every month the bounds allow > the budget.
    url = f"/api/v1/panels/CAF?level=priogrid&date_from=1946-01&date_to={LAST.isoformat()[:7]}"
    response = Client().get(url)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert f"{MAX_PANEL_ROWS:,}" in message
    assert "156" in message  # the units, so the caller knows how far to narrow


#: The byte budget docs/api.md states for one panel answer.
PANEL_BYTES = 35_000_000


def test_a_panel_at_the_row_budget_stays_within_the_byte_budget(api_data: ApiData) -> None:
    # 156 cells x 641 months (1975-01 to 2028-05) = 99,996 rows: just under the budget.
    url = "/api/v1/panels/CAF?level=priogrid&date_from=1975-01&date_to=2028-05"
    for fmt in ("json", "csv"):
        response = Client().get(f"{url}&format={fmt}")
        assert response.status_code == 200
        assert len(response.content) < PANEL_BYTES
    rows = json.loads(Client().get(url).content)["rows"]
    assert len(rows) == 156 * 641 <= MAX_PANEL_ROWS


def test_the_largest_default_panel_of_the_real_data_is_answered(api_data: ApiData) -> None:
    # CAF at PRIO-GRID level over its whole record (1991-08 to 2022-12), no period given.
    answer = Client().get("/api/v1/panels/CAF?level=priogrid").json()
    assert (answer["first_month"], answer["last_month"]) == ("1991-08", "2022-12")
    assert len(answer["rows"]) == len(answer["units"]) * (2022 * 12 + 12 - (1991 * 12 + 8) + 1)


#: The costliest request of every other anonymous route, at the most its limits allow.
COSTLIEST = [
    "/api/v1/events?page_size=500&format=geojson",
    "/api/v1/events?page_size=500",
    f"/api/v1/events?page_size=500&date_from=1946-01-01&date_to={LAST.isoformat()}",
    "/api/v1/hotspots/CAF?window_months=24&windows=8",
    f"/api/v1/hotspots/CAF?window_months=24&windows=8&date_to={LAST.isoformat()[:7]}",
    "/api/v1/trends/CAF?months=60",
    "/api/v1/networks/CAF?date_from=1946-01",
    f"/api/v1/areas/CAF?date_from=1946-01-01&date_to={LAST.isoformat()}",
    "/api/v1/coverage/CAF",
    "/api/v1/areas?page_size=500",
    "/api/v1/actors?page_size=500",
    "/api/v1/stats",
]


@pytest.mark.parametrize("url", COSTLIEST)
def test_every_other_anonymous_answer_stays_under_a_megabyte(api_data: ApiData, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert len(response.content) < 1_000_000  # docs/api.md, "Budgets"


# --- One convention: date_from and date_to; from and to are deprecated aliases ------------------


#: (route, old query, new query): the same request under the deprecated and the new names.
ALIASES = [
    ("/api/v1/panels/CAF", "from=2013-01&to=2013-06", "date_from=2013-01&date_to=2013-06"),
    ("/api/v1/networks/CAF", "from=2013-01&to=2013-12", "date_from=2013-01&date_to=2013-12"),
    ("/api/v1/trends/CAF", "to=2014-06", "date_to=2014-06"),
    ("/api/v1/hotspots/CAF", "to=2014-12", "date_to=2014-12"),
]


@pytest.mark.parametrize(("route", "old", "new"), ALIASES)
def test_the_old_names_answer_as_the_new_ones(
    api_data: ApiData, route: str, old: str, new: str
) -> None:
    before, after = Client().get(f"{route}?{old}"), Client().get(f"{route}?{new}")
    assert before.status_code == after.status_code == 200
    assert before.json() == after.json()


def test_a_day_stands_for_its_month(api_data: ApiData) -> None:
    by_day = Client().get("/api/v1/panels/CAF?date_from=2013-01-15&date_to=2013-06-30")
    by_month = Client().get("/api/v1/panels/CAF?date_from=2013-01&date_to=2013-06")
    assert by_day.status_code == 200
    assert by_day.json() == by_month.json()


def test_an_old_and_a_new_name_that_disagree_are_refused(api_data: ApiData) -> None:
    response = Client().get("/api/v1/panels/CAF?to=2013-06&date_to=2014-06")
    assert response.status_code == 422
    assert "date_to and its deprecated alias disagree" in json.dumps(response.json())


def test_the_old_names_are_marked_deprecated_in_the_document() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/panels/{country}", "/api/v1/networks/{country}"):
        params = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert params["from"]["deprecated"] is True
        assert params["to"]["deprecated"] is True
        assert not params["date_from"].get("deprecated")
