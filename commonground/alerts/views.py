"""Pages: the alerts list, one alert, raising one, answering it, closing it, the dashboard.

Who may see an alert is ``sharing.policy.access_alerts``: anyone else gets the same 404 as for an
alert that does not exist, on every route, reading or writing. Someone who sees the alert but
may not do what they ask (a recipient's viewer acknowledging) is told so (403): they already
know the alert exists.
"""

from __future__ import annotations

from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commonground.alerts import queries
from commonground.alerts.exports import dashboard_csv
from commonground.alerts.forms import CloseForm, RaiseForm, RespondForm, add_errors
from commonground.alerts.models import Alert
from commonground.alerts.services import (
    AlertInvalid,
    NotAllowed,
    do_acknowledge,
    do_close_alert,
    do_raise_alert,
    do_respond,
)
from commonground.sharing.policy import policy, request_viewer

#: Alerts shown on the list page (open ones first).
LIST_PAGE = 200


def signed_in_member(request: HttpRequest) -> None:
    """The alerts pages answer 404 to anyone who belongs to no organization."""
    if not queries.may_use_alerts(request_viewer(request)):
        raise Http404(_("No such page."))


def visible_alert(request: HttpRequest, alert_id: Any) -> Alert:
    signed_in_member(request)
    alert = queries.alert_for(request_viewer(request), request.user, alert_id)
    if alert is None:
        raise Http404(_("No such page."))
    return alert


@require_GET
@policy("alerts")
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts the viewer's organizations raised or received, open ones first."""
    signed_in_member(request)
    viewer = request_viewer(request)
    alerts = list(queries.visible_alerts(viewer)[:LIST_PAGE])
    answers = queries.own_answers(viewer, alerts)
    context = {
        "rows": [(alert, answers.get(alert.pk)) for alert in alerts],
        "may_raise": queries.may_raise_any(viewer, request.user),
        "owns_alerts": queries.owns_alerts(viewer),
        "any_synthetic": any(a.is_synthetic for a in alerts),
    }
    return render(request, "alerts/list.html", context)


def detail_page(
    request: HttpRequest,
    alert: Alert,
    respond: RespondForm | None = None,
    close: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = queries.alert_view(request_viewer(request), alert)
    context = {
        "view": view,
        "alert": alert,
        "respond": respond or RespondForm(),
        "close": close or CloseForm(),
    }
    return render(request, "alerts/detail.html", context, status=status)


@require_GET
@policy("alerts")
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    return detail_page(request, visible_alert(request, alert_id))


@require_POST
@policy("alerts")
def alert_acknowledge(request: HttpRequest, alert_id: str) -> HttpResponse:
    """A recipient's analyst acknowledges for their organization (audited, idempotent)."""
    alert = visible_alert(request, alert_id)
    try:
        do_acknowledge(request_viewer(request), queries.user_or_none(request.user), alert)
    except NotAllowed:
        return HttpResponseForbidden(_("You may not answer this alert for your organization."))
    except AlertInvalid:
        return detail_page(request, alert, status=400)
    return redirect("alerts:detail", alert_id=alert.pk)


@require_POST
@policy("alerts")
def alert_respond(request: HttpRequest, alert_id: str) -> HttpResponse:
    """A recipient's analyst records what their organization did (audited)."""
    alert = visible_alert(request, alert_id)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return detail_page(request, alert, respond=form, status=400)
    try:
        do_respond(
            request_viewer(request),
            queries.user_or_none(request.user),
            alert,
            form.cleaned_data["kind"],
            form.cleaned_data["text"],
        )
    except NotAllowed:
        return HttpResponseForbidden(_("You may not answer this alert for your organization."))
    except AlertInvalid as problem:
        add_errors(form, problem)
        return detail_page(request, alert, respond=form, status=400)
    return redirect("alerts:detail", alert_id=alert.pk)


@require_POST
@policy("alerts")
def alert_close(request: HttpRequest, alert_id: str) -> HttpResponse:
    """The owner's analyst closes or withdraws the alert (audited)."""
    alert = visible_alert(request, alert_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return detail_page(request, alert, close=form, status=400)
    try:
        do_close_alert(
            request_viewer(request),
            queries.user_or_none(request.user),
            alert,
            form.cleaned_data["state"],
            form.cleaned_data["note"],
        )
    except NotAllowed:
        return HttpResponseForbidden(_("Only the organization that raised it may close it."))
    except AlertInvalid as problem:
        add_errors(form, problem)
        return detail_page(request, alert, close=form, status=400)
    return redirect("alerts:detail", alert_id=alert.pk)


@policy("alerts")
def alert_new(request: HttpRequest) -> HttpResponse:
    """An analyst raises an alert from their organization's verified reports."""
    signed_in_member(request)
    viewer = request_viewer(request)
    organizations = queries.raising_organizations(viewer)
    chosen = request.GET.get("organization", "")
    owner = next((o for o in organizations if o.slug == chosen), None) or (
        organizations[0] if organizations else None
    )
    if owner is None:
        raise Http404(_("No such page."))
    reports = list(queries.verified_reports(request.user, owner))
    circles = list(queries.owned_circles(owner))
    form = RaiseForm(
        request.POST if request.method == "POST" else None,
        reports,
        queries.area_choices(reports),
        circles,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                alert = do_raise_alert(
                    viewer, queries.user_or_none(request.user), owner, form.alert_input()
                )
            except AlertInvalid as problem:
                add_errors(form, problem)
            else:
                return redirect("alerts:detail", alert_id=alert.pk)
        status = 400
    context = {
        "form": form,
        "owner": owner,
        "organizations": organizations,
        "has_reports": bool(reports),
        "has_circles": bool(circles),
    }
    return render(request, "alerts/new.html", context, status=status)


@require_GET
@policy("alerts")
def alert_dashboard(request: HttpRequest) -> HttpResponse:
    """Response times of the alerts the viewer's organizations raised."""
    signed_in_member(request)
    board = queries.dashboard(request_viewer(request))
    return render(request, "alerts/dashboard.html", {"board": board})


@require_GET
@policy("alerts")
def alert_dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's alerts, one row each, as CSV (formulas neutralised)."""
    signed_in_member(request)
    board = queries.dashboard(request_viewer(request))
    response = HttpResponse(dashboard_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alerts-response-times.csv"'
    return response
