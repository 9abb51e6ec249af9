"""Implementation scores: the demonstration rule on the real APPR-RCA events, roll-ups equal to a
mean computed here, Cohen's kappa equal to the formula computed here, who sees and who scores."""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client

from commonground.core.models import ImportRun
from commonground.mandates import scoring
from commonground.mandates.models import ImplementationScore, Provision
from commonground.mandates.services import do_demo_scores, do_score
from commonground.mandates.tests.conftest import EVENTS
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.sharing.services import local_organization
from commonground.testing.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

AGREEMENT = "appr_rca_2019"
PAGE = f"/mandates/agreements/{AGREEMENT}/scores/"


def login(client: Client, user: User) -> None:
    assert client.login(request=HttpRequest(), username=user.username, password=DEMO_PASSWORD)


@pytest.fixture
def demo(events_run: ImportRun) -> int:
    return do_demo_scores(local_organization(), AGREEMENT)


def expected_demo(data_dir: Path, code: str, period: datetime.date) -> int:
    """The documented rule, applied here to the CSV rows of one provision."""
    end = scoring.half_year_end(period)
    advances = setbacks = 0
    with (data_dir / EVENTS).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if code not in [c.strip() for c in row["provision_code"].split(";")]:
                continue
            day = datetime.date.fromisoformat(
                row["date"] if len(row["date"]) == 10 else row["date"] + "-01"
            )
            if row["direction"] == "advance" and day < end:
                advances += 1
            if row["direction"] == "setback" and period <= day < end:
                setbacks += 1
    return max(0, min(3, advances) - setbacks)


def test_demo_scores_follow_the_rule_on_the_real_events(demo: int, data_dir: Path) -> None:
    assert demo == ImplementationScore.objects.count() > 0
    for score in ImplementationScore.objects.select_related("provision"):
        assert score.score == expected_demo(data_dir, score.provision.key, score.period)
        assert score.is_demonstration and score.sensitivity == Sensitivity.PUBLIC
    assert do_demo_scores(local_organization(), AGREEMENT) == 0  # idempotent


def test_rollup_equals_the_mean_computed_here(client: Client, demo: int) -> None:
    page = client.get(PAGE)
    assert page.status_code == 200
    themes = dict(Provision.objects.values_list("pk", "theme"))
    for up in page.context["ups"]:
        values = list(
            ImplementationScore.objects.filter(period=up.period).values_list("provision", "score")
        )
        assert up.overall == pytest.approx(sum(v for _p, v in values) / len(values))
        by_theme: dict[str, list[int]] = {}
        for provision, value in values:
            by_theme.setdefault(themes[provision] or "—", []).append(value)
        assert up.themes == pytest.approx({t: sum(v) / len(v) for t, v in by_theme.items()})


def test_the_page_and_the_csv_say_they_are_a_demonstration(client: Client, demo: int) -> None:
    html = client.get(PAGE).content.decode()
    assert "Demonstration scores, made from the cited events." in html
    export = client.get(f"/mandates/agreements/{AGREEMENT}/scores.csv").content.decode()
    assert export.splitlines()[0] == '"Demonstration scores, made from the cited events."'
    assert "APPR-EV-001" in export
    french = client.get(f"{PAGE}?lang=fr").content.decode()
    assert "Scores de démonstration, établis à partir des événements cités." in french
    export = client.get(f"/mandates/agreements/{AGREEMENT}/scores.csv").content.decode()
    assert "Scores de démonstration, établis à partir des événements cités." in export


def kappa_by_formula(a: list[int], b: list[int], weighted: bool) -> float:
    """Cohen's kappa from its definition, on the 0-3 scale (quadratic weights if weighted)."""
    n, k = len(a), 4
    observed = Counter(zip(a, b, strict=True))
    rows, cols = Counter(a), Counter(b)

    def w(i: int, j: int) -> float:
        return ((i - j) ** 2) / ((k - 1) ** 2) if weighted else float(i != j)

    disagree_obs = sum(w(i, j) * observed[(i, j)] / n for i in range(k) for j in range(k))
    disagree_exp = sum(w(i, j) * rows[i] * cols[j] / n**2 for i in range(k) for j in range(k))
    return 1 - disagree_obs / disagree_exp


def test_two_scorers_agreement_is_cohens_kappa(
    client: Client, cast: dict[str, User], events_run: ImportRun
) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    provisions = list(Provision.objects.order_by("source_row")[:8])
    first = [0, 1, 2, 3, 1, 2, 0, 3]
    second = [0, 1, 1, 3, 2, 2, 0, 2]
    day = datetime.date(2020, 3, 1)
    admin = cast["admin"]
    for provision, a, b in zip(provisions, first, second, strict=True):
        do_score(cast["amina"], jmac, provision, day, a, "read in S/2020/124")
        do_score(admin, jmac, provision, day, b)
    assert AuditEvent.objects.filter(action="mandates.score.add").count() == 16
    login(client, cast["amina"])
    found = client.get(PAGE).context["agreements"]
    assert len(found) == 1 and found[0].items == 8 and found[0].same == 5
    assert found[0].kappa == pytest.approx(kappa_by_formula(first, second, weighted=False))
    assert found[0].weighted_kappa == pytest.approx(kappa_by_formula(first, second, weighted=True))


#: (user, sees JMAC's partners-level score, may score for JMAC). The score is in no circle, so
#: "partners" reaches the owner only (ADR 0020): jean, of another organization, does not see it.
#: marc, JMAC's planner, states capability needs and benchmarks but does not score.
WHO = [(None, False, False), ("jean", False, False), ("marc", True, False), ("amina", True, True)]


@pytest.mark.parametrize(("username", "sees", "scores"), WHO)
def test_who_sees_and_who_scores(
    client: Client,
    cast: dict[str, User],
    events_run: ImportRun,
    username: str | None,
    sees: bool,
    scores: bool,
) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    provision = Provision.objects.order_by("source_row").first()
    assert provision is not None
    do_score(
        cast["amina"],
        jmac,
        provision,
        datetime.date(2021, 8, 1),
        2,
        sensitivity=Sensitivity.PARTNERS,
    )
    if username:
        login(client, cast[username])
    page = client.get(f"{PAGE}?scorer=amina")
    assert ("amina" in page.context["scorers"]) is sees
    posted = client.post(
        PAGE,
        {
            "organization": str(jmac.pk),
            "provision": provision.key,
            "period": "2022-02-01",
            "score": "1",
            "sensitivity": "1",
        },
    )
    made = ImplementationScore.objects.filter(period=datetime.date(2022, 1, 1)).exists()
    assert made is scores
    assert posted.status_code in ((302,) if scores else (400, 404))
