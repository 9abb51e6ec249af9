"""The parallel-forces atlas on the real registry files.

Expected counts are computed from ``parallel_forces.csv`` with Python's csv module, never from
our importer or queries.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve
from pytest_django import DjangoDbBlocker

from commonground.core.services import do_import
from commonground.registry.importers import OPERATIONS, PARALLEL_FORCES
from commonground.sharing.services import local_organization
from commonground.web.tests.conftest import FAST_HASHERS

pytestmark = pytest.mark.django_db


def forces_csv() -> list[dict[str, str]]:
    path = Path(settings.COMMONGROUND_DATA_DIR) / "parallel_forces.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def registries(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Operations, then parallel forces, imported once for the module and rolled back after."""
    folder = Path(settings.COMMONGROUND_DATA_DIR)
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        owner = local_organization()
        do_import(OPERATIONS, folder / "operations.csv", owner=owner)
        do_import(PARALLEL_FORCES, folder / "parallel_forces.csv", owner=owner)
        yield
        transaction.set_rollback(True)


def table_rows(html: str) -> list[str]:
    """The force slugs of the atlas table's rows."""
    return re.findall(r'<tr data-force="([^"]+)">', html)


def test_every_force_of_the_file_is_shown(registries: None) -> None:
    response = Client().get("/atlas/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = forces_csv()
    assert len(rows) == 74
    assert sorted(table_rows(html)) == sorted(row["id"] for row in rows)
    assert "74 parallel forces" in html
    assert 'id="atlas-map"' in html and 'id="atlas-timeline"' in html
    config = json.loads(
        re.search(r'<script id="atlas-config" type="application/json">(.*?)</script>', html, re.S)[
            1
        ]  # type: ignore[index]  # the parsed JSON is a dict here
    )
    assert len(config["timeline"]["order"]) == 74
    assert sum(len(trace["names"]) for trace in config["timeline"]["traces"]) == 74


@pytest.mark.parametrize(
    ("param", "column", "value"),
    [
        ("command_relation", "command_relation", "integrated"),
        ("command_relation", "command_relation", "coordinated"),
        ("lead_entity_type", "lead_entity_type", "bilateral"),
        ("lead_entity_type", "lead_entity_type", "subregional org"),
        ("purpose_type", "purpose_type", "counterterrorism"),
        ("purpose_type", "purpose_type", "training/SSR"),
        ("unsc_status", "unsc_status", "authorized"),
        ("unsc_status", "unsc_status", "none"),
    ],
)
def test_filtered_counts_equal_the_file(
    registries: None, param: str, column: str, value: str
) -> None:
    expected = sorted(row["id"] for row in forces_csv() if row[column] == value)
    response = Client().get("/atlas/", {param: value})
    assert response.status_code == 200
    assert sorted(table_rows(response.content.decode())) == expected


def test_integrated_forces_are_three(registries: None) -> None:
    html = Client().get("/atlas/?command_relation=integrated").content.decode()
    assert len(table_rows(html)) == 3


def test_not_established_status_is_a_filter(registries: None) -> None:
    expected = sorted(row["id"] for row in forces_csv() if row["unsc_status"] == "")
    html = Client().get("/atlas/?unsc_status=unknown").content.decode()
    assert sorted(table_rows(html)) == expected


def test_filters_combine_and_current_only(registries: None) -> None:
    year = datetime.date.today().year
    expected = sorted(
        row["id"]
        for row in forces_csv()
        if row["lead_entity_type"] == "bilateral"
        and (not row["end_year"] or int(row["end_year"]) >= year)
    )
    html = Client().get("/atlas/?lead_entity_type=bilateral&current=1").content.decode()
    assert sorted(table_rows(html)) == expected
    assert expected  # the file has current bilateral forces


def test_an_unknown_filter_value_is_named_and_left_out(registries: None) -> None:
    response = Client().get("/atlas/?purpose_type=invasion")
    assert response.status_code == 400
    assert "invasion" in response.content.decode()
    assert len(table_rows(response.content.decode())) == 74


def test_operations_link_to_their_pages(registries: None) -> None:
    html = Client().get("/atlas/?command_relation=integrated").content.decode()
    for row in forces_csv():
        if row["command_relation"] != "integrated":
            continue
        for acronym in row["un_operation"].split(";"):
            assert f">{acronym.strip()}</a>" in html
    assert re.search(r'href="/operations/[\w-]+/"', html)


def test_map_data_is_geojson_of_host_countries(registries: None) -> None:
    view = resolve("/atlas/countries.geojson").func
    assert getattr(view, "access_policy", None) == "public"
    response = Client().get("/atlas/countries.geojson?command_relation=integrated")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    hosts: dict[str, int] = {}
    for row in forces_csv():
        if row["command_relation"] == "integrated":
            for code in filter(None, row["host_country"].split(";")):
                hosts[code.strip()] = hosts.get(code.strip(), 0) + 1
    shown = {f["properties"]["iso_a3"]: f["properties"]["forces"] for f in data["features"]}
    assert shown == hosts


def test_atlas_page_declares_a_policy() -> None:
    assert getattr(resolve("/atlas/").func, "access_policy", None) == "public"


def test_the_atlas_speaks_french(registries: None) -> None:
    html = Client().get("/atlas/?lang=fr").content.decode()
    assert "Atlas des forces parallèles" in html
