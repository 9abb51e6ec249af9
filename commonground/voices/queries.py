"""Reads of community reports, always through ``sharing.policy``.

A report the user may not see answers exactly as one that does not exist (``Http404`` in views,
404 in the API): no page, route or count reveals it. Protected fields are decrypted only for the
owner's analysts, and every such read is audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from commonground.sharing.policy import (
    AnyUser,
    access_operator,
    access_reports,
    may_read_protected,
    record_denied,
    voices_organizations,
)
from commonground.voices import crypto
from commonground.voices.models import Report, ReportForm, Status
from commonground.voices.services import do_audit_protected_read

#: The inbox filters and the columns they apply to (``since`` and ``until``: a period of months,
#: ``YYYY-MM``, both included).
FILTERS = ("status", "category", "area", "month", "channel", "since", "until")


def visible_reports(user: AnyUser | None) -> QuerySet[Report]:
    """The reports ``user`` may know exist (members of the owner)."""
    return access_reports(Report.objects.all(), user).select_related("area", "owner")


def filtered_reports(user: AnyUser | None, filters: dict[str, str]) -> QuerySet[Report]:
    """The inbox: visible reports narrowed by the filters given (unknown values match nothing).

    Most recent month first, then the latest received. Duplicates drop out unless the status
    asked for is ``duplicate``.
    """
    reports = visible_reports(user).order_by("-month", "-created_at")
    if (filters.get("status") or "").strip() != Status.DUPLICATE:
        reports = reports.exclude(status=Status.DUPLICATE)
    for name in FILTERS:
        value = (filters.get(name) or "").strip()
        if not value:
            continue
        if name == "area":
            reports = reports.filter(area__code=value)
        elif name in ("month", "since", "until"):
            try:
                month = datetime.date.fromisoformat(f"{value}-01")
            except ValueError:
                return reports.none()
            lookup = {"month": "month", "since": "month__gte", "until": "month__lte"}[name]
            reports = reports.filter(**{lookup: month})
        else:
            reports = reports.filter(**{name: value})
    return reports


def report_for(user: AnyUser | None, report_id: Any) -> Report | None:
    """One report, or ``None`` when it does not exist or ``user`` may not know of it.

    Asking for a report that exists but is hidden is audited (``access.denied``, bounded); the
    caller still answers exactly as for a missing one.
    """
    report = visible_reports(user).filter(pk=report_id).first()
    if report is None and access_operator(Report.objects.filter(pk=report_id)).exists():
        record_denied(user, f"voices.report:{report_id}", "not visible under access policy")
    return report


def protected_fields(report: Report, user: AnyUser | None, why: str) -> dict[str, Any] | None:
    """The decrypted protected fields for the owner's analysts (audited), else ``None``.

    Answers ``{}`` with ``shredded`` when the organization destroyed its key.
    """
    if not may_read_protected(user, report.owner_id):
        return None
    if not report.wrapped_key:
        return {"shredded": True}
    fields = crypto.open_sealed(
        crypto.organization_key(report.owner), report.pk, report.wrapped_key, report.sealed
    )
    do_audit_protected_read(report, user if isinstance(user, User) else None, why)
    return fields


def published_form(organization_slug: str, form_slug: str) -> ReportForm | None:
    """A public form, or ``None`` when it does not exist or is not published."""
    return (
        ReportForm.objects.select_related("owner")
        .filter(owner__slug=organization_slug, slug=form_slug, published=True)
        .first()
    )


def report_by_receipt(code: str) -> Report | None:
    """The report a receipt code belongs to (what its holder may read: status and answer)."""
    if len(crypto.normalise_receipt(code)) != 19:
        return None
    return Report.objects.filter(receipt_hash=crypto.receipt_hash(code)).first()


def may_use_inbox(user: AnyUser | None) -> bool:
    return bool(voices_organizations(user))


def voices_counts() -> dict[str, int]:
    """For ``commonground stats`` (the operator): how many reports and survey responses.

    Perception surveys are a later slice: ``perception_responses`` is 0 until they exist.
    """
    return {
        "voices_reports": access_operator(Report.objects.all()).count(),
        "perception_responses": 0,
    }
