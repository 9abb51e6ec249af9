"""Pages for the KoBo / ODK channel and perception surveys (owner's members only).

- ``/voices/kobo/``: the owner's analysts upload an XLSForm (and an export) for one of their
  forms; ``/voices/kobo/<id>/``: they check the mapping and import later exports.
- ``/voices/surveys/``, ``/voices/surveys/<id>/``: the owner's members read the indicators
  (weighted shares and intervals, never a response); analysts define indicators.

Anyone else gets the same 404 as for a page that does not exist (policy ``voices``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonground.core.importing import ImportRejected, Problem
from commonground.sharing.models import Organization
from commonground.sharing.policy import may_read_protected, policy, voices_organizations
from commonground.voices.kobo import (
    AGE_VALUES,
    CHOICE_VALUES,
    REPORT_FIELDS,
    SEX_VALUES,
    SUBMISSION_TIME,
    ImportResult,
    do_import_kobo,
    do_save_mapping,
)
from commonground.voices.kobo_models import FormMapping
from commonground.voices.models import ReportForm
from commonground.voices.survey_models import Indicator, PerceptionSurvey
from commonground.voices.surveys import (
    SURVEY_TABLE,
    compute_indicator,
    do_define_indicator,
    do_import_survey_round,
    may_read_responses,
)

#: The largest upload accepted (XLSForm or export), in bytes.
MAX_UPLOAD = 50 * 1024 * 1024


def analyst_organizations(user: Any) -> list[Any]:
    return voices_organizations(user, analysts_only=True)


def saved_upload(upload: UploadedFile, folder: str, stem: str) -> Path:
    """The upload in a temporary file keeping its suffix (the readers tell CSV from XLSX)."""
    if upload.size is not None and upload.size > MAX_UPLOAD:
        reason = _("the file is larger than {size} MB").format(size=MAX_UPLOAD // 2**20)
        raise ImportRejected([Problem(upload.name or "upload", None, None, reason)])
    path = Path(folder) / (stem + Path(upload.name or "file").suffix.lower())
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def run_import(
    request: HttpRequest, form: ReportForm, xlsform: UploadedFile | None, export: UploadedFile
) -> tuple[ImportResult | None, FormMapping | None, list[Problem]]:
    user = request.user if isinstance(request.user, User) else None
    dry_run = bool(request.POST.get("dry_run"))
    with tempfile.TemporaryDirectory() as folder:
        try:
            xlsform_path = saved_upload(xlsform, folder, "xlsform") if xlsform else None
            result, mapping = do_import_kobo(
                form,
                xlsform_path,
                saved_upload(export, folder, "export"),
                actor=user,
                dry_run=dry_run,
                xlsform_name=xlsform.name if xlsform else None,
                export_name=export.name,
            )
        except ImportRejected as exc:
            return None, None, exc.problems
    return result, mapping, []


@policy("voices")
def kobo_channels(request: HttpRequest) -> HttpResponse:
    """The owner's KoBo / ODK forms, and the upload of an XLSForm with its first export."""
    organizations = analyst_organizations(request.user)
    if not organizations:
        raise Http404(_("No such page."))
    owners = Organization.objects.filter(pk__in=organizations).order_by("slug")
    context: dict[str, Any] = {"owners": owners, "problems": [], "result": None}
    if request.method == "POST":
        owner = owners.filter(slug=request.POST.get("organization", "")).first()
        slug = request.POST.get("form", "").strip()
        xlsform, export = request.FILES.get("xlsform"), request.FILES.get("export")
        if owner is None or not slug or xlsform is None or export is None:
            reason = _("choose the organization, a form name, the XLSForm and the export")
            context["problems"] = [Problem(_("upload"), None, None, reason)]
        else:
            form, created = ReportForm.objects.get_or_create(
                owner=owner, slug=slug[:80], defaults={"title": slug[:200], "published": False}
            )
            result, mapping, problems = run_import(request, form, xlsform, export)
            if problems and created:
                form.delete()
            context.update(result=result, problems=problems, mapping=mapping)
    context["mappings"] = (
        FormMapping.objects.filter(owner_id__in=organizations)
        .select_related("report_form", "owner")
        .order_by("owner__slug", "report_form__slug")
    )
    return render(request, "voices/kobo.html", context)


