"""Recording reporting deadlines and strategic reviews on the review calendar page: who may
record and delete (every cast member), the audit log, bilingual errors, and the overdue flag."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client

from commonground.core.models import ImportRun
from commonground.mandates.models import ReviewItem, ReviewKind
from commonground.mandates.services import do_add_review_item
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.testing.cast import CAST, DEMO_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/mandates/MINUSCA/reviews/"


def login(client: Client, user: User) -> None:
    assert client.login(request=HttpRequest(), username=user.username, password=DEMO_PASSWORD)


@pytest.fixture
def jmac_item(tasks_run: ImportRun, cast: dict[str, User]) -> ReviewItem:
    """Marc (JMAC planner) records a public reporting deadline for JMAC."""
    return do_add_review_item(
        cast["marc"],
        Organization.objects.get(slug="minusca-jmac"),
        "MINUSCA",
        ReviewKind.REPORTING,
        datetime.date(2025, 6, 15),
        "Secretary-General's report",
        "Paragraph 52 of the resolution",
        "",
        Sensitivity.PUBLIC,
    )


def form_data(owner: Organization, **changes: Any) -> dict[str, str]:
    data = {
        "organization": str(owner.pk),
        "kind": ReviewKind.STRATEGIC_REVIEW.value,
        "date": datetime.date.today().isoformat(),
        "title": "Independent strategic review",
        "source": "https://www.un.org/S/2026/100",
        "sensitivity": str(int(Sensitivity.PUBLIC)),
    }
    data.update(changes)
    return data


# --- Who may record and delete ------------------------------------------------------------------

#: (user, sees the form, may delete the JMAC deadline). Only bodies of a mission keep its
#: calendar (UN or regional missions and their military components: ``MISSION_BODY_KINDS``): the
#: form offers those the user may plan for (analysts and above, and planners, of that
#: organization); deleting needs that right for the item's owner. Anyone else (a government, a
#: parallel force, an NGO) reads the calendar: their record would clear the mission's flag.
WHO = [
    (None, False, False),
    ("admin", True, True),  # platform administrator
    ("amina", True, True),  # JMAC analyst
    ("marc", True, True),  # JMAC planner
    ("jean", False, False),  # civil-society viewer
    ("sofia", False, False),  # NGO org admin: not a body of the mission
    ("grace", False, False),  # women's network analyst: not a body of the mission
    ("clarisse", False, False),  # women's network org admin: not a body of the mission
    ("ousmane", False, False),  # national-army liaison analyst: not a body of the mission
    ("viktor", False, False),  # parallel-force liaison analyst: not a body of the mission
    ("lucie", False, False),  # OCHA org admin: not a body of the mission
    ("kofi", True, False),  # Force HQ analyst: his component's items, not JMAC's
    ("awa", False, False),  # local peace committee viewer
]


def test_the_table_lists_every_cast_member() -> None:
    assert {u for u, _f, _d in WHO if u} == {m.username for m in CAST}


@pytest.mark.parametrize(("username", "form", "deletes"), WHO)
def test_who_records_and_who_deletes(
    client: Client,
    cast: dict[str, User],
    jmac_item: ReviewItem,
    username: str | None,
    form: bool,
    deletes: bool,
) -> None:
    if username:
        login(client, cast[username])
    html = client.get(URL).content.decode()
    assert ("Secretary-General&#x27;s report" in html) or ("Secretary-General's report" in html)
    assert ('id="review-form"' in html) is form
    jmac = Organization.objects.get(slug="minusca-jmac")
    assert (f'value="{jmac.pk}"' in html) is deletes  # JMAC offered in the form
    assert (f'name="item" value="{jmac_item.pk}"' in html) is deletes  # a delete button
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    answer = client.post(URL, {"action": "remove", "item": str(jmac_item.pk)})
    assert ReviewItem.objects.filter(pk=jmac_item.pk).exists() is not deletes
    if deletes:
        assert answer.status_code == 302
        entry = AuditEvent.objects.get(action="mandates.review.remove")
        assert entry.detail["title"] == "Secretary-General's report"
    else:
        assert answer.status_code == 404  # not 403: the same answer as a missing item
        assert AuditEvent.objects.filter(action="access.denied").exists()


@pytest.mark.parametrize("username", [u for u, form, _d in WHO if not form])
def test_a_post_from_someone_without_the_form_is_not_found_and_audited(
    client: Client, cast: dict[str, User], tasks_run: ImportRun, username: str | None
) -> None:
    if username:
        login(client, cast[username])
    jmac = Organization.objects.get(slug="minusca-jmac")
    assert client.post(URL, form_data(jmac)).status_code == 404
    assert not ReviewItem.objects.exists()
    assert AuditEvent.objects.filter(action="access.denied", target="reviews:MINUSCA").exists()


def test_an_analyst_cannot_record_for_another_organization(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    login(client, cast["kofi"])
    answer = client.post(URL, form_data(Organization.objects.get(slug="minusca-jmac")))
    assert answer.status_code == 400
    assert not ReviewItem.objects.exists()


def test_mandate_end_dates_are_not_deleted_on_the_page(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    end = ReviewItem.objects.create(
        key="MINUSCA|end|x", mission="MINUSCA", kind=ReviewKind.MANDATE_END,
        date=datetime.date(2025, 11, 15), owner=jmac, sensitivity=Sensitivity.PUBLIC,
    )  # fmt: skip
    login(client, cast["amina"])
    assert client.post(URL, {"action": "remove", "item": str(end.pk)}).status_code == 404
    assert ReviewItem.objects.filter(pk=end.pk).exists()
    assert client.post(URL, {"action": "remove", "item": "not-a-uuid"}).status_code == 404


# --- Recording, audit, errors -------------------------------------------------------------------


def test_a_planner_records_a_strategic_review_and_the_overdue_flag_clears(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    login(client, cast["marc"])
    before = client.get(URL)
    assert before.context["calendar"].overdue  # counted from the first resolution, 2014
    jmac = Organization.objects.get(slug="minusca-jmac")
    answer = client.post(URL, form_data(jmac))
    assert answer.status_code == 302
    item = ReviewItem.objects.get(kind=ReviewKind.STRATEGIC_REVIEW)
    assert item.owner == jmac and item.mission == "MINUSCA"
    assert item.date == datetime.date.today() and item.source_url == "https://www.un.org/S/2026/100"
    entry = AuditEvent.objects.get(action="mandates.review.add")
    assert entry.actor == cast["marc"] and entry.detail["kind"] == "strategic_review"
    after = client.get(URL)
    assert not after.context["calendar"].overdue
    assert after.context["calendar"].days_since_review == 0
    assert 'data-overdue="0"' in after.content.decode()


def test_a_review_recorded_by_anyone_but_a_mission_body_does_not_clear_the_flag(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    """Written past the page (the admin, a script): shown, but not a review of the mission."""
    force = cast["viktor"].memberships.get().organization
    ReviewItem.objects.create(
        key="MINUSCA|review|x", mission="MINUSCA", kind=ReviewKind.STRATEGIC_REVIEW,
        date=datetime.date.today(), owner=force, sensitivity=Sensitivity.PUBLIC,
        title="A review by a parallel force",
    )  # fmt: skip
    login(client, cast["marc"])
    page = client.get(URL)
    assert page.context["calendar"].overdue
    assert "A review by a parallel force" in page.content.decode()


def test_evidence_in_words_is_kept_as_text(
    client: Client, cast: dict[str, User], tasks_run: ImportRun
) -> None:
    login(client, cast["amina"])
    jmac = Organization.objects.get(slug="minusca-jmac")
    data = form_data(jmac, kind="reporting", source="Letter of the President of the Council")
    assert client.post(URL, data).status_code == 302
    item = ReviewItem.objects.get()
    assert item.how == "Letter of the President of the Council" and item.source_url == ""
    assert "Letter of the President of the Council" in client.get(URL).content.decode()


BAD = [
    ({"kind": "mandate_end"}, "kind"),
    ({"date": "2026-02-31"}, "date"),
    ({"date": "1900-01-01"}, "date"),
    ({"title": ""}, "title"),
    ({"source": ""}, "source"),
    ({"source": "https://not a url"}, "source"),
    ({"title": "x" * 301}, "title"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_errors_are_shown_in_the_form_and_nothing_is_written(
    client: Client, cast: dict[str, User], tasks_run: ImportRun, change: dict[str, str], field: str
) -> None:
    login(client, cast["marc"])
    jmac = Organization.objects.get(slug="minusca-jmac")
    answer = client.post(URL, form_data(jmac, **change))
    assert answer.status_code == 400
    assert field in answer.context["review_form"].errors
    assert 'class="errorlist' in answer.content.decode()
    assert not ReviewItem.objects.exists()
    assert not AuditEvent.objects.filter(action="mandates.review.add").exists()


def test_errors_in_french(client: Client, cast: dict[str, User], tasks_run: ImportRun) -> None:
    login(client, cast["marc"])
    jmac = Organization.objects.get(slug="minusca-jmac")
    html = client.post(f"{URL}?lang=fr", form_data(jmac, date="1900-01-01")).content.decode()
    assert "Donnez une date entre 1945 et 2100." in html
    html = client.post(f"{URL}?lang=fr", form_data(jmac, source="http://x y")).content.decode()
    assert "Donnez une adresse valide (URL) ou décrivez la source en mots." in html
    assert "Enregistrer une échéance de rapport ou une revue stratégique" in html
