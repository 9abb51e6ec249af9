"""Perception-survey figures by sex, released through the gate (SYNTHETIC respondents).

The published table ``surveys-indicator-sex`` (respondents meeting each indicator or not, by
round and sex) is released exactly as ``surveys-indicator-area``: same K, same suppression, same
record keys (so the two tables' shared indicator x round x answer totals are the same cells with
the same noise), same log. Here: it equals an independent recount from the stored responses;
small cells are suppressed and cannot be derived, not even by combining the two tables; a woman
planted as the only woman of round 2 is not recoverable by the army liaison (a national force)
combining both tables; the recipients' page shows it in English and French.

Respondents are made in code (``synthetic_response``); no real person's answers.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client
from scipy.optimize import linprog

from commonground.sharing import gate
from commonground.sharing.models import Organization
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import ensure_areas, make_synthetic
from commonground.sharing.tests.test_gate_attack import ask
from commonground.voices.demo_kobo import (
    PERCEPTION_SURVEY,
    SURVEY_FORM_ID,
    survey_choices,
    synthetic_response,
    write_xlsform,
)
from commonground.voices.survey_models import PerceptionResponse
from commonground.voices.surveys import (
    SURVEY_SEX_TABLE,
    do_create_survey,
    do_define_indicator,
    import_survey_rows,
)
from commonground.voices.xlsform import read_xlsform, submission_key

pytestmark = pytest.mark.django_db

AREA, SEX = "surveys-indicator-area", "surveys-indicator-sex"
OWNER = "femmes-bambari"
INDICATORS = (
    ("Feel safe at the market", "securite_marche", ["oui"]),
    ("Trust MINUSCA (a lot)", "confiance/minusca", ["beaucoup"]),
)
PLANTED_ID = "uuid:00000000-0000-4000-8000-000000000001"
SEX_CODES = {"femme": "women", "homme": "men"}


@pytest.fixture
def survey(cast: dict[str, User], settings: LazySettings, tmp_path: Path) -> dict[str, Any]:
    """Round 1: 90 women and men in Bambari and Ippy. Round 2: 70 men and one woman (planted:
    the only woman of the round, in Bambari; she feels safe and trusts MINUSCA a lot)."""
    settings.COMMONGROUND_HOME = tmp_path
    make_synthetic(cast, bulk=0)  # the network's circle: JMAC, the army liaison, OCHA
    areas = ensure_areas()
    districts = [areas["CAF.ouaka.bambari"], areas["CAF.ouaka.ippy"]]
    path = write_xlsform(
        tmp_path / "s.xlsx", PERCEPTION_SURVEY, survey_choices(districts), SURVEY_FORM_ID
    )
    owner = Organization.objects.get(slug=OWNER)
    made = do_create_survey(owner, "perceptions", read_xlsform(path), is_synthetic=True)
    rng = random.Random(13)
    inputs: dict[str, dict[str, str]] = {}
    for number, size in ((1, 90), (2, 70)):
        rows = [synthetic_response(n, number, ["bambari", "ippy"], rng) for n in range(size)]
        if number == 2:
            for row in rows:
                row["sexe"] = "homme"
            planted = synthetic_response(999, 2, ["bambari"], rng)
            planted.update(
                {
                    "sexe": "femme",
                    "securite_marche": "oui",
                    "confiance/minusca": "beaucoup",
                    "meta/instanceID": PLANTED_ID,
                }
            )
            rows.append(planted)
        import_survey_rows(made, number, rows, f"synthetic-round-{number}.csv")
        inputs.update({submission_key(row): row for row in rows})
    for label, question, success in INDICATORS:
        do_define_indicator(made, label, question, success)
    woman = PerceptionResponse.objects.get(survey=made, submission_key=submission_key(planted))
    return {"survey": made, "owner": owner, "inputs": inputs, "planted": woman}


def recount(survey: dict[str, Any]) -> Counter[str]:
    """Respondents per (indicator, round, answer, sex) cell id and its margins, counted from the
    stored responses' clear columns (round, sex) and the answers as they were imported."""
    counts: Counter[str] = Counter()
    made = survey["survey"]
    for response in PerceptionResponse.objects.filter(owner=survey["owner"]).select_related(
        "round"
    ):
        row = survey["inputs"][response.submission_key]
        sex = {"female": "women", "male": "men"}.get(response.sex, "other_or_unknown")
        for label, question, success in INDICATORS:
            slug = made.slug + "." + _slug(label)
            answer = "yes" if row[question] in success else "no"
            r = f"{slug}.r{response.round.number}"
            indicator_parts = [f"{slug}/{r}/{r}.{answer}", f"{slug}/{r}", slug, "*"]
            for part in indicator_parts:
                counts[f"{part}|{sex}"] += 1
                counts[f"{part}|*"] += 1
    return counts


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def full(client: Client, table: str) -> dict[str, tuple[str, int | None]]:
    return {cell: (status, value) for cell, status, value in ask(client, table, {}, "api")}


