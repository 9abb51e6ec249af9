"""Pages: missions' mandates over time and the renewal diff, agreements, deployments.

Every record is read through ``queries`` (the access policy); a mission or agreement nobody may
see answers 404 like one that does not exist, and the denied read goes to the audit log.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from commonground.core.csv_out import csv_text
from commonground.mandates import coverage, queries, reviews, scoring, services
from commonground.mandates.forms import OwnedRecordForm, ReviewItemForm
from commonground.mandates.models import (
    Capability,
    DeploymentUnits,
    Mode,
    Resolution,
    ReviewItem,
    Score,
    Tier,
)
from commonground.sharing import gate
from commonground.sharing.gate import ReleasedTable
from commonground.sharing.markings import tlp_label
from commonground.sharing.models import Organization, Sensitivity
from commonground.sharing.policy import policy, record_denied, request_viewer
from commonground.voices import published
from commonground.web.basemap import ADMIN1_STATIC

MAX_NAME = 80


class DiffForm(forms.Form):
    """Two resolution numbers; empty means the last renewal and the one before it."""

    before = forms.IntegerField(min_value=1, max_value=99_999, required=False)
    after = forms.IntegerField(min_value=1, max_value=99_999, required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=1900, max_value=2100, required=False)


class LevelForm(forms.Form):
    level = forms.ChoiceField(choices=[(v, v) for v in coverage.LEVELS], required=False)


def is_french() -> bool:
    return (get_language() or "en").startswith("fr")


@policy("public")
def index(request: HttpRequest) -> HttpResponse:
    """Missions with a recorded mandate or deployments, and peace agreements."""
    return render(
        request,
        "mandates/index.html",
        {
            "missions": queries.missions(request.user),
            "agreements": queries.agreements(request.user),
        },
    )


def mission_context(request: HttpRequest, mission: str) -> dict[str, Any]:
    """What every page of a mission shows at the top; 404 when nothing is visible."""
    if len(mission) > MAX_NAME:
        raise Http404(_("No such mission."))
    summary = next((m for m in queries.missions(request.user) if m.mission == mission), None)
    if summary is None:
        if queries.mission_exists(mission):
            record_denied(request.user, f"mission:{mission}", "not visible under access policy")
        raise Http404(_("No such mission."))
    return {
        "mission": mission,
        "summary": summary,
        "operation": queries.operation_for(request.user, mission),
    }


def chart_data(timeline: list[queries.ResolutionTasks]) -> dict[str, Any]:
    """Tasks per resolution by tier, for the stacked bar chart (mandates.js)."""
    return {
        "resolutions": [f"{i.resolution.number} ({i.resolution.year})" for i in timeline],
        "tiers": [
            {"name": str(tier.label), "counts": [len(i.by_tier[tier.value]) for i in timeline]}
            for tier in queries.TIER_ORDER
        ],
        "labels": {"x": _("Resolution"), "y": _("Tasks")},
    }


@policy("public")
def mission_page(request: HttpRequest, mission: str) -> HttpResponse:
    """Mandate over time: each resolution's tasks by tier and mode, and the chart."""
    context = mission_context(request, mission)
    timeline = queries.mandate_over_time(request.user, mission)
    context.update(
        timeline=timeline,
        tiers=[(tier.value, tier.label) for tier in queries.TIER_ORDER],
        modes=[(mode.value, mode.label) for mode in Mode],
        renewals=queries.renewals(timeline),
        chart=chart_data(timeline) if timeline else None,
        french=is_french(),
    )
    return render(request, "mandates/mission.html", context)


@policy("public")
def diff_page(request: HttpRequest, mission: str) -> HttpResponse:
    """What one renewal changed against another (by default the last against the one before)."""
    context = mission_context(request, mission)
    form = DiffForm(request.GET)
    choice = form.cleaned_data if form.is_valid() else {}
    timeline = queries.mandate_over_time(request.user, mission)
    diff = queries.mandate_diff(request.user, mission, choice.get("before"), choice.get("after"))
    context.update(
        form=form,
        diff=diff,
        numbers=[item.resolution for item in timeline],
        priority=Tier.PRIORITY.label,
        french=is_french(),
    )
    return render(request, "mandates/diff.html", context)


