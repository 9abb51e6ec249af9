"""``/api/v1/docs`` renders in a browser: Swagger UI lists every operation, with no error.

It was broken for everyone when the OpenAPI document had a repeated ``"200"`` key; the document
checks (``test_openapi.py``) say why, this says what a person sees. Debian's Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Error, expect
from pytest_django.live_server_helper import LiveServer

from commonground.api import api
from commonground.web.tests.browser import CHROMIUM, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


def operation_count() -> int:
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return sum(len(methods) for methods in paths.values())


def test_the_api_docs_render_every_operation_without_error(live_server: LiveServer) -> None:
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on(
            "console",
            lambda message: problems.append(message.text) if is_error(message) else None,
        )
        page.on("pageerror", lambda error: problems.append(page_error(error)))
        page.goto(f"{live_server.url}/api/v1/docs", wait_until="networkidle")
        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible(timeout=30_000)
        expect(operations).to_have_count(operation_count())
        expect(
            page.locator(".opblock-summary-path", has_text="/api/v1/panels/{country}")
        ).to_be_visible()
        expect(page.locator(".errors-wrapper")).to_have_count(0)  # Swagger UI's own error box
        page.locator(".opblock-summary", has_text="/api/v1/panels/{country}").click()
        expect(page.locator(".opblock-body").first).to_contain_text("text/csv")
    assert problems == []


def is_error(message: ConsoleMessage) -> bool:
    return message.type == "error"


def page_error(error: Error) -> str:
    return f"uncaught: {error}"
