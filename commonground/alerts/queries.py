"""Reads of alerts, always through ``sharing.policy`` (block "Alerts").

An alert the viewer may not see answers exactly as one that does not exist. What an answer holds
depends on who asks (:func:`alert_view`): every reader gets the alert's own fields; the owner's
members also get every recipient's acknowledgements and responses and who the recipients are;
the owner's analysts also get the source reports; a recipient gets only its own organization's
acknowledgement and responses. Nothing of the source reports ever reaches a recipient.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Case, Min, QuerySet, Value, When

from commonground.alerts.models import (
    URGENCY_ORDER,
    Acknowledgement,
    Alert,
    AlertResponse,
    AlertState,
    Urgency,
)
from commonground.alerts.services import recipient_ids
from commonground.core.models import Area, AreaLevel
from commonground.sharing.models import Organization, SharingCircle
from commonground.sharing.policy import (
    AnyUser,
    Viewer,
    access_alerts,
    access_operator,
    access_reports,
    may_manage_alert,
    may_raise_alert,
    may_see_all_responses,
    receiving_organizations,
    record_denied,
    responding_organizations,
)
from commonground.voices.models import Report, Status

#: Open alerts first, the most urgent first, then the newest.
LIST_ORDER = (
    Case(When(state=AlertState.OPEN, then=Value(0)), default=Value(1)),
    Case(
        *(When(urgency=urgency, then=Value(rank)) for urgency, rank in URGENCY_ORDER.items()),
        default=Value(9),
    ),
    "-created_at",
)


def visible_alerts(viewer: Viewer) -> QuerySet[Alert]:
    """The alerts ``viewer`` may know exist: open ones first, the most urgent, the newest."""
    return (
        access_alerts(Alert.objects.all(), viewer)
        .select_related("area", "owner")
        .order_by(*LIST_ORDER)
    )


def may_use_alerts(viewer: Viewer) -> bool:
    """The alerts pages are for members of an organization; anyone else is answered 404."""
    return viewer.is_member


def alert_for(viewer: Viewer, user: AnyUser | None, alert_id: Any) -> Alert | None:
    """One alert, or ``None`` when it does not exist or the viewer may not know of it.

    Asking for an alert that exists but is hidden is audited (``access.denied``, bounded); the
    caller still answers exactly as for a missing one.
    """
    alert = visible_alerts(viewer).filter(pk=alert_id).first()
    if alert is None and access_operator(Alert.objects.filter(pk=alert_id)).exists():
        record_denied(user, f"alert:{alert_id}", "not visible under access policy")
    return alert


@dataclass
class AlertView:
    """One alert as one viewer may see it."""

    alert: Alert
    acknowledgements: list[Acknowledgement]
    responses: list[AlertResponse]
    answering_for: list[Organization] = field(default_factory=list)
    recipients: list[Organization] | None = None
    sources: list[Report] | None = None
    may_manage: bool = False

    @property
    def may_answer(self) -> bool:
        return bool(self.answering_for) and self.alert.is_open

    @property
    def answers(self) -> list[dict[str, Any]]:
        """Acknowledgements and responses together, in the order they came."""
        rows = [
            {"at": a.created_at, "organization": a.organization, "kind": "", "text": ""}
            for a in self.acknowledgements
        ] + [
            {"at": r.created_at, "organization": r.organization, "kind": r.get_kind_display(),
             "text": r.text}
            for r in self.responses
        ]  # fmt: skip
        return sorted(rows, key=lambda row: row["at"])

    @property
    def acknowledged(self) -> bool:
        """Whether every organization the viewer answers for has acknowledged."""
        seen = {ack.organization_id for ack in self.acknowledgements}
        return bool(self.answering_for) and all(o.pk in seen for o in self.answering_for)


def alert_view(viewer: Viewer, alert: Alert) -> AlertView:
    """What of ``alert`` this viewer sees (it is visible to them: :func:`alert_for` said so)."""
    recipients = recipient_ids(alert)
    owner_side = may_see_all_responses(viewer, alert.owner_id)
    shown = None if owner_side else receiving_organizations(viewer, alert.owner_id, recipients)
    acks = Acknowledgement.objects.filter(alert=alert).select_related("organization")
    responses = AlertResponse.objects.filter(alert=alert).select_related("organization")
    if shown is not None:
        acks, responses = (
            acks.filter(organization__in=shown),
            responses.filter(organization__in=shown),
        )
    view = AlertView(alert=alert, acknowledgements=list(acks), responses=list(responses))
    answering = responding_organizations(viewer, alert.owner_id, recipients)
    view.answering_for = list(Organization.objects.filter(pk__in=answering).order_by("name"))
    if owner_side:
        view.recipients = list(Organization.objects.filter(pk__in=recipients).order_by("name"))
    if may_manage_alert(viewer, alert.owner_id):
        view.may_manage = True
        view.sources = list(alert.sources.select_related("area").order_by("-month"))
    return view


def own_answers(viewer: Viewer, alerts: Iterable[Alert]) -> dict[Any, str]:
    """For a list: per alert, what the viewer's side did ("responded", "acknowledged", "")."""
    alerts = list(alerts)
    organizations = list(viewer.roles)
    acked = set(
        Acknowledgement.objects.filter(
            alert__in=alerts, organization__in=organizations
        ).values_list("alert_id", flat=True)
    )
    answered = set(
        AlertResponse.objects.filter(alert__in=alerts, organization__in=organizations).values_list(
            "alert_id", flat=True
        )
    )
    return {
        a.pk: "responded" if a.pk in answered else "acknowledged" if a.pk in acked else ""
        for a in alerts
        if a.owner_id not in viewer.roles
    }


