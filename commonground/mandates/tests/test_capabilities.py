"""Capability statements (owned records: who sees, who edits, audited) and the need-against-
deployment ranking, recomputed here on the real CAR data for one year.

The ranking's expected order is computed in this file from the CSV files (GED and Geo-PKO TTMap,
FrontMap) with the csv module and shapely, never with the app's functions.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client
from shapely.geometry import Point, shape

from commonground.core.models import ImportRun
from commonground.mandates.models import CapabilityNeed, TaskCategory
from commonground.mandates.services import do_add_need
from commonground.mandates.tests.conftest import FRONTMAP, TTMAP
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.testing.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TASK_URL = "/mandates/MINUSCA/tasks/CivProtect/"
YEAR = 2019
BOUNDARIES = (
    Path(__file__).resolve().parents[2] / "web" / "static" / "web" / "mapdata" / "admin1.geojson"
)


def login(client: Client, user: User) -> None:
    assert client.login(request=HttpRequest(), username=user.username, password=DEMO_PASSWORD)


@pytest.fixture
def jmac_need(tasks_run: ImportRun, cast: dict[str, User]) -> CapabilityNeed:
    """Amina (JMAC analyst) states, restricted to her organization, that PoC needs aviation."""
    jmac = Organization.objects.get(slug="minusca-jmac")
    category = TaskCategory.objects.get(key="CivProtect")
    return do_add_need(
        cast["amina"],
        jmac,
        "MINUSCA",
        category,
        "aviation",
        "rapid reaction",
        Sensitivity.RESTRICTED,
    )


# --- Who sees and who edits ---------------------------------------------------------------------

#: (user, sees the JMAC restricted statement, may write statements for JMAC)
WHO = [
    (None, False, False),
    ("jean", False, False),  # civil-society viewer
    ("grace", False, False),  # another organization's analyst
    ("marc", True, True),  # JMAC planner: reads, writes capability statements
    ("amina", True, True),  # JMAC analyst
    ("admin", True, True),  # platform administrator
]


@pytest.mark.parametrize(("username", "sees", "edits"), WHO)
def test_who_sees_and_who_edits_a_capability_statement(
    client: Client,
    cast: dict[str, User],
    jmac_need: CapabilityNeed,
    username: str | None,
    sees: bool,
    edits: bool,
) -> None:
    if username:
        login(client, cast[username])
    html = client.get(TASK_URL).content.decode()
    assert ("rapid reaction" in html) is sees
    jmac = Organization.objects.get(slug="minusca-jmac")
    assert (f'value="{jmac.pk}"' in html) is edits  # JMAC offered in the form
    removed = client.post(TASK_URL, {"action": "remove", "need": str(jmac_need.pk)})
    assert CapabilityNeed.objects.filter(pk=jmac_need.pk).exists() is not edits
    if not edits:
        assert removed.status_code == 404  # hidden or not: the same answer


def test_a_malformed_statement_id_is_not_found(
    client: Client, cast: dict[str, User], jmac_need: CapabilityNeed
) -> None:
    login(client, cast["amina"])
    assert client.post(TASK_URL, {"action": "remove", "need": "not-a-uuid"}).status_code == 404
    assert CapabilityNeed.objects.count() == 1


def test_mandates_and_geopko_are_public(client: Client, tasks_run: ImportRun) -> None:
    assert client.get(TASK_URL).status_code == 200
    assert client.get("/mandates/MINUSCA/tasks/NoSuchTask/").status_code == 404


def test_an_analyst_adds_a_statement_and_it_is_audited(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    login(client, cast["amina"])
    jmac = Organization.objects.get(slug="minusca-jmac")
    answer = client.post(
        TASK_URL,
        {
            "organization": str(jmac.pk),
            "capability": "engineering",
            "note": "roads",
            "sensitivity": "1",
        },
    )
    assert answer.status_code == 302
    need = CapabilityNeed.objects.get(capability="engineering")
    assert need.owner == jmac and need.changed_by == cast["amina"]
    entry = AuditEvent.objects.get(action="mandates.need.add")
    assert entry.actor == cast["amina"] and entry.detail["capability"] == "engineering"
    client.post(TASK_URL, {"action": "remove", "need": str(need.pk)})
    assert AuditEvent.objects.filter(action="mandates.need.remove").count() == 1


def test_a_viewer_cannot_post_a_statement_for_another_organization(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    login(client, cast["grace"])  # analyst of the women's network, not of JMAC
    jmac = Organization.objects.get(slug="minusca-jmac")
    answer = client.post(
        TASK_URL, {"organization": str(jmac.pk), "capability": "medical", "sensitivity": "1"}
    )
    assert answer.status_code == 400
    assert not CapabilityNeed.objects.exists()


# --- The ranking, recomputed --------------------------------------------------------------------


def fold(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.casefold().replace(" province", "").replace(" prefecture", "").strip()


def expected_ranking(data_dir: Path) -> list[tuple[str, int, bool]]:
    """(area name folded, one-sided events, has infantry or police) per CAR area, ranked."""
    features = [
        f
        for f in json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
        if f["properties"]["country"] == "CAF"
    ]
    shapes = [(fold(f["properties"]["name"]), shape(f["geometry"])) for f in features]
    events = {name: [0, 0] for name, _ in shapes}
    with (data_dir / "ged_23_1_CAF.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["type_of_violence"] == "3" and row["year"] == str(YEAR) and row["adm_1"]:
                events[fold(row["adm_1"])][0] += 1
                events[fold(row["adm_1"])][1] += int(row["best"])
    covered: set[str] = set()

    def place(lat: str, lon: str) -> str | None:
        point = Point(float(lon), float(lat))
        return next((n for n, s in shapes if s.contains(point)), None)

    for name, column in ((TTMAP, "Infantry"), (FRONTMAP, "UNPOL")):
        with (data_dir / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                wanted = row["mission"] == "MINUSCA" and row["year"] == str(YEAR)
                if wanted and row[column] not in ("NA", "0"):
                    area = place(row["latitude"], row["longitude"])
                    if area:
                        covered.add(area)
    ordered = sorted(events, key=lambda n: (n in covered, -events[n][0], -events[n][1], n))
    return [(n, events[n][0], n in covered) for n in ordered]


def test_ranking_equals_one_computed_from_the_csv_files(
    client: Client,
    ged_run: ImportRun,
    tasks_run: ImportRun,
    units_run: ImportRun,
    geopko_run: ImportRun,
    data_dir: Path,
) -> None:
    page = client.get(f"{TASK_URL}?year={YEAR}")
    assert page.status_code == 200
    table = page.context["table"]
    found = [(fold(r.name), r.events, r.covered) for r in table.rows]
    expected = expected_ranking(data_dir)
    # Same areas, counts and cover; ties on events and deaths may order by code or name.
    assert sorted(found) == sorted(expected)
    assert [(e, c) for _n, e, c in found] == [(e, c) for _n, e, c in expected]
    assert table.capabilities == ["infantry", "police"] and not table.stated
    assert 'id="need-map-config"' in page.content.decode()


def test_task_page_in_french(client: Client, tasks_run: ImportRun) -> None:
    html = client.get(f"{TASK_URL}?lang=fr").content.decode()
    assert "Protection des civils" in html or "protection des civils" in html.lower()
    assert "Capacités" in html
