""" "You said, we did": the organization's public answers to themes of what people told it.

An analyst groups reports under a theme ("the road to the market is not safe at night"), writes
the organization's answer ("we raised it with the prefect; patrols started on 3 May") and
publishes it. Then:

- a reporter whose report belongs to the theme reads the answer with their receipt code
  (``/voices/receipt/``), next to the report's own answer;
- ``/voices/answers/<organization>/`` lists the organization's published answers for everyone:
  title, category, area, answer and date; never a report, a count of reports or anything a
  report holds.

Themes are written by the owner's analysts only (404 for anyone else); every change is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from commonground.core.models import Area
from commonground.sharing.models import Organization
from commonground.sharing.policy import AnyUser, may_read_protected, policy, voices_organizations
from commonground.voices.forms import public_areas
from commonground.voices.inbox_models import ANSWER_MAX, Theme
from commonground.voices.models import Category, Report, ReportForm
from commonground.voices.services import NotAllowed, audit


def analyst_themes(user: AnyUser | None) -> QuerySet[Theme]:
    """The themes of the organizations where ``user`` is an analyst or above."""
    owners = voices_organizations(user, analysts_only=True)
    return Theme.objects.filter(owner_id__in=owners).select_related("owner", "area")


def published_answers(organization: Organization) -> QuerySet[Theme]:
    """What anyone may read: published themes with an answer, newest first."""
    return (
        Theme.objects.filter(owner=organization, published_at__isnull=False)
        .exclude(answer="")
        .select_related("area")
        .order_by("-published_at")
    )


def answers_for_report(report: Report | None) -> list[Theme]:
    """The published answers to the themes ``report`` belongs to (for its receipt holder)."""
    if report is None:
        return []
    return list(
        report.themes.filter(published_at__isnull=False)
        .exclude(answer="")
        .order_by("-published_at")
    )


def do_link_theme(report: Report, actor: User, theme_id: Any, add: bool) -> bool:
    """Put ``report`` under a theme of its own organization, or take it out; audited."""
    if not may_read_protected(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    try:
        theme = Theme.objects.filter(owner_id=report.owner_id, pk=theme_id).first()
    except (ValueError, forms.ValidationError):
        theme = None
    if theme is None:
        return False
    if add:
        theme.reports.add(report)
    else:
        theme.reports.remove(report)
    action = "voices.theme.report_added" if add else "voices.theme.report_removed"
    audit(action, actor, str(theme.pk), report=str(report.pk))
    return True


class ThemeForm(forms.Form):
    owner = forms.ChoiceField(label=_lazy("Organization"))
    title = forms.CharField(label=_lazy("Theme"), max_length=200)
    category = forms.ChoiceField(
        label=_lazy("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    area = forms.ChoiceField(label=_lazy("Area"), required=False)
    answer = forms.CharField(
        label=_lazy("The organization's public answer (\u201cyou said, we did\u201d)"),
        max_length=ANSWER_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    publish = forms.BooleanField(
        label=_lazy("Publish the answer (reporters and everyone can read it)"), required=False
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        area = self.fields["area"]
        assert isinstance(owner, forms.ChoiceField) and isinstance(area, forms.ChoiceField)
        owner.choices = [(str(org.pk), org.name) for org in organizations]
        area.choices = [("", "—"), *public_areas()[1:]]
        self.organizations = {str(org.pk): org for org in organizations}

    def clean_owner(self) -> Organization:
        return self.organizations[self.cleaned_data["owner"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("publish") and not (cleaned.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer before publishing it."))
        return cleaned


def do_save_theme(theme: Theme | None, actor: User, data: dict[str, Any]) -> Theme:
    """Create or change a theme; publishing sets the date once, unpublishing clears it."""
    owner_id = data["owner"].pk
    if not may_read_protected(actor, owner_id) or (
        theme is not None and theme.owner_id != owner_id
    ):
        raise NotAllowed(str(owner_id))
    theme = theme or Theme(owner_id=owner_id, created_by=actor)
    theme.title = data["title"]
    theme.category = data.get("category") or ""
    theme.area = Area.objects.filter(code=data["area"]).first() if data.get("area") else None
    theme.answer = data.get("answer") or ""
    was_published = theme.published_at is not None
    if data.get("publish") and not was_published:
        theme.published_at = timezone.now()
    elif not data.get("publish"):
        theme.published_at = None
    theme.save()
    audit(
        "voices.theme.saved",
        actor,
        str(theme.pk),
        owner=str(owner_id),
        published=theme.published_at is not None,
    )
    return theme


def theme_initial(theme: Theme) -> dict[str, Any]:
    return {
        "owner": str(theme.owner_id),
        "title": theme.title,
        "category": theme.category,
        "area": theme.area.code if theme.area else "",
        "answer": theme.answer,
        "publish": theme.published_at is not None,
    }


def analyst_organizations(user: AnyUser | None) -> list[Organization]:
    ids = voices_organizations(user, analysts_only=True)
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


@policy("voices")
def theme_list(request: HttpRequest) -> HttpResponse:
    """The analysts' themes, and a form to start one."""
    organizations = analyst_organizations(request.user)
    if not organizations or not isinstance(request.user, User):
        raise Http404(_("No such page."))
    form = ThemeForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        theme = do_save_theme(None, request.user, form.cleaned_data)
        return redirect("voices:theme", theme_id=theme.pk)
    context = {"themes": analyst_themes(request.user).order_by("title"), "form": form}
    return render(request, "voices/themes.html", context)


@policy("voices")
def theme_detail(request: HttpRequest, theme_id: str) -> HttpResponse:
    """One theme: its answer, whether it is published, and the reports under it (coarse)."""
    organizations = analyst_organizations(request.user)
    theme = analyst_themes(request.user).filter(pk=theme_id).first()
    if theme is None or not isinstance(request.user, User):
        raise Http404(_("No such page."))
    form = ThemeForm(
        request.POST or None, initial=theme_initial(theme), organizations=organizations
    )
    if request.method == "POST" and form.is_valid():
        do_save_theme(theme, request.user, form.cleaned_data)
        return redirect("voices:theme", theme_id=theme.pk)
    reports = theme.reports.select_related("area").order_by("-month")[:200]
    context = {"theme": theme, "form": form, "reports": reports}
    return render(request, "voices/theme.html", context)


@policy("public")
def public_answers(request: HttpRequest, organization: str) -> HttpResponse:
    """An organization's published answers, for everyone: no report content, no count.

    An organization that publishes neither a form nor an answer answers 404, like one that does
    not exist: this page never says that an organization collects reports.
    """
    found = Organization.objects.filter(slug=organization).first()
    if found is None:
        raise Http404(_("No such page."))
    answers = published_answers(found)
    if not answers.exists() and not ReportForm.objects.filter(owner=found, published=True).exists():
        raise Http404(_("No such page."))
    context = {"organization": found, "answers": answers}
    return render(request, "voices/answers.html", context)
