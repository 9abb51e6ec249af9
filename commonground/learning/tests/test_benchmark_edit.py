"""Editing an exit benchmark on a page: the same people as stating one (the owner's analysts and
planners, platform administrators), audited; everyone else gets 404; bad input writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.learning.models import Benchmark, Indicator, Programme
from commonground.learning.services import do_save_benchmark
from commonground.sharing.models import AuditEvent, Sensitivity
from commonground.testing.cast import CAST

pytestmark = pytest.mark.django_db

TITLE = "Deaths in Ouaka at most 5 a month for three months"


@pytest.fixture
def benchmark(demo: Programme, cast: dict[str, User]) -> Benchmark:
    indicator = Indicator.objects.get(slug="minusca-vac-ouaka")
    return do_save_benchmark(
        cast["amina"],
        indicator.owner,
        "MINUSCA",
        TITLE,
        indicator=indicator,
        comparison="le",
        threshold=5.0,
        months=3,
        period_start=datetime.date(2019, 1, 1),
        sensitivity=Sensitivity.RESTRICTED,
    )


def edit_url(benchmark: Benchmark) -> str:
    return f"/learning/benchmarks/edit/{benchmark.pk}/"


def changed(benchmark: Benchmark, **changes: str) -> dict[str, str]:
    data = {
        "mission": "MINUSCA",
        "title": "Deaths in Ouaka at most 3 a month for six months",
        "title_fr": "Morts dans la Ouaka au plus 3 par mois pendant six mois",
        "indicator": benchmark.indicator.slug,
        "area": "CAF.ouaka",
        "comparison": "le",
        "threshold": "3",
        "months": "6",
        "period_start": "2019-02-10",
        "sensitivity": str(int(Sensitivity.RESTRICTED)),
    }
    data.update(changes)
    return data


#: (user, may edit JMAC's restricted benchmark). Editing needs what stating one needs.
WHO = [
    ("admin", True),  # platform administrator
    ("amina", True),  # JMAC analyst
    ("marc", True),  # JMAC planner
    ("jean", False),  # civil-society viewer
    ("sofia", False),  # NGO org admin, not of JMAC
    ("grace", False),  # another organization's analyst
    ("clarisse", False),  # another organization's org admin
    ("ousmane", False),  # national-army liaison analyst
    ("viktor", False),  # parallel-force liaison analyst
    ("lucie", False),  # OCHA org admin
    ("kofi", False),  # Force HQ analyst: not JMAC's
    ("awa", False),  # local peace committee viewer
]


def test_the_table_lists_every_cast_member() -> None:
    assert {u for u, _e in WHO} == {m.username for m in CAST}


@pytest.mark.parametrize(("username", "edits"), WHO)
def test_who_edits_a_benchmark(
    cast: dict[str, User], benchmark: Benchmark, username: str, edits: bool
) -> None:
    client = Client()
    client.force_login(cast[username])
    page = client.get(edit_url(benchmark))
    assert page.status_code == (200 if edits else 404)
    answer = client.post(edit_url(benchmark), changed(benchmark))
    benchmark.refresh_from_db()
    if edits:
        assert answer.status_code == 302
        assert (benchmark.threshold, benchmark.months, benchmark.period_start) == (
            3.0,
            6,
            datetime.date(2019, 2, 1),
        )
        entry = AuditEvent.objects.get(action="learning.benchmark.change")
        assert entry.actor == cast[username] and entry.target == f"benchmark:{benchmark.pk}"
        assert entry.detail["threshold"] == [5.0, 3.0]
    else:
        assert answer.status_code == 404
        assert (benchmark.title, benchmark.threshold) == (TITLE, 5.0)
        assert AuditEvent.objects.filter(action="access.denied").exists()


def test_anonymous_is_sent_to_sign_in(benchmark: Benchmark) -> None:
    answer = Client().get(edit_url(benchmark))
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_a_missing_benchmark_is_not_found(cast: dict[str, User], demo: Programme) -> None:
    client = Client()
    client.force_login(cast["amina"])
    assert (
        client.get("/learning/benchmarks/edit/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


def test_bad_input_writes_nothing_and_says_so_in_french(
    cast: dict[str, User], benchmark: Benchmark
) -> None:
    client = Client()
    client.force_login(cast["marc"])
    bad = changed(benchmark, area="CAF.nowhere", threshold="3")
    html = client.post(edit_url(benchmark) + "?lang=fr", bad).content.decode()
    assert "Cette zone n\u2019existe pas." in html
    benchmark.refresh_from_db()
    assert benchmark.threshold == 5.0
    assert not AuditEvent.objects.filter(action="learning.benchmark.change").exists()


def test_the_benchmarks_page_links_to_the_edit_page_for_editors_only(
    cast: dict[str, User], benchmark: Benchmark
) -> None:
    for username, link in (("marc", True), ("admin", True), ("jean", False), ("kofi", False)):
        client = Client()
        client.force_login(cast[username])
        html = client.get("/learning/benchmarks/MINUSCA/").content.decode()
        assert (TITLE in html) is link  # a restricted benchmark on a restricted indicator
        assert (edit_url(benchmark) in html) is link
