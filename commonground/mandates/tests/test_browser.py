"""The mandate pages in Debian's Chromium on the real files, English and French: the charts and
the deployment map draw, nothing breaks the Content-Security-Policy (no console error)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from commonground.core.services import do_import
from commonground.mandates.importers import (
    AGREEMENT,
    AGREEMENT_EVENTS,
    GEOPKO,
    MANDATE_TASKS,
    MANDATE_TAXONOMY,
)
from commonground.mandates.tests.conftest import EVENTS, FRONTMAP, PROVISIONS, TASKS, TAXONOMY
from commonground.registry.importers import OPERATIONS
from commonground.sharing.services import local_organization
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401 - the serial live server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, data_dir: Path) -> str:  # noqa: F811 - the fixture imported above
    """The live server with the operations, mandates, agreement and Geo-PKO files loaded."""
    owner = local_organization()
    for importer, name in (
        (OPERATIONS, "operations.csv"),
        (MANDATE_TAXONOMY, TAXONOMY),
        (MANDATE_TASKS, TASKS),
        (AGREEMENT, PROVISIONS),
        (AGREEMENT_EVENTS, EVENTS),
        (GEOPKO, FRONTMAP),
    ):
        do_import(importer, data_dir / name, owner=owner)
    return live_server.url


def errors_of(page: Page) -> list[str]:
    found: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_mandate_chart_and_french_labels(site: str, data_dir: Path, tmp_path: Path) -> None:
    tasks = pl.read_csv(data_dir / TASKS, infer_schema=False)
    with chromium() as browser:
        page = browser.new_page()
        errors = errors_of(page)
        page.goto(site + "/mandates/MINUSCA/")
        page.wait_for_selector("#tasks-chart[data-loaded]", timeout=30_000)
        # One bar per resolution in each of the three tiers' traces.
        bars = page.locator("#tasks-chart .bars .point").count()
        assert bars == 3 * tasks["resolution"].n_unique()
        expect(page.locator("#tasks-per-resolution tbody tr")).to_have_count(
            tasks["resolution"].n_unique()
        )
        page.goto(site + "/mandates/MINUSCA/?lang=fr")
        page.wait_for_selector("#tasks-chart[data-loaded]", timeout=30_000)
        expect(page.locator("h2#chart-heading")).to_have_text("Tâches par résolution")
        expect(page.locator("body")).to_contain_text(tasks.row(0, named=True)["task_fr"])
        page.screenshot(path=str(tmp_path / "mandate-fr.png"), full_page=False)
        assert errors == []


def test_deployment_map_draws_one_circle_per_location(site: str, data_dir: Path) -> None:
    geo = pl.read_csv(data_dir / FRONTMAP, infer_schema=False).filter(
        pl.col("mission") == "MINUSCA"
    )
    latest = max(geo["year"].to_list())
    with chromium() as browser:
        page = browser.new_page()
        errors = errors_of(page)
        page.goto(site + "/mandates/MINUSCA/deployments/?lang=fr")
        page.wait_for_selector("#deployment-map[data-loaded='1']", timeout=30_000)
        page.wait_for_selector("#troops-chart[data-loaded]", timeout=30_000)
        circles = page.locator("#deployment-map path.leaflet-interactive").count()
        assert circles == geo.filter(pl.col("year") == latest).height
        expect(page.locator("#sums-heading")).to_have_text("Troupes par année")
        page.goto(site + "/mandates/agreements/appr_rca_2019/")
        expect(page.locator("#events > li")).to_have_count(
            pl.read_csv(data_dir / EVENTS, infer_schema=False).height
        )
        assert errors == []
