"""TLP 2.0 markings on the owned records of mandates: capability statements and implementation
scores carry their marking (their sensitivity's, docs/access-policy.md) on the page, in the API
answer (``tlp``) and in the CSV export (a ``tlp`` column), as alerts and events do."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.mandates.models import CapabilityNeed, TaskCategory
from commonground.mandates.services import do_add_need, do_demo_scores
from commonground.sharing.models import Organization, Sensitivity
from commonground.sharing.services import local_organization

pytestmark = pytest.mark.django_db

AGREEMENT = "appr_rca_2019"
TASK = "/mandates/MINUSCA/tasks/CivProtect/"
NEEDS_API = "/api/v1/mandates/missions/MINUSCA/tasks/CivProtect/needs"


@pytest.fixture
def need(tasks_run: ImportRun, cast: dict[str, User]) -> CapabilityNeed:
    jmac = Organization.objects.get(slug="minusca-jmac")
    category = TaskCategory.objects.get(key="CivProtect")
    return do_add_need(
        cast["amina"], jmac, "MINUSCA", category, "aviation", "rapid", Sensitivity.RESTRICTED
    )


def test_a_capability_statement_carries_its_marking_on_the_page_and_in_the_api(
    client: Client, cast: dict[str, User], need: CapabilityNeed
) -> None:
    client.force_login(cast["amina"])
    page = client.get(TASK).content.decode()
    row = page[page.index('data-capability="aviation"') :]
    assert "TLP:AMBER+STRICT" in row[: row.index("</tr>")]
    assert [n["tlp"] for n in client.get(NEEDS_API).json()] == ["TLP:AMBER+STRICT"]


def test_implementation_scores_carry_their_marking_on_page_api_and_csv(
    client: Client, events_run: ImportRun
) -> None:
    assert do_demo_scores(local_organization(), AGREEMENT) > 0  # public demonstration scores
    page = client.get(f"/mandates/agreements/{AGREEMENT}/scores/").content.decode()
    matrix = page[page.index('id="matrix-heading"') :]
    assert "TLP:CLEAR" in matrix
    scores = client.get(f"/api/v1/mandates/agreements/{AGREEMENT}/scores").json()["scores"]
    assert scores and {s["tlp"] for s in scores} == {"TLP:CLEAR"}
    text = client.get(f"/mandates/agreements/{AGREEMENT}/scores.csv").content.decode()
    lines = text.splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))  # after the demo notice
    assert rows and {r["tlp"] for r in rows} == {"TLP:CLEAR"}
