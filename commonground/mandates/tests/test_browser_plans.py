"""The task (need against deployment), review calendar and score pages in Debian's Chromium on
the real files, English and French: map and chart draw, no console error (CSP). With
``CG_SCREENSHOTS=docs/screenshots`` the screenshots are written there (docs/mandates.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.mandates.importers import (
    AGREEMENT,
    AGREEMENT_EVENTS,
    GEOPKO,
    GEOPKO_UNITS_IMPORTER,
    MANDATE_TASKS,
    MANDATE_TAXONOMY,
)
from commonground.mandates.services import do_demo_scores, do_seed_review_calendar
from commonground.mandates.tests.conftest import (
    EVENTS,
    FRONTMAP,
    PROVISIONS,
    TASKS,
    TAXONOMY,
    TTMAP,
)
from commonground.mandates.tests.test_browser import errors_of
from commonground.sharing.services import local_organization
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401 - the serial live server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, data_dir: Path) -> str:  # noqa: F811 - the fixture imported above
    owner = local_organization()
    for importer, name in (
        (MANDATE_TAXONOMY, TAXONOMY),
        (MANDATE_TASKS, TASKS),
        (AGREEMENT, PROVISIONS),
        (AGREEMENT_EVENTS, EVENTS),
        (GEOPKO, FRONTMAP),
        (GEOPKO_UNITS_IMPORTER, TTMAP),
        (GED, "ged_23_1_CAF.csv"),
    ):
        do_import(importer, data_dir / name, owner=owner)
    do_demo_scores(owner, "appr_rca_2019")
    do_seed_review_calendar(owner, data_dir / "mandates/README.md")
    return live_server.url


def shoot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("CG_SCREENSHOTS", str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_need_map_reviews_and_scores_draw(site: str, tmp_path: Path) -> None:
    with chromium() as browser:
        page = browser.new_page()
        errors = errors_of(page)
        page.goto(site + "/mandates/MINUSCA/tasks/CivProtect/?year=2019")
        page.wait_for_selector("#need-map[data-loaded='1']", timeout=30_000)
        assert page.locator("#need-map path.leaflet-interactive").count() >= 17  # CAR's areas
        expect(page.locator("#need-table tbody tr")).to_have_count(17)
        shoot(page, "mandates-need.png", tmp_path)
        page.goto(site + "/mandates/MINUSCA/tasks/CivProtect/?year=2019&lang=fr")
        page.wait_for_selector("#need-map[data-loaded='1']", timeout=30_000)
        expect(page.locator("#needs-heading")).to_have_text("Capacités nécessaires à cette tâche")
        shoot(page, "mandates-need-fr.png", tmp_path)
        page.goto(site + "/mandates/MINUSCA/reviews/?lang=en")
        expect(page.locator("#calendar tbody tr")).to_have_count(12)
        expect(page.locator("#items tr[data-kind='mandate_end']")).to_have_count(12)
        expect(page.locator("#overdue[data-overdue='1'] .flag")).to_be_visible()
        shoot(page, "mandates-reviews.png", tmp_path)
        page.goto(site + "/mandates/MINUSCA/reviews/?lang=fr")
        expect(page.locator("#overdue .flag")).to_contain_text("En retard")
        shoot(page, "mandates-reviews-fr.png", tmp_path)
        page.goto(site + "/mandates/agreements/appr_rca_2019/scores/?lang=en")
        page.wait_for_selector("#scores-chart[data-loaded]", timeout=30_000)
        expect(page.locator("#demo-notice")).to_contain_text("Demonstration scores")
        shoot(page, "mandates-scores.png", tmp_path)
        page.goto(site + "/mandates/agreements/appr_rca_2019/scores/?lang=fr")
        page.wait_for_selector("#scores-chart[data-loaded]", timeout=30_000)
        expect(page.locator("#demo-notice")).to_contain_text("Scores de démonstration")
        shoot(page, "mandates-scores-fr.png", tmp_path)
        assert errors == []
