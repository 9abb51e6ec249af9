"""Perception surveys: an XLSForm survey, its KoBo / ODK responses, indicators with CIs.

The responses are read with the same reader as the report channel (``xlsform.read_export``) and
are idempotent the same way (keyed on the instanceID, per survey). A response keeps in clear
only the admin-2 area, the round, the sex, the age group and the design weight; every answer is
sealed (``crypto.seal``). Indicators are computed for those who may read the responses
(``may_read_protected``: the owner's analysts): the answers are opened in memory, never stored in
clear, and only weighted shares leave this module. Anyone else who receives the owner's figures
(the owner's viewers, the organizations of its circles) gets the published table
:data:`SURVEY_TABLE` through the disclosure gate (``sharing.gate.release``), never an estimate
computed here.

Weighted proportions and their 95 % confidence intervals come from ``svy`` (``Sample.estimation
.prop``: Taylor linearisation, logit-transformed interval so it stays in [0, 1], Student's t with
n - 1 degrees of freedom); each respondent is their own primary unit (the exports carry no
cluster or stratum column). See docs/adr/0026-survey-estimation-with-svy.md.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from commonground.core.importing import ProblemList
from commonground.sharing.gate import Dimension, PublishedTable, SourceRow, register
from commonground.sharing.gate import Path as CellPath
from commonground.sharing.models import Organization
from commonground.sharing.policy import AnyUser, access_operator, may_read_protected
from commonground.voices import crypto
from commonground.voices.kobo import ImportResult, admin2_areas, normal, suggest_value
from commonground.voices.published import area_domain, area_paths
from commonground.voices.published import labels as report_labels
from commonground.voices.services import audit
from commonground.voices.survey_models import (
    Indicator,
    PerceptionResponse,
    PerceptionSurvey,
    Sex,
    SurveyRound,
)
from commonground.voices.xlsform import (
    SELECT_MULTIPLE,
    Question,
    XLSForm,
    joined_multiple,
    read_export,
    submission_key,
)

#: Name hints for the coarse questions (English and French).
COARSE_HINTS = {
    "area_question": ("commune", "area", "district", "sous_pref", "admin2", "zone", "localite"),
    "sex_question": ("sex", "sexe", "gender", "genre"),
    "age_question": ("age",),
    "weight_question": ("weight", "poids", "pond"),
}
FEMALE = {"f", "female", "femme", "woman", "women", "feminin", "femmes"}
MALE = {"m", "male", "homme", "man", "men", "masculin", "hommes"}
#: Age bands for an age given as a number (years).
AGE_BANDS = ((18, "under_18"), (25, "18_24"), (35, "25_34"), (50, "35_49"))


def suggest_coarse(questions: list[Question]) -> dict[str, str]:
    """Which question gives the area, sex, age and weight, by its name."""
    found: dict[str, str] = {}
    for field_name, hints in COARSE_HINTS.items():
        for question in questions:
            words = normal(question.name).split("_")
            if any(hint in words or normal(question.name) == hint for hint in hints):
                found[field_name] = question.path
                break
    return found


def do_create_survey(
    owner: Organization,
    slug: str,
    xlsform: XLSForm,
    actor: User | None = None,
    is_synthetic: bool = False,
    **coarse: str,
) -> PerceptionSurvey:
    """Store a survey's XLSForm with its coarse questions (suggested unless given)."""
    chosen = {**suggest_coarse(xlsform.questions), **{k: v for k, v in coarse.items() if v}}
    by_path = xlsform.by_path()
    area = by_path.get(chosen.get("area_question", ""))
    areas = admin2_areas()
    area_values = {}
    if area is not None:
        for choice, label in zip(area.choices, area.choice_labels, strict=False):
            code = suggest_value("area", choice, label, areas)
            if code:
                area_values[choice] = code
    survey, _created = PerceptionSurvey.objects.update_or_create(
        owner=owner,
        slug=slug,
        defaults={
            "title": xlsform.title or slug,
            "form_id": xlsform.form_id,
            "questions": [q.as_dict() for q in xlsform.questions],
            "area_values": area_values,
            "is_synthetic": is_synthetic,
            **{k: chosen.get(k, "") for k in COARSE_HINTS},
        },
    )
    audit("voices.survey.form", actor, str(survey.pk), owner=owner.slug, form_id=xlsform.form_id)
    return survey


