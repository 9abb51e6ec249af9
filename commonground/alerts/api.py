"""``/alerts``: alerts as JSON, for the owner's members and the members of its circles.

Anyone else, signed in or not, gets 404 on every route naming an alert, exactly as for an alert
that does not exist (mounted in ``api/routes``). What an answer holds depends on who asks
(``queries.alert_view``); the source reports are listed only to the owner's analysts.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from commonground.alerts import queries
from commonground.alerts.models import ALERT_TEXT_MAX, RESPONSE_TEXT_MAX, Alert
from commonground.alerts.services import (
    AlertInput,
    AlertInvalid,
    NotAllowed,
    do_acknowledge,
    do_close_alert,
    do_raise_alert,
    do_respond,
)
from commonground.api.auth import ANONYMOUS_ALLOWED, READ, SIGNED_IN
from commonground.api.errors import ErrorEnvelope, error_response
from commonground.api.schemas import TlpName, tlp_name
from commonground.sharing.models import Sensitivity
from commonground.sharing.policy import policy, request_viewer

router = Router(tags=["alerts"])

READ_ERRORS = frozenset({401, 404, 422})
WRITE_ERRORS = frozenset({400, 401, 403, 404, 422})  # 400: a body that is not JSON


class AnswerOut(Schema):
    organization: str
    kind: str = Field(description="'acknowledged', or the kind of response.")
    text: str
    at: datetime.datetime


class AlertOut(Schema):
    """An alert's own fields, and the answers the caller may see (their organization's, or
    every recipient's for the owner's members)."""

    id: uuid.UUID
    owner: str
    owner_name: str
    area: str = Field(description="Admin-2 or admin-1 area code; never a point.")
    area_name_en: str
    area_name_fr: str
    category: str
    urgency: str
    starts_on: datetime.date = Field(description="A Monday: windows are whole weeks.")
    ends_on: datetime.date = Field(description="A Sunday.")
    text: str
    sensitivity: int
    tlp: TlpName = Field(description="TLP 2.0 marking of the sensitivity (docs/access-policy.md).")
    state: str
    raised_at: datetime.datetime
    closed_at: datetime.datetime | None
    closing_note: str
    synthetic: bool
    may_answer: bool = Field(description="Whether the caller may acknowledge and respond.")
    answers: list[AnswerOut]
    recipients: list[str] | None = Field(description="Recipient organizations: owner only.")
    sources: list[uuid.UUID] | None = Field(description="Source reports: owner's analysts only.")


class AlertIn(Schema):
    owner: str = Field("", description="Organization slug; default: your first one.")
    reports: list[uuid.UUID] = Field(max_length=500)
    area: str = Field(max_length=120)
    category: str = Field(max_length=30)
    urgency: str = Field(max_length=20)
    starts_on: datetime.date
    ends_on: datetime.date
    text: str = Field(max_length=ALERT_TEXT_MAX)
    circles: list[str] = Field(max_length=50)
    sensitivity: int = Sensitivity.PARTNERS


class ResponseIn(Schema):
    kind: str = Field(max_length=20)
    text: str = Field("", max_length=RESPONSE_TEXT_MAX)


class CloseIn(Schema):
    state: str = Field(max_length=20, description="'closed' or 'withdrawn'.")
    note: str = Field("", max_length=RESPONSE_TEXT_MAX)


class FiguresOut(Schema):
    label: str
    alerts: int
    acknowledged: int
    responded: int
    median_hours_to_acknowledge: float | None
    median_hours_to_respond: float | None


class AlertTimesOut(Schema):
    id: uuid.UUID
    urgency: str
    state: str
    raised_at: datetime.datetime
    hours_to_acknowledge: float | None
    hours_to_respond: float | None


class DashboardOut(Schema):
    overall: FiguresOut
    by_urgency: list[FiguresOut]
    by_recipient: list[FiguresOut]
    open_alerts: int
    alerts: list[AlertTimesOut]


def alert_out(request: HttpRequest, alert: Alert) -> dict[str, Any]:
    view = queries.alert_view(request_viewer(request), alert)
    answers = [
        {
            "organization": a.organization.slug,
            "kind": "acknowledged",
            "text": "",
            "at": a.created_at,
        }
        for a in view.acknowledgements
    ] + [
        {"organization": r.organization.slug, "kind": r.kind, "text": r.text, "at": r.created_at}
        for r in view.responses
    ]
    return {
        "id": alert.pk,
        "owner": alert.owner.slug,
        "owner_name": alert.owner.name,
        "area": alert.area.code,
        "area_name_en": alert.area.name_en,
        "area_name_fr": alert.area.name_fr,
        **{
            name: getattr(alert, name)
            for name in ("category", "urgency", "starts_on", "ends_on", "text", "sensitivity")
        },
        "tlp": tlp_name(alert.sensitivity),
        "state": alert.state,
        "raised_at": alert.created_at,
        "closed_at": alert.closed_at,
        "closing_note": alert.closing_note,
        "synthetic": alert.is_synthetic,
        "may_answer": view.may_answer,
        "answers": sorted(answers, key=lambda a: a["at"]),
        "recipients": None if view.recipients is None else [o.slug for o in view.recipients],
        "sources": None if view.sources is None else [r.pk for r in view.sources],
    }


def visible(request: HttpRequest, alert_id: uuid.UUID) -> Alert:
    alert = queries.alert_for(request_viewer(request), request.user, alert_id)
    if alert is None:
        raise Http404("No such alert.")
    return alert


def refused(problem: AlertInvalid) -> Any:
    details = [
        {"location": "body", "field": name, "message": message, "type": "refused"}
        for name, message in problem.errors
    ]
    return error_response(422, str(problem), details)


@router.get(
    "/alerts",
    response={200: list[AlertOut], READ_ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("alerts")
def list_alerts(request: HttpRequest) -> list[dict[str, Any]]:
    """Alerts your organizations raised or received, open ones first, newest first."""
    viewer = request_viewer(request)
    if not queries.may_use_alerts(viewer):
        raise Http404("Not found.")
    return [alert_out(request, a) for a in queries.visible_alerts(viewer)[:200]]


@router.get(
    "/alerts/dashboard",
    response={200: DashboardOut, READ_ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("alerts")
def alert_dashboard(request: HttpRequest) -> dict[str, Any]:
    """Response times of the alerts your organizations raised (hours, medians)."""
    viewer = request_viewer(request)
    if not queries.may_use_alerts(viewer):
        raise Http404("Not found.")
    board = queries.dashboard(viewer)

    def figures(f: queries.Figures) -> dict[str, Any]:
        return {
            "label": f.label,
            "alerts": f.alerts,
            "acknowledged": f.acknowledged,
            "responded": f.responded,
            "median_hours_to_acknowledge": f.median_to_acknowledge,
            "median_hours_to_respond": f.median_to_respond,
        }

    return {
        "overall": figures(board.overall),
        "by_urgency": [figures(f) for f in board.by_urgency],
        "by_recipient": [figures(f) for f in board.by_recipient],
        "open_alerts": board.open_alerts,
        "alerts": [
            {
                "id": row["alert"].pk,
                "urgency": row["alert"].urgency,
                "state": row["alert"].state,
                "raised_at": row["alert"].created_at,
                "hours_to_acknowledge": row["to_acknowledge"],
                "hours_to_respond": row["to_respond"],
            }
            for row in board.alerts
        ],
    }


@router.get(
    "/alerts/{alert_id}",
    response={200: AlertOut, READ_ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("alerts")
def get_alert(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    """One alert, as you may see it."""
    return alert_out(request, visible(request, alert_id))


@router.post("/alerts", response={201: AlertOut, WRITE_ERRORS: ErrorEnvelope}, auth=SIGNED_IN)
@policy("alerts")
def raise_alert(request: HttpRequest, payload: AlertIn) -> Any:
    """Raise an alert from your organization's verified reports to its circles (analysts)."""
    viewer = request_viewer(request)
    organizations = queries.raising_organizations(viewer)
    owner = next((o for o in organizations if o.slug == payload.owner), None)
    if owner is None and not payload.owner and organizations:
        owner = organizations[0]
    if owner is None:
        raise Http404("No organization you may raise alerts for.")
    data = AlertInput(**payload.model_dump(exclude={"owner"}))
    try:
        alert = do_raise_alert(viewer, queries.user_or_none(request.user), owner, data)
    except AlertInvalid as problem:
        return refused(problem)
    return Status(201, alert_out(request, alert))


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, WRITE_ERRORS: ErrorEnvelope},
    auth=SIGNED_IN,
)
@policy("alerts")
def acknowledge_alert(request: HttpRequest, alert_id: uuid.UUID) -> Any:
    """Acknowledge for your organization (a recipient's analysts; idempotent)."""
    alert = visible(request, alert_id)
    try:
        do_acknowledge(request_viewer(request), queries.user_or_none(request.user), alert)
    except NotAllowed as exc:
        raise HttpError(403, "You may not answer this alert for your organization.") from exc
    except AlertInvalid as problem:
        return refused(problem)
    return alert_out(request, alert)


