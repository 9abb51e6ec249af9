"""Who reaches the staff, verification and theme routes: every cast member x every new route.

Read a row as "<who> asking <route> gets <answer>", with 0 leaks: no page shows a canary of the
Bambari women's network's reports (narrative, contact, place, name, link, quote, archived copy
and file), a report's id, or an unpublished theme, to anyone but the network's analyst. Routes
for a record answer 404 exactly as for a record that does not exist.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

from commonground.sharing.models import AuditEvent, Organization
from commonground.testing.cast import CAST
from commonground.voices.inbox_models import Corroboration, FollowUp
from commonground.voices.tests.inbox_helpers import (
    CANARY,
    PUBLISHED_ANSWER,
    UNPUBLISHED_THEME,
    InboxWorld,
    make_world,
)

pytestmark = pytest.mark.access

OWNER_ANALYST, OWNER_VIEWER, OTHER_ANALYST, NOBODY = "owner analyst", "viewer", "other", "none"

#: Who each cast member is to the Bambari network's reports and to the staff pages.
WHO = {
    "grace": OWNER_ANALYST,
    "clarisse": OWNER_ANALYST,  # the owner's organization administrator
    "jean": OWNER_VIEWER,
    "amina": OTHER_ANALYST,  # mission analyst: may enter reports for the mission only
    "marc": NOBODY,  # mission viewer
    "sofia": OTHER_ANALYST,  # another NGO's admin
    "ousmane": OTHER_ANALYST,  # national-army liaison (own office only)
    "viktor": OTHER_ANALYST,  # parallel-force liaison (own cell only)
    "lucie": OTHER_ANALYST,  # humanitarian coordinator (organization admin)
    "kofi": OTHER_ANALYST,  # the mission's military component (own office only)
    "awa": NOBODY,  # peace-committee viewer
    "admin": OTHER_ANALYST,  # platform administrator: its own "local" organization only
    None: NOBODY,
}

#: Routes of one record: only the owner's analyst gets an answer other than 404.
RECORD_ROUTES = (
    ("get", "/voices/inbox/{staff}/archive/"),
    ("get", "/voices/inbox/themes/{theme}/"),
    ("post", "/voices/inbox/themes/{theme}/"),
    ("post", "/voices/inbox/{staff}/verify/"),
)
#: Pages that are not about one record: analysts of any organization reach them (their own).
ANALYST_PAGES = ("/voices/inbox/new/", "/voices/inbox/themes/")


def test_the_table_covers_the_whole_cast() -> None:
    assert set(WHO) == {member.username for member in CAST} | {None}


@pytest.fixture
def world(cast: dict[str, User], bambari: Organization) -> InboxWorld:
    return make_world(cast, bambari)


def leaks(body: str, world: InboxWorld) -> list[str]:
    secrets = [str(v) for v in CANARY.values()] + [UNPUBLISHED_THEME]
    secrets += [str(world.staff_report.pk), str(world.public_report.pk)]
    return [secret for secret in secrets if secret in body]


def without_csrf(page: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def ask(client: Client, method: str, route: str, world: InboxWorld, record: str) -> bytes:
    url = route.format(staff=record, theme=record)
    data = {"action": "corroborate_report", "other_report": str(world.public_report.pk)}
    if "themes" in route:
        data = {"owner": str(world.published.owner_id), "title": "changed", "answer": "x"}
    response = client.post(url, data) if method == "post" else client.get(url)
    return f"{response.status_code}\n".encode() + response.content


@pytest.mark.parametrize(("method", "route"), RECORD_ROUTES)
@pytest.mark.parametrize("username", list(WHO))
def test_record_routes(
    client: Client,
    cast: dict[str, User],
    world: InboxWorld,
    username: str | None,
    method: str,
    route: str,
) -> None:
    if username:
        client.force_login(cast[username])
    record = str(world.unpublished.pk if "themes" in route else world.staff_report.pk)
    answer = ask(client, method, route, world, record)
    status = int(answer.split(b"\n", 1)[0])
    if WHO[username] == OWNER_ANALYST:
        assert status in (200, 302)
        return
    assert status == 404
    other = str(uuid.uuid4())
    missing = ask(client, method, route, world, other)
    # The 404 page echoes the path asked for (the sign-in link); nothing else differs.
    assert without_csrf(answer.replace(record.encode(), other.encode())) == without_csrf(missing)
    assert leaks(answer.decode(errors="replace").replace(record, ""), world) == []
    # Nothing changed by a refused post.
    assert not Corroboration.objects.exists()
    world.unpublished.refresh_from_db()
    assert world.unpublished.title == UNPUBLISHED_THEME


@pytest.mark.parametrize("route", ANALYST_PAGES)
@pytest.mark.parametrize("username", list(WHO))
def test_analyst_pages(
    client: Client, cast: dict[str, User], world: InboxWorld, username: str | None, route: str
) -> None:
    if username:
        client.force_login(cast[username])
    response = client.get(route)
    body = response.content.decode()
    if WHO[username] in (OWNER_VIEWER, NOBODY):
        assert response.status_code == 404
    else:
        assert response.status_code == 200
    if WHO[username] != OWNER_ANALYST:
        assert leaks(body, world) == []
        assert "Réseau des femmes" not in body  # not even the network is offered


@pytest.mark.parametrize("username", list(WHO))
def test_the_public_answers_page_shows_answers_and_nothing_of_reports(
    client: Client, cast: dict[str, User], world: InboxWorld, username: str | None
) -> None:
    if username:
        client.force_login(cast[username])
    body = client.get("/voices/answers/femmes-bambari/").content.decode()
    assert PUBLISHED_ANSWER in body
    assert leaks(body, world) == []
    assert client.get("/voices/answers/sfcg-car/").status_code == 404  # publishes nothing
    assert client.get("/voices/answers/no-such-org/").status_code == 404


@pytest.mark.parametrize("username", list(WHO))
def test_a_staff_report_page(
    client: Client, cast: dict[str, User], world: InboxWorld, username: str | None
) -> None:
    """The owner's viewer sees a staff report's coarse parts: no contact, place, source."""
    if username:
        client.force_login(cast[username])
    response = client.get(f"/voices/inbox/{world.staff_report.pk}/")
    body = response.content.decode()
    if WHO[username] == OWNER_ANALYST:
        # Every protected value is shown, escaped: an archived page is text, never markup.
        assert all(escape(str(value)) in body for key, value in CANARY.items() if key != "file")
        assert CANARY["archived_text"] not in body
        assert 'id="verification"' in body
        return
    if WHO[username] == OWNER_VIEWER:
        assert response.status_code == 200
        assert "Staff: social-media monitoring" in body
        assert 'id="verification"' not in body and UNPUBLISHED_THEME not in body
        assert [s for s in leaks(body, world) if s != str(world.staff_report.pk)] == []
        return
    assert response.status_code == 404
    assert leaks(body.replace(str(world.staff_report.pk), ""), world) == []


def test_every_protected_read_is_audited(
    client: Client, cast: dict[str, User], world: InboxWorld
) -> None:
    client.force_login(cast["grace"])
    client.get(f"/voices/inbox/{world.staff_report.pk}/")
    archive = client.get(f"/voices/inbox/{world.staff_report.pk}/archive/")
    assert archive.status_code == 200 and archive["Content-Type"] == "image/png"
    assert archive["Content-Disposition"].startswith("attachment;")
    assert CANARY["file"].encode() in archive.content
    reads = AuditEvent.objects.filter(
        action="voices.report.read", target=str(world.staff_report.pk)
    )
    assert sorted(r["why"] for r in reads.values_list("detail", flat=True)) == [
        "archived copy",
        "inbox",
    ]
    for username in ("jean", "amina", "ousmane"):
        client.force_login(cast[username])
        client.get(f"/voices/inbox/{world.staff_report.pk}/")
        client.get(f"/voices/inbox/{world.staff_report.pk}/archive/")
    assert reads.count() == 2


def test_verification_actions_are_audited(
    client: Client, cast: dict[str, User], world: InboxWorld
) -> None:
    client.force_login(cast["grace"])
    url = f"/voices/inbox/{world.staff_report.pk}/verify/"
    client.post(url, {"action": "corroborate_report", "other_report": str(world.public_report.pk)})
    client.post(url, {"action": "follow_up", "assignee": cast["jean"].pk, "due_on": "2021-08-01"})
    follow_up = FollowUp.objects.get()
    client.post(url, {"action": "follow_up_done", "follow_up": str(follow_up.pk)})
    client.post(url, {"action": "theme_add", "theme": str(world.unpublished.pk)})
    actions = list(
        AuditEvent.objects.filter(target=str(world.staff_report.pk), actor=cast["grace"])
        .exclude(action__in=["voices.report.read", "voices.report.received"])
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "voices.report.corroborated",
        "voices.report.follow_up",
        "voices.report.follow_up_done",
    ]
    assert AuditEvent.objects.filter(
        action="voices.theme.report_added", target=str(world.unpublished.pk)
    ).exists()
    follow_up.refresh_from_db()
    assert follow_up.done and follow_up.assignee == cast["jean"]
