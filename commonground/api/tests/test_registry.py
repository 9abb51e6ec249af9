"""Actors, operations, parallel forces and presence, checked against the real files."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client

from commonground.api.tests.conftest import ApiData, client_for, csv_rows
from commonground.registry.models import ActorIdentifier, Operation
from commonground.sharing.models import Organization, Sensitivity

pytestmark = pytest.mark.django_db


def get(path: str, client: Client | None = None, **params: Any) -> Any:
    response = (client or Client()).get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


# --- Operations and parallel forces ---------------------------------------------------------------


def test_operations_by_lead_type_and_host_country(full_data: ApiData) -> None:
    rows = csv_rows("operations.csv")
    assert get("/api/v1/operations", page_size=1)["count"] == len(rows) == 168
    for lead_type, n in Counter(r["lead_type"] for r in rows).items():
        assert get("/api/v1/operations", lead_type=lead_type, page_size=1)["count"] == n
    in_car = {r["id"] for r in rows if "CAF" in r["host_countries"].split(";")}
    listed = get("/api/v1/operations", country="CAF", page_size=500)["results"]
    assert {op["slug"] for op in listed} == in_car


def test_an_operation_with_the_forces_beside_it(full_data: ApiData) -> None:
    forces = csv_rows("parallel_forces.csv")
    beside = {r["id"] for r in forces if "MINUSCA" in r["un_operation"].split(";")}
    assert beside, "the file has forces beside MINUSCA"
    slug = Operation.objects.get(acronym="MINUSCA").slug
    detail = get(f"/api/v1/operations/{slug}")
    assert detail["acronym"] == "MINUSCA" and "CAF" in detail["host_countries"]
    assert {f["slug"] for f in detail["parallel_forces"]} == beside
    by_slug = {r["id"]: r for r in forces}
    for force in detail["parallel_forces"]:
        row, typology = by_slug[force["slug"]], force["typology"]
        assert typology["lead_entity_type"] == row["lead_entity_type"]
        assert typology["purpose_type"] == row["purpose_type"]
        assert typology["unsc_status"] == row["unsc_status"]
        assert typology["command_relation"] == row["command_relation"]
        assert "MINUSCA" in {op["acronym"] for op in force["parallel_to"]}
    assert detail["presence"] > 0


@pytest.mark.parametrize(
    "column", ["lead_entity_type", "purpose_type", "unsc_status", "command_relation"]
)
def test_parallel_forces_by_typology(full_data: ApiData, column: str) -> None:
    rows = csv_rows("parallel_forces.csv")
    assert get("/api/v1/parallel-forces", page_size=1)["count"] == len(rows) == 74
    for value, n in Counter(r[column] for r in rows).items():
        params = {column: value or "unknown", "page_size": "1"}
        assert get("/api/v1/parallel-forces", None, **params)["count"] == n


def test_a_hidden_operation_is_a_404_and_leaves_the_forces_links(full_data: ApiData) -> None:
    minusca = Operation.objects.get(acronym="MINUSCA")
    Operation.objects.filter(pk=minusca.pk).update(sensitivity=Sensitivity.RESTRICTED)
    anonymous = Client()
    assert anonymous.get(f"/api/v1/operations/{minusca.slug}").status_code == 404
    forces = get("/api/v1/parallel-forces", anonymous, page_size=500)["results"]
    assert all("MINUSCA" not in {op["acronym"] for op in f["parallel_to"]} for f in forces)
    records = get("/api/v1/presence", anonymous, page_size=500)["results"]
    assert all(r["operation"] != minusca.slug for r in records)
    admin = client_for(full_data, "admin")
    assert admin.get(f"/api/v1/operations/{minusca.slug}").status_code == 200


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"lead_entity_type": "martians"}, 422),
        ({"country": "car"}, 422),
        ({"unsc_status": "unknown"}, 200),  # forces whose authorization was not established
        ({"unsc_status": ""}, 200),  # an empty filter is no filter
    ],
)
def test_registry_filter_values(full_data: ApiData, params: dict[str, str], status: int) -> None:
    response = Client().get("/api/v1/parallel-forces", params)
    assert response.status_code == status
    if status == 200:
        rows = csv_rows("parallel_forces.csv")
        unknown = params["unsc_status"] == "unknown"
        expected = sum(1 for r in rows if r["unsc_status"] == "" or not unknown)
        assert response.json()["count"] == expected


# --- Presence -------------------------------------------------------------------------------------


def test_presence_filters(full_data: ApiData) -> None:
    rows = csv_rows("presence_CAF.csv")
    assert get("/api/v1/presence", country="CAF", page_size=1)["count"] == len(rows) == 120
    for kind, n in Counter(r["organization_kind"] for r in rows).items():
        assert get("/api/v1/presence", actor_kind=kind, page_size=1)["count"] == n
    in_ouaka = {r["id"] for r in rows if r["admin1"] == "Ouaka province"}
    listed = get("/api/v1/presence", area="CAF.ouaka", page_size=500)["results"]
    assert {r["source_id"] for r in listed} == in_ouaka
    minusca = sum(1 for r in rows if r["organization_acronym"] == "MINUSCA")
    slug = Organization.objects.get(acronym="MINUSCA").slug
    assert get("/api/v1/presence", organization=slug, page_size=1)["count"] == minusca > 0


# --- Actors ---------------------------------------------------------------------------------------


def test_an_actors_events_and_dyads_match_the_file(full_data: ApiData) -> None:
    rows = csv_rows("ged_23_1_CAF.csv")
    top = get("/api/v1/actors", country="CAF", page_size=1)["results"][0]
    key = ActorIdentifier.objects.get(actor_id=top["id"], scheme="ucdp").value
    mine = [r for r in rows if key in (r["side_a_new_id"], r["side_b_new_id"])]
    counted = Counter(
        r["side_b_new_id"] if r["side_a_new_id"] == key else r["side_a_new_id"] for r in mine
    )
    detail = get(f"/api/v1/actors/{top['id']}")
    assert detail["events"] == top["events"] == len(mine)
    assert detail["deaths"] == sum(int(r["best"]) for r in mine)
    dyads = {
        ActorIdentifier.objects.get(actor_id=d["other"]["id"], scheme="ucdp").value: d["events"]
        for d in detail["dyads"]
    }
    assert dyads == dict(counted)
    assert [d["events"] for d in detail["dyads"]] == sorted(dyads.values(), reverse=True)
    one_sided = sum(1 for r in mine if r["type_of_violence"] == "3")
    assert detail["by_violence_type"]["one_sided"] == one_sided


def test_actor_list_orders_and_searches(full_data: ApiData) -> None:
    by_events = get("/api/v1/actors", page_size=500)["results"]
    assert [a["events"] for a in by_events] == sorted(
        (a["events"] for a in by_events), reverse=True
    )
    by_name = get("/api/v1/actors", order="name", page_size=500)["results"]
    assert [a["name"] for a in by_name] == sorted(a["name"] for a in by_name)
    found = get("/api/v1/actors", q="balaka")["results"]
    assert found and all("balaka" in a["name"].lower() for a in found)


def test_actor_errors(full_data: ApiData) -> None:
    missing = Client().get("/api/v1/actors/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = Client().get("/api/v1/actors/not-a-uuid")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
