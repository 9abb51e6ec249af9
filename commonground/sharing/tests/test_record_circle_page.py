"""The page where an organization's analysts move one of its records between its own circles
(``/sharing/records/<kind>/<id>/circle/``; ADR 0020). Every change is audited.

Read the table as "<who> asking for the women's network's partners record answers <status>":
only the owner's analysts and administrators (and platform administrators) may move it; anyone
else gets the same 404 as for a missing record, whether or not they may read it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.events.models import Event
from commonground.sharing.circles import do_save_circle, do_set_record_circle
from commonground.sharing.models import AuditEvent, Organization, Sensitivity, SharingCircle
from commonground.sharing.tests.test_circles import make_event
from commonground.testing.cast import CAST

pytestmark = pytest.mark.access

#: Who may open the page of a partners record of the women's network (in its circle).
STATUS = {
    "anonymous": 302,  # to sign in
    "admin": 200,
    "grace": 200,  # the owner's analyst
    "clarisse": 200,  # the owner's organization administrator
    "jean": 404,  # the owner's viewer reads the record, does not move it
    "amina": 404,  # a circle member reads the record, does not move it
    "marc": 404,
    "lucie": 404,
    "awa": 404,
    "ousmane": 404,
    "kofi": 404,
    "viktor": 404,
    "sofia": 404,
}


def path(event: Event) -> str:
    return f"/sharing/records/event/{event.pk}/circle/"


@pytest.fixture
def network(cast: dict[str, User]) -> Organization:
    return Organization.objects.get(slug="femmes-bambari")


@pytest.fixture
def circles(network: Organization) -> dict[str, SharingCircle]:
    return {
        "protection": do_save_circle(
            network, "protection", "Protection", None, max_sensitivity=Sensitivity.RESTRICTED
        ),
        "ocha": do_save_circle(network, "with-ocha", "With OCHA", None),
    }


@pytest.fixture
def event(network: Organization, circles: dict[str, SharingCircle]) -> Event:
    made = make_event(1, "RFPB partners note", network, Sensitivity.PARTNERS, "owner")
    circles["protection"].members.add(Organization.objects.get(slug="minusca-jmac"))
    do_set_record_circle(made, circles["protection"], None)
    return made


def test_the_table_lists_the_whole_cast() -> None:
    assert {member.username for member in CAST} | {"anonymous"} == set(STATUS)


@pytest.mark.parametrize(("who", "status"), sorted(STATUS.items()))
def test_who_may_open_the_page(
    who: str, status: int, client: Client, cast: dict[str, User], event: Event
) -> None:
    if who != "anonymous":
        client.force_login(cast[who])
    response = client.get(path(event))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "TLP:AMBER" in body
        assert "Protection" in body and "With OCHA" in body


@pytest.mark.parametrize("who", ["jean", "amina", "ousmane"])
def test_who_may_not_move_it_changes_nothing_and_is_audited(
    who: str, client: Client, cast: dict[str, User], event: Event, circles: dict[str, SharingCircle]
) -> None:
    client.force_login(cast[who])
    response = client.post(path(event), {"circle": circles["ocha"].pk})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.circle == circles["protection"]
    assert AuditEvent.objects.filter(action="access.denied", actor=cast[who]).exists()


@pytest.mark.parametrize("target", ["ocha", ""])
def test_the_owners_analyst_moves_it_and_the_change_is_audited(
    target: str,
    client: Client,
    cast: dict[str, User],
    event: Event,
    circles: dict[str, SharingCircle],
) -> None:
    client.force_login(cast["grace"])
    chosen = circles[target] if target else None
    response = client.post(path(event), {"circle": chosen.pk if chosen else ""})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.circle == chosen
    row = AuditEvent.objects.get(action="sharing.record.circle", actor=cast["grace"])
    assert row.target == f"events.event:{event.pk}"
    assert row.detail["circle"] == (f"circle:femmes-bambari/{chosen.slug}" if chosen else None)


def test_another_owners_circle_is_not_offered_nor_accepted(
    client: Client, cast: dict[str, User], event: Event, circles: dict[str, SharingCircle]
) -> None:
    other = do_save_circle(Organization.objects.get(slug="minusca-jmac"), "jmac", "JMAC own", None)
    client.force_login(cast["grace"])
    assert "JMAC own" not in client.get(path(event)).content.decode()
    response = client.post(path(event), {"circle": other.pk})
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.circle == circles["protection"]


def test_the_page_says_so_in_french(client: Client, cast: dict[str, User], event: Event) -> None:
    client.force_login(cast["grace"])
    body = client.get(path(event), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Propriétaire seul" in body


def test_the_event_page_links_to_it_for_the_owners_analysts_only(
    client: Client, cast: dict[str, User], event: Event
) -> None:
    for who, linked in [("grace", True), ("jean", False), ("amina", False)]:
        client.force_login(cast[who])
        body = client.get(f"/events/{event.pk}/").content.decode()
        assert (path(event) in body) is linked, who


def test_an_unknown_kind_or_id_is_not_found(client: Client, cast: dict[str, User]) -> None:
    client.force_login(cast["admin"])
    assert client.get("/sharing/records/nothing/1/circle/").status_code == 404
    assert client.get("/sharing/records/event/999999/circle/").status_code == 404
    assert client.get("/sharing/records/event/not-a-number/circle/").status_code == 404
