"""The published tables of community reports: the only figures of reports others may receive.

Each table is fixed here, in code: its dimensions, its measure and the reports it counts. They
reach anyone but the owner only through the disclosure gate (``sharing.gate.release``); this
module is the one place, with the owner's own inbox, that reads reports to count them
(``sharing/tests/test_gate_no_bypass.py`` fails on any other).

Only reports whose author agreed to be counted (``may_count``) and that are not duplicates are
counted. Dates are months or quarters, places admin-2 areas under their admin-1; admin-1 units
with fewer than K counted reports are pooled as "other areas", so a row's very existence says
no more than a released total would.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from commonground.core.models import Area
from commonground.sharing.gate import (
    Dimension,
    Path,
    PublishedTable,
    SourceRow,
    register,
    threshold_k,
)
from commonground.sharing.policy import access_operator
from commonground.voices.models import Category, Report, Status

SOURCE = "voices"
OTHER_AREAS = "other"
SEX_AGE = ("women", "men", "girls", "boys", "unknown")
SEX_AGE_LABELS = {
    "women": _lazy("Women"),
    "men": _lazy("Men"),
    "girls": _lazy("Girls"),
    "boys": _lazy("Boys"),
    "unknown": _lazy("Sex or age not known"),
}

AREA = Dimension("area", _lazy("Area"), key=True, depth=2)
MONTH = Dimension("month", _lazy("Month"), key=True)
QUARTER = Dimension("quarter", _lazy("Quarter"), key=True)
CATEGORY = Dimension("category", _lazy("Category"), key=False)
GROUP = Dimension("sex_age", _lazy("Sex and age group"), key=True)


def counted_reports(owner: Any) -> list[dict[str, Any]]:
    """The clear columns of the owner's reports that may be counted (read for the gate only)."""
    reports = access_operator(Report.objects.filter(owner=owner)).filter(
        Q(may_count=True) & ~Q(status=Status.DUPLICATE)
    )
    return list(
        reports.order_by("id").values(
            "id",
            "cell_key",
            "month",
            "category",
            "area__code",
            "area__parent__code",
            *SEX_AGE,
        )
    )


def reports_version(owner: Any) -> tuple[Any, ...]:
    """A fingerprint of the counted reports (one query): the gate's cache key, not a figure."""
    reports = access_operator(Report.objects.filter(owner=owner))
    found = reports.aggregate(
        n=Count("id"),
        last=Max("updated_at"),
        keys=Sum("cell_key"),
        counted=Count("id", filter=Q(may_count=True)),
    )
    return (found["n"], found["counted"], str(found["last"]), found["keys"], threshold_k())


def has_synthetic(owner: Any) -> bool:
    """Whether the owner's reports include demonstration data (the page then says so)."""
    return access_operator(Report.objects.filter(owner=owner, is_synthetic=True)).exists()


def _admin1(report: dict[str, Any]) -> str | None:
    return report["area__parent__code"] if report["area__code"] else None


def area_paths(reports: list[dict[str, Any]]) -> dict[Any, Path]:
    """Each report's area path; admin-1 units with fewer than K reports pooled as other areas."""
    k = threshold_k()
    per_admin1 = Counter(_admin1(r) for r in reports)
    paths: dict[Any, Path] = {}
    for report in reports:
        admin1 = _admin1(report)
        if admin1 is None or per_admin1[admin1] < k:
            paths[report["id"]] = (OTHER_AREAS,)
        else:
            paths[report["id"]] = (admin1, report["area__code"])
    return paths


