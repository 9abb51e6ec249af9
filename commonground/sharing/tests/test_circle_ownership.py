"""A record's circle must be one of its owner's circles (ADR 0020).

A record written past ``sharing.circles`` (an old row, an import, an admin edit) into another
organization's circle must not widen who sees it: the policy reads it as the owner's alone, in
the queryset filter and in the audit of a denied read, and ``do_set_record_circle`` refuses it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from commonground.events.models import Event
from commonground.events.queries import visible_events
from commonground.sharing.circles import SharingRefused, do_set_record_circle
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.sharing.policy import (
    CIRCLE_MISMATCH_REASON,
    access_owned,
    record_denied,
    viewer_for,
)
from commonground.sharing.tests.test_circles import make_event
from commonground.sharing.tests.test_circles import orgs as orgs  # fixture
from commonground.sharing.tests.test_circles import records as records  # fixture

pytestmark = pytest.mark.access

S = Sensitivity

#: Who sees the women's network's restricted note written straight into JMAC's circle:
#: exactly its owner's members (as a note in no circle), never JMAC's circle members.
MISPLACED_SEEN_BY = {
    "anonymous": False,
    "jean": True,
    "grace": True,
    "clarisse": True,
    "amina": False,
    "marc": False,
    "ousmane": False,
    "kofi": False,
    "viktor": False,
    "lucie": False,
    "awa": False,
    "sofia": False,
    "admin": True,
}


@pytest.fixture
def misplaced(
    cast: dict[str, User], orgs: dict[str, Organization], records: dict[str, Event]
) -> Event:
    event = make_event(
        90, "RFPB note in JMAC's circle", orgs["femmes-bambari"], S.PARTNERS, "owner"
    )
    jmac_circle = records["JMAC partners note"].circle
    Event.objects.filter(pk=event.pk).update(circle=jmac_circle)  # past the services
    event.refresh_from_db()
    return event


def who(cast: dict[str, User], name: str) -> Any:
    return None if name == "anonymous" else cast[name]


@pytest.mark.parametrize(("name", "sees"), sorted(MISPLACED_SEEN_BY.items()))
def test_a_record_in_another_owners_circle_is_its_owners_alone(
    name: str, sees: bool, cast: dict[str, User], misplaced: Event
) -> None:
    listed = visible_events(who(cast, name)).filter(pk=misplaced.pk).exists()
    one = access_owned(Event.objects.filter(pk=misplaced.pk), viewer_for(who(cast, name)))
    assert listed is sees
    assert one.exists() is sees


def test_the_other_circles_own_records_are_still_shared(
    cast: dict[str, User], misplaced: Event
) -> None:
    seen = set(visible_events(cast["sofia"]).values_list("description", flat=True))
    assert seen == {"JMAC partners note"}


def test_a_denied_read_of_a_misplaced_record_is_audited_as_such(
    cast: dict[str, User], misplaced: Event
) -> None:
    record_denied(
        cast["sofia"], f"event:{misplaced.pk}", "x", records=Event.objects.filter(pk=misplaced.pk)
    )
    row = AuditEvent.objects.get(action="access.denied")
    assert row.detail["reason"] == CIRCLE_MISMATCH_REASON


@pytest.mark.parametrize(("language", "words"), [("en", "owner's circles"), ("fr", "propriétaire")])
def test_setting_another_owners_circle_is_refused_in_both_languages_and_audited(
    language: str,
    words: str,
    cast: dict[str, User],
    orgs: dict[str, Organization],
    records: dict[str, Event],
) -> None:
    note = records["RFPB partners note"]
    with translation.override(language), pytest.raises(SharingRefused, match=words):
        do_set_record_circle(note, records["JMAC partners note"].circle, cast["grace"])
    note.refresh_from_db()
    assert note.circle == records["RFPB restricted note"].circle
    refused = AuditEvent.objects.get(action="sharing.refused")
    assert refused.target == f"events.event:{note.pk}"
    assert refused.actor == cast["grace"]
