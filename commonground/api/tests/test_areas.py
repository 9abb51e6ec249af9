"""``/areas``: each area's figures equal what the real CSV gives, computed with the csv module."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from django.test import Client

from commonground.api.tests.conftest import ApiData, csv_rows
from commonground.core.areas import area_code

pytestmark = pytest.mark.django_db

GED = "ged_23_1_CAF.csv"
TYPES = {"1": "state_based", "2": "non_state", "3": "one_sided"}


def figures_of(rows: list[dict[str, str]]) -> dict[str, int]:
    return {
        "events": len(rows),
        "deaths": sum(int(r["best"]) for r in rows),
        "civilian_deaths": sum(int(r["deaths_civilians"]) for r in rows),
    }


def area_figures(code: str, **params: str) -> dict[str, Any]:
    response = Client().get(f"/api/v1/areas/{code}", params)
    assert response.status_code == 200, response.content
    figures: dict[str, Any] = response.json()["figures"]
    return figures


def test_ouaka_province(api_data: ApiData) -> None:
    rows = [r for r in csv_rows(GED) if r["adm_1"] == "Ouaka province"]
    figures = area_figures("CAF.ouaka")
    assert {k: figures[k] for k in ("events", "deaths", "civilian_deaths")} == figures_of(rows)
    assert figures["events"] == 302 and figures["deaths"] == 2089
    for number, name in TYPES.items():
        of_type = [r for r in rows if r["type_of_violence"] == number]
        assert figures["by_violence_type"][name] == figures_of(of_type)
    months: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        months[row["date_start"][:7]].append(row)
    monthly = figures["monthly"]
    assert {m: f for m, f in monthly.items() if f["events"]} == {
        m: figures_of(r) for m, r in months.items()
    }
    assert list(monthly) == sorted(monthly)
    assert (min(monthly), max(monthly)) == (min(months), max(months))
    assert figures["first"] == min(r["date_start"][:10] for r in rows)


def test_every_admin1_area_of_the_file(api_data: ApiData) -> None:
    by_area: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv_rows(GED):
        if row["adm_1"]:
            by_area[area_code("CAF", row["adm_1"])].append(row)
    listed = Client().get("/api/v1/areas", {"country": "CAF", "level": "1", "page_size": "100"})
    assert {a["code"] for a in listed.json()["results"]} == set(by_area)
    for code, rows in by_area.items():
        figures = area_figures(code)
        assert {k: figures[k] for k in ("events", "deaths", "civilian_deaths")} == figures_of(rows)


def test_the_country_for_a_period(api_data: ApiData) -> None:
    rows = [r for r in csv_rows(GED) if r["year"] == "2014"]
    figures = area_figures("CAF", date_from="2014-01-01", date_to="2014-12-31")
    assert figures["events"] == len(rows)
    assert figures["by_violence_type"]["one_sided"]["events"] == 292
    assert list(figures["monthly"]) == [f"2014-{m:02d}" for m in range(1, 13)]


def test_an_admin2_area(api_data: ApiData) -> None:
    rows = csv_rows(GED)
    counts = Counter((r["adm_1"], r["adm_2"]) for r in rows if r["adm_2"])
    (admin1, admin2), _n = counts.most_common(1)[0]
    code = area_code("CAF", admin1, admin2)
    chosen = [r for r in rows if (r["adm_1"], r["adm_2"]) == (admin1, admin2)]
    detail = Client().get(f"/api/v1/areas/{code}").json()
    assert detail["level"] == 2 and detail["parent"] == area_code("CAF", admin1)
    figures = detail["figures"]
    assert {k: figures[k] for k in ("events", "deaths", "civilian_deaths")} == figures_of(chosen)


def test_an_area_lists_the_areas_below_it(api_data: ApiData) -> None:
    detail = Client().get("/api/v1/areas/CAF.ouaka").json()
    assert detail["parent"] == "CAF" and detail["level"] == 1
    assert detail["children"] and all(c["parent"] == "CAF.ouaka" for c in detail["children"])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/areas/CAF.nowhere", 404, "not_found"),
        ("/api/v1/areas/caf", 422, "validation_error"),
        ("/api/v1/areas/CAF?date_from=2015-01-01&date_to=2014-01-01", 422, "validation_error"),
        ("/api/v1/areas?level=7", 422, "validation_error"),
    ],
)
def test_area_errors(api_data: ApiData, path: str, status: int, code: str) -> None:
    response = Client().get(path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
