"""Stating a new exit benchmark: the indicator's owner's analysts only; bad input is refused
with a message in the page's language and nothing written."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.learning.models import Benchmark, Programme
from commonground.sharing.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "/learning/benchmarks/new/"
FORM = {
    "mission": "MINUSCA",
    "title": "Deaths in Ouaka at most 5 a month for three months",
    "title_fr": "Morts dans la Ouaka au plus 5 par mois pendant trois mois",
    "indicator": "minusca-vac-ouaka",
    "area": "CAF.ouaka",
    "comparison": "le",
    "threshold": "5",
    "months": "3",
    "period_start": "2019-01-15",
    "sensitivity": "2",
}


def signed_in(cast: dict[str, User], username: str) -> Client:
    client = Client()
    client.force_login(cast[username])
    return client


def test_an_analyst_states_a_benchmark(demo: Programme, cast: dict[str, User]) -> None:
    answer = signed_in(cast, "amina").post(NEW, FORM)
    assert answer.status_code == 302
    made = Benchmark.objects.get(title=FORM["title"])
    assert (made.owner.slug, made.months, str(made.period_start)) == (
        "minusca-jmac",
        3,
        "2019-01-01",
    )
    assert AuditEvent.objects.filter(action="learning.benchmark", actor=cast["amina"]).exists()
    page = signed_in(cast, "marc").get("/learning/benchmarks/MINUSCA/").content.decode()
    assert FORM["title"] in page


def test_a_planner_states_a_benchmark_for_the_mission(
    demo: Programme, cast: dict[str, User]
) -> None:
    """marc is JMAC's planner: he states exit benchmarks on JMAC's indicators (audited)."""
    answer = signed_in(cast, "marc").post(NEW, {**FORM, "title": "Planned by marc"})
    assert answer.status_code == 302
    assert Benchmark.objects.get(title="Planned by marc").owner.slug == "minusca-jmac"
    assert AuditEvent.objects.filter(action="learning.benchmark", actor=cast["marc"]).exists()


@pytest.mark.parametrize("username", ["jean", "sofia", "viktor"])
def test_others_cannot_use_the_missions_indicator(
    demo: Programme, cast: dict[str, User], username: str
) -> None:
    before = Benchmark.objects.count()
    answer = signed_in(cast, username).post(NEW, FORM)
    assert answer.status_code == 200  # the form again: the indicator is not a choice for them
    assert Benchmark.objects.count() == before


def test_anonymous_is_sent_to_sign_in(demo: Programme) -> None:
    answer = Client().get(NEW)
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_bad_input_is_refused_in_french(demo: Programme, cast: dict[str, User]) -> None:
    before = Benchmark.objects.count()
    bad = {**FORM, "area": "CAF.nowhere", "months": "0"}
    html = signed_in(cast, "amina").post(NEW + "?lang=fr", bad).content.decode()
    assert "Cette zone n\u2019existe pas." in html
    assert Benchmark.objects.count() == before


#: (user, may plan for their own organization, for JMAC, writes learning records for their own,
#: scores for their own): the planner role states benchmarks and capability needs only.
PLANS = [
    ("marc", True, True, False, False),  # JMAC planner
    ("amina", True, True, True, True),  # JMAC analyst
    ("jean", False, False, False, False),  # women's network viewer
    ("grace", True, False, True, True),  # women's network analyst
]


@pytest.mark.parametrize(("username", "own", "jmac", "writes", "scores"), PLANS)
def test_a_planner_writes_benchmarks_and_needs_only(
    cast: dict[str, User], username: str, own: bool, jmac: bool, writes: bool, scores: bool
) -> None:
    from commonground.learning.services import may_plan, may_write
    from commonground.mandates.queries import may_edit_for, may_plan_for
    from commonground.sharing.models import Membership, Organization

    user = cast[username]
    home = Membership.objects.get(user=user).organization_id
    other = Organization.objects.get(slug="minusca-jmac").pk
    assert (may_plan(user, home), may_plan(user, other)) == (own, jmac)
    assert may_plan_for(user, home) is own and may_write(user, home) is writes
    assert may_edit_for(user, home) is scores
