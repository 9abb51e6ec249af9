"""Every 4xx and 5xx of the API comes in the one documented envelope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonground.api.tests.conftest import ApiData
from commonground.events import queries

pytestmark = pytest.mark.django_db

CODES = {
    "validation_error",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "server_error",
}


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and code in CODES
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/events/999999999", 404, "not_found"),
        ("/api/v1/events/0", 422, "validation_error"),
        ("/api/v1/events/abc", 422, "validation_error"),
        (f"/api/v1/events/{2**64}", 422, "validation_error"),
        ("/api/v1/operations/no-such-operation", 404, "not_found"),
        ("/api/v1/no-such-path", 404, "not_found"),
        ("/api/v1/events/", 404, "not_found"),
        ("/api/v1/", 404, "not_found"),
        ("/api/v1/events?country=Central%20African%20Republic", 422, "validation_error"),
        ("/api/v1/events?violence_type=massacre", 422, "validation_error"),
        ("/api/v1/events?date_from=2014-13-01", 422, "validation_error"),
        ("/api/v1/events?format=kml", 422, "validation_error"),
        ("/api/v1/events?actor=%00", 422, "validation_error"),
        ("/api/v1/areas/CAF%00", 422, "validation_error"),
    ],
)
def test_errors_come_in_the_envelope(api_data: ApiData, path: str, status: int, code: str) -> None:
    assert_envelope(Client().get(path), status, code)


def test_a_validation_error_names_each_bad_parameter(api_data: ApiData) -> None:
    response = Client().get("/api/v1/events", {"min_deaths": "-1", "page_size": "1000"})
    error = assert_envelope(response, 422, "validation_error")
    assert {(d["location"], d["field"]) for d in error["details"]} == {
        ("query", "min_deaths"),
        ("query", "page_size"),
    }
    assert all(d["message"] and d["type"] for d in error["details"])
    assert "min_deaths" in error["message"] and "page_size" in error["message"]


def test_dates_the_wrong_way_round(api_data: ApiData) -> None:
    response = Client().get("/api/v1/events", {"date_from": "2015-01-01", "date_to": "2014-01-01"})
    error = assert_envelope(response, 422, "validation_error")
    assert "date_from is after date_to" in error["details"][0]["message"]


def test_unauthorized(api_data: ApiData) -> None:
    response = Client(headers={"Authorization": "Bearer nope"}).get("/api/v1/stats")
    assert_envelope(response, 401, "unauthorized")
    assert_envelope(Client().get("/api/v1/me/tokens"), 401, "unauthorized")


def test_method_not_allowed(api_data: ApiData) -> None:
    response = Client().post("/api/v1/events", {})
    error = assert_envelope(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET" and "GET" in error["message"]


def test_a_server_error_is_enveloped_and_says_nothing_of_the_cause(
    api_data: ApiData, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(queries, "event_list", broken)
    response = Client().get("/api/v1/events")
    error = assert_envelope(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert error["details"] == []
    assert "secret detail of the failure" in caplog.text  # logged for the operator