@policy("public")
def deployments_page(request: HttpRequest, mission: str) -> HttpResponse:
    """Geo-PKO: where the mission was deployed each year, with troops and per-year sums."""
    context = mission_context(request, mission)
    sums = queries.troops_by_year(request.user, mission)
    form = YearForm(request.GET)
    years = [row["year"] for row in sums]
    year = form.cleaned_data.get("year") if form.is_valid() else None
    if year not in years:
        year = years[-1] if years else None
    rows = list(queries.deployments(request.user, mission, year)) if year else []
    context.update(
        sums=sums,
        years=years,
        year=year,
        rows=rows,
        map={
            "countries": reverse("web:map_countries"),
            "points": [
                {
                    "lat": r.latitude,
                    "lon": r.longitude,
                    "name": r.location,
                    "troops": r.troops,
                }
                for r in rows
            ],
        },
        chart={
            "years": years,
            "troops": [row["troops"] for row in sums],
            "label": _("Troops (sum over locations)"),
        },
    )
    return render(request, "mandates/deployments.html", context)


@policy("public")
def agreement_page(request: HttpRequest, agreement: str) -> HttpResponse:
    """A peace agreement's provisions by theme and its timeline of implementation events."""
    if len(agreement) > MAX_NAME:
        raise Http404(_("No such agreement."))
    provisions = list(queries.agreement_provisions(request.user, agreement))
    if not provisions:
        if queries.agreement_exists(agreement):
            record_denied(request.user, f"agreement:{agreement}", "not visible under access policy")
        raise Http404(_("No such agreement."))
    events = queries.agreement_events(request.user, agreement)
    themes: dict[str, list[Any]] = {}
    for provision in provisions:
        themes.setdefault(provision.theme or "—", []).append(provision)
    counts: dict[Any, int] = {}
    for event in events:
        for provision in event.visible_provisions:  # type: ignore[attr-defined]  # set by queries
            counts[provision.pk] = counts.get(provision.pk, 0) + 1
    for provision in provisions:
        provision.event_count = counts.get(provision.pk, 0)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "mandates/agreement.html",
        {
            "agreement": agreement,
            "themes": themes,
            "events": events,
            "advances": sum(1 for e in events if e.direction == "advance"),
            "setbacks": sum(1 for e in events if e.direction == "setback"),
            "french": is_french(),
        },
    )


# --- A task: capabilities it needs, and need against deployment --------------------------------


class NeedForm(OwnedRecordForm):
    """A capability statement, written for one of the organizations the user may write for."""

    field_order = ["organization", "capability", "note", "sensitivity"]

    capability = forms.ChoiceField(label=gettext_lazy("Capability"), choices=Capability.choices)
    note = forms.CharField(label=gettext_lazy("Why (optional)"), required=False, max_length=2000)


def task_context(request: HttpRequest, mission: str, code: str) -> dict[str, Any]:
    """The mission's header and the task category; 404 when either is not visible."""
    context = mission_context(request, mission)
    category = queries.task_category(request.user, mission, code[:MAX_NAME])
    if category is None:
        raise Http404(_("No such task."))
    context.update(category=category, code=category.key, french=is_french())
    return context


def handle_need_post(request: HttpRequest, mission: str, category: Any) -> HttpResponse | None:
    """Add or withdraw a capability statement; None when the form must be shown again."""
    user = request.user
    if not isinstance(user, User):
        raise Http404(_("No such task."))
    if request.POST.get("action") == "remove":
        need = queries.visible_need(user, request.POST.get("need", "")[:64])
        if need is None or need.mission != mission or need.category_id != category.pk:
            raise Http404(_("No such statement."))
        try:
            services.do_remove_need(user, need)
        except services.NotAllowed:
            raise Http404(_("No such statement.")) from None
        return redirect(request.path)
    planning = queries.editing_organizations(user, queries.may_plan_for)
    form = NeedForm(request.POST, organizations=planning)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    services.do_add_need(
        user,
        form.organizations[data["organization"]],
        mission,
        category,
        data["capability"],
        data["note"],
        data["sensitivity"],
    )
    return redirect(request.path)


