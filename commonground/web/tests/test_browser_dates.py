"""Legends, place names and widths in a real browser (issue 10 §3, §6), in English and French.

Same set-up as ``test_browser.py`` (its live server and real data); a forecast is made with
``do_forecast_run`` on the real events before the browser starts, as the database may not be
touched while Playwright's loop runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonground.forecasts.services import do_forecast_run
from commonground.web.tests.browser import CHROMIUM, chromium, wait_for_map
from commonground.web.tests.test_browser import live_server, site  # noqa: F401  # shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}"),
]


def admin1_names(country: str) -> set[str]:
    """The names the offline boundaries give the country's admin-1 areas."""
    path = Path(__file__).resolve().parents[1] / "static/web/mapdata/admin1.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["name"] for f in features if f["properties"]["country"] == country}


def labels_on(page: Page, selector: str) -> set[str]:
    return set(page.locator(f"{selector} .area-label").all_inner_texts())


def test_the_overview_map_names_its_areas_and_keeps_its_legend_off_them(site: str) -> None:  # noqa: F811  # the fixture
    with chromium(width=1440) as browser:
        page = browser.new_page()
        page.goto(site + "/?country=CAF")
        wait_for_map(page)
        assert labels_on(page, "#map") == admin1_names("CAF")
        assert page.locator("#map .map-legend").count() == 0
        expect(page.locator("#map-legend-outside .map-legend")).to_contain_text(
            "Events per admin-1 area"
        )
        legend = page.locator("#map-legend-outside").bounding_box()
        frame = page.locator("#map").bounding_box()
        assert legend and frame and legend["y"] >= frame["y"] + frame["height"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_atlas_table_fits_a_1440_pixel_screen(site: str, language: str) -> None:  # noqa: F811  # the fixture
    with chromium(width=1440) as browser:
        page = browser.new_page()
        page.goto(f"{site}/atlas/?lang={language}")
        page.wait_for_selector("#atlas-table tbody tr")
        widths = page.evaluate(
            "() => { const t = document.getElementById('atlas-table');"
            " return [t.scrollWidth, t.parentElement.clientWidth]; }"
        )
        assert widths[0] <= widths[1], widths


def test_the_forecast_layer_names_its_month_and_has_a_legend(site: str) -> None:  # noqa: F811  # the fixture
    do_forecast_run("CAF", "admin1", samples=50)
    with chromium(width=1440) as browser:
        page = browser.new_page()
        page.goto(site + "/map/?country=CAF&view=areas")
        wait_for_map(page)
        page.locator("#forecast-toggle").check()
        legend = page.locator("#forecast-legend")
        expect(legend).to_contain_text("Chance of any death in January 2023")
        expect(legend).to_contain_text("80\N{EN DASH}100 %")
        expect(page.locator("#forecast-status")).to_contain_text("Stale forecast:")
        expect(page.locator("#forecast-status")).to_contain_text("How reliable:")
        assert page.locator("#map #forecast-legend").count() == 0  # under the map, not on it


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Coverage gap"), ("fr", "Écart de couverture")],
)
def test_the_coverage_map_has_a_legend_and_names(site: str, language: str, title: str) -> None:  # noqa: F811  # the fixture
    with chromium(width=1440) as browser:
        page = browser.new_page()
        page.goto(f"{site}/coverage/?country=CAF&lang={language}")
        page.wait_for_selector("#coverage-map[data-loaded='1']")
        expect(page.locator("#coverage-legend .map-legend")).to_contain_text(title)
        assert labels_on(page, "#coverage-map") == admin1_names("CAF")
