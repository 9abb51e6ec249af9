"""The learning pages in Debian's Chromium on the real files, English and French: the theory of
change draws, the benchmark timelines show, nothing breaks the Content-Security-Policy.

``LEARNING_SHOTS=docs/screenshots`` keeps the screenshots (docs/screenshots/learning-*.png).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.learning.demo import do_demo_learning
from commonground.learning.tests.conftest import GED as GED_FILE
from commonground.learning.tests.conftest import PRESENCE_FILE
from commonground.registry.importers import PRESENCE
from commonground.sharing.services import local_organization
from commonground.testing.cast import DEMO_PASSWORD, ensure_cast
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401 - the serial live server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, data_dir: Path) -> str:  # noqa: F811 - the fixture imported above
    owner = local_organization()
    do_import(GED, data_dir / GED_FILE, owner=owner)
    do_import(PRESENCE, data_dir / PRESENCE_FILE, owner=owner)
    ensure_cast()
    do_demo_learning()
    return live_server.url


def errors_of(page: Page) -> list[str]:
    found: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def sign_in(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/login/?next=/learning/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Learning")


def test_programme_and_benchmarks_in_english_and_french(site: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("LEARNING_SHOTS", str(tmp_path)))
    with chromium() as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        errors = errors_of(page)
        sign_in(page, site, "sofia")
        page.goto(site + "/learning/programmes/sfcg-car-ouaka-dialogue/")
        expect(page.locator("#toc g[data-node]")).to_have_count(10)
        flagged = page.locator('#toc g[data-node="s3"][data-flagged="true"]')
        expect(flagged).to_have_count(1)  # the spill-over assumption, flagged by the GED data
        expect(page.locator("#demonstration")).to_be_visible()
        page.screenshot(path=str(shots / "learning-programme.png"), full_page=True)
        page.goto(site + "/learning/programmes/sfcg-car-ouaka-dialogue/?lang=fr")
        expect(page.locator("#toc-heading")).to_contain_text("Théorie du changement")
        expect(page.locator("#toc-heading .tlp")).to_have_count(1)  # the owned record's marking
        page.screenshot(path=str(shots / "learning-programme-fr.png"), full_page=True)
        browser.clear_cookies()  # a new session
        sign_in(page, site, "amina")
        page.goto(site + "/learning/benchmarks/MINUSCA/")
        expect(page.locator("section.benchmark")).to_have_count(2)
        page.locator("section.benchmark details summary").first.click()
        page.screenshot(path=str(shots / "learning-benchmarks.png"), full_page=True)
        page.goto(site + "/learning/benchmarks/MINUSCA/?lang=fr")
        expect(page.locator("h1")).to_contain_text("Critères de sortie")
        page.screenshot(path=str(shots / "learning-benchmarks-fr.png"), full_page=False)
        page.goto(site + "/learning/indicators/minusca-vac-ouaka/")
        page.screenshot(path=str(shots / "learning-indicator.png"), full_page=False)
    assert errors == []
