"""Pages: the public form, the receipt page and the owning organization's inbox.

Anyone who may not see a report (or the inbox) gets the same 404 as for something that does not
exist; the policy is ``sharing.policy.access_reports`` and ``may_read_protected``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commonground.sharing.policy import (
    may_grade_reports,
    policy,
    request_viewer,
    voices_organizations,
)
from commonground.voices import queries, themes, verification
from commonground.voices.forms import GradeForm, PublicReportForm, ReceiptForm
from commonground.voices.models import Category, Channel, Report, Status
from commonground.voices.services import (
    KeyReused,
    LimitReached,
    do_grade_report,
    do_submit_report,
)

#: Reports shown on one inbox page (only coarse columns: nothing is decrypted for the list).
INBOX_PAGE = 100


@policy("public")
def report_form(request: HttpRequest, organization: str, form: str) -> HttpResponse:
    """The public form: no account; the same submission twice stores one report."""
    found = queries.published_form(organization, form)
    if found is None:
        raise Http404(_("No such form."))
    bound = PublicReportForm(request.POST or None)
    if request.method == "POST" and bound.is_valid():
        try:
            _report, receipt, _new = do_submit_report(
                found, found.owner, bound.cleaned_data["client_key"], bound.report_input()
            )
        except KeyReused:
            bound.add_error(None, _("This form has expired; open it again."))
            return render(request, "voices/form.html", {"form_page": found, "form": bound})
        except LimitReached:
            context = {"form_page": found}
            return render(request, "voices/limit.html", context, status=429)
        return render(request, "voices/thanks.html", {"form_page": found, "receipt": receipt})
    return render(request, "voices/form.html", {"form_page": found, "form": bound})


@policy("public")
def receipt(request: HttpRequest) -> HttpResponse:
    """A receipt holder reads the status and the organization's public answer; nothing else."""
    form = ReceiptForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "asked": False}
    if request.method == "POST" and form.is_valid():
        context["asked"] = True
        context["report"] = queries.report_by_receipt(form.cleaned_data["code"])
        context["theme_answers"] = themes.answers_for_report(context["report"])
    return render(request, "voices/receipt.html", context)


@policy("voices")
def inbox(request: HttpRequest) -> HttpResponse:
    """The owner's reports, filtered, one page at a time; coarse columns only (nothing decrypted).

    Duplicates are out of the list and the counts unless asked for (``status=duplicate``). The
    "next" link carries a cursor (``after``): the next page is a seek in the index, however far
    (keyset paging); a page asked for by number alone (``page=500``) skips rows in the covering
    index ``voices_inbox_seek`` without reading them.
    """
    viewer = request_viewer(request)  # the policy's view of the user, worked out once
    owners = voices_organizations(viewer)
    if not owners:
        raise Http404(_("No such page."))
    filters = {name: request.GET.get(name, "") for name in queries.FILTERS}
    reports = queries.filtered_reports(viewer, filters)
    area_name = "name_fr" if get_language() == "fr" else "name_en"
    total = reports.count()
    page = inbox_page(request.GET.get("page", ""), total)
    after = request.GET.get("after", "")
    sought = queries.after_cursor(reports, after) if after and page > 1 else None
    if sought is not None:
        shown = sought[:INBOX_PAGE]
    else:
        shown = queries.page_of(reports, (page - 1) * INBOX_PAGE, INBOX_PAGE)
    rows = queries.inbox_rows(shown, area_name, reverse("voices:inbox"))
    links = request.GET.copy()
    for name in ("page", "after"):
        links.pop(name, None)
    context = {
        # ``reports``: the page's queryset (lazy: the template shows ``rows``, read as values).
        "reports": shown,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // INBOX_PAGE)),
        "links": links.urlencode(),
        "next_cursor": rows[-1]["cursor"] if rows else "",
        "filters": filters,
        "statuses": Status.choices,
        "categories": Category.choices,
        "channels": Channel.choices,
        "areas": queries.inbox_areas(owners, area_name),
        "months": [month.strftime("%Y-%m") for month in queries.inbox_months(owners)],
        "any_synthetic": any(row["synthetic"] for row in rows),
        "may_enter": bool(voices_organizations(viewer, analysts_only=True)),
    }
    return render(request, "voices/inbox.html", context)


def inbox_page(asked: str, total: int) -> int:
    """The page number asked for, within 1..last (a wrong value shows the first page)."""
    last = max(1, -(-total // INBOX_PAGE))
    return min(int(asked), last) if asked.isdigit() and int(asked) >= 1 else 1


@policy("voices")
def report_detail(request: HttpRequest, report_id: str) -> HttpResponse:
    """One report: analysts of the owner read it decrypted (audited) and grade it."""
    report = queries.report_for(request.user, report_id)
    if report is None:
        raise Http404(_("No such page."))
    is_analyst = may_grade_reports(request.user, report.owner_id)
    grade = GradeForm(request.POST or None, initial=grade_initial(report)) if is_analyst else None
    if request.method == "POST":
        if grade is None or not isinstance(request.user, User):
            raise Http404(_("No such page."))
        if grade.is_valid():
            do_grade_report(report, request.user, **grade.cleaned_data)
            return redirect("voices:report", report_id=report.pk)
    protected = queries.protected_fields(report, request.user, why="inbox")
    context = {"report": report, "protected": protected, "grade": grade}
    context.update(verification.context_for(report, request.user))
    return render(request, "voices/report.html", context)


def grade_initial(report: Report) -> dict[str, Any]:
    return {
        "status": report.status,
        "source_reliability": report.source_reliability,
        "information_credibility": report.information_credibility,
        "public_answer": report.public_answer,
    }
