"""The pages in a real browser: Debian's Chromium through Playwright, on the real data.

Each test imports the real UCDP GED file (and the registries) into the live server's database
first, then starts the browser: Django refuses database work while Playwright's event loop runs,
so nothing touches the database between the two. Expected figures come from the CSV files.

The live server answers one request at a time. pytest-django's serves each request in a thread
of its own, and with the in-memory SQLite test database every thread shares the one connection:
the map's parallel requests then hung the suite (seen twice). One request at a time costs little
here and behaves the same on PostgreSQL, where the server has its own connection.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.events.models import Event
from commonground.registry.importers import OPERATIONS, PARALLEL_FORCES, PRESENCE
from commonground.sharing.services import local_organization
from commonground.web.tests.browser import CHROMIUM, SHOTS, chromium, screenshots, wait_for_map

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class SerialLiveServerThread(LiveServerThread):
    """Django's live server thread, answering one request at a time (see the module's note)."""

    def _create_server(self, connections_override: Any = None) -> WSGIServer:
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )


@pytest.fixture(scope="module")
def live_server(django_db_setup: None) -> Iterator[LiveServer]:
    """pytest-django's live server (and its settings helper), with the serial thread."""
    server = LiveServer("localhost", start=False)
    default = server.thread
    server.thread = SerialLiveServerThread(
        default.host,
        default.static_handler,
        connections_override=default.connections_override,
        port=default.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, ged_run: ImportRun) -> str:
    """The live server's address, with the real events, operations and presence loaded."""
    folder = Path(settings.COMMONGROUND_DATA_DIR)
    do_import(OPERATIONS, folder / "operations.csv", owner=local_organization())
    do_import(PARALLEL_FORCES, folder / "parallel_forces.csv", owner=local_organization())
    do_import(PRESENCE, folder / "presence_CAF.csv", owner=local_organization())
    return live_server.url


def test_the_demo_data_loads_in_the_overview(site: str, data_dir: Path, tmp_path: Path) -> None:
    assert len(csv_rows(data_dir / "ged_23_1_CAF.csv")) == 1848
    with chromium() as browser:
        page = browser.new_page()
        page.goto(site + "/")
        wait_for_map(page)

        expect(page.locator("#o-country")).to_have_value("CAF")
        expect(page.locator("#country-total")).to_contain_text("All years: 1,848 events")
        expect(page.locator("#count-events")).to_have_text("1,848")
        # The small map drew the CAR's prefectures and the chart its bars.
        assert page.locator(".leaflet-areas-pane path").count() >= 17
        assert page.locator("#timeline .bars .point").count() > 100
        expect(page.locator("#top-areas a").first).to_have_attribute(
            "href", re.compile(r"^/areas/CAF\.")
        )

        shot = tmp_path / "overview.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000


def test_filtering_the_map_to_one_sided_violence_in_2014(
    site: str, data_dir: Path, tmp_path: Path
) -> None:
    rows = csv_rows(data_dir / "ged_23_1_CAF.csv")
    expected = sum(1 for r in rows if r["type_of_violence"] == "3" and r["year"] == "2014")
    assert expected == 292

    with chromium() as browser:
        page = browser.new_page()
        page.goto(site + "/map/")
        wait_for_map(page)
        page.select_option("#f-country", "CAF")
        page.select_option("#f-type", "one_sided")
        page.fill("#f-from", "2014-01-01")
        page.fill("#f-to", "2014-12-31")
        page.locator("#f-to").dispatch_event("change")

        expect(page.locator("#map-count")).to_contain_text(f"{expected} events")
        query = parse_qs(urlsplit(page.url).query)
        assert query["violence_type"] == ["one_sided"] and query["country"] == ["CAF"]
        assert query["date_from"] == ["2014-01-01"] and query["date_to"] == ["2014-12-31"]

        # The address is the view: opening it again shows the same count, and points.
        page.goto(page.url)
        wait_for_map(page)
        expect(page.locator("#map-count")).to_contain_text(f"{expected} events")
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('.marker-cluster div span, .event-marker'))"
            ".reduce((n, e) => n + (e.classList.contains('event-marker') ? 1 : +e.textContent), 0)"
        )
        assert drawn == expected

        # Clicking (or pressing Enter on) an event shows its provenance.
        page.goto(site + "/map/?country=CAF&min_deaths=100")
        wait_for_map(page)
        page.locator(".event-marker").first.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".leaflet-popup-content")).to_contain_text("ged_23_1_CAF.csv")
        expect(page.locator(".leaflet-popup-content a[href^='/events/']")).to_have_attribute(
            "href", re.compile(r"^/events/\d+/$")
        )


