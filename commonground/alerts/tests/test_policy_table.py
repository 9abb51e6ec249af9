"""Who sees and answers an alert: every cast member x every alerts page, API route and export.

The alert: the Bambari women's network (grace, analyst; jean, viewer) raises it from two of its
verified reports to its circle "bambari-protection" (MINUSCA JMAC, the national-army liaison and
OCHA). Read a row as "<who> is <role> for this alert". Recipients include a national force: an
alert carries no raw record, reaching those who can respond is its point. Nobody else learns it
exists: a hidden alert answers exactly as a missing one, on every route, reading or writing.
No answer to anyone but the owner's analyst ever holds a source report's id, and no answer at
all holds what a reporter said (canaries planted in every protected field of the reports).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from commonground.alerts.models import Acknowledgement, Alert, AlertResponse, AlertState
from commonground.alerts.tests.conftest import ALERT_TEXT, CANARIES
from commonground.sharing.models import AuditEvent
from commonground.testing.cast import CAST
from commonground.voices.models import Report

pytestmark = pytest.mark.access

OWNER_MANAGES = "owner's analyst: reads, sees every answer and the sources, closes"
OWNER_READS = "owner's viewer: reads, sees every answer"
ANSWERS = "recipient's analyst: reads, acknowledges, responds (own organization's answers)"
READS = "recipient's viewer: reads only"
HIDDEN = "does not know it exists: 404"

EXPECTED = {
    "admin": HIDDEN,  # platform administrator, in no circle: sees nothing (as for reports)
    "amina": ANSWERS,  # MINUSCA JMAC analyst
    "marc": READS,  # MINUSCA JMAC viewer
    "jean": OWNER_READS,  # viewer of the network
    "sofia": HIDDEN,  # another NGO, not in the circle
    "grace": OWNER_MANAGES,  # analyst of the network, raised it
    "clarisse": OWNER_MANAGES,  # organization administrator of the network
    "ousmane": ANSWERS,  # national-army liaison: forces receive alerts
    "viktor": HIDDEN,  # parallel force, not in the circle
    "lucie": ANSWERS,  # OCHA, organization administrator
    "kofi": ANSWERS,  # the mission's military component: forces receive alerts
    "awa": READS,  # viewer of the local peace committee
    None: HIDDEN,  # nobody signed in
}

#: Reading routes: (route, what it is).
READ_ROUTES = {
    "/alerts/": "list",
    "/alerts/{id}/": "detail",
    "/alerts/dashboard/": "dashboard",
    "/alerts/dashboard.csv": "dashboard",
    "/alerts/new/": "new",
    "/api/v1/alerts": "list",
    "/api/v1/alerts/{id}": "detail",
    "/api/v1/alerts/dashboard": "dashboard",
}

OWNERS = {OWNER_MANAGES, OWNER_READS}
VIEWERS = {"jean", "marc", "awa"}


def test_the_table_covers_the_whole_cast() -> None:
    assert set(EXPECTED) == {member.username for member in CAST} | {None}


def expected_read(username: str | None, kind: str) -> tuple[int, bool]:
    """(status, whether the alert is in the answer) for one reader and kind of route."""
    role = EXPECTED[username]
    if username is None:
        return 404, False
    if kind == "detail":
        return (404, False) if role == HIDDEN else (200, True)
    if kind == "list":
        return 200, role != HIDDEN
    if kind == "dashboard":
        return 200, role in OWNERS
    return (404 if username in VIEWERS else 200), False  # new: analysts and above only


def assert_no_source(body: str, username: str | None, reports: list[Report]) -> None:
    for name, canary in CANARIES.items():
        assert canary not in body, f"{name} of a report reached {username}"
    if EXPECTED[username] != OWNER_MANAGES:  # the owner's analysts and admins see the sources
        assert not [r.pk for r in reports if str(r.pk) in body], f"a report id reached {username}"


@pytest.mark.parametrize("route", list(READ_ROUTES))
@pytest.mark.parametrize("username", list(EXPECTED))
def test_who_reads_an_alert(
    client: Client, cast: dict[str, User], alert: Alert, route: str, username: str | None
) -> None:
    if username:
        client.force_login(cast[username])
    response = client.get(route.format(id=alert.pk))
    status, shows = expected_read(username, READ_ROUTES[route])
    assert response.status_code == status
    body = response.content.decode().replace(f"next={route.format(id=alert.pk)}", "")
    assert (str(alert.pk) in body) == shows  # (the sign-in link of a 404 echoes the path)
    assert (ALERT_TEXT in body) == (shows and READ_ROUTES[route] != "dashboard")
    assert_no_source(body, username, list(Report.objects.all()))


def answer_posts(alert_id: Any) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Each writing route: (action, route, data); API routes take JSON."""
    respond = {"kind": "patrol_sent", "text": "Patrol sent to the market road."}
    close = {"state": "closed", "note": "The danger has passed."}
    return {
        "page acknowledge": ("acknowledge", f"/alerts/{alert_id}/acknowledge/", {}),
        "page respond": ("respond", f"/alerts/{alert_id}/respond/", respond),
        "page close": ("close", f"/alerts/{alert_id}/close/", close),
        "api acknowledge": ("acknowledge", f"/api/v1/alerts/{alert_id}/acknowledge", {}),
        "api respond": ("respond", f"/api/v1/alerts/{alert_id}/responses", respond),
        "api close": ("close", f"/api/v1/alerts/{alert_id}/close", close),
    }


