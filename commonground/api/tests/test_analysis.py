"""The analysis routes on the real CAR file, per person: panels add up to the CSV's totals, and
nobody gets analysis of records they may not see (JMAC's restricted and confidential incidents
and its ACLED row, from the API conftest)."""

from __future__ import annotations

import csv
import io

import pytest

from commonground.api.tests.conftest import GED_EVENTS, ApiData, client_for, csv_rows, data_path
from commonground.core.services import do_import
from commonground.registry.importers import PRESENCE
from commonground.sharing.services import local_organization

pytestmark = pytest.mark.django_db

#: Events each person sees: the GED file plus what JMAC's three records add for them.
SEEN = {
    "anonymous": GED_EVENTS,
    "jean": GED_EVENTS,
    "marc": GED_EVENTS + 2,
    "token": GED_EVENTS + 3,
}


@pytest.mark.parametrize(("who", "events"), SEEN.items())
def test_panel_totals_equal_the_events_each_person_sees(
    api_data: ApiData, who: str, events: int
) -> None:
    answer = client_for(api_data, who).get("/api/v1/panels/CAF", {"level": "admin1"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["totals"]["events"] == events
    assert (
        sum(r["figures"]["events"] for r in body["rows"])
        + sum(r["figures"]["events"] for r in body["unknown"])
        == events
    )


def test_panel_matches_the_csv(api_data: ApiData) -> None:
    rows = csv_rows("ged_23_1_CAF.csv")
    body = client_for(api_data, "anonymous").get("/api/v1/panels/CAF").json()
    assert body["totals"]["deaths"] == sum(int(r["best"]) for r in rows)
    assert body["unknown_totals"]["events"] == sum(1 for r in rows if not r["adm_1"].strip())
    assert (body["first_month"], body["last_month"]) == ("1991-08", "2022-12")
    months = (2022 - 1991) * 12 + (12 - 8) + 1
    assert len(body["rows"]) == len(body["units"]) * months  # zero-filled


def test_panel_as_csv(api_data: ApiData) -> None:
    answer = client_for(api_data, "anonymous").get(
        "/api/v1/panels/CAF",
        {"level": "admin1", "from": "2014-01", "to": "2014-12", "format": "csv"},
    )
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "panel-CAF-admin1-2014-01-2014-12.csv" in answer["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(answer.content.decode())))
    in_2014 = [r for r in csv_rows("ged_23_1_CAF.csv") if r["date_start"].startswith("2014")]
    assert sum(int(r["events"]) for r in table) == len(in_2014)
    assert sum(int(r["events"]) for r in table if r["unit"] == "") == sum(
        1 for r in in_2014 if not r["adm_1"].strip()
    )


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"from": "2014-13"}, 422),
        ({"from": "2015-01", "to": "2014-01"}, 422),
        ({"level": "admin3"}, 422),
        ({"format": "xlsx"}, 422),
    ],
)
def test_bad_panel_queries_are_refused(
    api_data: ApiData, query: dict[str, str], status: int
) -> None:
    answer = client_for(api_data, "anonymous").get("/api/v1/panels/CAF", query)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == "validation_error"


def test_unknown_country_is_404(api_data: ApiData) -> None:
    for path in ("/api/v1/panels/XYZ", "/api/v1/hotspots/XYZ", "/api/v1/networks/XYZ"):
        assert client_for(api_data, "anonymous").get(path).status_code == 404
    assert client_for(api_data, "anonymous").get("/api/v1/trends/CAF.nowhere").status_code == 404


def test_trends_equal_counts_from_the_csv(api_data: ApiData) -> None:
    rows = [r for r in csv_rows("ged_23_1_CAF.csv") if r["adm_1"] == "Ouaka province"]
    body = (
        client_for(api_data, "anonymous")
        .get("/api/v1/trends/CAF.ouaka", {"months": "6", "to": "2020-06"})
        .json()
    )
    change = body["figures"]["events"]["changes"][0]
    assert (change["from"], change["to"], change["months"]) == ("2020-01", "2020-06", 6)
    assert change["current"] == sum(
        1 for r in rows if "2020-01" <= r["date_start"][:7] <= "2020-06"
    )
    assert change["previous"] == sum(
        1 for r in rows if "2019-07" <= r["date_start"][:7] <= "2019-12"
    )
    assert change["year_before"] == sum(
        1 for r in rows if "2019-01" <= r["date_start"][:7] <= "2019-06"
    )
    assert body["rule"]["name"] == "negative-binomial-trailing-24"


