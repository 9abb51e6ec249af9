"""Perception-survey figures reach whoever may not read the responses only through the gate.

The survey's weighted estimates (``/voices/surveys/<id>/``) are for those who may read the
responses (the owner's analysts, ``may_read_protected``). Everyone else who receives the owner's
released tables (the owner's viewers, the circle's organizations, forces included) gets the
published table ``surveys-indicator-area`` through ``sharing.gate.release``: respondents meeting
each indicator or not, by round and area, with K, suppression, noise and the release log.
SYNTHETIC respondents only, made in code.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing import gate
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import ensure_areas, make_synthetic
from commonground.voices.demo_kobo import (
    PERCEPTION_SURVEY,
    SURVEY_FORM_ID,
    survey_choices,
    synthetic_response,
    write_xlsform,
)
from commonground.voices.survey_models import PerceptionSurvey
from commonground.voices.surveys import (
    SURVEY_TABLE,
    do_create_survey,
    do_define_indicator,
    import_survey_rows,
)
from commonground.voices.xlsform import read_xlsform

pytestmark = pytest.mark.django_db

TABLE = "surveys-indicator-area"
ROUTES = (
    f"/voices/figures/?owner=femmes-bambari&table={TABLE}",
    f"/voices/figures/femmes-bambari/{TABLE}.csv",
    f"/api/v1/voices/figures/femmes-bambari/{TABLE}",
)


def make_survey(tmp_path: Path, bulk: int = 60) -> PerceptionSurvey:
    """The network's SYNTHETIC survey: ``bulk`` respondents in two districts, one alone."""
    from commonground.sharing.models import Organization

    areas = ensure_areas()
    districts = [areas["CAF.ouaka.bambari"], areas["CAF.ouaka.ippy"], areas["CAF.ouaka.kouango"]]
    path = write_xlsform(
        tmp_path / "s.xlsx", PERCEPTION_SURVEY, survey_choices(districts), SURVEY_FORM_ID
    )
    owner = Organization.objects.get(slug="femmes-bambari")
    survey = do_create_survey(owner, "perceptions", read_xlsform(path), is_synthetic=True)
    rng = random.Random(5)
    rows = [synthetic_response(i, 1, ["bambari", "ippy"], rng) for i in range(bulk)]
    alone = synthetic_response(bulk, 1, ["kouango"], rng)
    rows.append(alone)
    import_survey_rows(survey, 1, rows, "synthetic.csv")
    do_define_indicator(survey, "Feel safe at the market", "securite_marche", ["oui"])
    return survey


@pytest.fixture
def survey(cast: dict[str, User], settings: LazySettings, tmp_path: Path) -> PerceptionSurvey:
    settings.COMMONGROUND_HOME = tmp_path
    make_synthetic(cast, bulk=0)  # the network's circle: JMAC, the army liaison, OCHA
    return make_survey(tmp_path)


def test_the_survey_table_is_a_published_table_of_the_gate() -> None:
    assert gate.TABLES[TABLE] is SURVEY_TABLE
    assert SURVEY_TABLE.source != "voices"  # its own family: it counts respondents, not reports


def test_estimates_only_for_who_may_read_the_responses_others_get_the_released_table(
    client: Client, cast: dict[str, User], survey: PerceptionSurvey
) -> None:
    client.force_login(cast["grace"])  # the owner's analyst
    page = client.get(f"/voices/surveys/{survey.pk}/").content.decode()
    assert "survey-indicator" in page and "95% interval" in page
    client.force_login(cast["jean"])  # the owner's viewer: may not read the responses
    answer = client.get(f"/voices/surveys/{survey.pk}/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "survey-indicator" not in page and "95% interval" not in page
    assert f"table={TABLE}" in page


@pytest.mark.parametrize("who", ["jean", "grace", "amina", "ousmane", "lucie"])
def test_the_owner_and_the_circle_receive_survey_figures_only_through_the_gate(
    who: str, client: Client, cast: dict[str, User], survey: PerceptionSurvey
) -> None:
    client.force_login(cast[who])
    for route in ROUTES:
        assert client.get(route).status_code == 200, route
    answer = client.get(ROUTES[2]).json()
    assert answer["tlp"] == "TLP:GREEN"
    k = answer["k"]
    values = [c["value"] for c in answer["cells"] if c["status"] == "released"]
    assert values and all(v >= k for v in values)
    alone = [c for c in answer["cells"] if c["dimensions"]["area"] == "CAF.ouaka.kouango"]
    assert alone and all(c["status"] != "released" for c in alone)
    logged = Release.objects.filter(table=TABLE, recipient=cast[who])
    assert logged.count() == len(ROUTES) + 1  # each route, and the API answer read again
    assert "fewer than" in client.get(ROUTES[0]).content.decode()


@pytest.mark.parametrize("who", [None, "sofia", "viktor", "admin"])
def test_anyone_else_gets_the_answer_of_a_missing_page(
    who: str | None, client: Client, cast: dict[str, User], survey: PerceptionSurvey
) -> None:
    if who:
        client.force_login(cast[who])
    for route in ROUTES:
        assert client.get(route).status_code == 404, route
    assert client.get(f"/voices/surveys/{survey.pk}/").status_code == 404
    assert not Release.objects.filter(table=TABLE).exists()


def test_the_figures_page_speaks_of_respondents_for_a_survey_table(
    client: Client, cast: dict[str, User], survey: PerceptionSurvey
) -> None:
    client.force_login(cast["amina"])
    page = client.get(ROUTES[0]).content.decode()
    assert "perception survey" in page and "fewer than 10 respondents" in page
    assert "community reports of" not in page and "Only reports whose authors" not in page
    assert "All indicators together (each respondent once per indicator)" in page
    assert '<th scope="row">Total</th>' not in page  # indicators do not add up to people
    reports = client.get("/voices/figures/?owner=femmes-bambari").content.decode()
    assert "community reports of" in reports, reports[-3000:]
    assert "fewer than 10 respondents" not in reports
