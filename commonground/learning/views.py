"""Pages: learning index, exit benchmarks dashboard, programme (theory of change, indicators,
PDIA log), indicator table, IATI export.

Every record is read through ``queries`` (the access policy). A programme or indicator the user
may not see answers 404 exactly as one that does not exist, and the denied read is audited.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from commonground.core.models import Area
from commonground.learning import compute, graph, iati, queries
from commonground.learning.models import Benchmark, Comparison, Indicator, NodeKind, Programme
from commonground.learning.services import (
    BENCHMARK_FIELDS,
    do_add_pdia_entry,
    do_change_benchmark,
    do_save_benchmark,
    may_plan,
    may_write,
)
from commonground.sharing.models import Sensitivity
from commonground.sharing.policy import access_areas, policy, record_denied

MAX_SLUG = 80
#: How many months of an indicator's table a page shows (the newest).
TABLE_MONTHS = 12


def is_french() -> bool:
    return (get_language() or "en").startswith("fr")


@policy("public")
def index(request: HttpRequest) -> HttpResponse:
    """Programmes and indicators the user may see, and the missions with benchmarks."""
    return render(
        request,
        "learning/index.html",
        {
            "programmes": queries.visible_programmes(request.user),
            "indicators": queries.visible_indicators(request.user).select_related("programme"),
            "missions": queries.benchmark_missions(request.user),
            "french": is_french(),
        },
    )


@policy("public")
def benchmarks(request: HttpRequest, mission: str = "") -> HttpResponse:
    """Each visible exit benchmark's status month by month and the values that drive it."""
    if len(mission) > MAX_SLUG:
        raise Http404(_("No such mission."))
    views = queries.benchmark_views(request.user, mission or None)
    if mission and not views:
        raise Http404(_("No such mission."))
    return render(
        request,
        "learning/benchmarks.html",
        {
            "mission": mission,
            "views": views,
            "missions": queries.benchmark_missions(request.user),
            "french": is_french(),
            "editable": {
                str(v.benchmark.pk) for v in views if may_plan(request.user, v.benchmark.owner_id)
            },
        },
    )


def programme_or_404(request: HttpRequest, slug: str) -> Programme:
    programme = queries.visible_programme(request.user, slug[:MAX_SLUG])
    if programme is None:
        if queries.programme_exists(slug[:MAX_SLUG]):
            record_denied(request.user, f"programme:{slug}", "not visible under access policy")
        raise Http404(_("No such programme."))
    return programme


class PdiaForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"))
    problem = forms.CharField(label=gettext_lazy("The problem"), widget=forms.Textarea)
    tried = forms.CharField(label=gettext_lazy("What was tried"), widget=forms.Textarea)
    learned = forms.CharField(label=gettext_lazy("What was learned"), widget=forms.Textarea)
    changed = forms.CharField(label=gettext_lazy("What changed"), widget=forms.Textarea)
    indicator = forms.SlugField(label=gettext_lazy("Indicator (evidence)"), required=False)
    document_url = forms.URLField(
        label=gettext_lazy("Document link (evidence)"), required=False, assume_scheme="https"
    )


@policy("public")
def programme_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The theory of change drawn, its assumptions assessed, indicators and the PDIA log.

    Analysts of the owner add PDIA entries here (POST); anyone else gets the page without the
    form, and a POST from them is refused like a missing page.
    """
    programme = programme_or_404(request, slug)
    can_write = request.user.is_authenticated and may_write(request.user, programme.owner_id)
    form = PdiaForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            record_denied(request.user, f"programme:{slug}", "PDIA entry by a non-writer")
            raise Http404(_("No such programme."))
        if form.is_valid():
            add_entry(request, programme, form.cleaned_data)
            return redirect(request.path + "#pdia")
    nodes = queries.theory_of_change(programme, request.user)
    edges = list(programme.edges.select_related("source", "target"))
    indicators = queries.visible_indicators(request.user).filter(programme=programme)
    return render(
        request,
        "learning/programme.html",
        {
            "programme": programme,
            "drawing": graph.draw(nodes, edges, is_french()),
            "assumptions": [n for n in nodes if n.node.kind == NodeKind.ASSUMPTION],
            "outcomes": [n for n in nodes if n.node.kind == NodeKind.OUTCOME],
            "indicators": [(i, queries.latest_actual(i, request.user)) for i in indicators],
            "entries": queries.pdia_entries(programme, request.user),
            "form": form if can_write else None,
            "french": is_french(),
        },
    )


def add_entry(request: HttpRequest, programme: Programme, data: dict[str, Any]) -> None:
    indicator = None
    if data["indicator"]:
        indicator = queries.visible_indicator(request.user, data["indicator"])
    assert isinstance(request.user, User)  # checked by may_write above
    do_add_pdia_entry(
        request.user,
        programme,
        date=data["date"],
        problem=data["problem"],
        tried=data["tried"],
        learned=data["learned"],
        changed=data["changed"],
        indicator=indicator,
        document_url=data["document_url"] or "",
    )


@policy("public")
def indicator_page(request: HttpRequest, slug: str) -> HttpResponse:
    """An indicator's values per area and month (the newest months), as the user sees them."""
    indicator = queries.visible_indicator(request.user, slug[:MAX_SLUG])
    if indicator is None:
        if queries.indicator_exists(slug[:MAX_SLUG]):
            record_denied(request.user, f"indicator:{slug}", "not visible under access policy")
        raise Http404(_("No such indicator."))
    table = compute.indicator_table(indicator, request.user)
    months = sorted(set(table["month"].to_list()))[-TABLE_MONTHS:]
    cells: dict[str, dict[datetime.date, float]] = {}
    for area, month, value, _women, _men in table.iter_rows():
        if month in months:
            cells.setdefault(area, {})[month] = value
    series = compute.indicator_series(indicator, request.user, indicator.area)
    split = (
        compute.sex_series(indicator, request.user, indicator.area) if indicator.by_sex else None
    )
    by_sex = None
    if split is not None:
        sexed = sorted(set(series) | {m for values in split.values() for m in values})
        by_sex = [
            (m, series.get(m), split["women"].get(m), split["men"].get(m))
            for m in sexed[-TABLE_MONTHS:]
        ]
    return render(
        request,
        "learning/indicator.html",
        {
            "indicator": indicator,
            "months": months,
            "rows": [(area, [cells[area].get(m) for m in months]) for area in sorted(cells)],
            "series": sorted(series.items())[-TABLE_MONTHS:],
            "by_sex": by_sex,
            "sex_note": compute.sex_note(indicator) if split is None else "",
            "rounds": sorted((indicator.round_months or {}).items(), key=lambda r: int(r[0])),
            "french": is_french(),
        },
    )