def post(client: Client, route: str, data: dict[str, str]) -> HttpResponse:
    if route.startswith("/api/"):
        return client.post(route, data, content_type="application/json")  # type: ignore[return-value]  # Django's test response
    return client.post(route, data)  # type: ignore[return-value]  # Django's test response


def expected_write(username: str | None, action: str, is_api: bool) -> int:
    role = EXPECTED[username]
    if username is None:
        return 401 if is_api else 404
    if role == HIDDEN:
        return 404
    allowed = role == ANSWERS if action in ("acknowledge", "respond") else role == OWNER_MANAGES
    if not allowed:
        return 403
    return 200 if is_api else 302


@pytest.mark.parametrize("name", list(answer_posts("x")))
@pytest.mark.parametrize("username", list(EXPECTED))
def test_who_answers_and_closes_an_alert(
    client: Client, cast: dict[str, User], alert: Alert, name: str, username: str | None
) -> None:
    if username:
        client.force_login(cast[username])
    action, route, data = answer_posts(alert.pk)[name]
    response = post(client, route, data)
    status = expected_write(username, action, route.startswith("/api/"))
    assert response.status_code == status, response.content[:300]
    assert_no_source(response.content.decode(), username, list(Report.objects.all()))
    done = status in (200, 302)
    audited = AuditEvent.objects.filter(target=f"alert:{alert.pk}", actor=cast.get(username or ""))
    alert.refresh_from_db()
    if action == "close":
        assert (alert.state == AlertState.CLOSED) == done
        assert audited.filter(action="alerts.closed").exists() == done
    else:
        answered = Acknowledgement.objects.filter(alert=alert, by__username=username).exists()
        assert answered == done
        assert audited.filter(action="alerts.acknowledged").exists() == done
        if action == "respond":
            assert AlertResponse.objects.filter(alert=alert).exists() == done
            assert audited.filter(action="alerts.responded").exists() == done


def without_csrf(page: bytes) -> bytes:
    """A page without its CSRF token, which is masked afresh on every answer."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


@pytest.mark.parametrize("username", [u for u, role in EXPECTED.items() if role == HIDDEN])
def test_a_hidden_alert_answers_exactly_as_a_missing_one(
    client: Client, cast: dict[str, User], alert: Alert, username: str | None
) -> None:
    if username:
        client.force_login(cast[username])
    missing = uuid.uuid4()
    routes = [r for r in READ_ROUTES if "{id}" in r]
    for route in routes:
        hidden_answer = client.get(route.format(id=alert.pk))
        missing_answer = client.get(route.format(id=missing))
        same = hidden_answer.content.replace(str(alert.pk).encode(), str(missing).encode())
        assert hidden_answer.status_code == missing_answer.status_code == 404
        assert without_csrf(same) == without_csrf(missing_answer.content), route
    for _action, route, data in answer_posts(alert.pk).values():
        hidden_post = post(client, route, data)
        missing_post = post(client, route.replace(str(alert.pk), str(missing)), data)
        same = hidden_post.content.replace(str(alert.pk).encode(), str(missing).encode())
        assert hidden_post.status_code == missing_post.status_code
        assert without_csrf(same) == without_csrf(missing_post.content), route


def test_a_hidden_alert_asked_for_is_audited_as_denied(
    client: Client, cast: dict[str, User], alert: Alert
) -> None:
    client.force_login(cast["viktor"])
    client.get(f"/alerts/{alert.pk}/")
    client.get(f"/alerts/{uuid.uuid4()}/")  # a missing alert is not a denial
    denied = AuditEvent.objects.filter(action="access.denied", actor=cast["viktor"])
    assert list(denied.values_list("target", flat=True)) == [f"alert:{alert.pk}"]


def test_recipients_see_only_their_own_answers_the_owner_sees_all(
    client: Client, cast: dict[str, User], alert: Alert
) -> None:
    for username, words in (("amina", "JMAC patrol words"), ("ousmane", "FACA escort words")):
        client.force_login(cast[username])
        route = f"/api/v1/alerts/{alert.pk}/responses"
        assert post(client, route, {"kind": "patrol_sent", "text": words}).status_code == 200
    seen = {}
    for username in ("amina", "ousmane", "marc", "grace", "jean"):
        client.force_login(cast[username])
        seen[username] = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "JMAC patrol words" in seen["amina"] and "FACA escort words" not in seen["amina"]
    assert "FACA escort words" in seen["ousmane"] and "JMAC patrol words" not in seen["ousmane"]
    assert "JMAC patrol words" in seen["marc"]  # a viewer of MINUSCA reads MINUSCA's answer
    for owner in ("grace", "jean"):
        assert "JMAC patrol words" in seen[owner] and "FACA escort words" in seen[owner]
    client.force_login(cast["grace"])
    answer = client.get(f"/api/v1/alerts/{alert.pk}").json()
    assert sorted(answer["recipients"]) == [
        "cpl-bambari",
        "faca-liaison",
        "minusca-force",
        "minusca-jmac",
        "ocha-car",
    ]
    assert len(answer["sources"]) == 2
    client.force_login(cast["ousmane"])
    answer = client.get(f"/api/v1/alerts/{alert.pk}").json()
    assert answer["recipients"] is None and answer["sources"] is None
    assert [a["organization"] for a in answer["answers"]] == ["faca-liaison", "faca-liaison"]
