"""Changing your own password; a refusal as a page in the site's layout and one log line."""

from __future__ import annotations

import io
import logging
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from commonground.core.logs import OneLineRefusals
from commonground.sharing.models import AuditEvent
from commonground.testing.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "harbour-lantern-5821"  # a test account's new password


@pytest.fixture(autouse=True)
def fast_hashers() -> object:
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ) as overridden:
        yield overridden


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def password_works(username: str, password: str) -> bool:
    """Signing in on the real sign-in page succeeds (it redirects)."""
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def change(client: Client, old: str, new: str, lang: str = "en") -> Any:
    """The test client's response (its type lives in django-stubs only)."""
    return client.post(
        f"/accounts/password/?lang={lang}",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_a_member_changes_their_password_and_it_is_audited(cast: dict[str, User]) -> None:
    client = signed_in(cast["jean"])
    assert 'href="/accounts/password/"' in client.get("/accounts/").content.decode()

    response = change(client, DEMO_PASSWORD, NEW)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    assert client.get("/accounts/").status_code == 200  # still signed in here
    assert password_works("jean", NEW)
    assert not password_works("jean", DEMO_PASSWORD)
    row = AuditEvent.objects.get(action="user.password_changed")
    assert (row.actor, row.target) == (cast["jean"], "jean")
    assert NEW not in str(row.detail)


@pytest.mark.parametrize(
    ("old", "new", "lang", "says"),
    [
        ("wrong-old-password", NEW, "en", "Your old password was entered incorrectly"),
        (DEMO_PASSWORD, "jean", "en", "too similar"),
        ("wrong-old-password", NEW, "fr", "Le mot de passe n’a pas été modifié"),  # noqa: RUF001  # French apostrophe
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    cast: dict[str, User], old: str, new: str, lang: str, says: str
) -> None:
    response = change(signed_in(cast["jean"]), old, new, lang)
    assert response.status_code == 200
    assert says in response.content.decode()
    assert password_works("jean", DEMO_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()


def test_anonymous_visitors_are_sent_to_sign_in(cast: dict[str, User]) -> None:
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("lang", "title", "reason"),
    [
        ("en", "Not allowed", "Only analysts and above may import data."),
        (
            "fr",
            "Non autorisé",
            "Seuls les analystes et les rôles supérieurs peuvent importer des données.",
        ),
    ],
)
def test_a_viewer_refused_the_import_page_gets_a_translated_page(
    cast: dict[str, User], lang: str, title: str, reason: str
) -> None:
    response = signed_in(cast["marc"]).get(f"/import/?lang={lang}")
    page = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in page
    assert reason in page
    assert 'class="site-header"' in page  # the site's layout, not a bare "403 Forbidden"


def test_a_refusal_is_one_line_in_the_server_log(cast: dict[str, User]) -> None:
    """The console handler that settings.LOGGING sets up, written to a buffer for the test."""
    (console,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, OneLineRefusals) for f in h.filters)
    ]
    assert isinstance(console, logging.StreamHandler)
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    try:
        signed_in(cast["marc"]).get("/import/")
    finally:
        console.setStream(previous)
    assert buffer.getvalue() == "Forbidden (Permission denied): /import/\n"  # no traceback


def test_the_filter_drops_the_traceback_of_refusals_only() -> None:
    try:
        raise PermissionError("declined")
    except PermissionError:
        refusal = logging.makeLogRecord({"msg": "Forbidden", "status_code": 403})
        refusal.exc_info = fault_info = sys.exc_info()
        fault = logging.makeLogRecord({"msg": "Server error", "status_code": 500})
        fault.exc_info = fault_info
    assert OneLineRefusals().filter(refusal) and OneLineRefusals().filter(fault)
    assert refusal.exc_info is None
    assert fault.exc_info == fault_info


@pytest.mark.parametrize("https", [True, False])
def test_the_language_cookie_is_secure_when_served_over_https(https: bool) -> None:
    with override_settings(LANGUAGE_COOKIE_SECURE=https):
        response = Client().get("/accounts/login/?lang=fr")
    assert bool(response.cookies["django_language"]["secure"]) is https
