"""The voices pages in Debian's Chromium, on a phone-sized screen, in English and French.

The public form is sent with no account and no script; the receipt code reads the answer; the
Bambari analyst signs in and reads the report. No Content-Security-Policy violation anywhere.
Screenshots go to the test's temporary folder (``VOICES_SHOTS`` names another).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from playwright.sync_api import Page, expect

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

TEXT = {
    "en": ("Send", "Thank you. Your report was received.", "Read the answer"),
    "fr": ("Envoyer", "Merci. Votre signalement a été reçu.", "Lire la réponse"),
}


def send_report(page: Page, site: str, lang: str, shots: Path) -> str:
    send, thanks, read = TEXT[lang]
    page.goto(f"{site}/voices/femmes-bambari/signaler/?lang={lang}")
    page.screenshot(path=str(shots / f"voices-form-{lang}.png"), full_page=True)
    page.check("input[name=category][value=looting]")
    page.fill("input[name=occurred_on]", "2022-06-03")
    page.fill("input[name=women]", "2")
    page.fill("textarea[name=narrative]", f"Browser narrative {lang}")
    page.check("input[name=may_count]")
    page.get_by_role("button", name=send).click()
    expect(page.locator("h1")).to_have_text(thanks)
    code = page.locator("#receipt-code").inner_text()
    page.screenshot(path=str(shots / f"voices-thanks-{lang}.png"), full_page=True)
    page.goto(f"{site}/voices/receipt/?lang={lang}")
    page.fill("input[name=code]", code.lower())
    page.get_by_role("button", name=read).click()
    expect(page.locator("#receipt-status")).to_be_visible()
    return code


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_report_by_phone_then_the_analyst_reads_it(
    live_server: object,  # noqa: F811  # fixture
    transactional_db: None,
    ged_run: ImportRun,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("VOICES_SHOTS", str(tmp_path)))
    ensure_cast()
    do_demo_reports()
    site = live_server.url  # type: ignore[attr-defined]  # pytest-django's LiveServer
    with chromium(width=360, height=740) as browser:
        page = browser.new_page()
        page.add_init_script(LISTEN)
        # The page as a phone without script sees it (the offline outbox: test_browser_offline.py).
        page.route("**/static/voices/offline*.js", lambda route: route.abort())
        violations: list[str] = []
        for lang in ("en", "fr"):
            send_report(page, site, lang, shots)
            violations += page.evaluate("window.__violations")
        page.goto(f"{site}/accounts/login/?next=/voices/inbox/")
        page.fill("input[name=username]", "grace")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("main button[type=submit]").click()
        expect(page.locator("#inbox-total")).to_contain_text("38")
        page.screenshot(path=str(shots / "voices-inbox.png"), full_page=True)
        page.goto(f"{site}/voices/inbox/?category=looting&month=2022-06")
        page.locator("#inbox tbody a").first.click()
        expect(page.locator("#protected")).to_contain_text("Browser narrative")
        page.screenshot(path=str(shots / "voices-report.png"), full_page=True)
        violations += page.evaluate("window.__violations")
    assert violations == []
    assert User.objects.filter(username="grace").exists()
