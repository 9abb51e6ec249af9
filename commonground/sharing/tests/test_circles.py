"""Sharing circles, humanitarian-military separation and voices agreements (ADR 0020).

Each rule of the policy's docstring has a table here: read a row as "<who> sees <record>".
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.events.queries import visible_events
from commonground.sharing.circles import (
    SharingRefused,
    do_add_circle_member,
    do_save_agreement,
    do_save_circle,
    do_set_record_circle,
)
from commonground.sharing.models import (
    AuditEvent,
    Licence,
    Organization,
    Role,
    Sensitivity,
    SharingAgreement,
)
from commonground.sharing.policy import (
    SEPARATION_REASON,
    access_owned,
    may_grade_reports,
    may_read_protected,
    record_denied,
    request_viewer,
    viewer_for,
    voices_organizations,
)
from commonground.sharing.services import do_add_member

pytestmark = pytest.mark.access

S = Sensitivity

#: (label, owner, sensitivity, licence, circle slug or "") — the circles are made below.
RECORDS = [
    ("RFPB partners note", "femmes-bambari", S.PARTNERS, Licence.OWNER, "bambari-protection"),
    ("RFPB restricted note", "femmes-bambari", S.RESTRICTED, Licence.OWNER, "bambari-protection"),
    ("RFPB confidential", "femmes-bambari", S.CONFIDENTIAL, Licence.OWNER, "bambari-protection"),
    ("RFPB note in no circle", "femmes-bambari", S.RESTRICTED, Licence.OWNER, ""),
    ("JMAC partners note", "minusca-jmac", S.PARTNERS, Licence.OWNER, "jmac-partners"),
    ("JMAC restricted note", "minusca-jmac", S.RESTRICTED, Licence.OWNER, "jmac-partners"),
    ("JMAC ACLED row", "minusca-jmac", S.PARTNERS, Licence.ACLED, "jmac-partners"),
]

#: The circles: (owner, slug, max sensitivity, members).
CIRCLES = [
    (
        "femmes-bambari",
        "bambari-protection",
        S.RESTRICTED,
        ["minusca-jmac", "faca-liaison", "minusca-force", "ocha-car", "cpl-bambari"],
    ),
    ("minusca-jmac", "jmac-partners", S.PARTNERS, ["faca-liaison", "cpl-bambari", "sfcg-car"]),
]

RFPB_SHARED = {"RFPB partners note", "RFPB restricted note"}
RFPB_OWN = RFPB_SHARED | {"RFPB confidential", "RFPB note in no circle"}
JMAC_SHARED = {"JMAC partners note"}
JMAC_OWN = JMAC_SHARED | {"JMAC restricted note", "JMAC ACLED row"}
ALL = {label for label, *_ in RECORDS}

#: Who sees what. Read with the circles above:
#: - circle members see records up to the circle's level, never above it (RFPB confidential);
#: - a record in no circle is the owner's alone;
#: - armed members (ousmane, kofi) never see RFPB's records: separation, whatever the circle says;
#:   they do see JMAC's (a UN mission is not a separated owner) when in its circle;
#: - ACLED rows never leave their owner.
EXPECTED = {
    "anonymous": set(),
    "jean": {"RFPB partners note", "RFPB restricted note", "RFPB note in no circle"},
    "grace": RFPB_OWN,
    "clarisse": RFPB_OWN,  # the owner's organization administrator
    "amina": RFPB_SHARED | JMAC_OWN,
    "marc": RFPB_SHARED | JMAC_OWN,
    "ousmane": JMAC_SHARED,
    "kofi": set(),
    "viktor": set(),
    "lucie": RFPB_SHARED,
    "awa": RFPB_SHARED | JMAC_SHARED,
    "sofia": JMAC_SHARED,
    "admin": ALL,
}


def make_event(n: int, label: str, owner: Organization, sensitivity: int, licence: str) -> Event:
    run = ImportRun.objects.create(dataset="test", file_name="circles", sha256="0" * 64)
    return Event.objects.create(
        dataset="test",
        dataset_version="1",
        source_id=str(n),
        import_run=run,
        source_row=n + 2,
        content_hash="x",
        date_start=datetime.date(2020, 1, 1),
        date_end=datetime.date(2020, 1, 1),
        date_precision=1,
        latitude=4.36,
        longitude=18.55,
        location_precision=1,
        country_code="CAF",
        priogrid_gid=1,
        violence_type="one_sided",
        fatalities_best=1,
        description=label,
        owner=owner,
        sensitivity=sensitivity,
        licence=licence,
    )


@pytest.fixture
def orgs(cast: dict[str, User]) -> dict[str, Organization]:
    return {org.slug: org for org in Organization.objects.all()}


@pytest.fixture
def records(cast: dict[str, User], orgs: dict[str, Organization]) -> dict[str, Event]:
    circles = {}
    for owner, slug, level, members in CIRCLES:
        circle = do_save_circle(orgs[owner], slug, slug, None, max_sensitivity=level)
        for member in members:
            do_add_circle_member(circle, orgs[member], None)
        circles[slug] = circle
    made = {}
    for n, (label, owner, sensitivity, licence, slug) in enumerate(RECORDS):
        event = make_event(n, label, orgs[owner], sensitivity, licence)
        if slug:
            do_set_record_circle(event, circles[slug], None)
        made[label] = event
    return made


def person(cast: dict[str, User], name: str) -> Any:
    return None if name == "anonymous" else cast[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_person_sees_exactly_the_circles_records_the_policy_allows(
    name: str, cast: dict[str, User], records: dict[str, Event]
) -> None:
    seen = set(visible_events(person(cast, name)).values_list("description", flat=True))
    assert seen == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_viewer_worked_out_once_gives_the_same_answer(
    name: str, cast: dict[str, User], records: dict[str, Event]
) -> None:
    viewer = viewer_for(person(cast, name))
    seen = set(access_owned(Event.objects.all(), viewer).values_list("description", flat=True))
    assert seen == EXPECTED[name]


def test_the_request_viewer_is_worked_out_once(cast: dict[str, User]) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = cast["kofi"]
    assert request_viewer(request) is request_viewer(request)
    assert request_viewer(request).armed_organizations


def test_separation_holds_even_for_an_agreement_written_past_the_services(
    cast: dict[str, User], orgs: dict[str, Organization], records: dict[str, Event]
) -> None:
    """An agreement made in the database directly (an old one, an admin edit) still gives the
    army liaison nothing raw of the women's network."""
    SharingAgreement.objects.create(
        provider=orgs["femmes-bambari"], recipient=orgs["faca-liaison"], max_sensitivity=3
    )
    seen = set(visible_events(cast["ousmane"]).values_list("description", flat=True))
    assert seen == EXPECTED["ousmane"]


