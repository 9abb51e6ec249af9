"""The mandate pages and API on the real files, in English and French, and who sees what."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.mandates.models import MandateTask, Provision, Resolution
from commonground.mandates.tests.conftest import EVENTS, FRONTMAP, TASKS
from commonground.registry.importers import OPERATIONS
from commonground.sharing.models import Organization, Sensitivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tasks_run: ImportRun, events_run: ImportRun) -> None:
    """Tasks, provisions and events (Geo-PKO only where a test needs it: it is large)."""


def test_mandate_page_shows_every_resolution_with_its_counts(
    client: Client, loaded: None, data_dir: Path
) -> None:
    tasks = pl.read_csv(data_dir / TASKS, infer_schema=False)
    page = client.get("/mandates/MINUSCA/")
    assert page.status_code == 200
    html = page.content.decode()
    for number, count in tasks.group_by("resolution").len().iter_rows():
        assert f'id="res-{number}"' in html
        assert f'<tr data-resolution="{number}">' in html
        row = html.split(f'<tr data-resolution="{number}">')[1].split("</tr>")[0]
        assert f'data-tier="all">{count}<' in row
    assert 'id="tasks-chart-data"' in html
    assert "<script>" not in html  # no inline script: the CSP allows none


def test_mandate_page_in_french_shows_french_labels(
    client: Client, loaded: None, data_dir: Path
) -> None:
    tasks = pl.read_csv(data_dir / TASKS, infer_schema=False)
    html = client.get("/mandates/MINUSCA/?lang=fr").content.decode()
    first = tasks.row(0, named=True)
    assert first["task_fr"] in html
    assert "Mandat dans le temps" in html


def test_diff_page_lists_what_changed(client: Client, loaded: None) -> None:
    html = client.get("/mandates/MINUSCA/diff/?before=2387&after=2448").content.decode()
    assert "From resolution 2387 to 2448" in html
    for section in ("added", "dropped", "promoted", "demoted", "mode-changed"):
        assert f'id="{section}"' in html
    assert client.get("/mandates/MINUSCA/diff/?before=abc").status_code == 200


def test_agreement_page_shows_every_event_and_provision(
    client: Client, loaded: None, data_dir: Path
) -> None:
    events = pl.read_csv(data_dir / EVENTS, infer_schema=False)
    html = client.get("/mandates/agreements/appr_rca_2019/").content.decode()
    for row in events.iter_rows(named=True):
        assert f'id="{row["event_id"]}"' in html
        assert f'href="#{row["provision_code"]}"' in html


def test_deployments_page_sums_troops_per_year(
    client: Client, geopko_run: ImportRun, data_dir: Path
) -> None:
    geo = pl.read_csv(data_dir / FRONTMAP, infer_schema=False).filter(
        pl.col("mission") == "MINUSCA"
    )
    html = client.get("/mandates/MINUSCA/deployments/").content.decode()
    sums = geo.with_columns(pl.col("NoTroops").replace("NA", None).cast(pl.Int64))
    for year, troops in sums.group_by("year").agg(pl.col("NoTroops").sum()).iter_rows():
        assert f'<tr data-year="{year}">' in html
        row = html.split(f'<tr data-year="{year}">')[1].split("</tr>")[0]
        assert f'data-troops="{troops or 0}"' in row
    assert 'id="deployment-map-config"' in html


def test_api_resolutions_count_tasks_by_tier(client: Client, loaded: None, data_dir: Path) -> None:
    tasks = pl.read_csv(data_dir / TASKS, infer_schema=False)
    expected = {
        (int(r["resolution"]), r["priority"]): r["len"]
        for r in tasks.group_by("resolution", "priority").len().iter_rows(named=True)
    }
    body = client.get("/api/v1/mandates/missions/MINUSCA/resolutions").json()
    found = {(item["number"], tier): n for item in body for tier, n in item["by_tier"].items() if n}
    assert found == expected
    diff = client.get("/api/v1/mandates/missions/MINUSCA/diff?before=2387&after=2448").json()
    assert (diff["before"], diff["after"]) == (2387, 2448)
    assert client.get("/api/v1/mandates/missions/NOPE/resolutions").status_code == 404


# --- Who sees what --------------------------------------------------------------------------

#: (user, sees a confidential record of the importing organization "local")
CONFIDENTIAL_RECORD = [
    (None, False),
    ("jean", False),  # viewer in another organization
    ("amina", False),  # analyst in another organization
    ("admin", True),  # platform administrator
]


@pytest.mark.parametrize(("username", "sees"), CONFIDENTIAL_RECORD)
def test_records_are_read_through_the_access_policy(
    client: Client, loaded: None, cast: dict[str, User], username: str | None, sees: bool
) -> None:
    """Public by default; a record marked confidential is hidden like any owned record."""
    Provision.objects.filter(key="APPR-SEC-01").update(sensitivity=Sensitivity.CONFIDENTIAL)
    resolution = Resolution.objects.get(number=2800)
    MandateTask.objects.filter(resolution=resolution).update(sensitivity=Sensitivity.CONFIDENTIAL)
    Resolution.objects.filter(pk=resolution.pk).update(sensitivity=Sensitivity.CONFIDENTIAL)
    if username:
        client.force_login(cast[username])
    codes = [
        p["code"] for p in client.get("/api/v1/mandates/agreements/appr_rca_2019/provisions").json()
    ]
    assert ("APPR-SEC-01" in codes) is sees
    numbers = [
        r["number"] for r in client.get("/api/v1/mandates/missions/MINUSCA/resolutions").json()
    ]
    assert (2800 in numbers) is sees
    html = client.get("/mandates/MINUSCA/").content.decode()
    assert ('id="res-2800"' in html) is sees


def test_import_page_offers_the_new_datasets(client: Client, cast: dict[str, User]) -> None:
    client.force_login(cast["amina"])  # an analyst may import
    html = client.get("/import/").content.decode()
    for dataset in ("mandate-taxonomy", "mandate-tasks", "agreement", "agreement-events", "geopko"):
        assert f'value="{dataset}"' in html


def test_nav_marks_the_mandate_pages(client: Client, loaded: None) -> None:
    html = client.get("/mandates/MINUSCA/diff/").content.decode()
    assert 'href="/mandates/" aria-current="page"' in html


def test_operation_page_links_the_mission_pages(
    client: Client, loaded: None, owner: Organization, data_dir: Path
) -> None:
    do_import(OPERATIONS, data_dir / "operations.csv", owner=owner)
    html = client.get("/operations/minusca/").content.decode()
    assert 'href="/mandates/MINUSCA/"' in html
    mission = client.get("/mandates/MINUSCA/").content.decode()
    assert 'href="/operations/minusca/"' in mission
