"""SYNTHETIC demonstration alerts of the Bambari women's network (``commonground demo``).

The network raises two alerts from its synthetic verified reports (``voices.demo``) to its
circle "bambari-protection" (MINUSCA JMAC, the national-army liaison, OCHA); Amina of MINUSCA
acknowledges the first and records a patrol. Every alert is marked synthetic and its text says
so. Made once: a second run adds nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from commonground.alerts.models import Acknowledgement, Alert, AlertResponse, ResponseKind
from commonground.alerts.services import AlertInput, do_raise_alert, do_respond
from commonground.sharing.models import Organization, SharingCircle
from commonground.sharing.policy import access_operator, viewer_for
from commonground.voices.models import Report, Status

DEMO_OWNER = "femmes-bambari"
DEMO_CIRCLE = "bambari-protection"

TEXTS = (
    (
        "immediate",
        "SYNTHETIC demo alert. Armed men stopping women on the road to the fields and the market; "
        "threats repeated this week. Escort or presence on the road asked for. / ALERTE FICTIVE de "
        "démonstration : hommes armés arrêtant des femmes sur la route des champs et du marché.",
    ),
    (
        "priority",
        "SYNTHETIC demo alert. Families leaving villages after threats; risk of more departures "
        "before the end of the month. / ALERTE FICTIVE de démonstration : des familles quittent "
        "les villages après des menaces.",
    ),
)


def demo_circle(owner: Organization) -> SharingCircle:
    """The network's protection circle (another demo may make it too: same owner and slug)."""
    from commonground.sharing.demo import ensure_demo_circles

    return ensure_demo_circles()


def reports_by_area(owner: Organization) -> list[list[Report]]:
    """The owner's synthetic reports placed in an area, grouped by area, largest group first;
    verified ones first in each group."""
    groups: dict[Any, list[Report]] = defaultdict(list)
    reports = access_operator(Report.objects.filter(owner=owner, is_synthetic=True))
    for report in reports.exclude(area=None).order_by("-month", "pk"):
        groups[report.area_id].append(report)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), str(g[0].area_id)))
    return [sorted(g, key=lambda r: r.status != Status.VERIFIED) for g in ordered]


def verified(reports: list[Report]) -> list[Report]:
    """Up to two reports of one area, marked verified if they were not (synthetic data)."""
    chosen = reports[:2]
    for report in chosen:
        if report.status != Status.VERIFIED:
            report.status = Status.VERIFIED
            report.save(update_fields=["status", "updated_at"])
    return chosen


def backdate(alert: Alert, hours_ago: float) -> datetime.datetime:
    raised = timezone.now() - datetime.timedelta(hours=hours_ago)
    Alert.objects.filter(pk=alert.pk).update(created_at=raised)
    return raised


def do_demo_alerts() -> int:
    """Raise the demo's alerts and Amina's answer; returns how many alerts are new."""
    owner = Organization.objects.get(slug=DEMO_OWNER)
    circle = demo_circle(owner)
    if Alert.objects.filter(owner=owner, is_synthetic=True).exists():
        return 0
    grace, amina = (User.objects.get(username=name) for name in ("grace", "amina"))
    today = timezone.localdate()
    made = []
    for (urgency, text), reports in zip(TEXTS, reports_by_area(owner), strict=False):
        chosen = verified(reports)
        data = AlertInput(
            reports=[r.pk for r in chosen],
            area=chosen[0].area.code if chosen[0].area else "",
            category=chosen[0].category,
            urgency=urgency,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=14),
            text=text,
            circles=[circle.slug],
        )
        made.append(do_raise_alert(viewer_for(grace), grace, owner, data, is_synthetic=True))
    if made:
        raised = backdate(made[0], hours_ago=30)
        do_respond(
            viewer_for(amina),
            amina,
            made[0],
            ResponseKind.PATROL_SENT,
            "SYNTHETIC: a MINUSCA patrol covered the road on market day; no incident seen.",
        )
        Acknowledgement.objects.filter(alert=made[0]).update(
            created_at=raised + datetime.timedelta(hours=1, minutes=30)
        )
        AlertResponse.objects.filter(alert=made[0]).update(
            created_at=raised + datetime.timedelta(hours=6)
        )
    for alert in made[1:]:
        backdate(alert, hours_ago=3)
    return len(made)
