"""Verification: corroborations with events and reports, duplicates out of counts, follow-ups.

Events come from the real UCDP GED CAR file (public) plus one SYNTHETIC confidential event of
the mission, which the network's analyst may not see: linking it answers as for a missing one.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.sharing.models import Organization, Sensitivity
from commonground.voices.inbox_models import Corroboration, DuplicateLink
from commonground.voices.models import Report, Status
from commonground.voices.services import ReportInput, do_submit_report
from commonground.voices.tests.inbox_helpers import InboxWorld, make_world
from commonground.voices.verification import (
    Invalid,
    do_corroborate_with_event,
    do_corroborate_with_report,
    do_mark_duplicate,
    do_unmark_duplicate,
)


@pytest.fixture
def world(cast: dict[str, User], bambari: Organization) -> InboxWorld:
    return make_world(cast, bambari)


def hidden_event(run: ImportRun, visible: Event) -> Event:
    """A SYNTHETIC confidential mission event, copied from a public one."""
    mission = Organization.objects.get(slug="minusca-jmac")
    return Event.objects.create(
        **{
            field.name: getattr(visible, field.name)
            for field in Event._meta.concrete_fields
            if field.name not in ("id", "owner", "sensitivity", "source_id", "content_hash")
        },
        owner=mission,
        sensitivity=Sensitivity.CONFIDENTIAL,
        source_id="SYNTHETIC-1",
        content_hash="synthetic1",
    )


def test_an_event_the_analyst_may_see_corroborates_a_hidden_one_does_not(
    cast: dict[str, User], world: InboxWorld, ged_run: ImportRun
) -> None:
    public = Event.objects.filter(import_run=ged_run).first()
    assert public is not None
    secret = hidden_event(ged_run, public)
    do_corroborate_with_event(world.staff_report, cast["grace"], public.pk)
    for missing in (secret.pk, 10**12, "not-a-number"):
        with pytest.raises(Invalid) as refused:
            do_corroborate_with_event(world.staff_report, cast["grace"], missing)
        assert str(refused.value) == "No event you may see has this number."
    assert list(Corroboration.objects.values_list("event", flat=True)) == [public.pk]


def test_a_report_of_another_organization_corroborates_nothing(
    cast: dict[str, User], world: InboxWorld
) -> None:
    mission = Organization.objects.get(slug="minusca-jmac")
    theirs, _code, _new = do_submit_report(
        None,
        mission,
        "m" * 24,
        ReportInput(category="threat", occurred_on=datetime.date(2021, 1, 1)),
    )
    for other in (theirs.pk, world.staff_report.pk, "zzz"):
        with pytest.raises(Invalid):
            do_corroborate_with_report(world.staff_report, cast["grace"], other)
    do_corroborate_with_report(world.staff_report, cast["grace"], world.public_report.pk)
    do_corroborate_with_report(world.staff_report, cast["grace"], world.public_report.pk)
    assert Corroboration.objects.count() == 1  # once, however often


def test_a_duplicate_points_at_its_original_and_drops_out_of_counts(
    client: Client, cast: dict[str, User], world: InboxWorld
) -> None:
    client.force_login(cast["grace"])
    assert "2 reports" in client.get("/voices/inbox/").content.decode()
    do_mark_duplicate(world.public_report, cast["grace"], world.staff_report.pk)
    world.public_report.refresh_from_db()
    assert world.public_report.status == Status.DUPLICATE
    inbox = client.get("/voices/inbox/").content.decode()
    assert "1 report" in inbox and str(world.public_report.pk) not in inbox
    asked = client.get("/voices/inbox/?status=duplicate").content.decode()
    assert str(world.public_report.pk) in asked
    api = client.get("/api/v1/voices/reports").json()
    assert [r["id"] for r in api] == [str(world.staff_report.pk)]
    page = client.get(f"/voices/inbox/{world.public_report.pk}/").content.decode()
    assert f'href="/voices/inbox/{world.staff_report.pk}/" id="duplicate-of"' in page
    do_unmark_duplicate(world.public_report, cast["grace"])
    world.public_report.refresh_from_db()
    assert world.public_report.status == Status.IN_REVIEW and not DuplicateLink.objects.exists()


def test_duplicates_never_chain(cast: dict[str, User], world: InboxWorld) -> None:
    third, _code, _new = do_submit_report(
        None,
        world.staff_report.owner,
        "t" * 24,
        ReportInput(category="threat", occurred_on=datetime.date(2021, 6, 4)),
    )
    do_mark_duplicate(world.public_report, cast["grace"], world.staff_report.pk)
    do_mark_duplicate(third, cast["grace"], world.public_report.pk)  # a duplicate's duplicate
    assert DuplicateLink.objects.get(report=third).original == world.staff_report
    with pytest.raises(Invalid):  # the original cannot become a duplicate of its duplicate
        do_mark_duplicate(world.staff_report, cast["grace"], third.pk)
    fourth, _code, _new = do_submit_report(
        None,
        world.staff_report.owner,
        "f" * 24,
        ReportInput(category="threat", occurred_on=datetime.date(2021, 6, 5)),
    )
    do_mark_duplicate(world.staff_report, cast["grace"], fourth.pk)  # the original is now one
    assert set(DuplicateLink.objects.values_list("original", flat=True)) == {fourth.pk}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ("", 2),
        ("?channel=social_media", 1),
        ("?channel=web_form", 1),
        ("?category=hate_speech", 1),
        ("?since=2021-06&until=2021-06", 2),
        ("?since=2021-07", 0),
        ("?until=2021-05", 0),
        ("?since=junk", 0),
        ("?status=new&category=threat", 1),
    ],
)
def test_inbox_filters(
    client: Client, cast: dict[str, User], world: InboxWorld, filters: str, expected: int
) -> None:
    client.force_login(cast["grace"])
    response = client.get(f"/api/v1/voices/reports{filters}")
    assert len(response.json()) == expected
    page = client.get(f"/voices/inbox/{filters}")
    assert page.status_code == 200


def test_the_inbox_has_pages(client: Client, cast: dict[str, User], bambari: Organization) -> None:
    reports = [
        do_submit_report(
            None,
            bambari,
            f"page-{n:04d}-xxxxxxxxxxxx",
            ReportInput(category="threat", occurred_on=datetime.date(2021, 1 + n % 12, 1)),
        )[0]
        for n in range(105)
    ]
    client.force_login(cast["grace"])
    first = client.get("/voices/inbox/?category=threat").content.decode()
    second = client.get("/voices/inbox/?category=threat&page=2").content.decode()
    shown = [r for r in reports if str(r.pk) in first]
    later = [r for r in reports if str(r.pk) in second]
    assert (len(shown), len(later)) == (100, 5)
    assert "category=threat&amp;page=2" in first
    assert Report.objects.count() == 105
    assert client.get("/voices/inbox/?page=99").status_code == 200
