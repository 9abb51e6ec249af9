"""Bearer tokens and browser sessions: creation, use, revocation, CSRF, audit, the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.middleware.csrf import get_token
from django.test import Client

from commonground.api.tests.conftest import ApiData, client_for
from commonground.cli.main import cli
from commonground.sharing.models import ApiToken, AuditEvent
from commonground.sharing.services import (
    api_token_hash,
    do_create_api_token,
    do_revoke_api_token,
)

pytestmark = pytest.mark.django_db


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_token_acts_as_its_user(api_data: ApiData) -> None:
    me = bearer(api_data.token).get("/api/v1/me").json()
    assert me["authenticated"] and me["auth"] == "token"
    assert me["username"] == "amina"
    assert me["organizations"] == [
        {
            "organization": "minusca-jmac",
            "name": "MINUSCA Joint Mission Analysis Centre",
            "acronym": "JMAC",
            "role": "analyst",
        }
    ]
    assert me["token"]["name"] == "api tests"
    assert me["token"]["last_used_at"] is not None


@pytest.mark.parametrize(
    ("who", "auth", "username", "admin"),
    [
        ("anonymous", None, None, False),
        ("jean", "session", "jean", False),
        ("admin", "session", "admin", True),
        ("token", "token", "amina", False),
    ],
)
def test_me(api_data: ApiData, who: str, auth: str | None, username: str, admin: bool) -> None:
    me = client_for(api_data, who).get("/api/v1/me").json()
    assert (me["auth"], me["username"], me["is_platform_admin"]) == (auth, username, admin)
    assert me["authenticated"] == (who != "anonymous")


def test_only_the_hash_is_stored(api_data: ApiData) -> None:
    record = ApiToken.objects.get(user__username="amina", name="api tests")
    assert record.token_hash == api_token_hash(api_data.token)
    assert api_data.token.startswith(record.prefix)
    stored = [str(v) for v in ApiToken.objects.filter(pk=record.pk).values().get().values()]
    assert api_data.token not in stored


def test_a_revoked_token_is_refused(api_data: ApiData) -> None:
    user = api_data.cast["marc"]
    record, token = do_create_api_token(user, "to revoke", actor=user)
    client = bearer(token)
    assert client.get(f"/api/v1/events/{api_data.restricted.pk}").status_code == 200
    do_revoke_api_token(record, actor=user)
    for path in ("/api/v1/events", f"/api/v1/events/{api_data.restricted.pk}", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "code": "unauthorized",
                "message": "invalid or revoked API token",
                "details": [],
            }
        }
    actions = AuditEvent.objects.filter(target=f"api_token:{record.pk}").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]
    assert token not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize(
    "header", ["Bearer cg_not-a-token", "Bearer ", "Token abc", "Basic YWRtaW46YWRtaW4="]
)
def test_a_bad_authorization_header_is_refused_not_ignored(api_data: ApiData, header: str) -> None:
    """Rather than quietly answering as anonymous, so a script learns its token is wrong."""
    response = Client(headers={"Authorization": header}).get("/api/v1/events")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_an_inactive_users_token_is_refused(api_data: ApiData) -> None:
    User.objects.filter(username="amina").update(is_active=False)
    assert bearer(api_data.token).get("/api/v1/me").status_code == 401


# --- Tokens through the API -----------------------------------------------------------------------


def test_a_browser_session_creates_a_token_with_csrf(api_data: ApiData) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(api_data.cast["sofia"])
    refused = client.post("/api/v1/me/tokens", {"name": "laptop"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    client.get("/api/v1/me")  # any request; the CSRF cookie is what a page would have set
    csrf = get_token_for(client)
    created = client.post(
        "/api/v1/me/tokens",
        {"name": "laptop"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["token"].startswith(body["prefix"])
    me = bearer(body["token"]).get("/api/v1/me").json()
    assert me["username"] == "sofia"
    listed = client.get("/api/v1/me/tokens").json()
    assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0]


def get_token_for(client: Client) -> str:
    """A CSRF token the client's cookie accepts, as a page would embed it."""
    from django.http import HttpRequest

    request = HttpRequest()
    cookie = client.cookies.get("csrftoken")
    if cookie is not None:
        request.COOKIES["csrftoken"] = cookie.value
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return token


def test_a_token_cannot_create_tokens(api_data: ApiData) -> None:
    response = bearer(api_data.token).post(
        "/api/v1/me/tokens", {"name": "another"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_token_revokes_itself_but_not_another_users(api_data: ApiData) -> None:
    mine, token = do_create_api_token(api_data.cast["jean"], "short-lived")
    other = ApiToken.objects.get(user__username="amina", name="api tests")
    client = bearer(token)
    assert client.delete(f"/api/v1/me/tokens/{other.pk}").status_code == 404
    response = client.delete(f"/api/v1/me/tokens/{mine.pk}")
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert client.get("/api/v1/me").status_code == 401
    assert bearer(api_data.token).get("/api/v1/me").status_code == 200


def test_bad_token_names(api_data: ApiData) -> None:
    client = Client()
    client.force_login(api_data.cast["jean"])
    for name in ("", "   ", "x" * 101):
        response = client.post("/api/v1/me/tokens", {"name": name}, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "name"


# --- The command line -----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_token_commands(api_data: ApiData) -> None:
    code, out, err = run("token", "create", "marc", "--name", "nightly export")
    assert code == 0
    token = out.strip()
    record = ApiToken.objects.get(token_hash=api_token_hash(token))
    assert f"Token {record.pk}" in err and record.name == "nightly export"
    assert bearer(token).get("/api/v1/me").json()["username"] == "marc"

    code, out, _err = run("token", "list", "--user", "marc")
    assert code == 0 and "nightly export" in out and record.prefix in out and token not in out

    code, out, _err = run("token", "revoke", str(record.pk))
    assert code == 0 and "Revoked" in out
    assert bearer(token).get("/api/v1/me").status_code == 401
    assert "already revoked" in run("token", "revoke", str(record.pk))[1]
    audit = AuditEvent.objects.filter(target=f"api_token:{record.pk}", actor=None)
    assert audit.count() == 2  # created and revoked, from the command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("token", "create", "nobody", "--name", "x"), "no user named 'nobody'"),
        (("token", "create", "marc", "--name", " "), "needs a name"),
        (("token", "revoke", "999999"), "no token with id 999999"),
    ],
)
def test_token_command_errors(api_data: ApiData, args: tuple[str, ...], message: str) -> None:
    code, _out, err = run(*args)
    assert code == 1 and message in err