# --- Raising ---------------------------------------------------------------------------------


def raising_organizations(viewer: Viewer) -> list[Organization]:
    """The organizations the viewer may raise alerts for (analyst or above)."""
    allowed = [org for org in viewer.roles if may_raise_alert(viewer, org)]
    return list(Organization.objects.filter(pk__in=allowed).order_by("name"))


def may_raise_any(viewer: Viewer, user: AnyUser | None) -> bool:
    """Whether to offer "Raise an alert": an organization the viewer raises for has a verified
    report (the page itself explains when there is none)."""
    organizations = [org for org in viewer.roles if may_raise_alert(viewer, org)]
    reports = Report.objects.filter(owner_id__in=organizations, status=Status.VERIFIED)
    return access_reports(reports, user).exists()


def owns_alerts(viewer: Viewer) -> bool:
    """Whether the viewer's organizations raised any alert (the dashboard is about those)."""
    return Alert.objects.filter(owner_id__in=list(viewer.roles)).exists()


def verified_reports(user: AnyUser | None, owner: Organization) -> QuerySet[Report]:
    """The owner's verified reports the user may see: what an alert may be raised from."""
    reports = access_reports(Report.objects.filter(owner=owner, status=Status.VERIFIED), user)
    return reports.select_related("area", "area__parent").order_by("-month", "-created_at")


def area_choices(reports: Iterable[Report]) -> list[Area]:
    """The admin-2 areas of the reports and the admin-1 areas above them."""
    areas: dict[Any, Area] = {}
    for report in reports:
        if report.area is None:
            continue
        areas[report.area.pk] = report.area
        if report.area.parent is not None and report.area.parent.level == AreaLevel.ADMIN1:
            areas[report.area.parent.pk] = report.area.parent
    return sorted(areas.values(), key=lambda a: (a.level, a.name_en))


def owned_circles(owner: Organization) -> QuerySet[SharingCircle]:
    return SharingCircle.objects.filter(owner=owner).order_by("name")


# --- Response times ----------------------------------------------------------------------------


