"""Who sees what: the cast against the demo's programme, indicators and benchmarks.

The SFCG programme and its indicators are restricted (SFCG only); MINUSCA's Ouaka benchmark is
restricted (MINUSCA JMAC only); its presence benchmark is for partners: the organizations of
the JMAC's "mission partners" circle (everyone but the parallel force). A hidden
record answers exactly like a missing one (404), and the refusal is audited.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from commonground.learning.models import PdiaEntry, Programme
from commonground.learning.services import do_add_pdia_entry
from commonground.sharing.models import AuditEvent

pytestmark = pytest.mark.django_db

PROGRAMME = "/learning/programmes/sfcg-car-ouaka-dialogue/"
VAC = "Violence against civilians in Ouaka below 2 events"
FORCES = "National forces present in at least 5 prefectures"

#: user, sees the programme, sees the VAC benchmark, sees the presence benchmark
CASES = [
    ("admin", True, True, True),
    ("amina", False, True, True),
    ("marc", False, True, True),
    ("sofia", True, False, True),
    ("grace", False, False, True),
    ("clarisse", False, False, True),
    ("ousmane", False, False, True),
    ("viktor", False, False, False),
    ("lucie", False, False, True),
    ("kofi", False, False, True),
    ("awa", False, False, True),
    (None, False, False, False),
]


def unkeyed(page: bytes) -> bytes:
    """A page without its per-response CSRF token (the sign-out form)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def client_for(cast: dict[str, User], username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(cast[username])
    return client


@pytest.mark.parametrize(("username", "programme", "vac", "forces"), CASES)
def test_cast_sees_what_the_policy_allows(
    demo: Programme,
    cast: dict[str, User],
    username: str | None,
    programme: bool,
    vac: bool,
    forces: bool,
) -> None:
    client = client_for(cast, username)
    expected = 200 if programme else 404
    assert client.get(PROGRAMME).status_code == expected
    assert client.get(PROGRAMME + "iati.xml").status_code == expected
    assert client.get("/learning/indicators/sfcg-vac-ouaka/").status_code == expected
    assert client.get("/api/v1/learning/programmes/sfcg-car-ouaka-dialogue").status_code == (
        expected
    )
    values = client.get("/api/v1/learning/indicators/sfcg-vac-ouaka/values")
    assert values.status_code == expected
    board = client.get("/learning/benchmarks/").content.decode()
    assert (VAC in board) is vac
    assert (FORCES in board) is forces
    mission = client.get("/learning/benchmarks/MINUSCA/")
    assert mission.status_code == (200 if vac or forces else 404)
    index = client.get("/learning/").content.decode()
    assert ("sfcg-car-ouaka-dialogue" in index) is programme


def test_hidden_and_missing_programmes_answer_alike(demo: Programme, cast: dict[str, User]) -> None:
    client = client_for(cast, "amina")
    hidden = client.get(PROGRAMME)
    missing = client.get("/learning/programmes/no-such-programme/")
    assert hidden.status_code == missing.status_code == 404
    same = hidden.content.replace(b"sfcg-car-ouaka-dialogue", b"no-such-programme")
    assert unkeyed(same) == unkeyed(missing.content)  # only the address asked for differs
    api_hidden = client.get("/api/v1/learning/programmes/sfcg-car-ouaka-dialogue").json()
    api_missing = client.get("/api/v1/learning/programmes/no-such-programme").json()
    assert api_hidden == api_missing
    assert AuditEvent.objects.filter(
        action="access.denied", target="programme:sfcg-car-ouaka-dialogue"
    ).exists()


PDIA = {
    "date": "2023-02-01",
    "problem": "Radio relay down in Ippy.",
    "tried": "Community criers.",
    "learned": "Criers reach the market, not the villages.",
    "changed": "Relay repaired before the rainy season.",
    "indicator": "sfcg-vac-ouaka",
}


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("sofia", True),
        ("admin", True),
        ("amina", False),
        ("marc", False),  # a planner states benchmarks, not another organization's PDIA log
        ("grace", False),
        (None, False),
    ],
)
def test_only_the_owners_analysts_add_pdia_entries(
    demo: Programme, cast: dict[str, User], username: str | None, allowed: bool
) -> None:
    before = PdiaEntry.objects.count()
    answer = client_for(cast, username).post(PROGRAMME, PDIA)
    assert answer.status_code == (302 if allowed else 404)
    assert PdiaEntry.objects.count() == before + int(allowed)
    if allowed:
        entry = PdiaEntry.objects.get(problem=PDIA["problem"])
        assert entry.indicator is not None and entry.indicator.slug == "sfcg-vac-ouaka"
        assert AuditEvent.objects.filter(action="learning.pdia", actor=cast[username]).exists()  # type: ignore[index]


def test_services_refuse_a_writer_outside_the_owner(demo: Programme, cast: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        do_add_pdia_entry(
            cast["marc"],
            demo,
            date=datetime.date(2023, 1, 1),
            problem="p",
            tried="t",
            learned="l",
            changed="c",
        )


def test_pdia_form_is_shown_to_writers_only(demo: Programme, cast: dict[str, User]) -> None:
    assert 'id="pdia-form"' in client_for(cast, "sofia").get(PROGRAMME).content.decode()
