"""The review calendar's reporting deadlines and need against deployment at admin-2 in Debian's
Chromium on the real files: the sub-prefecture circles draw, no console error (CSP). With
``CG_SCREENSHOTS=docs/screenshots`` the screenshots are written there (docs/mandates.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from commonground.mandates.tests.test_browser import errors_of
from commonground.mandates.tests.test_browser_plans import site  # noqa: F401 - the loaded site
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401 - the serial live server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


def folder(tmp_path: Path) -> Path:
    found = Path(os.environ.get("CG_SCREENSHOTS", str(tmp_path)))
    found.mkdir(parents=True, exist_ok=True)
    return found


def test_deadlines_and_admin2_need_draw(site: str, tmp_path: Path) -> None:  # noqa: F811 - the fixture imported above
    out = folder(tmp_path)
    with chromium(width=1280, height=900) as browser:
        page = browser.new_page()
        errors = errors_of(page)
        page.goto(site + "/mandates/MINUSCA/tasks/CivProtect/?year=2019&level=admin2&lang=en")
        page.wait_for_selector("#need-map[data-loaded='1']", timeout=30_000)
        rows = page.locator("#need-table tbody tr").count()
        assert rows > 17  # more sub-prefectures than prefectures
        # One circle per sub-prefecture with a centre, plus the capable locations.
        assert page.locator("#need-map path.leaflet-interactive").count() >= rows
        expect(page.locator("#risk-note")).to_be_visible()
        page.locator("#need-heading").scroll_into_view_if_needed()
        page.locator("section[aria-labelledby='need-heading']").screenshot(
            path=str(out / "mandates-need-admin2-en.png")
        )
        for lang, name, heading in (
            ("en", "mandates-calendar-deadlines-en.png", "Reporting deadlines"),
            ("fr", "mandates-calendar-deadlines-fr.png", "Échéances de rapport"),
        ):
            page.goto(site + f"/mandates/MINUSCA/reviews/?lang={lang}")
            expect(page.locator("#deadlines-heading")).to_have_text(heading)
            expect(page.locator("#deadlines tr[data-date]")).to_have_count(24)
            page.locator("#deadlines").screenshot(path=str(out / name))
        assert errors == []