def test_a_member_of_an_armed_and_a_civil_organization_sees_through_the_civil_one(
    cast: dict[str, User], orgs: dict[str, Organization], records: dict[str, Event]
) -> None:
    do_add_member(cast["kofi"], orgs["ocha-car"], Role.VIEWER)
    seen = set(visible_events(cast["kofi"]).values_list("description", flat=True))
    assert seen == EXPECTED["lucie"]


ARMED = ["faca-liaison", "parallel-force", "minusca-force"]
SEPARATED = ["femmes-bambari", "sfcg-car", "ocha-car"]


@pytest.mark.parametrize("recipient", ARMED)
@pytest.mark.parametrize("provider", SEPARATED)
def test_an_agreement_giving_separated_records_to_armed_ones_is_refused_and_audited(
    provider: str, recipient: str, cast: dict[str, User], orgs: dict[str, Organization]
) -> None:
    with pytest.raises(SharingRefused, match="humanitarian-military separation"):
        do_save_agreement(orgs[provider], orgs[recipient], cast["admin"])
    assert not SharingAgreement.objects.exists()
    refused = AuditEvent.objects.get(action="sharing.refused")
    assert refused.target == f"agreement:{provider}->{recipient}"
    assert refused.detail["separation"] is True


def test_the_refusal_is_in_french_too(cast: dict[str, User], orgs: dict[str, Organization]) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(SharingRefused, match="séparation"):
        do_save_agreement(orgs["femmes-bambari"], orgs["faca-liaison"], None)