def survey_xlsform(survey: PerceptionSurvey) -> XLSForm:
    questions = [Question.from_dict(q) for q in survey.questions]
    return XLSForm(survey.form_id, "", survey.title, questions)


@dataclass
class Coarse:
    area_code: str
    sex: str
    age_group: str
    weight: float


def age_group(text: str) -> str:
    try:
        years = float(text)
    except ValueError:
        return normal(text)[:20]
    for limit, band in AGE_BANDS:
        if years < limit:
            return band
    return "50_plus"


def sex_of(text: str) -> str:
    word = normal(text)
    if not word:
        return Sex.UNKNOWN
    return Sex.FEMALE if word in FEMALE else Sex.MALE if word in MALE else Sex.OTHER


def coarse_of(
    survey: PerceptionSurvey, row: dict[str, str], number: int, problems: ProblemList
) -> Coarse:
    weight = 1.0
    text = row.get(survey.weight_question, "").strip() if survey.weight_question else ""
    if text:
        try:
            weight = float(text)
        except ValueError:
            weight = -1.0
        if not (weight > 0 and math.isfinite(weight)):
            problems.add(number, survey.weight_question, _("a weight is a number above 0"))
    return Coarse(
        area_code=survey.area_values.get(row.get(survey.area_question, "").strip(), ""),
        sex=sex_of(row.get(survey.sex_question, "")) if survey.sex_question else Sex.UNKNOWN,
        age_group=age_group(row.get(survey.age_question, "").strip())
        if survey.age_question
        else "",
        weight=weight,
    )


def answers_of(survey: PerceptionSurvey, row: dict[str, str]) -> dict[str, str]:
    """Every answer, a select_multiple joined into one text (what is sealed)."""
    answers = {}
    for data in survey.questions:
        question = Question.from_dict(data)
        if question.type == SELECT_MULTIPLE:
            answers[question.path] = joined_multiple(row, question)
        else:
            answers[question.path] = row.get(question.path, "")
    return answers


def import_survey_rows(
    survey: PerceptionSurvey,
    round_number: int,
    rows: list[dict[str, str]],
    source_name: str,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    first_row: int = 2,
) -> ImportResult:
    """Import responses of one round, all or nothing; same row contract as
    ``kobo.import_submission_rows`` (keys are question paths, ``meta/instanceID`` the key).

    A response already stored for this survey (in any round) or repeated in ``rows`` is skipped.
    """
    problems = ProblemList(source_name)
    parsed: dict[str, tuple[Coarse, dict[str, str]]] = {}
    repeated = 0
    for offset, row in enumerate(rows):
        number = first_row + offset
        key = submission_key(row)
        if not key:
            problems.add(
                number, "meta/instanceID", _("no instanceID, KEY or _uuid: no way to know it")
            )
            continue
        if key in parsed:
            repeated += 1
            continue
        parsed[key] = (coarse_of(survey, row, number, problems), answers_of(survey, row))
    problems.raise_if_any(len(rows))
    known: set[str] = set()
    keys = list(parsed)
    for start in range(0, len(keys), 900):
        known.update(
            PerceptionResponse.objects.filter(
                survey=survey, submission_key__in=keys[start : start + 900]
            ).values_list("submission_key", flat=True)
        )
    fresh = {k: v for k, v in parsed.items() if k not in known}
    result = ImportResult(len(rows), len(fresh), len(parsed) - len(fresh), repeated, dry_run)
    if dry_run:
        return result
    from commonground.core.models import Area

    codes = {c.area_code for c, _a in fresh.values() if c.area_code}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    org_key = crypto.ensure_organization_key(survey.owner)
    with transaction.atomic():
        survey_round, _created = SurveyRound.objects.get_or_create(
            survey=survey, number=round_number, defaults={"label": f"Round {round_number}"}
        )
        responses = []
        for submission, (coarse, answers) in fresh.items():
            response_id = uuid.uuid4()
            wrapped, sealed = crypto.seal(org_key, response_id, {"answers": answers})
            responses.append(
                PerceptionResponse(
                    id=response_id,
                    owner=survey.owner,
                    survey=survey,
                    round=survey_round,
                    submission_key=submission,
                    area=areas.get(coarse.area_code),
                    sex=coarse.sex,
                    age_group=coarse.age_group,
                    weight=coarse.weight,
                    key_id=crypto.key_id(org_key),
                    wrapped_key=wrapped,
                    sealed=sealed,
                    is_synthetic=survey.is_synthetic,
                )
            )
        PerceptionResponse.objects.bulk_create(responses, batch_size=500)
        audit(
            "voices.survey.imported",
            actor,
            str(survey.pk),
            file=source_name,
            round=round_number,
            added=result.added,
            already_known=result.already_known,
        )
    return result


