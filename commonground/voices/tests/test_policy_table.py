"""Who sees community reports: every cast member x every voices page and API route.

Read a row as: "<who> opening <route> <sees everything | sees the coarse parts | gets 404>".
A report someone may not see answers exactly as a report that does not exist. The lists (inbox
page, API list) answer a member of another organization with that organization's own reports
(none here), and anyone who belongs to no organization with 404: the report is never in them.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing.models import AuditEvent, Organization, OrganizationKind, Role
from commonground.sharing.policy import VOICES_EXCLUDED_KINDS, may_ever_receive_voices
from commonground.testing.cast import CAST
from commonground.voices.models import Report, ReportForm
from commonground.voices.services import ReportInput, do_submit_report

pytestmark = pytest.mark.access

SECRET = "canary-policy-7f3a"

FULL, COARSE, HIDDEN = "sees everything", "sees the coarse parts", "404"

#: Who is who to the Bambari women's network's reports.
EXPECTED = {
    "admin": HIDDEN,  # platform administrator, not a member: sees nothing of voices
    "amina": HIDDEN,  # mission analyst
    "marc": HIDDEN,  # mission planner
    "jean": COARSE,  # viewer of the owner
    "sofia": HIDDEN,  # another NGO's admin
    "grace": FULL,  # analyst of the owner
    "clarisse": FULL,  # organization administrator of the owner
    "ousmane": HIDDEN,  # national-army liaison
    "viktor": HIDDEN,  # parallel-force liaison
    "lucie": HIDDEN,  # humanitarian coordinator
    "kofi": HIDDEN,  # mission military component officer
    "awa": HIDDEN,  # local peace committee member
    None: HIDDEN,  # nobody signed in
}

ROUTES = (
    "/voices/inbox/",
    "/voices/inbox/{id}/",
    "/api/v1/voices/reports",
    "/api/v1/voices/reports/{id}",
)


def test_the_table_covers_the_whole_cast() -> None:
    assert set(EXPECTED) == {member.username for member in CAST} | {None}


@pytest.fixture
def report(cast: dict[str, User], bambari_form: ReportForm) -> Report:
    data = ReportInput(
        category="threat", occurred_on=datetime.date(2021, 5, 9), narrative=SECRET, may_count=True
    )
    report, _code, _new = do_submit_report(bambari_form, bambari_form.owner, "p" * 20, data)
    return report


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("username", list(EXPECTED))
def test_who_sees_a_report(
    client: Client, cast: dict[str, User], report: Report, route: str, username: str | None
) -> None:
    if username:
        client.force_login(cast[username])
    response = client.get(route.format(id=report.pk))
    expected = EXPECTED[username]
    if expected == HIDDEN:
        is_list = "{id}" not in route
        assert response.status_code == (200 if is_list and username else 404)
        assert str(report.pk) not in response.content.decode().replace(
            route.format(id=report.pk), ""
        )
        assert SECRET not in response.content.decode()
        return
    assert response.status_code == 200
    body = response.content.decode()
    if "{id}" in route:
        assert (SECRET in body) == (expected == FULL)
    else:
        assert str(report.pk) in body


@pytest.mark.parametrize("username", list(EXPECTED))
def test_a_missing_report_and_a_hidden_one_answer_alike(
    client: Client, cast: dict[str, User], report: Report, username: str | None
) -> None:
    if username:
        client.force_login(cast[username])
    other = uuid.uuid4()
    for route in ("/voices/inbox/{id}/", "/api/v1/voices/reports/{id}"):
        hidden = client.get(route.format(id=report.pk))
        missing = client.get(route.format(id=other))
        if EXPECTED[username] == HIDDEN:
            assert hidden.status_code == missing.status_code == 404
            # The page echoes the path asked for (the sign-in link); nothing else differs.
            unmasked = hidden.content.replace(str(report.pk).encode(), str(other).encode())
            assert without_csrf(unmasked) == without_csrf(missing.content)


def without_csrf(page: bytes) -> bytes:
    """A page without its CSRF token, which is masked afresh on every answer."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


@pytest.mark.parametrize("username", list(EXPECTED))
def test_the_public_pages_show_no_report_to_anyone(
    client: Client, cast: dict[str, User], report: Report, username: str | None
) -> None:
    """The form and the receipt page answer everyone, and never show a report without a code."""
    if username:
        client.force_login(cast[username])
    for route in ("/voices/femmes-bambari/signaler/", "/voices/receipt/"):
        response = client.get(route)
        assert response.status_code == 200
        body = response.content.decode()
        assert str(report.pk) not in body and SECRET not in body
        assert "Threats or intimidation" not in body or route.endswith("signaler/")


def test_a_hidden_report_asked_for_is_audited_as_denied(
    client: Client, cast: dict[str, User], report: Report
) -> None:
    client.force_login(cast["ousmane"])
    client.get(f"/voices/inbox/{report.pk}/")
    client.get(f"/voices/inbox/{uuid.uuid4()}/")  # a missing report is not a denial
    denied = AuditEvent.objects.filter(action="access.denied", actor=cast["ousmane"])
    assert list(denied.values_list("target", flat=True)) == [f"voices.report:{report.pk}"]


def test_only_the_owners_analysts_and_admins_leave_protected_reads_in_the_audit(
    client: Client, cast: dict[str, User], report: Report
) -> None:
    for username in EXPECTED:
        client.logout()
        if username:
            client.force_login(cast[username])
        client.get(f"/api/v1/voices/reports/{report.pk}")
    reads = AuditEvent.objects.filter(action="voices.report.read", target=str(report.pk))
    readers = sorted(reads.values_list("actor__username", flat=True))
    assert readers == sorted(name for name, seen in EXPECTED.items() if name and seen == FULL)


@pytest.mark.parametrize("kind", list(OrganizationKind))
def test_forces_and_armed_groups_never_receive_voices(kind: OrganizationKind) -> None:
    never = {
        OrganizationKind.NATIONAL_GOVERNMENT,
        OrganizationKind.PARALLEL_FORCE,
        OrganizationKind.ARMED_GROUP,
        OrganizationKind.MILITARY_COMPONENT,
    }
    assert may_ever_receive_voices(kind) == (kind not in never)
    assert never == VOICES_EXCLUDED_KINDS


def test_a_forces_membership_in_another_org_changes_nothing(
    client: Client, cast: dict[str, User], report: Report
) -> None:
    """The army liaison also a viewer of a third organization still sees no report."""
    other = Organization.objects.get(slug="sfcg-car")
    from commonground.sharing.services import do_add_member

    do_add_member(cast["ousmane"], other, Role.VIEWER)
    client.force_login(cast["ousmane"])
    assert client.get(f"/voices/inbox/{report.pk}/").status_code == 404