def test_restricted_incidents_count_only_for_the_mission(api_data: ApiData) -> None:
    """JMAC's incidents are in Ouaka in June 2014: Marc's trend sees two more, Jean's none."""
    query = {"months": "1", "to": "2014-06"}

    def current(who: str) -> int:
        body = client_for(api_data, who).get("/api/v1/trends/CAF.ouaka", query).json()
        return int(body["figures"]["events"]["changes"][0]["current"])

    assert current("marc") == current("anonymous") + 2
    assert current("jean") == current("anonymous")


def test_hotspots(api_data: ApiData) -> None:
    body = (
        client_for(api_data, "anonymous")
        .get("/api/v1/hotspots/CAF", {"figure": "events_one_sided", "windows": "3"})
        .json()
    )
    assert len(body["windows"]) == 3 and body["windows"][-1] == {"from": "2022-01", "to": "2022-12"}
    assert (body["permutations"], body["alpha"]) == (999, 0.05)
    assert sum(body["summary"].values()) == len(body["cells"])
    rows = csv_rows("ged_23_1_CAF.csv")
    one_sided = sum(
        1 for r in rows if r["type_of_violence"] == "3" and r["date_start"][:7] >= "2020-01"
    )
    assert sum(sum(c["counts"]) for c in body["cells"]) == one_sided
    bad = client_for(api_data, "anonymous").get("/api/v1/hotspots/CAF", {"figure": "rumours"})
    assert bad.status_code == 422


def test_network_edges_and_the_secret_actor(api_data: ApiData) -> None:
    rows = csv_rows("ged_23_1_CAF.csv")
    pairs = {
        frozenset((r["side_a"], r["side_b"])) for r in rows if r["type_of_violence"] in {"1", "2"}
    }
    public = client_for(api_data, "anonymous").get("/api/v1/networks/CAF").json()
    assert len(public["edges"]) == len(pairs)
    assert {frozenset((e["source_name"], e["target_name"])) for e in public["edges"]} == pairs
    secret = api_data.secret_actor.name
    assert secret not in {n["name"] for n in public["nodes"]}
    # JMAC's restricted incident names the secret actor as its perpetrator of one-sided violence.
    marc = client_for(api_data, "marc").get("/api/v1/networks/CAF").json()
    assert secret in {n["name"] for n in marc["nodes"]}

    period = (
        client_for(api_data, "anonymous")
        .get("/api/v1/networks/CAF", {"from": "2014-01", "to": "2014-12"})
        .json()
    )
    in_2014 = {
        frozenset((r["side_a"], r["side_b"]))
        for r in rows
        if r["type_of_violence"] in {"1", "2"} and r["date_start"].startswith("2014")
    }
    assert (period["from"], period["to"]) == ("2014-01", "2014-12")
    assert len(period["edges"]) == len(in_2014)


def test_coverage_stand_in_is_labelled_and_ranked(api_data: ApiData) -> None:
    """No forecast in the API fixture: the stand-in, labelled, over 2022's one-sided events."""
    do_import(PRESENCE, data_path("presence_CAF.csv"), owner=local_organization())
    body = client_for(api_data, "anonymous").get("/api/v1/coverage/CAF").json()
    assert body["basis"] == "recent_one_sided" and body["forecast"] is None
    assert (body["period_from"], body["period_to"]) == ("2022-01-01", "2022-12-31")
    rows = csv_rows("ged_23_1_CAF.csv")
    in_2022 = [r for r in rows if r["type_of_violence"] == "3" and r["date_start"][:4] == "2022"]
    assert sum(r["risk"] for r in body["rows"]) + body["unknown_area_events"] == len(in_2022)
    gaps = [r["gap"] for r in body["rows"]]
    assert gaps == sorted(gaps, reverse=True)
    statuses = {p["status"] for r in body["rows"] for p in r["presence"]}
    assert statuses <= {"present", "uncertain", "absent"}
    assert client_for(api_data, "anonymous").get("/api/v1/coverage/XYZ").status_code == 404
