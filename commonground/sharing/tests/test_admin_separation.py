"""Humanitarian-military separation holds in the Django admin too (ADR 0020).

An agreement giving a civil-society, humanitarian or peacebuilding organization's raw records to
an armed organization is refused in the admin form, in English and French, and the attempt is
audited (``sharing.refused``) as on the sharing pages. Allowed changes made in the admin are
audited like those made on the pages, circle members included (``separated`` when the member
receives no raw records).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing.models import AuditEvent, Organization, SharingAgreement, SharingCircle

pytestmark = pytest.mark.access

ADD = "/admin/sharing/sharingagreement/add/"

#: (provider, recipient, covers_voices) -> refused?
AGREEMENTS = [
    ("femmes-bambari", "faca-liaison", False, True),
    ("ocha-car", "minusca-force", False, True),
    ("sfcg-car", "parallel-force", False, True),
    ("minusca-jmac", "faca-liaison", True, True),  # voices never to an armed kind
    ("minusca-jmac", "faca-liaison", False, False),
    ("femmes-bambari", "ocha-car", True, False),
]


def org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def agreement_form(provider: str, recipient: str, covers_voices: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider": org(provider).pk,
        "recipient": org(recipient).pk,
        "max_sensitivity": 2,
        "note": "",
    }
    if covers_voices:
        data["covers_voices"] = "on"
    return data


@pytest.mark.parametrize(("provider", "recipient", "voices", "refused"), AGREEMENTS)
def test_the_admin_refuses_agreements_that_break_separation_and_audits_them(
    provider: str,
    recipient: str,
    voices: bool,
    refused: bool,
    client: Client,
    cast: dict[str, User],
) -> None:
    client.force_login(cast["admin"])
    response = client.post(ADD, agreement_form(provider, recipient, voices))
    made = SharingAgreement.objects.filter(provider__slug=provider, recipient__slug=recipient)
    target = f"agreement:{provider}->{recipient}"
    if refused:
        assert response.status_code == 200
        assert not made.exists()
        row = AuditEvent.objects.get(action="sharing.refused")
        assert (row.target, row.actor) == (target, cast["admin"])
        assert row.detail["separation"] is True
        assert row.detail["reason"] in response.content.decode()
    else:
        assert response.status_code == 302
        assert made.exists()
        assert AuditEvent.objects.filter(action="sharing.agreement.created", target=target)


def test_the_admin_refusal_is_in_french(client: Client, cast: dict[str, User]) -> None:
    client.force_login(cast["admin"])
    response = client.post(
        ADD,
        agreement_form("femmes-bambari", "faca-liaison", False),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "séparation" in response.content.decode()


def test_an_admin_edit_into_separation_is_refused(client: Client, cast: dict[str, User]) -> None:
    agreement = SharingAgreement.objects.create(
        provider=org("femmes-bambari"), recipient=org("ocha-car"), max_sensitivity=2
    )
    client.force_login(cast["admin"])
    response = client.post(
        f"/admin/sharing/sharingagreement/{agreement.pk}/change/",
        agreement_form("femmes-bambari", "faca-liaison", False),
    )
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.recipient.slug == "ocha-car"
    assert AuditEvent.objects.filter(action="sharing.refused").count() == 1


def test_circle_members_added_in_the_admin_are_audited(
    client: Client, cast: dict[str, User]
) -> None:
    client.force_login(cast["admin"])
    owner = org("femmes-bambari")
    response = client.post(
        "/admin/sharing/sharingcircle/add/",
        {
            "owner": owner.pk,
            "slug": "admin-made",
            "name": "Admin made",
            "description": "",
            "members": [org("faca-liaison").pk, org("ocha-car").pk],
            "max_sensitivity": 1,
        },
    )
    assert response.status_code == 302
    circle = SharingCircle.objects.get(owner=owner, slug="admin-made")
    target = f"circle:femmes-bambari/{circle.slug}"
    assert AuditEvent.objects.filter(action="sharing.circle.created", target=target).exists()
    added = AuditEvent.objects.filter(action="sharing.circle.member_added", target=target)
    assert {row.detail["member"]: row.detail["separated"] for row in added} == {
        "faca-liaison": True,
        "ocha-car": False,
    }
