"""The circle and agreement pages: organization administrators change them, audited; nobody else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing.circles import do_save_circle
from commonground.sharing.models import AuditEvent, Organization, SharingAgreement, SharingCircle

pytestmark = pytest.mark.access


def orgs() -> dict[str, Organization]:
    return {org.slug: org for org in Organization.objects.all()}


def test_an_org_admin_makes_a_circle_and_adds_members_audited(
    client: Client, cast: dict[str, User]
) -> None:
    client.force_login(cast["lucie"])  # OCHA's administrator
    found = orgs()
    response = client.post(
        "/sharing/circles/",
        {
            "owner": found["ocha-car"].pk,
            "slug": "protection",
            "name": "Protection",
            "max_sensitivity": 2,
        },
    )
    circle = SharingCircle.objects.get(owner=found["ocha-car"], slug="protection")
    assert response.status_code == 302
    page = f"/sharing/circles/{circle.pk}/"
    assert (
        client.post(page, {"action": "add", "member": found["faca-liaison"].pk}).status_code == 302
    )
    body = client.get(page).content.decode()
    assert "never raw records" in body  # the army liaison office gets no raw records
    client.post(page, {"action": "remove", "member": "faca-liaison"})
    actions = list(
        AuditEvent.objects.filter(action__startswith="sharing.circle", actor=cast["lucie"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "sharing.circle.created",
        "sharing.circle.member_added",
        "sharing.circle.member_removed",
    ]


@pytest.mark.parametrize("username", ["jean", "grace", "amina", "kofi", "sofia"])
def test_only_the_owners_admins_see_or_change_a_circle(
    client: Client, cast: dict[str, User], username: str
) -> None:
    """A circle of the women's network: Sofia administers another organization; the others are
    members, not administrators. Each gets 404, as for a missing circle, and nothing changes."""
    circle = do_save_circle(orgs()["femmes-bambari"], "c", "C", None)
    client.force_login(cast[username])
    page = f"/sharing/circles/{circle.pk}/"
    assert client.get(page).status_code == 404
    assert client.post(page, {"action": "delete"}).status_code == 404
    assert SharingCircle.objects.filter(pk=circle.pk).exists()
    assert page not in client.get("/sharing/circles/").content.decode()


def test_the_pages_ask_visitors_to_sign_in(client: Client, cast: dict[str, User]) -> None:
    for page in ("/sharing/circles/", "/sharing/agreements/"):
        assert client.get(page).status_code == 302


def test_a_separating_agreement_is_refused_on_the_page_in_french(
    client: Client, cast: dict[str, User]
) -> None:
    client.force_login(cast["sofia"])  # SFCG's administrator
    found = orgs()
    response = client.post(
        "/sharing/agreements/",
        {
            "action": "save",
            "provider": found["sfcg-car"].pk,
            "recipient": found["minusca-force"].pk,
            "max_sensitivity": 2,
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "séparation humanitaire-militaire" in response.content.decode()
    assert not SharingAgreement.objects.exists()
    assert AuditEvent.objects.filter(action="sharing.refused", actor=cast["sofia"]).exists()


def test_an_admin_gives_and_ends_an_agreement(client: Client, cast: dict[str, User]) -> None:
    client.force_login(cast["sofia"])
    found = orgs()
    client.post(
        "/sharing/agreements/",
        {
            "action": "save",
            "provider": found["sfcg-car"].pk,
            "recipient": found["ocha-car"].pk,
            "max_sensitivity": 2,
            "covers_voices": "on",
        },
    )
    agreement = SharingAgreement.objects.get()
    assert agreement.covers_voices and not agreement.voices_protected
    client.post("/sharing/agreements/", {"action": "delete", "agreement": agreement.pk})
    assert not SharingAgreement.objects.exists()
    assert AuditEvent.objects.filter(action="sharing.agreement.deleted").count() == 1


def test_a_provider_may_not_be_chosen_by_someone_who_does_not_administer_it(
    client: Client, cast: dict[str, User]
) -> None:
    client.force_login(cast["grace"])  # an analyst, not an administrator
    found = orgs()
    response = client.post(
        "/sharing/agreements/",
        {
            "action": "save",
            "provider": found["femmes-bambari"].pk,
            "recipient": found["ocha-car"].pk,
            "max_sensitivity": 3,
        },
    )
    assert response.status_code == 400
    assert not SharingAgreement.objects.exists()


def test_the_womens_network_administrator_manages_its_circle_and_agreements(
    client: Client, cast: dict[str, User]
) -> None:
    """Clarisse (the demo's organization administrator of the women's network) changes the
    Bambari protection circle and gives an agreement; Grace, its analyst, does neither."""
    from commonground.sharing.demo import ensure_demo_circles

    circle = ensure_demo_circles()
    found = orgs()
    page = f"/sharing/circles/{circle.pk}/"
    client.force_login(cast["grace"])
    assert client.get(page).status_code == 404
    assert page not in client.get("/sharing/circles/").content.decode()
    client.force_login(cast["clarisse"])
    assert page in client.get("/sharing/circles/").content.decode()
    assert client.post(page, {"action": "add", "member": found["sfcg-car"].pk}).status_code == 302
    agreement = {
        "action": "save",
        "provider": found["femmes-bambari"].pk,
        "recipient": found["ocha-car"].pk,
        "max_sensitivity": 2,
    }
    assert client.post("/sharing/agreements/", agreement).status_code == 302
    assert circle.members.filter(slug="sfcg-car").exists()
    assert SharingAgreement.objects.filter(provider=found["femmes-bambari"]).count() == 1
    actions = set(
        AuditEvent.objects.filter(actor=cast["clarisse"]).values_list("action", flat=True)
    )
    assert {"sharing.circle.member_added", "sharing.agreement.created"} <= actions
    client.force_login(cast["grace"])
    assert client.post("/sharing/agreements/", agreement).status_code == 400


def test_every_tlp_marking_on_the_sharing_pages_is_a_coloured_badge(
    client: Client, cast: dict[str, User]
) -> None:
    """A marking is readable: each one carries its TLP colour class (light on black), never the
    bare badge whose dark text on black nobody can read."""
    import re

    from commonground.sharing.demo import ensure_demo_circles

    circle = ensure_demo_circles()
    client.force_login(cast["clarisse"])
    agreement = {
        "action": "save",
        "provider": orgs()["femmes-bambari"].pk,
        "recipient": orgs()["ocha-car"].pk,
        "max_sensitivity": 2,
    }
    assert client.post("/sharing/agreements/", agreement).status_code == 302
    for url in ("/sharing/circles/", f"/sharing/circles/{circle.pk}/", "/sharing/agreements/"):
        page = client.get(url).content.decode()
        badges = re.findall(r'<span class="(tlp[^"]*)"[^>]*>(TLP:[A-Z+]+)</span>', page)
        assert badges, url
        for classes, marking in badges:
            colour = marking.removeprefix("TLP:").lower().replace("+", "-")
            assert classes.split() == ["tlp", f"tlp-{colour}"], (url, classes, marking)