def month_code(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def quarter_code(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _years(reports: list[dict[str, Any]]) -> range:
    if not reports:
        return range(0)
    years = [r["month"].year for r in reports]
    return range(min(years), max(years) + 1)


def month_domain(reports: list[dict[str, Any]]) -> list[Path]:
    """Every month of the years reports fall in (an empty month looks like a small one)."""
    return [(f"{year}-{month:02d}",) for year in _years(reports) for month in range(1, 13)]


def quarter_domain(reports: list[dict[str, Any]]) -> list[Path]:
    return [(f"{year}-Q{q}",) for year in _years(reports) for q in range(1, 5)]


def area_domain(reports: list[dict[str, Any]]) -> list[Path]:
    """Every admin-2 area of the admin-1 units shown (not only those with reports)."""
    shown = set(area_paths(reports).values())
    admin1s = sorted({path[0] for path in shown if len(path) == 2})
    areas = Area.objects.filter(parent__code__in=admin1s).values_list("parent__code", "code")
    leaves: set[Path] = {(parent, code) for parent, code in areas}
    leaves |= set(shown)
    return sorted(leaves)


def _area_month_rows(owner: Any) -> list[SourceRow]:
    reports = counted_reports(owner)
    areas = area_paths(reports)
    return [
        SourceRow(str(r["id"]), r["cell_key"], (areas[r["id"]], (month_code(r["month"]),)))
        for r in reports
    ]


def _area_month_domain(owner: Any, rows: list[SourceRow]) -> tuple[list[Path], ...]:
    reports = counted_reports(owner)
    return (area_domain(reports), month_domain(reports))


def _area_category_rows(owner: Any) -> list[SourceRow]:
    reports = counted_reports(owner)
    areas = area_paths(reports)
    return [
        SourceRow(str(r["id"]), r["cell_key"], (areas[r["id"]], (r["category"],))) for r in reports
    ]


def _area_category_domain(owner: Any, rows: list[SourceRow]) -> tuple[list[Path], ...]:
    reports = counted_reports(owner)
    return (area_domain(reports), [(value,) for value in Category.values])


def _people_rows(owner: Any) -> list[SourceRow]:
    rows = []
    for r in counted_reports(owner):
        quarter = (quarter_code(r["month"]),)
        for group in SEX_AGE:
            if r[group]:
                rows.append(SourceRow(str(r["id"]), r["cell_key"], ((group,), quarter), r[group]))
    return rows


def _people_domain(owner: Any, rows: list[SourceRow]) -> tuple[list[Path], ...]:
    return ([(group,) for group in SEX_AGE], quarter_domain(counted_reports(owner)))


def labels(dimension: str, codes: Iterable[str]) -> dict[str, str]:
    """Names for a dimension's codes, in the current language."""
    codes = list(codes)
    if dimension == "area":
        field = "name_fr" if get_language() == "fr" else "name_en"
        names = dict(Area.objects.filter(code__in=codes).values_list("code", field))
        names[OTHER_AREAS] = _("Other areas")
        return {code: names.get(code, code) for code in codes}
    if dimension == "category":
        return {
            code: str(Category(code).label) if code in Category.values else code for code in codes
        }
    if dimension == "sex_age":
        return {code: str(SEX_AGE_LABELS.get(code, code)) for code in codes}
    return {code: code for code in codes}


AREA_MONTH = register(
    PublishedTable(
        slug="voices-area-month",
        source=SOURCE,
        title=_lazy("Community reports by area and month"),
        dimensions=(AREA, MONTH),
        measure="count",
        measure_label=_lazy("reports"),
        rows=_area_month_rows,
        domain=_area_month_domain,
        labels=labels,
        version=reports_version,
    )
)
AREA_CATEGORY = register(
    PublishedTable(
        slug="voices-area-category",
        source=SOURCE,
        title=_lazy("Community reports by area and category"),
        dimensions=(AREA, CATEGORY),
        measure="count",
        measure_label=_lazy("reports"),
        rows=_area_category_rows,
        domain=_area_category_domain,
        labels=labels,
        version=reports_version,
    )
)
PEOPLE_QUARTER = register(
    PublishedTable(
        slug="voices-people-quarter",
        source=SOURCE,
        title=_lazy("People affected by sex and age group and quarter"),
        dimensions=(GROUP, QUARTER),
        measure="sum",
        measure_label=_lazy("people"),
        rows=_people_rows,
        domain=_people_domain,
        labels=labels,
        version=reports_version,
    )
)
