"""Writes to alerts (``do_*``): raise, acknowledge, respond, close or withdraw; each audited.

Everything is checked before anything is written (:class:`AlertInvalid` lists every problem, in
the user's language), then written in one transaction with its audit row. The policy decides
who may do what (``sharing.policy``, block "Alerts"); callers turn :class:`NotAllowed` on an
alert the user may not see into the same answer as a missing alert.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.alerts.models import (
    ALERT_TEXT_MAX,
    RESPONSE_TEXT_MAX,
    WINDOW_AHEAD_DAYS,
    WINDOW_MAX_DAYS,
    Acknowledgement,
    Alert,
    AlertResponse,
    AlertState,
    ResponseKind,
    Urgency,
)
from commonground.core.models import Area, AreaLevel
from commonground.sharing.models import AuditEvent, Organization, Sensitivity, SharingCircle
from commonground.sharing.policy import (
    Viewer,
    may_manage_alert,
    may_raise_alert,
    responding_organizations,
)
from commonground.voices.models import Category, Report, Status


class NotAllowed(Exception):
    """The user may not do this (callers answer 404 when the alert is hidden from them)."""


class AlertInvalid(Exception):
    """What is wrong with the input, field by field; nothing was written."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors))
        self.errors = errors


@dataclass
class AlertInput:
    """What the author chooses. Nothing else of the reports is copied into the alert."""

    reports: list[Any]
    area: str
    category: str
    urgency: str
    starts_on: datetime.date
    ends_on: datetime.date
    text: str
    circles: list[str]
    sensitivity: int = Sensitivity.PARTNERS
    errors: list[tuple[str, str]] = field(default_factory=list)


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week of ``day``: windows are whole weeks, never an exact day."""
    return day - datetime.timedelta(days=day.weekday())


def week_end(day: datetime.date) -> datetime.date:
    """The Sunday of the week of ``day``."""
    return week_start(day) + datetime.timedelta(days=6)


def audit(action: str, actor: User | None, alert: Alert, **detail: Any) -> None:
    AuditEvent.objects.create(action=action, actor=actor, target=f"alert:{alert.pk}", detail=detail)


def recipient_ids(alert: Alert) -> set[Any]:
    """The organizations the alert reached: current members of its circles, less the owner."""
    members = SharingCircle.members.through.objects.filter(sharingcircle__in=alert.circles.all())
    return set(members.values_list("organization_id", flat=True)) - {alert.owner_id}


def checked_reports(owner: Organization, data: AlertInput) -> list[Report]:
    """The owner's verified reports named; another's, a missing or unverified one is refused
    with the same words (the author learns nothing about other organizations' reports)."""
    wanted = {str(report_id) for report_id in data.reports}
    if not wanted:
        data.errors.append(("reports", _("Choose at least one verified report.")))
        return []
    found = list(
        Report.objects.filter(owner=owner, status=Status.VERIFIED, pk__in=sorted(wanted))
        .select_related("area")
        .order_by("pk")
    )
    if len(found) != len(wanted):
        data.errors.append(
            ("reports", _("Only your organization's verified reports can raise an alert."))
        )
    return found


def checked_area(data: AlertInput, reports: list[Report]) -> Area | None:
    """An admin-2 area, or an admin-1 area, that holds every report placed in an area."""
    area = Area.objects.filter(code=data.area).first()
    if area is None or area.level not in (AreaLevel.ADMIN1, AreaLevel.ADMIN2):
        data.errors.append(("area", _("Choose a district (admin-2) or a region (admin-1).")))
        return None
    for report in reports:
        if report.area is not None and area.pk not in (report.area_id, report.area.parent_id):
            data.errors.append(("area", _("The area must hold the places of every report.")))
            break
    return area


def check_window(data: AlertInput) -> None:
    """Whole weeks, in order, at most a quarter long, ending at most a quarter ahead."""
    data.starts_on, data.ends_on = week_start(data.starts_on), week_end(data.ends_on)
    if data.ends_on < data.starts_on:
        data.errors.append(("ends_on", _("The window must end after it starts.")))
    elif (data.ends_on - data.starts_on).days + 1 > WINDOW_MAX_DAYS + 6:
        data.errors.append(("ends_on", _("The window may cover at most about three months.")))
    if data.ends_on > timezone.localdate() + datetime.timedelta(days=WINDOW_AHEAD_DAYS + 6):
        data.errors.append(("ends_on", _("The window may end at most three months ahead.")))


def checked_circles(owner: Organization, data: AlertInput) -> list[SharingCircle]:
    """The owner's circles named, each allowed to carry the alert's sensitivity."""
    slugs = sorted(set(data.circles))
    circles = list(SharingCircle.objects.filter(owner=owner, slug__in=slugs))
    if not slugs or len(circles) != len(slugs):
        data.errors.append(("circles", _("Choose one or more of your organization's circles.")))
    if any(data.sensitivity > circle.max_sensitivity for circle in circles):
        data.errors.append(
            ("sensitivity", _("A circle chosen may not receive this sensitivity level."))
        )
    return circles


def check_choices(data: AlertInput) -> None:
    data.text = data.text.strip()
    if not data.text or len(data.text) > ALERT_TEXT_MAX:
        message = _("Write a short text of at most %(n)d characters.") % {"n": ALERT_TEXT_MAX}
        data.errors.append(("text", message))
    if data.category not in Category.values:
        data.errors.append(("category", _("Choose a category.")))
    if data.urgency not in Urgency.values:
        data.errors.append(("urgency", _("Choose an urgency.")))
    if data.sensitivity not in Sensitivity.values:
        data.errors.append(("sensitivity", _("Choose a sensitivity level.")))


def do_raise_alert(
    viewer: Viewer,
    actor: User | None,
    owner: Organization,
    data: AlertInput,
    is_synthetic: bool = False,
) -> Alert:
    """An analyst raises an alert from the owner's verified reports to the owner's circles."""
    if not may_raise_alert(viewer, owner.pk):
        raise NotAllowed(owner.slug)
    data.errors = []
    check_choices(data)
    check_window(data)
    reports = checked_reports(owner, data)
    area = checked_area(data, reports)
    circles = checked_circles(owner, data)
    if data.errors or area is None:
        raise AlertInvalid(data.errors)
    with transaction.atomic():
        alert = Alert.objects.create(
            owner=owner,
            raised_by=actor,
            area=area,
            category=data.category,
            urgency=data.urgency,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            text=data.text,
            sensitivity=data.sensitivity,
            is_synthetic=is_synthetic,
        )
        alert.circles.set(circles)
        alert.sources.set(reports)
        audit(
            "alerts.raised",
            actor,
            alert,
            owner=owner.slug,
            urgency=alert.urgency,
            circles=[c.slug for c in circles],
            sources=[str(r.pk) for r in reports],
        )
    return alert


def answering_organization(viewer: Viewer, alert: Alert) -> Any:
    """The recipient organization the viewer answers for, or :class:`NotAllowed`."""
    organizations = responding_organizations(viewer, alert.owner_id, recipient_ids(alert))
    if not organizations:
        raise NotAllowed(str(alert.pk))
    if not alert.is_open:
        raise AlertInvalid([("alert", _("This alert is closed: it takes no more answers."))])
    by_name = Organization.objects.filter(pk__in=organizations).order_by("name")
    return by_name.values_list("pk", flat=True).first()  # one person in two: the first by name


def acknowledge(alert: Alert, organization_id: Any, actor: User | None) -> Acknowledgement:
    """The organization's acknowledgement: the first one stays (and is the one audited)."""
    ack, created = Acknowledgement.objects.get_or_create(
        alert=alert, organization_id=organization_id, defaults={"by": actor}
    )
    if created:
        audit("alerts.acknowledged", actor, alert, organization=str(organization_id))
    return ack


def do_acknowledge(viewer: Viewer, actor: User | None, alert: Alert) -> Acknowledgement:
    """A recipient's analyst says the organization has seen the alert (idempotent)."""
    organization_id = answering_organization(viewer, alert)
    with transaction.atomic():
        return acknowledge(alert, organization_id, actor)


def do_respond(
    viewer: Viewer, actor: User | None, alert: Alert, kind: str, text: str
) -> AlertResponse:
    """A recipient's analyst records what the organization did; answering also acknowledges."""
    organization_id = answering_organization(viewer, alert)
    text = text.strip()
    errors = []
    if kind not in ResponseKind.values:
        errors.append(("kind", _("Choose what was done.")))
    if len(text) > RESPONSE_TEXT_MAX:
        message = _("Write at most %(n)d characters.") % {"n": RESPONSE_TEXT_MAX}
        errors.append(("text", message))
    if kind == ResponseKind.NO_ACTION and not text:
        errors.append(("text", _("Say why no action was taken.")))
    if errors:
        raise AlertInvalid(errors)
    with transaction.atomic():
        acknowledge(alert, organization_id, actor)
        response = AlertResponse.objects.create(
            alert=alert, organization_id=organization_id, by=actor, kind=kind, text=text
        )
        audit("alerts.responded", actor, alert, organization=str(organization_id), kind=kind)
    return response


def do_close_alert(
    viewer: Viewer, actor: User | None, alert: Alert, state: str, note: str = ""
) -> Alert:
    """The owner's analyst closes an alert (the danger passed) or withdraws it (raised in error)."""
    if not may_manage_alert(viewer, alert.owner_id):
        raise NotAllowed(str(alert.pk))
    note = note.strip()
    errors = []
    if state not in (AlertState.CLOSED, AlertState.WITHDRAWN):
        errors.append(("state", _("Choose to close or to withdraw the alert.")))
    if not alert.is_open:
        errors.append(("state", _("This alert is already closed or withdrawn.")))
    if len(note) > RESPONSE_TEXT_MAX:
        errors.append(("note", _("Write at most %(n)d characters.") % {"n": RESPONSE_TEXT_MAX}))
    if errors:
        raise AlertInvalid(errors)
    with transaction.atomic():
        alert.state = state
        alert.closed_at = timezone.now()
        alert.closed_by = actor
        alert.closing_note = note
        alert.save(update_fields=["state", "closed_at", "closed_by", "closing_note", "updated_at"])
        audit(f"alerts.{state}", actor, alert)
    return alert
