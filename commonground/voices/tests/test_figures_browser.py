"""Released figures in Debian's Chromium: the mission analyst and the army liaison, EN and FR.

The demo's SYNTHETIC reports of the Bambari women's network reach Amina (MINUSCA) and Ousmane
(army liaison) only as released tables. No Content-Security-Policy violation. Screenshots go to
the test's temporary folder (``GATE_SHOTS`` names another, e.g. docs/screenshots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from commonground.core.models import ImportRun
from commonground.testing.cast import DEMO_PASSWORD, ensure_cast
from commonground.voices.demo import do_demo_reports
from commonground.voices.demo_figures import do_demo_circle, do_demo_figure_reports
from commonground.voices.tests.test_browser import LISTEN
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401  # fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

FEWER = {"en": "fewer than 10", "fr": "moins de 10"}


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_circle_sees_released_tables_only(
    live_server: object,  # noqa: F811  # fixture
    transactional_db: None,
    ged_run: ImportRun,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("GATE_SHOTS", str(tmp_path)))
    ensure_cast()
    do_demo_reports()
    do_demo_circle()
    do_demo_figure_reports()
    site = live_server.url  # type: ignore[attr-defined]  # pytest-django's LiveServer
    violations: list[str] = []
    for who in ("amina", "ousmane"):
        with chromium(width=1280, height=900) as browser:
            page = browser.new_page()
            page.add_init_script(LISTEN)
            page.goto(f"{site}/accounts/login/?next=/voices/figures/")
            page.fill("input[name=username]", who)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.locator("main button[type=submit]").click()
            for lang in ("en", "fr"):
                page.goto(f"{site}/voices/figures/?owner=femmes-bambari&lang={lang}")
                expect(page.locator("#figures")).to_contain_text(FEWER[lang])
                page.screenshot(path=str(shots / f"gate-{who}-{lang}.png"), full_page=True)
                violations += page.evaluate("window.__violations")
            page.goto(f"{site}/voices/inbox/")
            expect(page.locator("h1")).not_to_have_text("Community reports")
    assert violations == []
