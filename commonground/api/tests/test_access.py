"""Through the API each person sees exactly what the access policy allows: one row per case.

"token" is Amina's API token: it must see what Amina sees in her browser session.
"""

from __future__ import annotations

import pytest

from commonground.api.tests.conftest import GED_EVENTS, ApiData, client_for
from commonground.sharing.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.access]

PEOPLE = ["admin", "amina", "token", "marc", "jean", "sofia", "anonymous"]

#: Events each person sees: the public GED file plus, from JMAC, restricted (R), confidential
#: (C) and the ACLED-licence row (A).
EVENT_COUNT = {
    "admin": GED_EVENTS + 3,  # R C A
    "amina": GED_EVENTS + 3,  # R C A (JMAC analyst)
    "token": GED_EVENTS + 3,  # Amina's token
    "marc": GED_EVENTS + 2,  # R A (JMAC viewer: no confidential)
    "jean": GED_EVENTS,  # another organization: none
    "sofia": GED_EVENTS,
    "anonymous": GED_EVENTS,
}

#: (person, which JMAC record, expected status when asked by id)
BY_ID = [
    (who, record, 200 if allowed else 404)
    for who in PEOPLE
    for record, allowed in (
        ("restricted", who in {"admin", "amina", "token", "marc"}),
        ("confidential", who in {"admin", "amina", "token"}),
        ("acled", who in {"admin", "amina", "token", "marc"}),
    )
]


@pytest.mark.parametrize(("who", "count"), sorted(EVENT_COUNT.items()))
def test_event_list_counts(api_data: ApiData, who: str, count: int) -> None:
    response = client_for(api_data, who).get("/api/v1/events", {"page_size": 1})
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(("who", "count"), sorted(EVENT_COUNT.items()))
def test_stats_count_what_each_person_sees(api_data: ApiData, who: str, count: int) -> None:
    response = client_for(api_data, who).get("/api/v1/stats")
    assert response.status_code == 200
    assert response.json()["events"] == count


@pytest.mark.parametrize(("who", "record", "status"), BY_ID)
def test_event_by_id(api_data: ApiData, who: str, record: str, status: int) -> None:
    event = getattr(api_data, record)
    response = client_for(api_data, who).get(f"/api/v1/events/{event.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["source_id"] == event.source_id


@pytest.mark.parametrize("who", PEOPLE)
def test_the_jmac_records_in_lists_and_geojson(api_data: ApiData, who: str) -> None:
    """The day of JMAC's records, in Ouaka: as a list and as GeoJSON, same ids either way."""
    query = {"admin1": "CAF.ouaka", "date_from": "2014-06-01", "date_to": "2014-06-01"}
    client = client_for(api_data, who)
    listed = client.get("/api/v1/events", {**query, "page_size": "500"}).json()["results"]
    features = client.get("/api/v1/events", {**query, "format": "geojson"}).json()["features"]
    ids = {e["id"] for e in listed}
    assert ids == {f["id"] for f in features}
    expected = {r for r in ("restricted", "confidential", "acled") if (who, r, 200) in BY_ID}
    jmac = {getattr(api_data, r).pk: r for r in ("restricted", "confidential", "acled")}
    assert {jmac[i] for i in ids if i in jmac} == expected


def test_a_guessed_id_answers_as_a_missing_one_and_is_audited(api_data: ApiData) -> None:
    client = client_for(api_data, "anonymous")
    missing_id = api_data.acled.pk + 1000
    hidden = client.get(f"/api/v1/events/{api_data.restricted.pk}")
    missing = client.get(f"/api/v1/events/{missing_id}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden.json()["error"]["code"] == "not_found"
    denied = AuditEvent.objects.filter(action="access.denied")
    assert denied.filter(target=f"event:{api_data.restricted.pk}").exists()
    assert not denied.filter(target=f"event:{missing_id}").exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_an_actor_named_only_in_hidden_records(api_data: ApiData, who: str) -> None:
    """Its name is as closely held as the incidents: not listed, and 404 by id."""
    may_see = who in {"admin", "amina", "token", "marc"}
    client = client_for(api_data, who)
    listed = client.get("/api/v1/actors", {"q": "informant"}).json()
    assert listed["count"] == (1 if may_see else 0)
    response = client.get(f"/api/v1/actors/{api_data.secret_actor.pk}")
    assert response.status_code == (200 if may_see else 404)
    if may_see:
        expected = 2 if who != "marc" else 1  # marc does not see the confidential incident
        assert response.json()["events"] == expected


@pytest.mark.parametrize("who", PEOPLE)
def test_area_figures_count_only_visible_events(api_data: ApiData, who: str) -> None:
    figures = client_for(api_data, who).get("/api/v1/areas/CAF.ouaka").json()["figures"]
    # JMAC's records in Ouaka: restricted (3 deaths), confidential (7), ACLED row (7)
    hidden_events = {"admin": 3, "amina": 3, "token": 3, "marc": 2}.get(who, 0)
    hidden_deaths = {"admin": 17, "amina": 17, "token": 17, "marc": 10}.get(who, 0)
    assert figures["events"] == 302 + hidden_events  # Ouaka's GED events, counted in test_areas
    assert figures["deaths"] == 2089 + hidden_deaths


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("jean", 200), ("token", 200)],
)
def test_signed_in_routes(api_data: ApiData, who: str, status: int) -> None:
    response = client_for(api_data, who).get("/api/v1/me/tokens")
    assert response.status_code == status
    if status == 401:
        assert response.json()["error"]["code"] == "unauthorized"