def test_an_agreement_from_a_mission_to_a_force_is_allowed(
    cast: dict[str, User], orgs: dict[str, Organization]
) -> None:
    agreement = do_save_agreement(orgs["minusca-jmac"], orgs["faca-liaison"], cast["admin"])
    assert agreement.max_sensitivity == S.RESTRICTED
    assert AuditEvent.objects.filter(action="sharing.agreement.created").count() == 1


def test_an_armed_member_of_a_separated_owners_circle_is_audited_as_separated(
    cast: dict[str, User], records: dict[str, Event]
) -> None:
    added = AuditEvent.objects.filter(action="sharing.circle.member_added")
    separated = {row.detail["member"] for row in added if row.detail["separated"]}
    assert separated == {"faca-liaison", "minusca-force"}


def test_asking_for_a_separated_record_is_audited_as_separation(
    cast: dict[str, User], records: dict[str, Event]
) -> None:
    event = records["RFPB restricted note"]
    record_denied(cast["kofi"], f"event:{event.pk}", "x", records=Event.objects.filter(pk=event.pk))
    record_denied(cast["viktor"], "event:0", "x", records=Event.objects.filter(pk=event.pk))
    reasons = dict(
        AuditEvent.objects.filter(action="access.denied").values_list("actor__username", "detail")
    )
    assert reasons["kofi"]["reason"] == SEPARATION_REASON
    assert reasons["viktor"]["reason"] == SEPARATION_REASON  # armed too, though not in the circle


def test_a_record_goes_only_into_its_owners_circles(
    cast: dict[str, User], orgs: dict[str, Organization], records: dict[str, Event]
) -> None:
    other = do_save_circle(orgs["minusca-jmac"], "other", "Other", None)
    with pytest.raises(SharingRefused):
        do_set_record_circle(records["RFPB partners note"], other, cast["grace"])


# --- Voices agreements ------------------------------------------------------------------------

#: (agreement from the women's network to, covers_voices, voices_protected) -> who sees reports
#: (coarse) and who reads protected fields. Grading stays with the owner's analysts.
VOICES = [
    ("ocha-car", False, False, set(), set()),
    ("ocha-car", True, False, {"lucie"}, set()),
    ("ocha-car", True, True, {"lucie"}, {"lucie"}),
    ("minusca-jmac", True, False, {"amina", "marc"}, set()),
    ("minusca-jmac", True, True, {"amina", "marc"}, {"amina"}),
]
OWNERS_COARSE = {"jean", "grace", "clarisse"}
OWNERS_FULL = {"grace", "clarisse"}


@pytest.mark.parametrize(("recipient", "covers", "protected", "coarse", "full"), VOICES)
def test_voices_agreements(
    recipient: str,
    covers: bool,
    protected: bool,
    coarse: set[str],
    full: set[str],
    cast: dict[str, User],
    orgs: dict[str, Organization],
) -> None:
    do_save_agreement(
        orgs["femmes-bambari"],
        orgs[recipient],
        None,
        covers_voices=covers,
        voices_protected=protected,
    )
    owner = orgs["femmes-bambari"].pk
    sees = {name for name, user in cast.items() if owner in voices_organizations(user)}
    reads = {name for name, user in cast.items() if may_read_protected(user, owner)}
    grades = {name for name, user in cast.items() if may_grade_reports(user, owner)}
    assert sees == OWNERS_COARSE | coarse
    assert reads == OWNERS_FULL | full
    assert grades == OWNERS_FULL


@pytest.mark.parametrize("recipient", ["faca-liaison", "minusca-force", "parallel-force"])
def test_voices_never_reach_armed_kinds_whatever_the_agreement_says(
    recipient: str, cast: dict[str, User], orgs: dict[str, Organization]
) -> None:
    with pytest.raises(SharingRefused):
        do_save_agreement(orgs["minusca-jmac"], orgs[recipient], None, covers_voices=True)
    # Written past the services: the policy still gives nothing.
    SharingAgreement.objects.create(
        provider=orgs["femmes-bambari"],
        recipient=orgs[recipient],
        covers_voices=True,
        voices_protected=True,
    )
    owner = orgs["femmes-bambari"].pk
    assert not {name for name, user in cast.items() if owner in voices_organizations(user)} - (
        OWNERS_COARSE
    )