def do_import_survey_round(
    survey: PerceptionSurvey,
    round_number: int,
    export_path: Path,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    export_name: str | None = None,
) -> ImportResult:
    """Read a KoBo / ODK Central export of the survey (refused if of another form) and import it."""
    export = read_export(export_path, survey_xlsform(survey), export_name)
    return import_survey_rows(
        survey, round_number, export.rows, export.name, actor=actor, dry_run=dry_run
    )


def do_define_indicator(
    survey: PerceptionSurvey,
    label: str,
    question: str,
    success_values: list[str],
    actor: User | None = None,
) -> Indicator:
    """An indicator: the share whose answer to ``question`` is one of ``success_values``."""
    by_path = {q["path"]: q for q in survey.questions}
    problems = ProblemList(survey.slug)
    if question not in by_path:
        problems.add(None, "question", _("not a question of the survey"))
    choices = set(by_path.get(question, {}).get("choices", []))
    values = [v.strip() for v in success_values if v.strip()]
    if not values:
        problems.add(None, "success_values", _("say which answers count as success"))
    for value in values:
        if choices and value not in choices:
            problems.add(
                None,
                "success_values",
                _("{value!r} is not a choice of this question").format(value=value),
            )
    problems.raise_if_any(0)
    slug = normal(label)[:80] or "indicator"
    indicator, _created = Indicator.objects.update_or_create(
        survey=survey,
        slug=slug,
        defaults={"label": label, "question": question, "success_values": values},
    )
    audit("voices.survey.indicator", actor, str(indicator.pk), survey=survey.slug, slug=slug)
    return indicator


# --- Computing indicators ----------------------------------------------------------------------


@dataclass
class Estimate:
    """One weighted share with its 95 % confidence interval and the respondents it rests on."""

    round: int
    by: str
    group: str
    share: float
    low: float | None
    high: float | None
    respondents: int


def weighted_share(
    outcomes: list[int], weights: list[float]
) -> tuple[float, float | None, float | None]:
    """The weighted proportion of 1s and its 95 % CI (svy: Taylor linearisation, logit interval).

    Each respondent is their own primary unit, in one stratum, with no finite-population
    correction; the interval uses Student's t with n - 1 degrees of freedom. With one respondent
    there is no interval (``None``); when everyone (or no one) meets the indicator there is no
    variance to measure, and the interval is the point itself.
    """
    import numpy as np

    ys = np.asarray(outcomes, dtype=np.int64)
    ws = np.asarray(weights, dtype=float)
    share = float(np.dot(ys, ws) / np.sum(ws))
    if len(ys) < 2:
        return share, None, None
    if ys.min() == ys.max():
        return float(ys[0]), float(ys[0]), float(ys[0])
    import polars as pl
    import svy  # imported here: ~0.3-0.7 s, and only analysts' indicator pages need it

    sample = svy.Sample(pl.DataFrame({"y": ys, "w": ws}), svy.Design(wgt="w"))
    result = sample.estimation.prop("y", method="taylor", ci_method="logit", alpha=0.05)
    assert isinstance(result, svy.Estimate)  # one variable asked, one estimate back
    row = result.to_polars().filter(pl.col("y") == 1).row(0, named=True)
    return float(row["est"]), float(row["lci"]), float(row["uci"])


def outcomes(
    survey: PerceptionSurvey, indicator: Indicator
) -> list[tuple[PerceptionResponse, int]]:
    """Each respondent who answered the question, and 1 if the answer is a success, else 0."""
    success = set(indicator.success_values)
    found: list[tuple[PerceptionResponse, int]] = []
    responses = (
        access_operator(PerceptionResponse.objects.filter(survey=survey))
        .exclude(wrapped_key=b"")
        .select_related("round", "area")
    )
    if not responses.exists():  # none yet, or the key was shredded: nothing to open
        return found
    key = crypto.organization_key(survey.owner)
    for response in responses.iterator():
        answers = crypto.open_sealed(key, response.pk, response.wrapped_key, response.sealed)
        answer = answers["answers"].get(indicator.question, "").split()
        if answer:
            found.append((response, int(bool(success.intersection(answer)))))
    return found


