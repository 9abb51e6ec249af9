"""Debian's Chromium through Playwright, for the browser tests and ``tools/screenshots.py``.

Never ``playwright install``: the browser is Debian's (``apt-get install chromium``), launched
with a fresh profile and with everything it would fetch on its own behalf switched off.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: The screenshots kept in docs/screenshots/: file name and page, with its query string.
SHOTS = {
    "overview.png": "/?country=CAF",
    "map.png": "/map/?country=CAF&date_from=2013-01-01&date_to=2014-12-31&presence=1",
}


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[BrowserContext]:
    """A browser context on a fresh profile, closed (and the profile removed) on exit."""
    with tempfile.TemporaryDirectory(prefix="cg-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": width, "height": height},
        )
        try:
            yield context
        finally:
            context.close()


def wait_for_map(page: Page) -> None:
    """Until the map has drawn its data and, where there is one, the timeline its chart."""
    page.wait_for_selector("#map[data-loaded]", timeout=30_000)
    if page.locator("#timeline").count():
        page.wait_for_selector("#timeline .main-svg", timeout=30_000)
    page.wait_for_timeout(400)  # cluster and chart transitions settle before a screenshot


def screenshots(page: Page, base: str, out: Path) -> list[Path]:
    """Take the screenshots of ``SHOTS`` from a running server into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in SHOTS.items():
        page.goto(base.rstrip("/") + path)
        wait_for_map(page)
        target = out / name
        page.screenshot(path=str(target), full_page=True)
        written.append(target)
    return written
