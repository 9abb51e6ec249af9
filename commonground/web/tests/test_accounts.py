"""Accounts, organizations and members, as each member of the cast meets them.

Who may see and change what is decided by sharing.policy; these tests hold the pages to it,
one row per person and action, and check that a refused change changes nothing.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing.models import ApiToken, AuditEvent, Membership, Role
from commonground.sharing.services import use_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.access]

NEW_PASSWORD = "plateau-river-9413"  # a test account's first password


def client_for(cast: dict[str, User], who: str | None) -> Client:
    client = Client()
    if who:
        client.force_login(cast[who])
    return client


def membership(username: str, slug: str) -> Membership:
    return Membership.objects.get(user__username=username, organization__slug=slug)


@pytest.mark.parametrize("path", ["/accounts/", "/organizations/", "/organizations/sfcg-car/"])
def test_anonymous_visitors_are_sent_to_sign_in(cast: dict[str, User], path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_account_page_lists_memberships_and_roles(cast: dict[str, User]) -> None:
    page = client_for(cast, "amina").get("/accounts/").content.decode()
    assert "MINUSCA Joint Mission Analysis Centre" in page
    assert "Analyst" in page


def test_a_token_made_on_the_account_page_works_once_shown(cast: dict[str, User]) -> None:
    client = client_for(cast, "marc")
    response = client.post("/accounts/", {"action": "create", "name": "weekly export"})
    token = re.search(r"<code>(cg_[^<]+)</code>", response.content.decode())
    assert response.status_code == 200 and token
    found = use_api_token(token.group(1))
    assert found is not None and found.user == cast["marc"]
    assert token.group(1) not in client.get("/accounts/").content.decode()


def test_a_user_revokes_their_own_token_but_not_someone_elses(cast: dict[str, User]) -> None:
    client_for(cast, "marc").post("/accounts/", {"action": "create", "name": "script"})
    token = ApiToken.objects.get(user=cast["marc"])
    response = client_for(cast, "jean").post("/accounts/", {"action": "revoke", "token": token.pk})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    client_for(cast, "marc").post("/accounts/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(
    ("who", "sees_members"),
    [("sofia", True), ("admin", True), ("amina", False), ("jean", False)],
)
def test_members_are_known_to_members_and_admins_only(
    cast: dict[str, User], who: str, sees_members: bool
) -> None:
    page = client_for(cast, who).get("/organizations/sfcg-car/").content.decode()
    assert ('id="members"' in page) is sees_members
    assert ("sofia" in page) is sees_members


@pytest.mark.parametrize(
    ("who", "slug", "status"),
    [
        ("sofia", "sfcg-car", 302),  # org admin of that organization
        ("admin", "sfcg-car", 302),  # platform admin
        ("admin", "minusca-jmac", 302),
        ("sofia", "minusca-jmac", 403),  # an org admin elsewhere
        ("amina", "minusca-jmac", 403),  # an analyst is not an org admin
        ("marc", "minusca-jmac", 403),
        ("jean", "sfcg-car", 403),
    ],
)
def test_who_may_open_accounts_for_an_organization(
    cast: dict[str, User], who: str, slug: str, status: int
) -> None:
    response = client_for(cast, who).post(
        f"/organizations/{slug}/",
        {"action": "add", "username": "newcomer", "password": NEW_PASSWORD, "role": "viewer"},
    )
    assert response.status_code == status
    created = Membership.objects.filter(user__username="newcomer", organization__slug=slug)
    assert created.exists() is (status == 302)
    if status == 403:
        assert AuditEvent.objects.filter(
            action="access.denied", target=f"organization:{slug}"
        ).exists()


def test_an_org_admin_changes_a_role_and_it_is_audited(cast: dict[str, User]) -> None:
    client = client_for(cast, "sofia")
    client.post(
        "/organizations/sfcg-car/",
        {"action": "add", "username": "ali", "password": NEW_PASSWORD, "role": "viewer"},
    )
    target = membership("ali", "sfcg-car")
    response = client.post(
        "/organizations/sfcg-car/",
        {"action": "role", "membership": target.pk, "role": "analyst"},
    )
    assert response.status_code == 302
    assert membership("ali", "sfcg-car").role == Role.ANALYST
    assert AuditEvent.objects.filter(action="membership.set", target="ali@sfcg-car").count() == 2


def test_an_org_admin_cannot_make_a_platform_admin(cast: dict[str, User]) -> None:
    target = membership("sofia", "sfcg-car")
    response = client_for(cast, "sofia").post(
        "/organizations/sfcg-car/",
        {"action": "role", "membership": target.pk, "role": "platform_admin"},
    )
    assert response.status_code == 400
    assert membership("sofia", "sfcg-car").role == Role.ORG_ADMIN


def test_the_last_administrator_cannot_leave_or_step_down(cast: dict[str, User]) -> None:
    target = membership("sofia", "sfcg-car")
    client = client_for(cast, "sofia")
    for data in ({"action": "remove"}, {"action": "role", "role": "viewer"}):
        response = client.post("/organizations/sfcg-car/", {**data, "membership": target.pk})
        assert response.status_code == 400
        assert "no administrator left" in response.content.decode()
    assert membership("sofia", "sfcg-car").role == Role.ORG_ADMIN


def test_removing_a_member_keeps_their_account(cast: dict[str, User]) -> None:
    target = membership("marc", "minusca-jmac")
    response = client_for(cast, "admin").post(
        "/organizations/minusca-jmac/", {"action": "remove", "membership": target.pk}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert User.objects.filter(username="marc").exists()


def test_an_org_admin_cannot_touch_another_organizations_member(cast: dict[str, User]) -> None:
    target = membership("marc", "minusca-jmac")
    response = client_for(cast, "sofia").post(
        "/organizations/sfcg-car/", {"action": "remove", "membership": target.pk}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "sofia", "password": NEW_PASSWORD}, "is taken"),
        ({"username": "short", "password": "abc"}, "too short"),
        ({"username": "", "password": NEW_PASSWORD}, "required"),
    ],
)
def test_a_bad_new_member_is_named_and_nothing_is_created(
    cast: dict[str, User], data: dict[str, str], message: str
) -> None:
    users = User.objects.count()
    response = client_for(cast, "sofia").post(
        "/organizations/sfcg-car/", {"action": "add", "role": "viewer", **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == users


def test_the_organizations_list_puts_yours_first(cast: dict[str, User]) -> None:
    page = client_for(cast, "jean").get("/organizations/").content.decode()
    names = re.findall(r'href="/organizations/([^/]+)/"', page)
    assert names[0] == "femmes-bambari"
    assert set(names) >= {"sfcg-car", "minusca-jmac", "local"}


def test_the_pages_speak_french(cast: dict[str, User]) -> None:
    page = client_for(cast, "sofia").get("/organizations/sfcg-car/?lang=fr").content.decode()
    assert "Membres" in page


def test_a_garbled_member_id_is_not_found(cast: dict[str, User]) -> None:
    response = client_for(cast, "sofia").post(
        "/organizations/sfcg-car/", {"action": "remove", "membership": "not-a-uuid"}
    )
    assert response.status_code == 404


#: Nadia is a platform administrator through her membership of SFCG alone (no superuser flag),
#: so that membership is her platform rights. (person acting, change, status, membership kept)
PLATFORM_ADMIN_MEMBERSHIP = [
    ("sofia", {"action": "remove"}, 403, True),
    ("sofia", {"action": "role", "role": "viewer"}, 403, True),
    ("sofia", {"action": "role", "role": "org_admin"}, 403, True),
    ("admin", {"action": "role", "role": "org_admin"}, 302, True),
    ("admin", {"action": "remove"}, 302, False),
]


@pytest.fixture
def nadia(cast: dict[str, User]) -> User:
    """A platform administrator by her SFCG membership only (no superuser flag)."""
    from commonground.sharing.services import do_add_member

    user = User.objects.create_user("nadia")
    do_add_member(user, membership("sofia", "sfcg-car").organization, Role.PLATFORM_ADMIN)
    return user


@pytest.mark.parametrize(("who", "data", "status", "kept"), PLATFORM_ADMIN_MEMBERSHIP)
def test_only_a_platform_admin_changes_a_platform_admins_membership(
    cast: dict[str, User], nadia: User, who: str, data: dict[str, str], status: int, kept: bool
) -> None:
    from commonground.sharing.policy import viewer_for

    target = membership("nadia", "sfcg-car")
    response = client_for(cast, who).post(
        "/organizations/sfcg-car/", {**data, "membership": target.pk}
    )
    assert response.status_code == status
    assert Membership.objects.filter(pk=target.pk).exists() is kept
    if status == 403:
        assert membership("nadia", "sfcg-car").role == Role.PLATFORM_ADMIN
        assert viewer_for(nadia).is_platform_admin
        assert AuditEvent.objects.filter(
            action="access.denied", target=f"membership:{target.pk}"
        ).exists()


def test_an_org_admin_is_offered_no_change_to_a_platform_admins_membership(
    cast: dict[str, User], nadia: User
) -> None:
    target = membership("nadia", "sfcg-car")
    sofia_sees = client_for(cast, "sofia").get("/organizations/sfcg-car/").content.decode()
    admin_sees = client_for(cast, "admin").get("/organizations/sfcg-car/").content.decode()
    assert f'value="{target.pk}"' not in sofia_sees
    assert f'value="{target.pk}"' in admin_sees