def test_the_timeline_range_sets_the_period_of_the_map(site: str, data_dir: Path) -> None:
    rows = csv_rows(data_dir / "ged_23_1_CAF.csv")
    expected = sum(1 for r in rows if r["type_of_violence"] == "3" and r["year"] == "2014")

    with chromium() as browser:
        page = browser.new_page()
        page.goto(site + "/map/?country=CAF&violence_type=one_sided&view=areas")
        wait_for_map(page)
        # What dragging the range slider's handles does: plotly announces the new x range.
        page.evaluate(
            "Plotly.relayout(document.getElementById('timeline'),"
            " {'xaxis.range': ['2013-12-28', '2015-01-02']})"
        )

        expect(page.locator("#f-from")).to_have_value("2014-01-01")
        expect(page.locator("#f-to")).to_have_value("2014-12-31")
        expect(page.locator("#map-count")).to_contain_text(f"{expected} events")
        # The choropleth: every prefecture drawn, those with events filled.
        assert page.locator(".leaflet-areas-pane path").count() == 17
        expect(page.locator(".map-legend")).to_contain_text("Events per admin-1 area")


def test_following_an_area_from_the_map_keeps_the_period(site: str, data_dir: Path) -> None:
    """Map of 2014 -> click a prefecture -> its page for 2014 -> a perpetrator, for 2014."""
    rows = csv_rows(data_dir / "ged_23_1_CAF.csv")
    ouaka = [r for r in rows if r["adm_1"] == "Ouaka province" and r["year"] == "2014"]

    with chromium() as browser:
        page = browser.new_page()
        page.goto(site + "/map/?country=CAF&date_from=2014-01-01&date_to=2014-12-31&view=areas")
        wait_for_map(page)
        with page.expect_navigation():
            page.locator("#map-areas a", has_text="Ouaka").first.click()
        assert urlsplit(page.url).path == "/areas/CAF.ouaka/"
        assert parse_qs(urlsplit(page.url).query) == {
            "date_from": ["2014-01-01"],
            "date_to": ["2014-12-31"],
        }
        expect(page.locator("#figure-events")).to_contain_text(f"{len(ouaka)}")
        expect(page.locator("#p-from")).to_have_value("2014-01-01")

        # A prefecture clicked on the choropleth opens its page for the same period too.
        page.go_back()
        wait_for_map(page)
        with page.expect_navigation():
            page.locator(".leaflet-areas-pane path.leaflet-interactive").first.click(force=True)
        assert "date_from=2014-01-01&date_to=2014-12-31" in page.url

        page.goto(site + "/areas/CAF.ouaka/?date_from=2014-01-01&date_to=2014-12-31")
        with page.expect_navigation():
            page.locator("#perpetrators a").first.click()
        assert urlsplit(page.url).path.startswith("/actors/")
        assert "date_from=2014-01-01&date_to=2014-12-31" in page.url


def test_the_french_interface(site: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(site + "/?lang=fr")
        wait_for_map(page)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("h1")).to_have_text("Vue d\N{RIGHT SINGLE QUOTATION MARK}ensemble")
        expect(page.locator("#areas-heading")).to_have_text("Zones les plus touchées")
        expect(page.locator("#country-total")).to_contain_text("Toutes les années")

        page.goto(site + "/map/")  # the language cookie carries over
        wait_for_map(page)
        expect(page.locator("h1")).to_have_text("Carte")
        expect(page.locator("label[for=f-type]")).to_have_text("Type de violence")
        expect(page.locator(".map-legend")).to_contain_text("Type de violence")


def test_no_page_asks_another_host_for_anything(site: str, tmp_path: Path) -> None:
    event = Event.objects.filter(admin1__isnull=False).order_by("pk").first()
    assert event is not None
    own = urlsplit(site).netloc
    maps = ["/", "/?lang=fr", "/map/", "/map/?view=areas", "/map/?view=grid&presence=1"]
    maps += ["/map/?country=CAF&view=areas&hotspots=1"]
    pages = [*maps, "/events/", f"/events/{event.pk}/", "/accounts/login/", "/api/v1/docs"]
    assert event.admin1 is not None
    pages += [
        "/atlas/",
        "/areas/CAF/",
        f"/areas/{event.admin1.code}/",
        "/operations/minusca/",
        f"/actors/{event.actor1_id}/",
        "/coverage/",
    ]

    with chromium() as browser:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        for path in pages:
            page.goto(site + path, wait_until="networkidle")
            if path in maps:
                wait_for_map(page)
        page.goto(site + "/map/?country=CAF&min_deaths=100")
        wait_for_map(page)
        page.locator(".event-marker").first.click()
        expect(page.locator(".leaflet-popup-content")).to_contain_text("ged_23_1_CAF.csv")
        page.wait_for_load_state("networkidle")

        taken = screenshots(page, site, tmp_path)

    elsewhere = sorted({url for url in requests if not from_host(url, own)})
    assert elsewhere == []
    assert any("/static/plotly/plotly.min.js" in url for url in requests)
    assert any("/static/web/mapdata/admin1.geojson" in url for url in requests)
    assert any("/map/countries.geojson" in url for url in requests)
    assert [p.name for p in taken] == list(SHOTS)


def from_host(url: str, host: str) -> bool:
    """Whether the browser asked the live server (``data:`` URLs ask no one)."""
    parts = urlsplit(url)
    return parts.scheme == "data" or (parts.scheme in {"http", "https"} and parts.netloc == host)
