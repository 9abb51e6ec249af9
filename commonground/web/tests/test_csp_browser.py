"""Every page works under the Content-Security-Policy: Chromium reports no violation.

The real data in the live server (the fixtures of test_browser.py), each page opened in Debian's
Chromium with the policy the app sends; violations are collected from the page's
``securitypolicyviolation`` events and from the console.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from playwright.sync_api import Page

from commonground.events.models import Event
from commonground.testing.cast import DEMO_PASSWORD
from commonground.web.tests.browser import CHROMIUM, chromium, wait_for_map
from commonground.web.tests.test_browser import live_server, site  # noqa: F401  # fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

#: Records every violation the page reports, before any of its own scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
    (e.sourceFile || "") + ":" + (e.lineNumber || 0));
});
"""

MAPS = {"/", "/map/", "/map/?view=areas&presence=1"}


def violations_on(page: Page, url: str, path: str, console: list[str]) -> list[str]:
    page.goto(url, wait_until="networkidle")
    if path in MAPS:
        wait_for_map(page)
    if path.startswith("/atlas/"):
        page.wait_for_selector("#atlas-timeline .main-svg", timeout=30_000)
    found = [f"{path}: {v}" for v in page.evaluate("window.__violations")]
    found += [f"{path}: console: {m}" for m in console if "Content Security Policy" in m]
    console.clear()
    return found


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_no_page_breaks_the_content_security_policy(site: str) -> None:  # noqa: F811  # fixture
    from commonground.testing.cast import ensure_cast

    ensure_cast()
    event = Event.objects.filter(admin1__isnull=False, actor1__isnull=False).first()
    assert event is not None and User.objects.filter(username="amina").exists()
    pages = [
        *sorted(MAPS),
        "/areas/CAF/",
        f"/actors/{event.actor1_id}/",
        "/operations/minusca/",
        "/atlas/",
        "/coverage/",
        "/events/",
        f"/events/{event.pk}/",
        "/api/v1/docs",
        "/accounts/login/",
    ]
    signed_in_pages = ["/import/", "/accounts/", "/accounts/password/", "/organizations/"]

    found: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.add_init_script(LISTEN)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        for path in pages:
            found += violations_on(page, site + path, path, console)
        page.goto(site + "/accounts/login/")
        page.fill("input[name=username]", "amina")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in signed_in_pages:
            found += violations_on(page, site + path, path, console)
        header = page.goto(site + "/")
        assert header is not None
        policy = header.headers["content-security-policy"]

    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert found == [], "\n".join(found)