def mapping_for(user: Any, mapping_id: Any) -> FormMapping:
    mapping = (
        FormMapping.objects.select_related("report_form", "owner")
        .filter(pk=mapping_id, owner_id__in=analyst_organizations(user))
        .first()
    )
    if mapping is None:
        raise Http404(_("No such page."))
    return mapping


@policy("voices")
def kobo_mapping(request: HttpRequest, mapping_id: str) -> HttpResponse:
    """Check the mapping of one form's questions to report fields; import a later export."""
    mapping = mapping_for(request.user, mapping_id)
    user = request.user if isinstance(request.user, User) else None
    context: dict[str, Any] = {"mapping": mapping, "problems": [], "result": None, "saved": False}
    if request.method == "POST" and request.POST.get("action") == "mapping":
        fields = {f: request.POST.get(f"field_{f}", "") for f in REPORT_FIELDS}
        values: dict[str, dict[str, str]] = {}
        for report_field in ("category", "perpetrator_kind", "date_precision", "area"):
            prefix = f"value_{report_field}_"
            chosen = {
                k[len(prefix) :]: request.POST.get(k, "")
                for k in request.POST
                if k.startswith(prefix)
            }
            if chosen:
                values[report_field] = chosen
        try:
            do_save_mapping(mapping, fields, values, user, posted_people(request))
            context["saved"] = True
        except ImportRejected as exc:
            context["problems"] = exc.problems
    elif request.method == "POST" and (export := request.FILES.get("export")) is not None:
        result, _mapping, problems = run_import(request, mapping.report_form, None, export)
        context.update(result=result, problems=problems)
    context.update(mapping_context(mapping))
    return render(request, "voices/kobo_mapping.html", context)


def posted_people(request: HttpRequest) -> dict[str, Any]:
    """The people repeat as the mapping page posts it (no repeat chosen: none)."""
    people: dict[str, Any] = {
        key: request.POST.get(f"people_{key}", "").strip() for key in ("repeat", "sex", "age")
    }
    for key in ("sex", "age"):
        prefix = f"people_{key}_value_"
        people[f"{key}_values"] = {
            k[len(prefix) :]: request.POST.get(k, "") for k in request.POST if k.startswith(prefix)
        }
    return people if people["repeat"] else {}


def people_context(mapping: FormMapping) -> dict[str, Any]:
    """The people repeat's part of the mapping page: the repeats, their questions, and for the
    chosen sex and age questions each choice with what it stands for."""
    people = mapping.people
    questions = [q for r in mapping.repeats for q in r["questions"]]
    rows = []
    for key, options in (("sex", SEX_VALUES), ("age", AGE_VALUES)):
        question = next((q for q in questions if q["path"] == people.get(key)), None)
        stored = people.get(f"{key}_values", {})
        choices = [
            (c, label, stored.get(c, ""))
            for c, label in zip(
                question["choices"] if question else [],
                question["choice_labels"] if question else [],
                strict=False,
            )
        ]
        rows.append(
            {"key": key, "chosen": people.get(key, ""), "choices": choices, "options": options}
        )
    return {
        "people": people,
        "repeat_paths": [r["path"] for r in mapping.repeats],
        "repeat_questions": [q["path"] for q in questions],
        "people_rows": rows,
    }