def compute_indicator(survey: PerceptionSurvey, indicator: Indicator) -> list[Estimate]:
    """By round: overall, then by area, sex and age group (the trend is the overall rows)."""
    groups: dict[tuple[int, str, str], tuple[list[int], list[float]]] = defaultdict(
        lambda: ([], [])
    )
    for response, outcome in outcomes(survey, indicator):
        number = response.round.number
        area = response.area.name_fr if response.area else _("area not known")
        for by, group in (
            ("all", ""),
            ("area", area),
            ("sex", response.sex),
            ("age_group", response.age_group or "?"),
        ):
            ys, ws = groups[(number, by, group)]
            ys.append(outcome)
            ws.append(response.weight)
    estimates = []
    order = {"all": 0, "area": 1, "sex": 2, "age_group": 3}
    for (number, by, group), (ys, ws) in sorted(
        groups.items(), key=lambda item: (item[0][0], order[item[0][1]], item[0][2])
    ):
        share, low, high = weighted_share(ys, ws)
        estimates.append(Estimate(number, by, group, share, low, high, len(ys)))
    return estimates


def may_read_responses(user: AnyUser | None, survey: PerceptionSurvey) -> bool:
    """Who may see the weighted estimates: those who may read the responses themselves."""
    return may_read_protected(user, survey.owner_id)


# --- The published table: what anyone else receives, through the gate --------------------------

SOURCE = "surveys"
YES, NO = "yes", "no"