def hours(start: datetime.datetime, end: datetime.datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 3600


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


@dataclass
class Figures:
    """How many alerts, and the median hours from raised to first acknowledgement and answer."""

    label: str
    alerts: int = 0
    acknowledged: int = 0
    responded: int = 0
    to_acknowledge: list[float] = field(default_factory=list)
    to_respond: list[float] = field(default_factory=list)

    def add(self, ack_hours: float | None, response_hours: float | None) -> None:
        self.alerts += 1
        if ack_hours is not None:
            self.acknowledged += 1
            self.to_acknowledge.append(ack_hours)
        if response_hours is not None:
            self.responded += 1
            self.to_respond.append(response_hours)

    @property
    def median_to_acknowledge(self) -> float | None:
        return median(self.to_acknowledge)

    @property
    def median_to_respond(self) -> float | None:
        return median(self.to_respond)


@dataclass
class Dashboard:
    overall: Figures
    by_urgency: list[Figures]
    by_recipient: list[Figures]
    open_alerts: int
    alerts: list[dict[str, Any]]


def firsts(model: type[Acknowledgement] | type[AlertResponse], alerts: list[Alert]) -> Any:
    """Per (alert, organization): the first time; per alert: the first time of any recipient."""
    rows = (
        model.objects.filter(alert__in=alerts)
        .values("alert_id", "organization_id")
        .annotate(first=Min("created_at"))
    )
    per_org = {(r["alert_id"], r["organization_id"]): r["first"] for r in rows}
    per_alert: dict[Any, datetime.datetime] = {}
    for (alert_id, _org), at in per_org.items():
        per_alert[alert_id] = min(at, per_alert.get(alert_id, at))
    return per_org, per_alert


def dashboard(viewer: Viewer) -> Dashboard:
    """Response times of the alerts the viewer's organizations raised (withdrawn ones left out:
    they were raised in error)."""
    alerts = list(
        Alert.objects.filter(owner_id__in=list(viewer.roles))
        .exclude(state=AlertState.WITHDRAWN)
        .select_related("area", "owner")
        .order_by("-created_at")
    )
    ack_org, ack_first = firsts(Acknowledgement, alerts)
    resp_org, resp_first = firsts(AlertResponse, alerts)
    overall = Figures(label="")
    by_urgency = {u: Figures(label=str(Urgency(u).label)) for u in URGENCY_ORDER}
    by_recipient: dict[Any, Figures] = defaultdict(lambda: Figures(label=""))
    rows = []
    for alert in alerts:
        ack_h = hours(alert.created_at, ack_first.get(alert.pk))
        resp_h = hours(alert.created_at, resp_first.get(alert.pk))
        overall.add(ack_h, resp_h)
        by_urgency[Urgency(alert.urgency)].add(ack_h, resp_h)
        for organization_id in recipient_ids(alert):
            by_recipient[organization_id].add(
                hours(alert.created_at, ack_org.get((alert.pk, organization_id))),
                hours(alert.created_at, resp_org.get((alert.pk, organization_id))),
            )
        rows.append({"alert": alert, "to_acknowledge": ack_h, "to_respond": resp_h})
    names = dict(Organization.objects.filter(pk__in=list(by_recipient)).values_list("pk", "name"))
    for organization_id, figures in by_recipient.items():
        figures.label = names.get(organization_id, "")
    return Dashboard(
        overall=overall,
        by_urgency=[f for f in by_urgency.values() if f.alerts],
        by_recipient=sorted(by_recipient.values(), key=lambda f: f.label),
        open_alerts=sum(1 for a in alerts if a.is_open),
        alerts=rows,
    )


def alerts_counts() -> dict[str, int]:
    """For ``commonground stats`` (the operator): how many alerts there are."""
    return {"alerts": access_operator(Alert.objects.all()).count()}


def operator_alerts() -> QuerySet[Alert]:
    """Every alert, for ``commonground alerts list`` (the operator holds the database)."""
    return access_operator(Alert.objects.all()).select_related("owner", "area")


def user_or_none(user: AnyUser | None) -> User | None:
    return user if isinstance(user, User) else None