@router.post(
    "/alerts/{alert_id}/responses",
    response={200: AlertOut, WRITE_ERRORS: ErrorEnvelope},
    auth=SIGNED_IN,
)
@policy("alerts")
def respond_to_alert(request: HttpRequest, alert_id: uuid.UUID, payload: ResponseIn) -> Any:
    """Record what your organization did (a recipient's analysts); it also acknowledges."""
    alert = visible(request, alert_id)
    user = queries.user_or_none(request.user)
    try:
        do_respond(request_viewer(request), user, alert, payload.kind, payload.text)
    except NotAllowed as exc:
        raise HttpError(403, "You may not answer this alert for your organization.") from exc
    except AlertInvalid as problem:
        return refused(problem)
    return alert_out(request, alert)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, WRITE_ERRORS: ErrorEnvelope},
    auth=SIGNED_IN,
)
@policy("alerts")
def close_alert(request: HttpRequest, alert_id: uuid.UUID, payload: CloseIn) -> Any:
    """Close (the danger passed) or withdraw (raised in error): the owner's analysts."""
    alert = visible(request, alert_id)
    user = queries.user_or_none(request.user)
    try:
        do_close_alert(request_viewer(request), user, alert, payload.state, payload.note)
    except NotAllowed as exc:
        raise HttpError(403, "Only the organization that raised it may close it.") from exc
    except AlertInvalid as problem:
        return refused(problem)
    return alert_out(request, alert)