def response_key(response_id: Any) -> int:
    """A respondent's cell key 0-255 (the gate's perturbation), secret and always the same."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:survey-cell-key:{response_id}".encode())
    return digest.digest()[0]


def indicator_code(survey: PerceptionSurvey, indicator: Indicator) -> str:
    return f"{survey.slug}.{indicator.slug}"


def _answered(owner: Any) -> list[tuple[PerceptionSurvey, Indicator, dict[str, Any], int]]:
    """Each (survey, indicator, respondent's clear columns, outcome) of the owner (gate only)."""
    found = []
    surveys = access_operator(PerceptionSurvey.objects.filter(owner=owner)).order_by("slug")
    for survey in surveys:
        for indicator in Indicator.objects.filter(survey=survey).order_by("slug"):
            for response, outcome in outcomes(survey, indicator):
                clear = {
                    "id": response.pk,
                    "round": response.round.number,
                    "sex": response.sex,
                    "area__code": response.area.code if response.area else None,
                    "area__parent__code": response.area.parent.code
                    if response.area and response.area.parent
                    else None,
                }
                found.append((survey, indicator, clear, outcome))
    return found


def _indicator_rows(owner: Any) -> list[SourceRow]:
    answered = _answered(owner)
    areas = area_paths([clear for _s, _i, clear, _o in answered])
    rows = []
    for survey, indicator, clear, outcome in answered:
        path = _indicator_path(survey, indicator, clear, outcome)
        rows.append(
            SourceRow(str(clear["id"]), response_key(clear["id"]), (path, areas[clear["id"]]))
        )
    return rows


def _indicator_domain(owner: Any, rows: list[SourceRow]) -> tuple[list[CellPath], ...]:
    """Every indicator, round and outcome; every admin-2 of the admin-1 units shown."""
    answered = _answered(owner)
    return (_indicator_paths(owner), area_domain([clear for _s, _i, clear, _o in answered]))


def _indicator_paths(owner: Any) -> list[CellPath]:
    """Every indicator, round and outcome of the owner's surveys (answered or not)."""
    indicators: list[CellPath] = []
    surveys = access_operator(PerceptionSurvey.objects.filter(owner=owner)).order_by("slug")
    for survey in surveys:
        rounds = list(SurveyRound.objects.filter(survey=survey).values_list("number", flat=True))
        for indicator in Indicator.objects.filter(survey=survey).order_by("slug"):
            code = indicator_code(survey, indicator)
            for number in rounds:
                for outcome in (YES, NO):
                    indicators.append((code, f"{code}.r{number}", f"{code}.r{number}.{outcome}"))
    return indicators


#: The sex table's rows: women, men, and (only when some respondent has it) other or not known.
WOMEN, MEN, OTHER_OR_UNKNOWN = "women", "men", "other_or_unknown"
SEX_ROWS = {Sex.FEMALE: WOMEN, Sex.MALE: MEN}
SEX_LABELS = {
    WOMEN: _lazy("Sex: women"),
    MEN: _lazy("Sex: men"),
    OTHER_OR_UNKNOWN: _lazy("Sex: other or not known"),
}


def _indicator_path(
    survey: PerceptionSurvey, indicator: Indicator, clear: dict[str, Any], outcome: int
) -> CellPath:
    code = indicator_code(survey, indicator)
    return (code, f"{code}.r{clear['round']}", f"{code}.r{clear['round']}.{(NO, YES)[outcome]}")


def _indicator_sex_rows(owner: Any) -> list[SourceRow]:
    """Every respondent counted once per indicator, as in the area table (same record keys):
    the two tables' indicator x round x answer totals are the same cells, with the same noise.
    A sex other than women or men, or none, is pooled in one row."""
    rows = []
    for survey, indicator, clear, outcome in _answered(owner):
        sex = SEX_ROWS.get(clear["sex"], OTHER_OR_UNKNOWN)
        path = _indicator_path(survey, indicator, clear, outcome)
        rows.append(SourceRow(str(clear["id"]), response_key(clear["id"]), (path, (sex,))))
    return rows


def _indicator_sex_domain(owner: Any, rows: list[SourceRow]) -> tuple[list[CellPath], ...]:
    """Every indicator, round and outcome; women and men always. The pooled "other or not known"
    row appears only when some respondent has it (from the rows): a row shown always and empty
    would be suppressed and, by the singleton rule, hide women or men in every relation."""
    return (_indicator_paths(owner), [(WOMEN,), (MEN,)])


def survey_labels(dimension: str, codes: Iterable[str]) -> dict[str, str]:
    """Names for the table's codes: the indicator, its round, whether a respondent meets it."""
    codes = list(codes)
    if dimension == "sex":
        return {code: str(SEX_LABELS.get(code, code)) for code in codes}
    if dimension != "indicator":
        return report_labels(dimension, codes)
    names = {
        f"{survey_slug}.{slug}": label
        for survey_slug, slug, label in Indicator.objects.values_list(
            "survey__slug", "slug", "label"
        )
    }
    found = {}
    for code in codes:
        parts = code.split(".")
        name = names.get(".".join(parts[:2]), code)
        if len(parts) == 2:
            found[code] = name
        elif len(parts) in (3, 4) and parts[2][1:].isdigit():
            text = _("{indicator}, round {number}").format(indicator=name, number=parts[2][1:])
            if len(parts) == 4:
                meets = _("meets it") if parts[3] == YES else _("does not meet it")
                text = _("{round}: {meets}").format(round=text, meets=meets)
            found[code] = text
        else:
            found[code] = code
    return found


INDICATOR = Dimension("indicator", _lazy("Indicator, round and answer"), key=False, depth=3)
ROUND_AREA = Dimension("area", _lazy("Area"), key=True, depth=2)

SURVEY_TABLE = register(
    PublishedTable(
        slug="surveys-indicator-area",
        source=SOURCE,
        title=_lazy("Perception survey respondents by indicator, round and area"),
        dimensions=(INDICATOR, ROUND_AREA),
        measure="count",
        measure_label=_lazy("respondents"),
        rows=_indicator_rows,
        domain=_indicator_domain,
        labels=survey_labels,
    )
)

RESPONDENT_SEX = Dimension("sex", _lazy("Sex"), key=True)

SURVEY_SEX_TABLE = register(
    PublishedTable(
        slug="surveys-indicator-sex",
        source=SOURCE,
        title=_lazy("Perception survey respondents by indicator, round and sex"),
        dimensions=(INDICATOR, RESPONDENT_SEX),
        measure="count",
        measure_label=_lazy("respondents"),
        rows=_indicator_sex_rows,
        domain=_indicator_sex_domain,
        labels=survey_labels,
    )
)