def mapping_context(mapping: FormMapping) -> dict[str, Any]:
    """The rows of the mapping page: each report field, the questions that may fill it, and for
    choice fields each choice of the chosen question with the report value it stands for."""
    questions = mapping.questions
    rows = []
    for report_field in REPORT_FIELDS:
        chosen = mapping.fields.get(report_field, "")
        question = next((q for q in questions if q["path"] == chosen), None)
        choices = []
        if question is not None and report_field in (*CHOICE_VALUES, "area"):
            stored = mapping.values.get(report_field, {})
            choices = [
                (c, label, stored.get(c, ""))
                for c, label in zip(question["choices"], question["choice_labels"], strict=False)
            ]
        rows.append(
            {
                "field": report_field,
                "chosen": chosen,
                "choices": choices,
                "options": CHOICE_VALUES.get(report_field, []),
            }
        )
    paths = [q["path"] for q in questions] + list(SUBMISSION_TIME[:1])
    return {"rows": rows, "paths": paths, **people_context(mapping)}


# --- Perception surveys ------------------------------------------------------------------------


@policy("voices")
def survey_list(request: HttpRequest) -> HttpResponse:
    organizations = voices_organizations(request.user)
    if not organizations:
        raise Http404(_("No such page."))
    surveys = PerceptionSurvey.objects.filter(owner_id__in=organizations).select_related("owner")
    return render(request, "voices/surveys.html", {"surveys": surveys.order_by("title")})


@policy("voices")
def survey_detail(request: HttpRequest, survey_id: str) -> HttpResponse:
    """Each indicator by round (the trend), then by area, sex and age group, with intervals."""
    survey = (
        PerceptionSurvey.objects.filter(
            pk=survey_id, owner_id__in=voices_organizations(request.user)
        )
        .select_related("owner")
        .first()
    )
    if survey is None:
        raise Http404(_("No such page."))
    is_analyst = may_read_protected(request.user, survey.owner_id)
    problems: list[Problem] = []
    round_result: ImportResult | None = None
    if request.method == "POST" and (not is_analyst or not isinstance(request.user, User)):
        raise Http404(_("No such page."))
    if request.method == "POST" and request.POST.get("action") == "round":
        round_result, problems = import_round(request, survey)
    elif request.method == "POST":
        try:
            do_define_indicator(
                survey,
                request.POST.get("label", "").strip() or _("Indicator"),
                request.POST.get("question", ""),
                request.POST.get("success_values", "").replace(",", " ").split(),
                request.user if isinstance(request.user, User) else None,
            )
            return redirect("voices:survey", survey_id=survey.pk)
        except ImportRejected as exc:
            problems = exc.problems
    # Estimates for those who may read the responses; anyone else: the gate's released table.
    readable = may_read_responses(request.user, survey)
    indicators = [
        (indicator, compute_indicator(survey, indicator) if readable else [])
        for indicator in Indicator.objects.filter(survey=survey)
    ]
    context = {
        "survey": survey,
        "indicators": indicators,
        "readable": readable,
        "released_table": SURVEY_TABLE.slug,
        "is_analyst": is_analyst,
        "problems": problems,
        "round_result": round_result,
        "next_round": (
            survey.rounds.order_by("-number").values_list("number", flat=True).first() or 0
        )
        + 1,
        "questions": [q for q in survey.questions if q["choices"]],
    }
    return render(request, "voices/survey.html", context, status=400 if problems else 200)


def import_round(
    request: HttpRequest, survey: PerceptionSurvey
) -> tuple[ImportResult | None, list[Problem]]:
    """One round's export uploaded by an analyst: checked only, or imported all or nothing."""
    user = request.user if isinstance(request.user, User) else None
    export = request.FILES.get("export")
    try:
        number = int(request.POST.get("round", ""))
    except ValueError:
        number = 0
    if export is None or not 1 <= number <= MAX_ROUND:
        reason = _("choose the round (1 to {most}) and the export file").format(most=MAX_ROUND)
        return None, [Problem(_("upload"), None, None, reason)]
    with tempfile.TemporaryDirectory() as folder:
        try:
            result = do_import_survey_round(
                survey,
                number,
                saved_upload(export, folder, "export"),
                actor=user,
                dry_run=bool(request.POST.get("dry_run")),
                export_name=export.name,
            )
        except ImportRejected as exc:
            return None, exc.problems
    return result, []


#: Rounds are numbered from 1; a survey repeated monthly for decades stays below this.
MAX_ROUND = 999
