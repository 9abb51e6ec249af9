"""Every owned record kind that can be shared has its circle page, linked where it is shown.

A parallel force and a presence record have no page of their own: they are shown on their
operation's page (and a presence record on its area's page), which links to
``/sharing/records/<kind>/<id>/circle/`` for the owner's analysts and organization
administrators (and platform administrators) only. Anyone else sees no link, and asking for the
page answers the same 404 as for a record that does not exist.

SYNTHETIC registry records of the Bambari women's network, made in code: the network's project
site in Bambari and a force it tracks, shared with JMAC through its protection circle.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.registry.models import Operation, ParallelForce, Presence
from commonground.sharing.circles import do_save_circle, do_set_record_circle
from commonground.sharing.models import AuditEvent, Organization, Sensitivity, SharingCircle
from commonground.sharing.services import local_organization
from commonground.sharing.tests.gate_synthetic import ensure_areas
from commonground.sharing.tests.test_gate_no_bypass import VOLATILE

pytestmark = pytest.mark.access

KINDS = ("parallel-force", "presence")

#: Who may open a kind's circle page and sees the link to it (the rest: 404 and no link).
#: clarisse and grace move the network's records; jean (its viewer) and amina (JMAC, in the
#: circle) read them but do not move them; viktor does not even read them.
MAY_MOVE = {"clarisse": True, "grace": True, "admin": True, "jean": False, "amina": False}
NOT_FOUND = ("jean", "amina", "viktor", "sofia", "lucie")


@pytest.fixture
def world(cast: dict[str, User]) -> dict[str, Any]:
    network = Organization.objects.get(slug="femmes-bambari")
    circles = {
        "protection": do_save_circle(
            network, "protection", "Protection", None, max_sensitivity=Sensitivity.RESTRICTED
        ),
        "ocha": do_save_circle(network, "with-ocha", "With OCHA", None),
    }
    circles["protection"].members.add(Organization.objects.get(slug="minusca-jmac"))
    public = {"owner": local_organization(), "sensitivity": Sensitivity.PUBLIC}
    beside = Operation.objects.create(
        slug="test-mission", acronym="TESTMIS", name="Test mission", lead_type="UN", **public
    )
    itself = Operation.objects.create(
        slug="test-force", acronym="TESTFOR", name="Test force", lead_type="EU", **public
    )
    shared = {"owner": network, "sensitivity": Sensitivity.PARTNERS}
    force = ParallelForce.objects.create(
        slug="synthetic-force",
        name="SYNTHETIC force",
        lead_entity="Test",
        lead_entity_type="EU",
        operation=itself,
        start_year=2020,
        command_relation="independent",
        purpose_type="other",
        **shared,
    )
    force.parallel_to.add(beside)
    area = ensure_areas()["CAF.ouaka.bambari"]
    presence = Presence.objects.create(
        source_id="SYNTHETIC-rfpb-site",
        organization=network,
        operation=beside,
        actor_kind="local_peace_committee",
        presence_type="project_site",
        country_code="CAF",
        area=area,
        place="SYNTHETIC site",
        **shared,
    )
    for record in (force, presence):
        do_set_record_circle(record, circles["protection"], None)
    return {
        "circles": circles,
        "parallel-force": force,
        "presence": presence,
        "pages": {
            "parallel-force": ["/operations/test-mission/", "/operations/test-force/"],
            "presence": ["/operations/test-mission/", f"/areas/{area.code}/"],
        },
    }


def path(kind: str, record: Any) -> str:
    return f"/sharing/records/{kind}/{record.pk}/circle/"


@pytest.mark.parametrize("kind", KINDS)
def test_the_owners_administrator_opens_the_page_and_moves_the_record(
    kind: str, client: Client, cast: dict[str, User], world: dict[str, Any]
) -> None:
    record = world[kind]
    client.force_login(cast["clarisse"])
    page = client.get(path(kind, record))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Protection" in body and "With OCHA" in body and "TLP:AMBER" in body
    assert 'href="/operations/test-' in body or 'href="/areas/' in body  # back to where it shows
    moved = client.post(path(kind, record), {"circle": world["circles"]["ocha"].pk})
    assert moved.status_code == 302
    record.refresh_from_db()
    assert record.circle == world["circles"]["ocha"]
    row = AuditEvent.objects.get(action="sharing.record.circle", actor=cast["clarisse"])
    assert row.target == f"{record._meta.label_lower}:{record.pk}"


@pytest.mark.parametrize("who", NOT_FOUND)
@pytest.mark.parametrize("kind", KINDS)
def test_anyone_else_gets_the_404_of_a_missing_record_and_changes_nothing(
    kind: str, who: str, client: Client, cast: dict[str, User], world: dict[str, Any]
) -> None:
    record = world[kind]
    client.force_login(cast[who])
    missing = client.get(f"/sharing/records/{kind}/{uuid.uuid4()}/circle/")
    asked = client.get(path(kind, record))
    posted = client.post(path(kind, record), {"circle": world["circles"]["ocha"].pk})
    assert missing.status_code == asked.status_code == posted.status_code == 404
    # Nothing says the record exists: the same bytes, but for per-request values.
    assert VOLATILE.sub(b"", asked.content) == VOLATILE.sub(b"", missing.content)
    record.refresh_from_db()
    assert record.circle == world["circles"]["protection"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("who", "linked"), sorted(MAY_MOVE.items()))
def test_the_pages_that_show_the_record_link_to_it_for_who_may_move_it_only(
    kind: str, who: str, linked: bool, client: Client, cast: dict[str, User], world: dict[str, Any]
) -> None:
    record = world[kind]
    client.force_login(cast[who])
    for page in world["pages"][kind]:
        answer = client.get(page)
        assert answer.status_code == 200, page
        body = answer.content.decode()
        assert (str(record.pk) in body) is linked, (page, body.count("record-circle-link"))
        assert (path(kind, record) in body) is linked, page


def test_every_owned_registry_kind_has_its_circle_page() -> None:
    """The kinds of the page are every owned record with a circle that a page shows (so none
    is left without a way for its owner to share it)."""
    from commonground.sharing.views import RECORD_KINDS

    labels = {model for model, _detail, _key in RECORD_KINDS.values()}
    assert {"registry.Operation", "registry.ParallelForce", "registry.Presence"} <= labels
    assert "events.Event" in labels


def test_the_circle_stays_the_owners_choice(
    client: Client, cast: dict[str, User], world: dict[str, Any]
) -> None:
    """Another organization's circle is neither offered nor accepted for a presence record."""
    other = do_save_circle(Organization.objects.get(slug="minusca-jmac"), "own", "JMAC own", None)
    client.force_login(cast["clarisse"])
    record = world["presence"]
    assert "JMAC own" not in client.get(path("presence", record)).content.decode()
    assert client.post(path("presence", record), {"circle": other.pk}).status_code == 400
    record.refresh_from_db()
    assert isinstance(record.circle, SharingCircle) and record.circle.slug == "protection"


def test_french_puts_a_space_before_the_colon_of_the_circles_level(
    client: Client, cast: dict[str, User], world: dict[str, Any]
) -> None:
    """French typography: "Partagé jusqu\u2019à :" (the colon is inside the translated string)."""
    client.force_login(cast["clarisse"])
    circle = world["circles"]["protection"]
    for page in (path("presence", world["presence"]), f"/sharing/circles/{circle.pk}/"):
        french = client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Partagé jusqu\u2019à :" in french and "jusqu\u2019à:" not in french, page
        english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Shared up to:" in english and "Shared up to :" not in english, page