@pytest.fixture
def ousmane(client: Client, cast: dict[str, User]) -> Client:
    client.force_login(cast["ousmane"])  # the national army's liaison: a national force
    return client


def test_the_sex_table_is_a_published_table_of_the_survey_family() -> None:
    assert gate.TABLES[SEX] is SURVEY_SEX_TABLE
    assert SURVEY_SEX_TABLE.source == gate.TABLES[AREA].source  # linked: shared margins
    assert [d.name for d in SURVEY_SEX_TABLE.dimensions] == ["indicator", "sex"]
    assert SURVEY_SEX_TABLE.dimensions[0] is gate.TABLES[AREA].dimensions[0]


def test_the_released_sex_table_is_the_recount_of_the_stored_responses(
    ousmane: Client, survey: dict[str, Any]
) -> None:
    truth = recount(survey)
    seen = full(ousmane, SEX)
    k = gate.threshold_k()
    released = 0
    assert {cell.split("|")[1] for cell in seen} == {"*", "women", "men"}
    for cell, (status, value) in seen.items():
        if truth[cell] < k:
            assert status == gate.FEWER_THAN_K, cell
            assert value is None
        elif status == gate.RELEASED:
            assert value is not None and abs(value - truth[cell]) <= gate.MAX_NOISE, cell
            assert value >= k
            released += 1
        else:
            assert status == gate.HIDDEN, cell
    true_tab = gate.protected_tables("surveys", survey["owner"])[SEX].tab
    assert {gate.cell_id(c): v for c, v in true_tab.value.items() if v} == {
        c: v for c, v in truth.items() if v
    }
    # Round 1 is useful (women's and men's answers shown), though the lone woman of round 2
    # costs some of its cells (hidden so that hers cannot be worked out from the margins).
    round_1 = [c for c in seen if ".r1." in c and seen[c][0] == gate.RELEASED]
    assert {c.split("|")[1] for c in round_1} >= {"women", "men"}
    assert released > 10
    # The only woman of round 2 is never shown.
    women_2 = [c for c in seen if ".r2" in c and c.endswith("|women")]
    assert women_2 and all(seen[c][0] == gate.FEWER_THAN_K for c in women_2)


def test_the_shared_totals_are_the_same_in_the_area_and_the_sex_tables(
    ousmane: Client, survey: dict[str, Any]
) -> None:
    """Same cells (same respondents, same record keys): same status, same noise. Subtracting
    one table's totals from the other's therefore gives 0, nothing new."""
    by_area, by_sex = full(ousmane, AREA), full(ousmane, SEX)
    shared = [cell for cell in by_sex if cell.endswith("|*")]
    assert len(shared) == 1 + 2 * (1 + 2 * 3)  # all, and per indicator: it, its rounds, answers
    perturbed = 0
    for cell in shared:
        assert by_area[cell] == by_sex[cell], cell
        perturbed += by_area[cell][1] != recount(survey)[cell]
    assert perturbed  # the noise is there, and it is the same noise in both