def need_map(table: coverage.NeedTable) -> dict[str, Any]:
    """What the need map draws: one-sided events per area and the capable locations."""
    return {
        "countries": reverse("web:map_countries"),
        "admin1": static(ADMIN1_STATIC),
        "country": table.country,
        "areas": {r.code: {"events": r.events, "covered": r.covered} for r in table.rows},
        "max_events": max((r.events for r in table.rows), default=0),
        "points": [
            {
                "lat": p.latitude,
                "lon": p.longitude,
                "name": p.name,
                "capabilities": ", ".join(str(Capability(c).label) for c in sorted(p.capabilities)),
            }
            for r in table.rows
            for p in r.locations
        ],
        "labels": {"events": _("one-sided events"), "none": _("no needed unit")},
        "level": table.level,
        "districts": [
            {
                "lat": r.latitude,
                "lon": r.longitude,
                "name": r.name,
                "events": r.events,
                "covered": r.covered,
            }
            for r in table.rows
            if table.level == coverage.ADMIN2 and r.latitude is not None
        ],
    }


@policy("public")
def task_page(request: HttpRequest, mission: str, task: str) -> HttpResponse:
    """One task: its resolutions, the capabilities it needs, and need against deployment."""
    context = task_context(request, mission, task)
    category = context["category"]
    editing = queries.editing_organizations(request.user, queries.may_plan_for)
    form = NeedForm(organizations=editing)
    if request.method == "POST":
        if not editing:
            raise Http404(_("No such task."))
        done = handle_need_post(request, mission, category)
        if done is not None:
            return done
        form = NeedForm(request.POST, organizations=editing)
    years = sorted(
        set(
            queries.visible(DeploymentUnits, request.user)
            .filter(mission=mission)
            .values_list("year", flat=True)
        )
        | set(queries.deployments(request.user, mission).values_list("year", flat=True))
    )
    chosen = YearForm(request.GET)
    year = chosen.cleaned_data.get("year") if chosen.is_valid() else None
    if year not in years:
        year = years[-1] if years else None
    levels = LevelForm(request.GET)
    level = (levels.cleaned_data.get("level") if levels.is_valid() else "") or coverage.ADMIN1
    table = (
        coverage.need_vs_deployment(request.user, mission, category.key, year, level)
        if year
        else None
    )
    needs = list(queries.visible_needs(request.user, mission, category.key))
    for need in needs:
        need.editable = queries.may_plan_for(request.user, need.owner_id)  # type: ignore[attr-defined]  # for the template
    context.update(
        tasks=queries.task_rows(request.user, mission, category.key),
        needs=needs,
        form=form if editing else None,
        years=years,
        year=year,
        level=level,
        table=table,
        capability_labels=dict(Capability.choices),
        map=need_map(table) if table else None,
    )
    return render(request, "mandates/task.html", context, status=400 if form.is_bound else 200)


def released_voices(request: HttpRequest, first: datetime.date | None) -> list[ReleasedTable]:
    """The voices area-month tables released to this viewer through the gate: all-area monthly
    totals from ``first`` to today only (one logged release per owner)."""
    if first is None:
        return []
    today = datetime.date.today()
    months = {
        f"{year}-{month:02d}"
        for year in range(first.year, today.year + 1)
        for month in range(1, 13)
    }
    return [
        gate.release(
            published.AREA_MONTH,
            route.owner,
            recipient=request.user,
            organization=route.organization,
            circle=route.circle,
            restrictions={"area": {"-"}, "month": months},
            channel="page",
        )
        for route in gate.release_routes(request_viewer(request)).values()
    ]


def handle_review_post(
    request: HttpRequest, mission: str, user: User, form: ReviewItemForm
) -> HttpResponse | None:
    """Record or withdraw a deadline or strategic review; None when the form must be shown again.
    An item the user may not withdraw answers 404 like a missing one, and is audited."""
    if request.POST.get("action") == "remove":
        wanted = request.POST.get("item", "")[:64]
        try:
            item = (
                queries.visible(ReviewItem, user)
                .filter(pk=uuid.UUID(wanted), mission=mission)
                .select_related("owner")
                .first()
            )
        except ValueError:
            item = None
        try:
            if item is None:
                raise services.NotAllowed
            services.do_remove_review_item(user, item)
        except services.NotAllowed:
            record_denied(user, f"review-item:{wanted}", "may not withdraw this review item")
            raise Http404(_("No such item.")) from None
        return redirect(request.path)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    how, source_url = form.source_parts()
    services.do_add_review_item(
        user,
        form.organizations[data["organization"]],
        mission,
        data["kind"],
        data["date"],
        data["title"],
        how,
        source_url,
        data["sensitivity"],
    )
    return redirect(request.path)


