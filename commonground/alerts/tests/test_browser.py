"""The alerts pages in Debian's Chromium, in English and French: Amina (MINUSCA) and Ousmane
(national-army liaison) read the network's alerts, Ousmane acknowledges one, Grace reads the
response times. No Content-Security-Policy violation anywhere.

Screenshots go to the test's temporary folder; ``ALERTS_SHOTS=docs/screenshots`` keeps them
(docs/screenshots/alerts-*.png).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import BrowserContext, expect

from commonground.alerts.demo import do_demo_alerts
from commonground.core.models import ImportRun
from commonground.testing.cast import DEMO_PASSWORD, ensure_cast
from commonground.voices.demo import do_demo_reports
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401  # fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""

HEADINGS = {
    "en": ("Alerts", "Alert response times"),
    "fr": ("Alertes", "Délais de réponse aux alertes"),
}


def sign_in(browser: BrowserContext, site: str, username: str) -> None:
    browser.clear_cookies()
    page = browser.pages[0]
    page.goto(f"{site}/accounts/login/?next=/alerts/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Alerts")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_recipients_read_and_answer_the_owner_reads_the_times(
    live_server: object,  # noqa: F811  # fixture
    transactional_db: None,
    ged_run: ImportRun,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("ALERTS_SHOTS", str(tmp_path)))
    ensure_cast()
    do_demo_reports()
    do_demo_alerts()
    site = live_server.url  # type: ignore[attr-defined]  # pytest-django's LiveServer
    violations: list[str] = []
    with chromium(width=1100, height=900) as browser:
        page = browser.new_page()
        page.add_init_script(LISTEN)
        for username in ("amina", "ousmane"):
            sign_in(browser, site, username)
            for lang in ("en", "fr"):
                page.goto(f"{site}/alerts/?lang={lang}")
                expect(page.locator("h1")).to_have_text(HEADINGS[lang][0])
                expect(page.locator("#alerts > li")).to_have_count(2)
                page.screenshot(path=str(shots / f"alerts-{username}-{lang}.png"), full_page=True)
                violations += page.evaluate("window.__violations")
        page.goto(f"{site}/alerts/?lang=en")
        page.locator("#alerts a").first.click()
        page.locator("#acknowledge").click()
        expect(page.locator("#answers")).to_contain_text("Acknowledged")
        sign_in(browser, site, "grace")
        for lang in ("en", "fr"):
            page.goto(f"{site}/alerts/dashboard/?lang={lang}")
            # The owner's figures carry their marking beside the heading.
            expect(page.locator("h1")).to_have_text(HEADINGS[lang][1] + " TLP:AMBER+STRICT")
            expect(page.locator("#overall")).to_contain_text(re.compile(r"6[.,]0 h"))
            page.screenshot(path=str(shots / f"alerts-dashboard-{lang}.png"), full_page=True)
            violations += page.evaluate("window.__violations")
        page.goto(f"{site}/alerts/?lang=en")
        page.locator("#alerts a").first.click()
        expect(page.locator("#owner")).to_be_visible()
        page.screenshot(path=str(shots / "alerts-owner-detail-en.png"), full_page=True)
        violations += page.evaluate("window.__violations")
    assert violations == []