def test_no_suppressed_cell_is_derivable_in_either_table(survey: dict[str, Any]) -> None:
    k = gate.threshold_k()
    for slug in (AREA, SEX):
        protected = gate.protected_tables("surveys", survey["owner"])[slug]
        tab = protected.tab
        targets = [
            c for c in tab.cells if protected.status[c] == gate.FEWER_THAN_K and tab.contributors[c]
        ]
        assert targets, slug
        bounds = gate.lowest_derivable(
            tab, gate.relations(tab), protected.status, "count", k, targets
        )
        for cell, (lowest, highest) in bounds.items():
            assert lowest <= 0.5, f"{slug} {gate.cell_id(cell)} proven to hold a record"
            assert highest - lowest >= 1 - 1e-6, f"{slug} {gate.cell_id(cell)} pinned down"


# --- The army liaison combines the area table and the sex table --------------------------------


def joint_bounds(
    owner: Any,
    seen: dict[str, dict[str, tuple[str, int | None]]],
    target: tuple[gate.Path, gate.Path, gate.Path],
    noise: int,
    known: dict[tuple[gate.Path, gate.Path, gate.Path], int],
) -> tuple[float, float]:
    """The intruder's interval for one cell of the indicator x area x sex cube, by linear
    programming over everything both tables told him (each released value +- ``noise``, each
    label's bounds) and his background knowledge ``known`` (cube cells whose total he knows)."""
    tabs = gate.protected_tables("surveys", owner)
    area_tab, sex_tab = tabs[AREA].tab, tabs[SEX].tab
    leaves = [
        [p for p in tab_dim if not tab.children[d].get(p)]
        for tab, d, tab_dim in (
            (area_tab, 0, {c[0] for c in area_tab.cells}),
            (area_tab, 1, {c[1] for c in area_tab.cells}),
            (sex_tab, 1, {c[1] for c in sex_tab.cells}),
        )
    ]
    cube = [(i, a, s) for i in leaves[0] for a in leaves[1] for s in leaves[2]]
    column = {cell: n for n, cell in enumerate(cube)}
    k = gate.threshold_k()
    rows, low, high = [], [], []

    def constrain(members: list[int], lo: float, hi: float) -> None:
        vector = np.zeros(len(cube))
        vector[members] = 1.0
        rows.append(vector)
        low.append(lo)
        high.append(hi)

    def under(prefix: gate.Path, leaf: gate.Path) -> bool:
        return leaf[: len(prefix)] == prefix

    for slug, tab, axis in ((AREA, area_tab, 1), (SEX, sex_tab, 2)):
        for cell in tab.cells:
            status, value = seen[slug][gate.cell_id(cell)]
            members = [column[c] for c in cube if under(cell[0], c[0]) and under(cell[1], c[axis])]
            if status == gate.RELEASED and value is not None:
                constrain(members, value - noise, value + noise)
            elif status == gate.FEWER_THAN_K:
                constrain(members, 0, k - 1)
            else:
                constrain(members, k, np.inf)
    for (i, a, s), total in known.items():
        members = [column[c] for c in cube if under(i, c[0]) and under(a, c[1]) and under(s, c[2])]
        constrain(members, total, total)
    matrix = np.array(rows)
    a_ub = np.vstack([matrix, -matrix])
    b_ub = np.concatenate([np.array(high), -np.array(low)])
    finite = np.isfinite(b_ub)
    objective = np.zeros(len(cube))
    targets = [column[c] for c in cube if all(under(t, x) for t, x in zip(target, c, strict=True))]
    objective[targets] = 1.0
    found = []
    for sign in (1.0, -1.0):
        answer = linprog(
            sign * objective, A_ub=a_ub[finite], b_ub=b_ub[finite], bounds=(0, None), method="highs"
        )
        assert answer.status in (0, 3), answer.message  # solved, or unbounded above
        found.append(sign * answer.fun if answer.status == 0 else np.inf)
    return found[0], found[1]


