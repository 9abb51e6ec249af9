"""Themes, corroborations, duplicates and follow-ups in the voices API: the report page's people.

Read a row as "<who> asking the list and the report gets <answer>": the owner's analyst gets
the verification; the owner's viewer gets the report with ``verification: null``; everyone else
gets 404 on the report and nothing in the list. An event the analyst may not see is never named.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.sharing.models import Organization
from commonground.testing.cast import CAST
from commonground.voices.inbox_models import Corroboration, FollowUp
from commonground.voices.tests.inbox_helpers import (
    PUBLISHED_THEME,
    UNPUBLISHED_THEME,
    InboxWorld,
    make_world,
)
from commonground.voices.tests.test_verification import hidden_event
from commonground.voices.verification import (
    do_corroborate_with_event,
    do_corroborate_with_report,
    do_mark_duplicate,
)

pytestmark = pytest.mark.access

ANALYST, VIEWER, NOBODY = "verification", "report without verification", "404"

#: What each cast member gets of the Bambari network's reports through the API.
WHO = {
    "grace": ANALYST,
    "clarisse": ANALYST,  # the owner's organization administrator
    "jean": VIEWER,
    "amina": NOBODY,
    "marc": NOBODY,
    "sofia": NOBODY,
    "ousmane": NOBODY,
    "viktor": NOBODY,
    "lucie": NOBODY,
    "kofi": NOBODY,
    "awa": NOBODY,
    "admin": NOBODY,
    None: NOBODY,
}


def test_the_table_covers_the_whole_cast() -> None:
    assert set(WHO) == {member.username for member in CAST} | {None}


@pytest.fixture
def world(cast: dict[str, User], bambari: Organization, ged_run: ImportRun) -> InboxWorld:
    world = make_world(cast, bambari)
    grace = cast["grace"]
    public = Event.objects.filter(import_run=ged_run).order_by("pk").first()
    assert public is not None
    do_corroborate_with_event(world.staff_report, grace, public.pk)
    secret = hidden_event(ged_run, public)  # linked before it was hidden: never named
    Corroboration.objects.create(report=world.staff_report, event=secret, marked_by=grace)
    do_corroborate_with_report(world.staff_report, grace, world.public_report.pk)
    world.unpublished.reports.add(world.staff_report)
    FollowUp.objects.create(
        report=world.staff_report,
        assignee=grace,
        due_on=datetime.date(2021, 7, 1),
        created_by=grace,
    )
    return world


def verification(world: InboxWorld, ged_run: ImportRun) -> dict[str, object]:
    public = Event.objects.filter(import_run=ged_run).order_by("pk").first()
    assert public is not None
    return {
        "themes": [
            {"id": str(world.unpublished.pk), "title": UNPUBLISHED_THEME, "published": False}
        ],
        "event_numbers": [public.pk, None],
        "report": str(world.public_report.pk),
        "follow_ups": [{"assignee": "grace", "due_on": "2021-07-01", "done": False}],
    }


def summary(answer: dict[str, object]) -> dict[str, object] | None:
    found = answer["verification"]
    if found is None:
        return None
    assert isinstance(found, dict)
    return {
        "themes": found["themes"],
        "event_numbers": [c["event"] for c in found["corroborations"] if c["kind"] == "event"],
        "report": next(c["report"] for c in found["corroborations"] if c["kind"] == "report"),
        "follow_ups": [
            {k: f[k] for k in ("assignee", "due_on", "done")} for f in found["follow_ups"]
        ],
    }


@pytest.mark.parametrize("who", list(WHO))
def test_who_gets_the_verification_of_a_report(
    client: Client,
    cast: dict[str, User],
    world: InboxWorld,
    ged_run: ImportRun,
    who: str | None,
) -> None:
    if who is not None:
        client.force_login(cast[who])
    one = client.get(f"/api/v1/voices/reports/{world.staff_report.pk}")
    listed = client.get("/api/v1/voices/reports")
    if WHO[who] == NOBODY:
        assert one.status_code == 404
        assert listed.status_code == 404 or listed.json() == []
        return
    mine = [r for r in listed.json() if r["id"] == str(world.staff_report.pk)]
    expected = verification(world, ged_run) if WHO[who] == ANALYST else None
    assert summary(one.json()) == expected
    assert summary(mine[0]) == expected
    body = one.content.decode() + listed.content.decode()
    assert (UNPUBLISHED_THEME in body) == (WHO[who] == ANALYST)


def test_duplicates_point_both_ways_and_a_published_theme_says_so(
    client: Client, cast: dict[str, User], world: InboxWorld
) -> None:
    do_mark_duplicate(world.public_report, cast["grace"], world.staff_report.pk)
    client.force_login(cast["grace"])
    original = client.get(f"/api/v1/voices/reports/{world.staff_report.pk}").json()
    duplicate = client.get(f"/api/v1/voices/reports/{world.public_report.pk}").json()
    assert original["verification"]["duplicates"] == [str(world.public_report.pk)]
    assert duplicate["verification"]["duplicate_of"] == str(world.staff_report.pk)
    assert duplicate["verification"]["themes"] == [
        {"id": str(world.published.pk), "title": PUBLISHED_THEME, "published": True}
    ]


@pytest.mark.parametrize("who", [who for who, seen in WHO.items() if seen != NOBODY])
def test_every_report_answer_carries_its_traffic_light_marking(
    client: Client, cast: dict[str, User], world: InboxWorld, who: str
) -> None:
    """Coarse columns are TLP:AMBER+STRICT; an answer with the protected fields is TLP:RED."""
    client.force_login(cast[who])
    one = client.get(f"/api/v1/voices/reports/{world.staff_report.pk}").json()
    listed = client.get("/api/v1/voices/reports").json()
    assert listed and {r["tlp"] for r in listed} == {"TLP:AMBER+STRICT"}
    assert one["tlp"] == ("TLP:RED" if one["protected"] is not None else "TLP:AMBER+STRICT")
    assert (one["protected"] is not None) == (WHO[who] == ANALYST)
