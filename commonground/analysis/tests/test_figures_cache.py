"""The answer cache: never stale after an import, never shared between different visibilities.

A cache hit is seen from the outside: the request reads no figure table (Django's query capture
on the real database), yet answers the same bytes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from commonground.analysis.cache import visibility_signature
from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.events.models import Event
from commonground.sharing.models import Organization, Sensitivity, SharingAgreement
from commonground.sharing.services import local_organization

pytestmark = pytest.mark.django_db

#: Aggregate URLs the cache serves, JSON and fragments (shown the same to anyone who may see
#: the same records).
URLS = [
    "/api/v1/stats",
    "/api/v1/areas/CAF",
    "/map/data/areas.json",
    "/map/data/grid.json?violence_type=one_sided",
    "/map/data/timeline.json",
    "/map/data/summary/?date_from=2014-01-01&date_to=2014-12-31",
    "/map/data/events.geojson?country=CAF&date_from=2014-01-01&date_to=2014-01-31",
    "/api/v1/events?violence_type=one_sided&date_from=2014-01-01&date_to=2014-12-31",
    "/api/v1/actors?country=CAF",
]

#: Whole pages, cached for anonymous visitors only (they show who is signed in).
PAGES = [
    "/areas/CAF/",
    "/events/?violence_type=one_sided",
    "/map/?date_from=2014-01-01",
    "/actors/{actor}/",
]


def ged_file(tmp_path: Path, keep: Any) -> Path:
    """The real GED file with only the rows ``keep`` accepts, under the real file's name."""
    source = Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    path = tmp_path / source.name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if keep(r))
    return path


def fetch(client: Client, url: str) -> tuple[bytes, list[str]]:
    """The answer and the SQL it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content, [q["sql"] for q in captured.captured_queries]


def read_figures(sql: list[str]) -> bool:
    return any("monthfigure" in q or '"events_event"' in q for q in sql)


def total(url: str, content: bytes) -> int:
    if url == "/api/v1/stats":
        return int(json.loads(content)["events"])
    if url == "/api/v1/areas/CAF":
        return int(json.loads(content)["figures"]["events"])
    if url == "/map/data/timeline.json":
        return sum(json.loads(content)["events"])
    if url.startswith("/api/v1/events"):
        return int(json.loads(content)["count"])
    raise AssertionError(url)


@pytest.mark.parametrize("url", URLS)
def test_a_second_request_is_a_hit_and_answers_the_same(
    cast: dict[str, User], tmp_path: Path, url: str
) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    client = Client()

    first, sql_first = fetch(client, url)
    second, sql_second = fetch(Client(), url)  # another anonymous visitor

    assert read_figures(sql_first)
    assert not read_figures(sql_second)
    assert second == first


CHANGING = ["/api/v1/stats", "/api/v1/areas/CAF", "/map/data/timeline.json", "/api/v1/events"]


@pytest.mark.parametrize("url", CHANGING)
def test_an_import_invalidates_cached_answers(
    cast: dict[str, User], tmp_path: Path, url: str
) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: r["year"] == "2014"), owner=local_organization())
    client = Client()
    before, _sql = fetch(client, url)
    assert fetch(client, url)[0] == before  # cached now

    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    after, sql = fetch(client, url)

    assert read_figures(sql)
    assert total(url, after) == 1848 > total(url, before)


def test_a_saved_event_invalidates_cached_answers(cast: dict[str, User], tmp_path: Path) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    client = Client()
    assert total("/api/v1/stats", fetch(client, "/api/v1/stats")[0]) == 1848

    event = Event.objects.order_by("pk").first()
    assert event is not None
    event.delete()

    assert total("/api/v1/stats", fetch(client, "/api/v1/stats")[0]) == 1847


def restricted_incident(owner: Organization) -> None:
    event = Event.objects.filter(admin1__isnull=False).order_by("pk").first()
    assert event is not None
    event.pk = None
    event._state.adding = True
    event.dataset, event.source_id = "jmac-incidents", "JMAC-CACHE"
    event.owner, event.sensitivity = owner, Sensitivity.RESTRICTED
    event.save()


@pytest.mark.parametrize("url", CHANGING)
def test_cached_answers_are_not_shared_across_visibilities(
    cast: dict[str, User], tmp_path: Path, url: str
) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    restricted_incident(Organization.objects.get(slug="minusca-jmac"))
    seen = {}
    for name in ("anonymous", "amina", "jean", "marc", "anonymous", "amina"):
        client = Client()
        if name != "anonymous":
            client.force_login(cast[name])
        seen[name] = total(url, fetch(client, url)[0])

    assert seen == {"anonymous": 1848, "jean": 1848, "marc": 1849, "amina": 1849}


@pytest.mark.parametrize("url", PAGES)
def test_whole_pages_are_cached_for_anonymous_visitors_only(
    cast: dict[str, User], tmp_path: Path, url: str
) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    busiest = Event.objects.values("actor1").annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None
    url = url.format(actor=busiest["actor1"])
    anonymous, sql_first = fetch(Client(), url)
    assert read_figures(sql_first)
    assert not read_figures(fetch(Client(), url)[1])

    signed_in = Client()
    signed_in.force_login(cast["amina"])
    page, sql = fetch(signed_in, url)

    assert read_figures(sql)
    assert "Amina" in page.decode() and "Amina" not in anonymous.decode()


def test_answers_that_name_their_address_are_kept_apart_per_host(
    cast: dict[str, User], tmp_path: Path
) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    url = "/api/v1/events?page_size=10"
    links: dict[str, set[str]] = {}
    for host in ("localhost", "127.0.0.1", "localhost"):
        response = Client().get(url, HTTP_HOST=host)
        assert response.status_code == 200
        links.setdefault(host, set()).add(json.loads(response.content)["next"])

    assert links == {
        "localhost": {"http://localhost/api/v1/events?page_size=10&page=2"},
        "127.0.0.1": {"http://127.0.0.1/api/v1/events?page_size=10&page=2"},
    }


def test_visibility_signatures_differ_exactly_where_the_policy_does(
    cast: dict[str, User],
) -> None:
    orgs = {org.slug: org for org in Organization.objects.all()}
    signatures = {name: visibility_signature(user) for name, user in cast.items()}
    signatures["anonymous"] = visibility_signature(AnonymousUser())

    # Clarisse administers the women's network and Grace is its analyst: the policy lets them
    # read the same records, so they share one signature; everyone else reads differently.
    assert signatures["clarisse"] == signatures["grace"]
    assert len(set(signatures.values())) == len(signatures) - 1
    assert signatures["admin"] == "all"
    assert visibility_signature(cast["amina"]) == signatures["amina"]

    SharingAgreement.objects.create(
        provider=orgs["sfcg-car"], recipient=orgs["minusca-jmac"], max_sensitivity=2
    )
    assert visibility_signature(cast["marc"]) != signatures["marc"]
    assert visibility_signature(cast["jean"]) == signatures["jean"]


@override_settings(COMMONGROUND_RESPONSE_CACHE=False)
def test_the_cache_can_be_switched_off(cast: dict[str, User], tmp_path: Path) -> None:
    do_import(GED, ged_file(tmp_path, lambda r: True), owner=local_organization())
    fetch(Client(), "/api/v1/stats")

    assert read_figures(fetch(Client(), "/api/v1/stats")[1])
