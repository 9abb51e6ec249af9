"""The public form with no connection, in Debian's Chromium on a phone-sized screen.

The form is opened once online (its service worker keeps the page and its files), then the
browser goes offline: the page still opens, three SYNTHETIC reports wait in the outbox on the
device, nothing reaches the server. Back online, the three are sent and their receipt codes
shown. Sending the same three keys again stores nothing more and answers the same codes.
No Content-Security-Policy violation anywhere.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from commonground.sharing.models import Organization
from commonground.testing.cast import ensure_cast
from commonground.voices.models import Report, ReportForm
from commonground.voices.tests.test_browser import LISTEN
from commonground.web.tests.browser import CHROMIUM, chromium
from commonground.web.tests.test_browser import live_server  # noqa: F401  # fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

PATH = "/voices/femmes-bambari/signaler/"

#: The same keys and answers sent again, as a device that never heard the first answers would.
REPLAY = """async (items) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const receipts = [];
  for (const item of items) {
    const body = new URLSearchParams(item.answers);
    body.append("client_key", item.key);
    body.append("csrfmiddlewaretoken", token);
    const response = await fetch(document.getElementById("voices-outbox").dataset.send,
      {method: "POST", body: body, headers: {"X-CSRFToken": token}});
    receipts.push((await response.json()).receipt);
  }
  return receipts;
}"""


def fill_report(page: Page, n: int, send: str = "Send") -> None:
    page.check("input[name=category][value=threat]")
    page.fill("input[name=occurred_on]", f"2023-04-0{n}")
    page.fill("input[name=women]", str(n))
    page.fill("textarea[name=narrative]", f"SYNTHETIC offline report {n}")
    page.check("input[name=may_count]")
    page.get_by_role("button", name=send, exact=True).click()


def outbox(page: Page) -> list[dict[str, Any]]:
    stored = page.evaluate(f"localStorage.getItem('cg-voices:{PATH}')")
    items: list[dict[str, Any]] = json.loads(stored or "[]")
    return items


def test_three_reports_made_offline_arrive_once(
    live_server: object,  # noqa: F811  # fixture
    transactional_db: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Playwright's sync API runs an event loop in this thread; the counts below are plain reads.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ensure_cast()
    form = ReportForm.objects.create(
        owner=Organization.objects.get(slug="femmes-bambari"),
        slug="signaler",
        title="Signaler",
        published=True,
        is_synthetic=True,
    )
    site = live_server.url  # type: ignore[attr-defined]  # pytest-django's LiveServer
    with chromium(width=360, height=740) as browser:
        page = browser.new_page()
        page.add_init_script(LISTEN)
        page.goto(f"{site}{PATH}?lang=en")
        expect(page.locator("#voices-outbox")).to_have_attribute("data-offline", "ready")

        browser.set_offline(True)
        ReportForm.objects.filter(pk=form.pk).update(title="Changed on the server")
        response = page.reload()  # from the service worker's cache: there is no network
        assert response is not None and response.from_service_worker
        expect(page.locator("h1")).to_have_text("Signaler")  # the kept copy, not the server's
        page.fill("textarea[name=narrative]", "SYNTHETIC draft kept on the phone")
        page.reload()
        expect(page.locator("textarea[name=narrative]")).to_have_value(
            "SYNTHETIC draft kept on the phone"
        )
        for n in (1, 2, 3):
            fill_report(page, n)
        expect(page.locator("#voices-outbox-list li[data-state=waiting]")).to_have_count(3)
        expect(page.locator("#voices-outbox-list li").first).to_contain_text(
            "Waiting for a connection"
        )
        waiting = outbox(page)
        assert len({item["key"] for item in waiting}) == 3
        assert Report.objects.filter(form=form).count() == 0

        browser.set_offline(False)
        expect(page.locator("#voices-outbox-list li[data-state=sent]")).to_have_count(
            3, timeout=40_000
        )
        receipts = page.locator(".voices-outbox-receipt").all_inner_texts()
        assert len(set(receipts)) == 3 and all(len(code) == 19 for code in receipts)
        assert Report.objects.filter(form=form).count() == 3
        assert all(item["answers"] == [] for item in outbox(page))  # sent: answers gone

        replayed = page.evaluate(REPLAY, waiting)
        again = page.evaluate(REPLAY, waiting)
        assert replayed == again == receipts
        assert Report.objects.filter(form=form).count() == 3

        page.check("input[name=category][value=threat]")  # refused: a call back with no contact
        page.fill("input[name=occurred_on]", "2023-04-09")
        page.fill("textarea[name=narrative]", "SYNTHETIC needs a contact")
        page.check("input[name=may_contact]")
        page.get_by_role("button", name="Send", exact=True).click()
        refused = page.locator("#voices-outbox-list li[data-state=refused]")
        expect(refused).to_contain_text("Not accepted")
        refused.locator("button[data-action=correct]").click()
        expect(page.locator("textarea[name=narrative]")).to_have_value("SYNTHETIC needs a contact")
        expect(refused).to_have_count(0)
        sent = page.locator("#voices-outbox-list li[data-state=sent]")
        sent.first.locator("button[data-action=remove]").click()
        expect(sent).to_have_count(2)
        assert Report.objects.filter(form=form).count() == 3

        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#voices-outbox-delete")
        assert outbox(page) == []
        violations = page.evaluate("window.__violations")

        page.goto(f"{site}{PATH}?lang=fr")  # the outbox speaks French too
        browser.set_offline(True)
        fill_report(page, 4, send="Envoyer")
        expect(page.locator("#voices-outbox-list li")).to_contain_text("En attente d'une connexion")
        browser.set_offline(False)
        expect(page.locator("#voices-outbox-list li")).to_contain_text("Reçu", timeout=40_000)
        assert Report.objects.filter(form=form).count() == 4
        violations += page.evaluate("window.__violations")
    assert violations == []