def item_text(item: ReviewItem) -> tuple[str, str]:
    """A calendar item's "how" and title in the page's language: a seeded reporting deadline's
    are rebuilt from its cited cycle (stored in English); a person's words are shown as written."""
    cycle = reviews.seeded_cycle(item)
    if cycle is None:
        return item.how, item.title
    return reviews.deadline_how(cycle, item.basis, _), _(item.title)


@policy("public")
def reviews_page(request: HttpRequest, mission: str) -> HttpResponse:
    """Review calendar: end dates, deadlines, strategic reviews, what changed in between; the
    mission's planners (and analysts and above) record deadlines and strategic reviews here."""
    context = mission_context(request, mission)
    editing = queries.editing_organizations(request.user, queries.may_keep_calendar_for)
    form = ReviewItemForm(organizations=editing)
    if request.method == "POST":
        user = request.user
        if not editing or not isinstance(user, User):
            record_denied(user, f"reviews:{mission}", "may not record review items")
            raise Http404(_("No such mission."))
        form = ReviewItemForm(request.POST, organizations=editing)
        done = handle_review_post(request, mission, user, form)
        if done is not None:
            return done
    first = queries.visible(Resolution, request.user).filter(mission=mission).order_by("adopted")
    start = first.values_list("adopted", flat=True).first()
    calendar = reviews.review_calendar(
        request.user, mission, released=released_voices(request, start)
    )
    context.update(
        calendar=calendar,
        item_rows=[(i, *item_text(i)) for i in calendar.items],
        deadline_groups=[
            (group, [(i, *item_text(i)) for i in items])
            for group, items in (
                ("upcoming", calendar.upcoming_deadlines),
                ("past", calendar.past_deadlines),
            )
            if items
        ],
        next_deadline=calendar.next_deadline,
        windows=calendar.windows,
        gaps=sum(1 for w in calendar.windows if w.too_long),
        every_days=reviews.REVIEW_EVERY_DAYS,
        french=is_french(),
        review_form=form if editing else None,
        removable={
            str(i.pk)
            for i in calendar.items
            if i.kind in services.RECORDED_KINDS
            and queries.may_keep_calendar_for(request.user, i.owner_id)
        },
    )
    return render(request, "mandates/reviews.html", context, status=400 if form.is_bound else 200)


# --- Implementation scores ----------------------------------------------------------------------


