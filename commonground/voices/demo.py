"""SYNTHETIC demonstration reports for the Bambari women's network (``commonground demo``).

No real person's report may ship. These are made up in code, placed on the admin-2 areas
(in Ouaka, around Bambari) and in the months of real one-sided violence events of the UCDP GED
CAR file (already imported by the demo), so the inbox looks like real work. Every report and the
form carry ``is_synthetic``; the pages say "synthetic demonstration data" wherever they appear.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from commonground.events.models import Event, ViolenceType
from commonground.sharing.models import Organization
from commonground.sharing.policy import access_operator
from commonground.voices.inbox_models import Theme
from commonground.voices.models import (
    Category,
    DatePrecision,
    PerpetratorKind,
    ReportForm,
    Status,
)
from commonground.voices.services import ReportInput, do_submit_report

DEMO_OWNER = "femmes-bambari"
DEMO_FORM = "signaler"
#: The network works in Ouaka prefecture (Bambari, Ippy, ...): its reports are placed there.
DEMO_REGION = "CAF.ouaka"
#: How many real events the synthetic reports are placed around.
DEMO_EVENTS = 36

HARMS = (
    Category.THREAT,
    Category.KILLING,
    Category.ABDUCTION,
    Category.SGBV,
    Category.LOOTING,
    Category.DISPLACEMENT,
    Category.DENIAL_OF_SERVICES,
)
POSITIVE = (Category.LOCAL_AGREEMENT, Category.RETURN)


def demo_form(owner: Organization) -> ReportForm:
    form, _created = ReportForm.objects.get_or_create(
        owner=owner,
        slug=DEMO_FORM,
        defaults={
            "title": "Signaler un incident / Report an incident",
            "introduction": "Synthetic demonstration form: do not send real reports here.",
            "published": True,
            "is_synthetic": True,
        },
    )
    return form


def do_demo_reports(seed: int = 2023) -> int:
    """Make the synthetic reports (idempotent: a second run adds none); returns how many are new."""
    owner = Organization.objects.get(slug=DEMO_OWNER)
    form = demo_form(owner)
    events = (
        access_operator(Event.objects.all())
        .filter(dataset="ucdp-ged", violence_type=ViolenceType.ONE_SIDED, withdrawn=False)
        .filter(admin1__code=DEMO_REGION)
        .exclude(admin2=None)
        .select_related("admin2")
        .order_by("-date_start", "id")[:DEMO_EVENTS]
    )
    rng = random.Random(seed)  # noqa: S311  # synthetic demo values, reproducible, not secrets
    added = 0
    for n, event in enumerate(events):
        positive = n % 9 == 8
        category = rng.choice(POSITIVE if positive else HARMS)
        day = event.date_start + datetime.timedelta(days=rng.randint(0, 3))
        data = ReportInput(
            category=category,
            occurred_on=min(day, event.date_start.replace(day=28)),
            date_precision=rng.choice(list(DatePrecision)),
            area=event.admin2,
            women=rng.randint(0, 4),
            men=rng.randint(0, 3),
            girls=rng.randint(0, 2),
            boys=rng.randint(0, 2),
            perpetrator_kind=PerpetratorKind.NONE
            if positive
            else rng.choice([PerpetratorKind.ARMED_GROUP, PerpetratorKind.UNKNOWN]),
            may_count=rng.random() < 0.9,
            may_contact=False,
            may_quote=rng.random() < 0.5,
            narrative=f"SYNTHETIC demonstration report {n + 1}: invented text, no real person.",
            place=f"Synthetic place near {event.place}"[:200],
        )
        report, _code, new = do_submit_report(
            form, owner, f"synthetic-demo-{event.pk}", data, is_synthetic=True
        )
        if new and n % 4 == 0:
            report.status = Status.VERIFIED
            report.source_reliability = "B"
            report.information_credibility = 2
            report.public_answer = "Synthetic answer: the network has shared this with partners."
            report.save()
        added += new
        if n % 5 == 0:  # "you said, we did": a published answer some reports belong to
            demo_theme(owner).reports.add(report)
    return added


def demo_theme(owner: Organization) -> Theme:
    """One SYNTHETIC theme with a published answer (docs/voices.md, "You said, we did")."""
    theme, _created = Theme.objects.get_or_create(
        owner=owner,
        title="Synthetic theme: safety on the road to the market",
        defaults={
            "answer": "Synthetic answer: the network raised it with the local peace committee.",
            "published_at": timezone.now(),
            "is_synthetic": True,
        },
    )
    return theme
