"""Raising an alert: only from the owner's own verified reports, to its own circles; the area
is a district or a region holding the reports, never a point; the window is whole weeks; bad
input is refused whole, nothing written, with the reason in English and French."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from commonground.alerts.models import Alert
from commonground.alerts.services import AlertInvalid, NotAllowed, do_raise_alert
from commonground.alerts.tests.conftest import ALERT_TEXT, CANARIES, alert_input
from commonground.core.models import Area
from commonground.sharing.models import AuditEvent, Organization, Sensitivity, SharingCircle
from commonground.sharing.policy import viewer_for
from commonground.voices.models import Report


def refusal(
    cast: dict[str, User], bambari: Organization, reports: list[Report], **changes: Any
) -> list[str]:
    grace = cast["grace"]
    with pytest.raises(AlertInvalid) as refused:
        do_raise_alert(viewer_for(grace), grace, bambari, alert_input(reports, **changes))
    assert not Alert.objects.exists()
    return [name for name, _message in refused.value.errors]


@pytest.mark.usefixtures("circle")
@pytest.mark.parametrize(
    ("which", "changes", "field"),
    [
        ("unverified", {}, "reports"),
        ("other_org", {}, "reports"),
        ("none", {}, "reports"),
        ("verified", {"area": "CAF"}, "area"),  # a country is too wide
        ("verified", {"area": "CAF.bangui"}, "area"),  # does not hold the report's district
        ("verified", {"area": "nowhere"}, "area"),
        ("verified", {"text": "   "}, "text"),
        ("verified", {"text": "x" * 501}, "text"),
        ("verified", {"category": "gossip"}, "category"),
        ("verified", {"urgency": "whenever"}, "urgency"),
        ("verified", {"circles": []}, "circles"),
        ("verified", {"circles": ["someone-elses"]}, "circles"),
        ("verified", {"sensitivity": Sensitivity.CONFIDENTIAL}, "sensitivity"),
        ("verified", {"ends_on": datetime.date(2000, 1, 1)}, "ends_on"),
        ("verified", {"ends_on": datetime.date.today() + datetime.timedelta(days=200)}, "ends_on"),
    ],
)
def test_bad_alerts_are_refused_and_nothing_is_written(
    cast: dict[str, User],
    bambari: Organization,
    reports: dict[str, Report],
    which: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    chosen = [] if which == "none" else [reports[which]]
    assert field in refusal(cast, bambari, chosen, **changes)


@pytest.mark.usefixtures("circle")
def test_another_organizations_report_is_refused_as_a_missing_one(
    cast: dict[str, User], bambari: Organization, reports: dict[str, Report]
) -> None:
    """The author learns nothing about other organizations' reports from the refusal."""
    import uuid

    grace = cast["grace"]
    messages = []
    for report_id in (reports["other_org"].pk, uuid.uuid4(), reports["unverified"].pk):
        data = alert_input([], reports=[report_id])
        with pytest.raises(AlertInvalid) as refused:
            do_raise_alert(viewer_for(grace), grace, bambari, data)
        messages.append(str(refused.value))
    assert len(set(messages)) == 1


@pytest.mark.usefixtures("circle")
def test_a_circle_of_another_owner_is_refused(
    cast: dict[str, User], bambari: Organization, reports: dict[str, Report]
) -> None:
    sfcg = Organization.objects.get(slug="sfcg-car")
    SharingCircle.objects.create(owner=sfcg, slug="sfcg-circle", name="SFCG")
    fields = refusal(cast, bambari, [reports["verified"]], circles=["sfcg-circle"])
    assert fields == ["circles"]


@pytest.mark.usefixtures("circle")
def test_viewers_and_other_organizations_may_not_raise(
    cast: dict[str, User], bambari: Organization, reports: dict[str, Report]
) -> None:
    for username in ("jean", "amina", "ousmane", "admin", None):
        user = cast[username] if username else None
        with pytest.raises(NotAllowed):
            do_raise_alert(viewer_for(user), user, bambari, alert_input([reports["verified"]]))
    assert not Alert.objects.exists()


@pytest.mark.usefixtures("circle")
def test_an_alert_keeps_whole_weeks_and_only_what_its_author_chose(
    cast: dict[str, User], bambari: Organization, reports: dict[str, Report]
) -> None:
    wednesday = datetime.date(2026, 12, 2)
    grace = cast["grace"]
    data = alert_input(
        [reports["verified"]],
        area="CAF.ouaka",
        starts_on=wednesday,
        ends_on=wednesday + datetime.timedelta(days=8),
    )
    alert = do_raise_alert(viewer_for(grace), grace, bambari, data)
    assert (alert.starts_on, alert.ends_on) == (
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 13),
    )
    assert alert.area == Area.objects.get(code="CAF.ouaka")  # an admin-1 area is allowed
    stored = {f.name: getattr(alert, f.name) for f in Alert._meta.concrete_fields}
    assert not [v for v in map(str, stored.values()) for c in CANARIES.values() if c in v]
    raised = AuditEvent.objects.get(action="alerts.raised")
    assert raised.actor == grace and raised.target == f"alert:{alert.pk}"
    assert raised.detail["sources"] == [str(reports["verified"].pk)]


@pytest.mark.usefixtures("circle")
def test_raising_through_the_page_and_the_api(
    client: Client, cast: dict[str, User], reports: dict[str, Report]
) -> None:
    client.force_login(cast["grace"])
    page = client.get("/alerts/new/").content.decode()
    assert str(reports["verified"].pk) in page and str(reports["unverified"].pk) not in page
    assert str(reports["other_org"].pk) not in page
    form = {
        "reports": [str(reports["verified"].pk)],
        "area": "CAF.ouaka.bambari",
        "category": "threat",
        "urgency": "priority",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-20",
        "text": ALERT_TEXT,
        "circles": ["bambari-protection"],
        "sensitivity": "1",
    }
    response = client.post("/alerts/new/", form)
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert response["Location"] == f"/alerts/{alert.pk}/"
    api = client.post(
        "/api/v1/alerts",
        {**form, "reports": [str(reports["unverified"].pk)], "sensitivity": 1},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["error"]["details"][0]["field"] == "reports"
    made = client.post(
        "/api/v1/alerts", {**form, "sensitivity": 1}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["starts_on"] == "2026-11-30"
    assert Alert.objects.count() == 2


@pytest.mark.usefixtures("circle")
def test_refusals_are_in_french_too(
    client: Client, cast: dict[str, User], bambari: Organization, reports: dict[str, Report]
) -> None:
    grace = cast["grace"]
    data = alert_input([reports["unverified"]], area="CAF")
    with translation.override("fr"), pytest.raises(AlertInvalid) as refused:
        do_raise_alert(viewer_for(grace), grace, bambari, data)
    assert "signalements vérifiés" in str(refused.value)
    assert "sous-préfecture (admin-2)" in str(refused.value)
    client.force_login(grace)
    assert "Lancer une alerte" in client.get("/alerts/new/?lang=fr").content.decode()