@policy("public")
def iati_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's results as IATI 2.03 activity XML (what the user may see only)."""
    programme = programme_or_404(request, slug)
    nodes = queries.theory_of_change(programme, request.user)
    results = [
        (n.node.kind, n.node.label, n.node.label_fr, n.indicators)
        for n in nodes
        if n.node.kind in (NodeKind.OUTPUT, NodeKind.OUTCOME)
    ]
    document = iati.activity_xml(programme, results, request.user, timezone.now())
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-iati.xml"'
    return response


class BenchmarkForm(forms.Form):
    """A new exit benchmark on an indicator the user's organization owns."""

    mission = forms.RegexField(
        label=gettext_lazy("Mission"), regex=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$", max_length=80
    )
    title = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300)
    title_fr = forms.CharField(label=gettext_lazy("Title (French)"), max_length=300, required=False)
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"))
    area = forms.RegexField(
        label=gettext_lazy("Area code (empty: whole country)"),
        regex=r"^[A-Z]{3}\.[a-z0-9-]+(\.[a-z0-9-]+)?$",
        max_length=240,
        required=False,
    )
    comparison = forms.ChoiceField(label=gettext_lazy("Comparison"), choices=Comparison.choices)
    threshold = forms.FloatField(label=gettext_lazy("Threshold"))
    months = forms.IntegerField(
        label=gettext_lazy("Consecutive months"), min_value=1, max_value=120, initial=6
    )
    period_start = forms.DateField(label=gettext_lazy("Tracked from (first day of a month)"))
    sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Who may see it"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.RESTRICTED,
    )

    def __init__(
        self, *args: Any, indicators: list[Indicator], user: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.indicators = {i.slug: i for i in indicators}
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [(i.slug, i.name) for i in indicators]

    def clean_area(self) -> Area | None:
        code = self.cleaned_data["area"]
        if not code:
            return None
        area = access_areas(Area.objects.filter(code=code), self.user).first()
        if area is None:
            raise forms.ValidationError(_("No such area."))
        return area


def writable_indicators(request: HttpRequest) -> list[Indicator]:
    """Visible indicators whose owner the user states benchmarks for (analysts, planners)."""
    return [
        i for i in queries.visible_indicators(request.user) if may_plan(request.user, i.owner_id)
    ]


@policy("signed_in")
def benchmark_new(request: HttpRequest) -> HttpResponse:
    """State a new exit benchmark (analysts of the indicator's owner)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    indicators = writable_indicators(request)
    form = BenchmarkForm(request.POST or None, indicators=indicators, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        indicator = form.indicators[data["indicator"]]
        assert isinstance(request.user, User)  # signed in, checked above
        do_save_benchmark(
            request.user,
            indicator.owner,
            data["mission"],
            data["title"],
            title_fr=data["title_fr"],
            indicator=indicator,
            area=data["area"],
            comparison=data["comparison"],
            threshold=data["threshold"],
            months=data["months"],
            period_start=data["period_start"].replace(day=1),
            sensitivity=data["sensitivity"],
        )
        return redirect("learning:mission_benchmarks", mission=data["mission"])
    return render(
        request,
        "learning/benchmark_new.html",
        {"form": form, "has_indicators": bool(indicators)},
    )


@policy("signed_in")
def benchmark_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Change an exit benchmark (the same people as state one: the owner's analysts and
    planners). One the user may not see or change answers 404, and the refusal is audited."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    benchmark = queries.visible_benchmarks(request.user).filter(pk=pk).first()
    if benchmark is None or not may_plan(request.user, benchmark.owner_id):
        if benchmark is not None or Benchmark.objects.filter(pk=pk).exists():
            record_denied(request.user, f"benchmark:{pk}", "may not change this benchmark")
        raise Http404(_("No such benchmark."))
    indicators = [i for i in writable_indicators(request) if i.owner_id == benchmark.owner_id]
    initial = {
        **{name: getattr(benchmark, name) for name in BENCHMARK_FIELDS},
        "indicator": benchmark.indicator.slug,
        "area": benchmark.area.code if benchmark.area else "",
    }
    form = BenchmarkForm(
        request.POST or None, indicators=indicators, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assert isinstance(request.user, User)  # signed in, checked above
        do_change_benchmark(
            request.user,
            benchmark,
            **{
                **{name: data[name] for name in BENCHMARK_FIELDS},
                "indicator": form.indicators[data["indicator"]],
                "period_start": data["period_start"].replace(day=1),
            },
        )
        return redirect("learning:mission_benchmarks", mission=benchmark.mission)
    return render(
        request,
        "learning/benchmark_edit.html",
        {"form": form, "benchmark": benchmark},
        status=400 if form.is_bound else 200,
    )
