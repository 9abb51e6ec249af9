"""The early-warning loop: recipients acknowledge and respond, the owner reads the answers and
the response times (medians overall, per urgency, per recipient), closes or withdraws.

Times are set on the rows (no clock is waited on): raised at T0, answers some hours later.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.alerts.models import Acknowledgement, Alert, AlertResponse, AlertState
from commonground.alerts.services import (
    AlertInvalid,
    do_acknowledge,
    do_close_alert,
    do_raise_alert,
    do_respond,
)
from commonground.alerts.tests.conftest import alert_input
from commonground.sharing.models import Organization
from commonground.sharing.policy import viewer_for
from commonground.voices.models import Report

T0 = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)


def at(hours: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


def answer(
    cast: dict[str, User], username: str, alert: Alert, hours: float, kind: str = ""
) -> None:
    """``username`` acknowledges (or responds with ``kind``) ``hours`` after T0."""
    user = cast[username]
    if kind:
        do_respond(viewer_for(user), user, alert, kind, "done")
    else:
        do_acknowledge(viewer_for(user), user, alert)
    organization = user.memberships.get().organization
    Acknowledgement.objects.filter(
        alert=alert, organization=organization, created_at__gt=at(hours)
    ).update(created_at=at(hours))
    AlertResponse.objects.filter(alert=alert, organization=organization).update(
        created_at=at(hours)
    )


@pytest.fixture
def answered(
    cast: dict[str, User], bambari: Organization, reports: dict[str, Report], alert: Alert
) -> list[Alert]:
    grace = cast["grace"]
    second = do_raise_alert(
        viewer_for(grace), grace, bambari, alert_input([reports["verified"]], urgency="priority")
    )
    third = do_raise_alert(viewer_for(grace), grace, bambari, alert_input([reports["verified"]]))
    Alert.objects.update(created_at=T0)
    for one in (alert, second, third):
        one.refresh_from_db()
    answer(cast, "amina", alert, 2)
    answer(cast, "ousmane", alert, 5, kind="patrol_sent")
    answer(cast, "amina", second, 10)
    answer(cast, "amina", second, 20, kind="no_action")
    do_close_alert(viewer_for(grace), grace, third, AlertState.WITHDRAWN, "raised in error")
    return [alert, second, third]


def test_the_dashboard_figures(
    client: Client, cast: dict[str, User], answered: list[Alert]
) -> None:
    client.force_login(cast["grace"])
    board = client.get("/api/v1/alerts/dashboard").json()
    overall = board["overall"]
    assert (overall["alerts"], overall["acknowledged"], overall["responded"]) == (2, 2, 2)
    assert overall["median_hours_to_acknowledge"] == 6.0  # first answers at 2 h and 10 h
    assert overall["median_hours_to_respond"] == 12.5  # at 5 h and 20 h
    urgency = {f["label"]: f["median_hours_to_respond"] for f in board["by_urgency"]}
    assert urgency == {
        "Immediate: act now, lives at risk": 5.0,
        "Priority: act within 24 hours": 20.0,
    }
    recipients = {
        f["label"]: (f["alerts"], f["acknowledged"], f["median_hours_to_acknowledge"])
        for f in board["by_recipient"]
    }
    assert recipients == {
        "MINUSCA Joint Mission Analysis Centre": (2, 2, 6.0),
        "National armed forces liaison office": (2, 1, 5.0),
        "OCHA Central African Republic": (2, 0, None),
        "MINUSCA Force headquarters": (2, 0, None),
        "Comité local de paix de Bambari": (2, 0, None),
    }
    assert board["open_alerts"] == 2
    assert {row["id"] for row in board["alerts"]} == {str(a.pk) for a in answered[:2]}
    page = client.get("/alerts/dashboard/").content.decode()
    assert "6.0 h" in page and "12.5 h" in page
    csv = client.get("/alerts/dashboard.csv").content.decode()
    assert csv.splitlines()[0].startswith("alert,owner,raised_at")
    assert len(csv.splitlines()) == 3 and str(answered[2].pk) not in csv


def test_others_see_no_figures_of_the_owners_alerts(
    client: Client, cast: dict[str, User], answered: list[Alert]
) -> None:
    for username in ("amina", "ousmane", "viktor", "admin"):
        client.force_login(cast[username])
        board = client.get("/api/v1/alerts/dashboard").json()
        assert board["overall"]["alerts"] == 0 and board["alerts"] == []


def test_a_withdrawn_alert_stays_readable_and_takes_no_answer(
    client: Client, cast: dict[str, User], answered: list[Alert]
) -> None:
    withdrawn = answered[2]
    client.force_login(cast["lucie"])
    page = client.get(f"/alerts/{withdrawn.pk}/").content.decode()
    assert "Withdrawn" in page and "raised in error" in page
    refused = client.post(f"/api/v1/alerts/{withdrawn.pk}/acknowledge")
    assert refused.status_code == 422
    assert not Acknowledgement.objects.filter(alert=withdrawn).exists()
    grace = cast["grace"]
    with pytest.raises(AlertInvalid):
        do_close_alert(viewer_for(grace), grace, withdrawn, AlertState.CLOSED)


def test_no_action_needs_a_reason_and_an_acknowledgement_counts_once(
    cast: dict[str, User], alert: Alert
) -> None:
    amina = cast["amina"]
    with pytest.raises(AlertInvalid):
        do_respond(viewer_for(amina), amina, alert, "no_action", "  ")
    assert not AlertResponse.objects.exists()
    first = do_acknowledge(viewer_for(amina), amina, alert)
    marc_org_again = do_acknowledge(viewer_for(amina), amina, alert)
    assert first.pk == marc_org_again.pk
    assert Acknowledgement.objects.filter(alert=alert).count() == 1


def test_the_lists_say_what_each_side_did(
    client: Client, cast: dict[str, User], answered: list[Alert]
) -> None:
    client.force_login(cast["ousmane"])
    body = client.get("/alerts/").content.decode()
    assert "your organization responded" in body
    assert "awaiting your organization" in body  # the second alert: FACA has not answered
    client.force_login(cast["lucie"])
    assert "awaiting your organization" in client.get("/alerts/").content.decode()
