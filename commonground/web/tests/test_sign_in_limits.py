"""Failed sign-ins are throttled (django-axes) and audited, and the audit log stays bounded.

Driven through the real sign-in page with Django's test client; the audit rows are read back
from the database.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from commonground.sharing.models import AuditEvent
from commonground.sharing.services import AUDIT_ROWS_PER_WINDOW
from commonground.testing.cast import DEMO_PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_hashers"),
]

WRONG = "not-the-password"


@pytest.fixture
def fast_hashers() -> object:
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ) as overridden:
        yield overridden


def sign_in(client: Client, username: str, password: str) -> int:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_seventy_wrong_passwords_lock_the_name_out_even_for_the_right_one(
    cast: dict[str, User], settings: object
) -> None:
    client = Client()
    statuses = [sign_in(client, "marc", WRONG) for _ in range(70)]
    limit = 5
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert set(statuses[limit - 1 :]) == {429}

    assert sign_in(client, "marc", DEMO_PASSWORD) == 429
    assert not signed_in(client)


def test_the_lockout_page_is_translated(cast: dict[str, User]) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, "jean", WRONG)
    page = client.post("/accounts/login/?lang=fr", {"username": "jean", "password": DEMO_PASSWORD})
    assert page.status_code == 429
    assert "Trop de connexions échouées" in page.content.decode()


def test_a_right_password_before_the_limit_signs_in_and_resets_the_count(
    cast: dict[str, User],
) -> None:
    client = Client()
    for _ in range(4):
        assert sign_in(client, "amina", WRONG) == 200
    assert sign_in(client, "amina", DEMO_PASSWORD) == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "amina", WRONG) == 200
    assert sign_in(client, "amina", DEMO_PASSWORD) == 302


def test_a_lockout_holds_for_one_address_not_for_the_name_everywhere(
    cast: dict[str, User],
) -> None:
    """A stranger guessing from one address cannot lock a colleague out of their own desk."""
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        sign_in(stranger, "sofia", WRONG)
    assert sign_in(stranger, "sofia", DEMO_PASSWORD) == 429
    colleague = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(colleague, "sofia", DEMO_PASSWORD) == 302


def test_failed_sign_ins_are_audited_without_the_password(cast: dict[str, User]) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(70):
        sign_in(client, "marc", WRONG)

    failed = AuditEvent.objects.filter(action="sign_in.failed")
    assert [(row.actor, row.target) for row in failed] == [(cast["marc"], "user:marc")]
    (row,) = failed
    assert row.detail["address"] == "203.0.113.9"
    assert 1 + row.detail["repeats"] == 70  # every try counted, on one row
    assert AuditEvent.objects.filter(action="sign_in.locked_out", target="user:marc").exists()
    assert WRONG not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_guessing_many_user_names_leaves_a_bounded_trace(cast: dict[str, User]) -> None:
    client = Client(REMOTE_ADDR="203.0.113.10")
    names = [f"guess{i}" for i in range(60)]
    for name in names:
        sign_in(client, name, WRONG)

    failed = AuditEvent.objects.filter(action="sign_in.failed")
    assert failed.count() == AUDIT_ROWS_PER_WINDOW + 1
    summary = failed.get(target="(more)")
    counted = failed.count() - 1 + 1 + summary.detail["repeats"]
    assert counted == len(names)
    assert summary.detail["sample"][0] == f"user:guess{AUDIT_ROWS_PER_WINDOW}"