def her_answers(
    survey: dict[str, Any], seen: dict[str, dict[str, tuple[str, int | None]]], noise: int
) -> list[str]:
    """The planted woman's answers the intruder can prove, knowing she is the only woman of
    round 2 and lives in Bambari: per indicator, is the other answer provably empty?"""
    owner, woman = survey["owner"], survey["planted"]
    tab = gate.protected_tables("surveys", owner)[AREA].tab
    proven = []
    for indicator, area in tab.row_cells[str(woman.pk)]:
        round_path, women = indicator[:-1], ("women",)
        known: dict[tuple[gate.Path, gate.Path, gate.Path], int] = {
            (round_path, (), women): 1,
            (round_path, area, women): 1,
        }
        other = next(p for p in tab.children[0][round_path] if p != indicator)
        lowest, _high = joint_bounds(owner, seen, (indicator, area, women), noise, known)
        _low, highest = joint_bounds(owner, seen, (other, (), women), noise, known)
        if lowest > 0.5 or highest < 0.5:
            proven.append(indicator[-1].rsplit(".", 1)[1])
    return proven


def test_a_national_force_combining_both_tables_does_not_recover_the_lone_woman(
    ousmane: Client, survey: dict[str, Any]
) -> None:
    seen = {AREA: full(ousmane, AREA), SEX: full(ousmane, SEX)}
    rng = random.Random(3)
    indicators = sorted({p for c in seen[SEX] for p in c.split("|")[0].split("/") if p != "*"})
    for n in range(12):  # a few overlapping narrowed requests: the same cells answer the same
        table = (AREA, SEX)[n % 2]
        query: dict[str, Any] = {"indicator": rng.sample(indicators, 3)}
        if table == SEX:
            query["sex"] = rng.sample(["women", "men"], rng.randint(1, 2))
        for cell, status, value in ask(ousmane, table, query, "page" if n % 3 == 0 else "api"):
            assert seen[table][cell] == (status, value), (table, cell, query)
    assert her_answers(survey, seen, gate.MAX_NOISE) == []
    logged = Release.objects.filter(recipient__username="ousmane", table__in=[AREA, SEX])
    assert logged.count() == 2 + 12


def test_the_intruder_would_recover_her_answers_from_the_unprotected_tables(
    survey: dict[str, Any],
) -> None:
    """The attack can fail: with the true counts (no threshold, no suppression, no noise) the
    same inference recovers what she answered to both indicators."""
    tabs = gate.protected_tables("surveys", survey["owner"])
    exact = {
        slug: {gate.cell_id(c): (gate.RELEASED, v) for c, v in tabs[slug].tab.value.items()}
        for slug in (AREA, SEX)
    }
    assert her_answers(survey, exact, 0) == ["yes", "yes"]  # type: ignore[arg-type]


# --- What recipients see -------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "women"), [("en", "Sex: women"), ("fr", "Sexe : femmes")])
def test_the_figures_page_shows_the_sex_table_in_english_and_french(
    language: str, women: str, client: Client, cast: dict[str, User], survey: dict[str, Any]
) -> None:
    client.force_login(cast["amina"])  # MINUSCA's analyst, in the network's circle
    page = client.get(
        "/voices/figures/",
        {"owner": OWNER, "table": SEX},
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    assert women in page
    # A row of answers reads "<indicator>, round 1: meets it"; French puts a space before ":".
    answer = ("round 1: meets it", "vague 1 : y répond")[language == "fr"]
    assert answer in page.replace("\u2019", "'")
    listing = client.get("/api/v1/voices/figures").json()
    assert SEX in {t["slug"] for source in listing for t in source["tables"]}


@pytest.mark.parametrize("who", [None, "sofia", "viktor", "admin"])
def test_anyone_else_gets_the_answer_of_a_missing_page(
    who: str | None, client: Client, cast: dict[str, User], survey: dict[str, Any]
) -> None:
    if who:
        client.force_login(cast[who])
    for route in (
        f"/voices/figures/?owner={OWNER}&table={SEX}",
        f"/voices/figures/{OWNER}/{SEX}.csv",
        f"/api/v1/voices/figures/{OWNER}/{SEX}",
    ):
        assert client.get(route).status_code == 404, route
    assert not Release.objects.filter(table=SEX).exists()
