"""SYNTHETIC demonstration of released figures: the Bambari protection circle and its reports.

The Bambari women's network (``femmes-bambari``) owns the circle ``bambari-protection`` (the
MINUSCA analysis centre, the army liaison office and OCHA): its members see the network's
published tables through the disclosure gate, never a report. Thirty-odd reports are too few
for any table to be released safely (the gate withholds them), so the demo adds SYNTHETIC
reports, made up in code, in Ouaka's districts and in the months of the network's demo reports.
"""

from __future__ import annotations

import datetime
import random

from commonground.core.models import Area
from commonground.sharing.models import Organization, SharingCircle
from commonground.sharing.policy import access_operator
from commonground.voices.demo import DEMO_OWNER, HARMS, demo_form
from commonground.voices.models import DatePrecision, PerpetratorKind, Report
from commonground.voices.services import ReportInput, do_submit_report

CIRCLE_SLUG = "bambari-protection"
#: How many extra SYNTHETIC reports make the tables worth releasing.
EXTRA_REPORTS = 240


def do_demo_circle() -> SharingCircle:
    """The network's circle (get or create on owner and slug) with its three members."""
    from commonground.sharing.demo import ensure_demo_circles

    return ensure_demo_circles()


def do_demo_figure_reports(seed: int = 2021, count: int = EXTRA_REPORTS) -> int:
    """Add SYNTHETIC reports for the released figures (idempotent); returns how many are new."""
    owner = Organization.objects.get(slug=DEMO_OWNER)
    form = demo_form(owner)
    existing = access_operator(Report.objects.filter(owner=owner, area__isnull=False))
    areas = list(Area.objects.filter(pk__in=existing.values("area")).order_by("code")) or list(
        Area.objects.filter(parent__code="CAF.ouaka").order_by("code")
    )
    months = sorted(set(existing.values_list("month", flat=True))) or [datetime.date(2023, 1, 1)]
    if not areas:
        return 0
    rng = random.Random(seed)  # noqa: S311  # synthetic demo values, reproducible, not secrets
    weights = [1.0 / (n + 1) for n in range(len(areas))]
    added = 0
    for n in range(count):
        month = rng.choice(months)
        data = ReportInput(
            category=rng.choice(HARMS[:4]),
            occurred_on=month.replace(day=rng.randint(1, 28)),
            date_precision=DatePrecision.MONTH,
            area=rng.choices(areas, weights=weights)[0],
            women=rng.randint(0, 3),
            girls=rng.randint(0, 2),
            men=rng.randint(0, 2),
            perpetrator_kind=PerpetratorKind.UNKNOWN,
            may_count=True,
            narrative=f"SYNTHETIC figures report {n + 1}: invented, no real person.",
        )
        _report, _code, new = do_submit_report(
            form, owner, f"synthetic-figures-{n}", data, is_synthetic=True
        )
        added += new
    return added