class ScoreForm(forms.Form):
    """One score of one provision for the half-year holding ``period``."""

    organization = forms.ChoiceField(label=gettext_lazy("Organization"))
    provision = forms.ChoiceField(label=gettext_lazy("Provision"))
    period = forms.DateField(
        label=gettext_lazy("Half-year (any day in it)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    score = forms.TypedChoiceField(label=gettext_lazy("Score"), choices=Score.choices, coerce=int)
    events = forms.MultipleChoiceField(label=gettext_lazy("Implementation events"), required=False)
    evidence = forms.CharField(
        label=gettext_lazy("Evidence (documents, incidents, figures)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Who may see it"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.PARTNERS,
    )

    def __init__(
        self,
        *args: Any,
        organizations: list[Organization],
        provisions: list[Any],
        events: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lookup = {
            "organization": {str(o.pk): o for o in organizations},
            "provision": {p.key: p for p in provisions},
            "events": {e.key: e for e in events},
        }
        for name, pairs in (
            ("organization", [(str(o.pk), str(o)) for o in organizations]),
            ("provision", [(p.key, f"{p.key} {p.article}") for p in provisions]),
            ("events", [(e.key, f"{e.key} {e.date:%Y-%m-%d}") for e in events]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = pairs


def agreement_or_404(request: HttpRequest, agreement: str) -> list[Any]:
    if len(agreement) > MAX_NAME:
        raise Http404(_("No such agreement."))
    provisions = list(queries.agreement_provisions(request.user, agreement))
    if not provisions:
        if queries.agreement_exists(agreement):
            record_denied(request.user, f"agreement:{agreement}", "not visible under access policy")
        raise Http404(_("No such agreement."))
    return provisions


def chosen_scores(request: HttpRequest, agreement: str) -> tuple[list[Any], list[str], str | None]:
    """The visible scores of the scorer asked for (by default the demonstration rule, else the
    first), every visible scorer, and the one chosen."""
    scores = scoring.visible_scores(request.user, agreement)
    scorers = sorted({s.scorer_label for s in scores})
    chosen: str | None = request.GET.get("scorer", "")[:150]
    if chosen not in scorers:
        chosen = (
            scoring.DEMO_SCORER if scoring.DEMO_SCORER in scorers else next(iter(scorers), None)
        )
    return [s for s in scores if s.scorer_label == chosen], scorers, chosen


def score_matrix(provisions: list[Any], scores: list[Any]) -> tuple[list[Any], list[Any]]:
    """Half-years, and per provision its score (or None) for each, in provision order."""
    periods = sorted({s.period for s in scores})
    cells = {(s.provision_id, s.period): s for s in scores}
    return periods, [(p, [cells.get((p.pk, period)) for period in periods]) for p in provisions]


@policy("public")
def scores_page(request: HttpRequest, agreement: str) -> HttpResponse:
    """Implementation scores by provision and half-year, roll-ups, and scorers' agreement."""
    provisions = agreement_or_404(request, agreement)
    events = queries.agreement_events(request.user, agreement)
    editing = queries.editing_organizations(request.user)
    form = ScoreForm(organizations=editing, provisions=provisions, events=events)
    status = 200
    if request.method == "POST":
        user = request.user
        if not editing or not isinstance(user, User):
            raise Http404(_("No such agreement."))
        form = ScoreForm(request.POST, organizations=editing, provisions=provisions, events=events)
        if form.is_valid():
            data, lookup = form.cleaned_data, form.lookup
            services.do_score(
                user,
                lookup["organization"][data["organization"]],
                lookup["provision"][data["provision"]],
                data["period"],
                data["score"],
                data["evidence"],
                [lookup["events"][k] for k in data["events"]],
                data["sensitivity"],
            )
            return redirect(f"{request.path}?scorer={user.get_username()}")
        status = 400
    scores, scorers, chosen = chosen_scores(request, agreement)
    ups = scoring.roll_ups(scores)
    periods, matrix = score_matrix(provisions, scores)
    themes = sorted({t for u in ups for t in u.themes})
    context = {
        "agreement": agreement,
        "scores": scores,
        "scorers": scorers,
        "chosen": chosen,
        "demonstration": any(s.is_demonstration for s in scores),
        "periods": [(p, scoring.period_label(p)) for p in periods],
        "matrix": matrix,
        "ups": ups,
        "agreements": scoring.scorer_agreement(scoring.visible_scores(request.user, agreement)),
        "form": form if editing else None,
        "french": is_french(),
        "chart": {
            "periods": [scoring.period_label(u.period) for u in ups],
            "series": [{"name": _("Overall"), "values": [round(u.overall, 3) for u in ups]}]
            + [{"name": t, "values": [u.themes.get(t) for u in ups]} for t in themes],
            "labels": {"x": _("Half-year"), "y": _("Mean score (0-3)")},
        },
    }
    return render(request, "mandates/scores.html", context, status=status)


@policy("public")
def scores_csv(request: HttpRequest, agreement: str) -> HttpResponse:
    """The chosen scorer's scores as CSV (formulas neutralised), saying when they are a demo."""
    provisions = agreement_or_404(request, agreement)
    scores, _scorers, chosen = chosen_scores(request, agreement)
    keep = {p.pk for p in provisions}
    rows: list[list[Any]] = []
    if any(s.is_demonstration for s in scores):
        rows.append([_("Demonstration scores, made from the cited events.")])
    rows.append(
        [
            "provision",
            "theme",
            "half_year",
            "score",
            "scorer",
            "organization",
            "events",
            "evidence",
            "tlp",
        ]
    )
    rows += [
        [
            s.provision.key,
            s.provision.theme,
            scoring.period_label(s.period),
            s.score,
            s.scorer_label,
            str(s.owner),
            " ; ".join(sorted(e.key for e in s.events.all())),
            _(services.DEMO_EVIDENCE) if s.is_demonstration else s.evidence,
            tlp_label(s.sensitivity),
        ]
        for s in scores
        if s.provision_id in keep
    ]
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    name = f"{agreement}-scores-{chosen or 'none'}.csv".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
