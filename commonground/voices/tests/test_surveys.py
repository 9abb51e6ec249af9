"""Perception surveys: responses sealed, idempotent, indicators weighted with CIs, by round."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from scipy import stats

from commonground.core.importing import ImportRejected
from commonground.core.models import Area
from commonground.sharing.models import Organization
from commonground.voices.demo_kobo import (
    PERCEPTION_SURVEY,
    SURVEY_FORM_ID,
    survey_choices,
    synthetic_response,
    write_xlsform,
)
from commonground.voices.queries import voices_counts
from commonground.voices.survey_models import PerceptionResponse, PerceptionSurvey
from commonground.voices.surveys import (
    compute_indicator,
    do_create_survey,
    do_define_indicator,
    do_import_survey_round,
    weighted_share,
)
from commonground.voices.tests.kobo_files import write_table
from commonground.voices.xlsform import read_xlsform


@pytest.fixture
def survey(tmp_path: Path, bambari: Organization) -> PerceptionSurvey:
    area, _created = Area.objects.get_or_create(
        code="CAF.ouaka.bambari",
        defaults={"level": 2, "country_code": "CAF", "name_en": "Bambari", "name_fr": "Bambari"},
    )
    path = write_xlsform(
        tmp_path / "s.xlsx", PERCEPTION_SURVEY, survey_choices([area]), SURVEY_FORM_ID
    )
    return do_create_survey(bambari, "perceptions", read_xlsform(path))


def responses(n: int, round_number: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [synthetic_response(i, round_number, ["bambari"], rng) for i in range(n)]


def kobo_layout(rows: list[dict[str, str]]) -> list[list[str]]:
    header = list(rows[0])
    return [header, *[[r[c] for c in header] for r in rows]]


def test_coarse_questions_are_suggested_and_answers_sealed(
    tmp_path: Path, survey: PerceptionSurvey
) -> None:
    assert (survey.area_question, survey.sex_question) == ("commune", "sexe")
    assert (survey.age_question, survey.weight_question) == ("age", "poids")
    rows = responses(30, 1)
    rows[0]["confiance/minusca"] = "beaucoup"
    result = do_import_survey_round(survey, 1, write_table(tmp_path / "r1.csv", kobo_layout(rows)))
    assert result.added == 30
    first = PerceptionResponse.objects.get(submission_key=rows[0]["meta/instanceID"][5:])
    assert first.area is not None and first.area.code == "CAF.ouaka.bambari"
    assert first.sex == ("female" if rows[0]["sexe"] == "femme" else "male")
    assert first.weight == pytest.approx(float(rows[0]["poids"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voices_perceptionresponse")
        assert "beaucoup" not in repr(cursor.fetchall())
    assert voices_counts()["perception_responses"] == 30


def test_replayed_and_grown_rounds_add_only_new_responses(
    tmp_path: Path, survey: PerceptionSurvey
) -> None:
    rows = responses(40, 1)
    do_import_survey_round(survey, 1, write_table(tmp_path / "a.csv", kobo_layout(rows[:25])))
    replay = rows + rows[:10]
    random.Random(2).shuffle(replay)
    result = do_import_survey_round(
        survey, 1, write_table(tmp_path / "b.xlsx", kobo_layout(replay))
    )
    assert (result.added, result.already_known, result.repeated_in_file) == (15, 25, 10)
    assert PerceptionResponse.objects.count() == 40


def test_central_export_of_the_survey_reads_too(tmp_path: Path, survey: PerceptionSurvey) -> None:
    rows = responses(5, 2)
    table = [[c.replace("/", "-") for c in kobo_layout(rows)[0]], *kobo_layout(rows)[1:]]
    table[0] = ["KEY" if c == "meta-instanceID" else c for c in table[0]]
    assert do_import_survey_round(survey, 2, write_table(tmp_path / "c.csv", table)).added == 5


def test_a_bad_weight_names_row_and_column_and_stores_nothing(
    tmp_path: Path, survey: PerceptionSurvey
) -> None:
    rows = responses(5, 1)
    rows[3]["poids"] = "-1"
    with pytest.raises(ImportRejected) as caught:
        do_import_survey_round(survey, 1, write_table(tmp_path / "w.csv", kobo_layout(rows)))
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("w.csv", 5, "poids")
    assert not PerceptionResponse.objects.exists()


def test_weighted_share_and_interval() -> None:
    share, low, high = weighted_share([1, 0, 1, 1], [1.0, 3.0, 1.0, 1.0])
    assert share == pytest.approx(0.5)
    assert low is not None and high is not None and low < 0.5 < high
    assert weighted_share([0, 0, 0], [1.0, 1.0, 1.0])[0] == pytest.approx(0.0)


def taylor_logit_by_hand(ys: list[int], ws: list[float]) -> tuple[float, float, float]:
    """The weighted share and its 95 % logit interval, written out (independent of svy).

    Each respondent is their own primary unit, one stratum, no finite-population correction
    (R: ``svydesign(ids = ~1, weights = ~w)`` then ``svyciprop(method = "logit")``): the
    linearised variance of the ratio estimator is n/(n-1) * sum((w_i (y_i - p))^2) / W^2 and
    the interval is logit(p) +/- t(0.975, n - 1) * se / (p (1 - p)), taken back to [0, 1].
    """
    y, w = np.asarray(ys, dtype=float), np.asarray(ws, dtype=float)
    n, total = len(y), w.sum()
    p = float((w * y).sum() / total)
    variance = n / (n - 1) * float(((w * (y - p)) ** 2).sum()) / total**2
    half = stats.t.ppf(0.975, n - 1) * math.sqrt(variance) / (p * (1 - p))
    centre = math.log(p / (1 - p))
    return p, 1 / (1 + math.exp(-(centre - half))), 1 / (1 + math.exp(-(centre + half)))


def test_weighted_share_is_taylor_linearisation_with_a_logit_interval() -> None:
    # Worked by hand: p = 3/6, se = 1/3 exactly, t(0.975, 3) = 3.1824463 (any t table),
    # so the bounds are expit(-/+ 3.1824463 * (1/3) / 0.25).
    share, low, high = weighted_share([1, 0, 1, 1], [1.0, 3.0, 1.0, 1.0])
    assert (share, low, high) == pytest.approx((0.5, 0.0141574, 0.9858426), abs=1e-7)
    rng = random.Random(12)  # synthetic outcomes and design weights, like a KoBo round
    for n in (2, 3, 17, 400):
        ys = [int(rng.random() < 0.3) for _ in range(n - 2)] + [0, 1]
        ws = [rng.uniform(0.2, 5.0) for _ in range(n)]
        assert weighted_share(ys, ws) == pytest.approx(taylor_logit_by_hand(ys, ws), rel=1e-9)


def test_a_share_of_nobody_or_everybody_has_a_zero_width_interval() -> None:
    # No design variance can be measured at 0 or 1: the interval is the point itself (as before).
    assert weighted_share([0, 0, 0], [1.0, 2.0, 1.0]) == (0.0, 0.0, 0.0)
    assert weighted_share([1, 1], [1.0, 4.0]) == (1.0, 1.0, 1.0)
    assert weighted_share([1], [2.0]) == (1.0, None, None)


def test_survey_estimates_need_no_samplics(monkeypatch: pytest.MonkeyPatch) -> None:
    # samplics is archived by its authors (v0.6.0 "Final release"): nothing may import it.
    for name in ("samplics", "samplics.estimation", "samplics.utils", "samplics.utils.types"):
        monkeypatch.setitem(sys.modules, name, None)
    share, low, high = weighted_share([1, 0, 1, 0, 1], [1.0, 2.0, 1.5, 1.0, 0.5])
    assert low is not None and high is not None and low < share < high


def test_an_estimate_opens_no_network_connection() -> None:
    # The product downloads nothing at run time: a fresh interpreter records every socket use.
    script = (
        "import sys\n"
        "seen = []\n"
        "sys.addaudithook(lambda event, args: event.startswith('socket.') and seen.append(event))\n"
        "import django; django.setup()\n"
        "from commonground.voices.surveys import weighted_share\n"
        "print(weighted_share([1, 0, 1, 0], [1.0, 2.0, 1.0, 1.0]))\n"
        "sys.exit(3 if seen else 0)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "commonground.settings"}
    done = subprocess.run(  # noqa: S603  # this interpreter, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("(0.4")


def test_indicator_by_round_area_sex_and_age(tmp_path: Path, survey: PerceptionSurvey) -> None:
    for number in (1, 2):
        export = write_table(
            tmp_path / f"r{number}.csv", kobo_layout(responses(200, number, number))
        )
        do_import_survey_round(survey, number, export)
    indicator = do_define_indicator(survey, "Feel safe at the market", "securite_marche", ["oui"])
    estimates = compute_indicator(survey, indicator)
    overall = [e for e in estimates if e.by == "all"]
    assert [e.round for e in overall] == [1, 2]
    assert all(e.respondents == 200 for e in overall)
    assert {e.group for e in estimates if e.by == "sex"} == {"female", "male"}
    assert {e.by for e in estimates} == {"all", "area", "sex", "age_group"}
    for estimate in estimates:
        assert estimate.low is not None and estimate.high is not None
        assert estimate.low <= estimate.share <= estimate.high
    with pytest.raises(ImportRejected):
        do_define_indicator(survey, "Bad", "securite_marche", ["peut-etre"])


def test_rotation_rewraps_and_shredding_destroys_survey_responses(
    tmp_path: Path, survey: PerceptionSurvey
) -> None:
    from commonground.voices.services import do_rotate_key, do_shred

    do_import_survey_round(
        survey, 1, write_table(tmp_path / "r.csv", kobo_layout(responses(20, 1)))
    )
    indicator = do_define_indicator(survey, "Safe", "securite_marche", ["oui"])
    before = compute_indicator(survey, indicator)
    do_rotate_key(survey.owner)
    assert compute_indicator(survey, indicator) == before
    do_shred(survey.owner)
    assert not PerceptionResponse.objects.exclude(wrapped_key=b"").exists()
    assert compute_indicator(survey, indicator) == []


def test_cli_import_survey_round_then_nothing_new(tmp_path: Path, bambari: Organization) -> None:
    from click.testing import CliRunner

    from commonground.cli.main import cli

    xlsform = write_xlsform(
        tmp_path / "s.xlsx", PERCEPTION_SURVEY, survey_choices([]), SURVEY_FORM_ID
    )
    export = write_table(tmp_path / "r1.csv", kobo_layout(responses(12, 1)))
    args = ["voices", "import-survey", "femmes-bambari", "perceptions", str(xlsform), str(export)]
    dry = CliRunner().invoke(cli, [*args, "--round", "1", "--dry-run"])
    assert dry.exit_code == 0 and "would add 12" in dry.output
    assert not PerceptionSurvey.objects.exists()
    assert "added 12 responses" in CliRunner().invoke(cli, [*args, "--round", "1"]).output
    assert "added 0 responses" in CliRunner().invoke(cli, [*args, "--round", "1"]).output
    assert PerceptionResponse.objects.count() == 12
