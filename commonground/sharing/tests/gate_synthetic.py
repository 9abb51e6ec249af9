"""SYNTHETIC community reports for the disclosure gate's tests, generated in code.

No real person's report: a few hundred made-up reports of the Bambari women's network spread
over a few districts and months, plus reports *planted* alone in their cell (their district,
month and category hold no other report), which an intruder must never be able to infer.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.models import User

from commonground.core.models import Area, AreaLevel
from commonground.sharing.models import Organization, SharingCircle
from commonground.voices.models import Category, Report
from commonground.voices.services import ReportInput, do_submit_report

DISTRICTS = {
    "CAF.ouaka": ("bambari", "ippy", "grimari", "kouango"),
    "CAF.haute-kotto": ("bria", "yalinga"),
}
#: Where the bulk of the SYNTHETIC reports fall, and how often.
BULK_AREAS = (
    ("CAF.ouaka.bambari", 8),
    ("CAF.ouaka.ippy", 3),
    ("CAF.ouaka.grimari", 2),
    ("CAF.haute-kotto.bria", 3),
)
BULK_CATEGORIES = (Category.THREAT, Category.LOOTING, Category.DISPLACEMENT)
BULK_MONTHS = tuple(datetime.date(2024, m, 1) for m in range(1, 7))
#: (district, month, category): each planted report is alone in its cells.
PLANTED = (
    ("CAF.ouaka.kouango", datetime.date(2024, 9, 1), Category.SGBV),
    ("CAF.haute-kotto.yalinga", datetime.date(2024, 11, 1), Category.ABDUCTION),
    ("CAF.ouaka.bambari", datetime.date(2024, 12, 1), Category.KILLING),
)


@dataclass
class Synthetic:
    owner: Organization
    circle: SharingCircle
    planted: list[Report]


def ensure_areas() -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for admin1, districts in DISTRICTS.items():
        name = admin1.split(".")[1].title()
        parent, _new = Area.objects.get_or_create(
            code=admin1,
            defaults={
                "level": AreaLevel.ADMIN1,
                "country_code": "CAF",
                "name_en": name,
                "name_fr": name,
            },
        )
        areas[admin1] = parent
        for district in districts:
            code = f"{admin1}.{district}"
            areas[code], _new = Area.objects.get_or_create(
                code=code,
                defaults={
                    "level": AreaLevel.ADMIN2,
                    "parent": parent,
                    "country_code": "CAF",
                    "name_en": district.title(),
                    "name_fr": district.title(),
                },
            )
    return areas


def submit(
    owner: Organization, key: str, area: Area, month: datetime.date, category: str
) -> Report:
    data = ReportInput(
        category=category,
        occurred_on=month.replace(day=10),
        area=area,
        women=1,
        may_count=True,
        narrative="SYNTHETIC test report: invented, no real person.",
    )
    report, _code, _new = do_submit_report(None, owner, key, data, is_synthetic=True)
    return report


def make_synthetic(cast: dict[str, User], bulk: int = 260, seed: int = 14) -> Synthetic:
    """The network's circle (MINUSCA, army liaison, OCHA) and its SYNTHETIC reports."""
    owner = Organization.objects.get(slug="femmes-bambari")
    circle, _new = SharingCircle.objects.get_or_create(
        owner=owner, slug="bambari-protection", defaults={"name": "Bambari protection circle"}
    )
    circle.members.add(
        *Organization.objects.filter(slug__in=("minusca-jmac", "faca-liaison", "ocha-car"))
    )
    areas = ensure_areas()
    rng = random.Random(seed)
    codes = [code for code, _w in BULK_AREAS]
    weights = [w for _c, w in BULK_AREAS]
    for n in range(bulk):
        area = areas[rng.choices(codes, weights=weights)[0]]
        submit(owner, f"bulk-{n}", area, rng.choice(BULK_MONTHS), rng.choice(BULK_CATEGORIES))
    planted = [
        submit(owner, f"planted-{n}", areas[code], month, category)
        for n, (code, month, category) in enumerate(PLANTED)
    ]
    return Synthetic(owner, circle, planted)
