"""Reads of community reports, always through ``sharing.policy``.

A report the user may not see answers exactly as one that does not exist (``Http404`` in views,
404 in the API): no page, route or count reveals it. Protected fields are decrypted only for the
owner's analysts, and every such read is audited.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from commonground.core.models import Area, AreaLevel
from commonground.sharing.policy import (
    AnyUser,
    Viewer,
    access_operator,
    access_reports,
    may_read_protected,
    record_denied,
    voices_organizations,
)
from commonground.voices import crypto
from commonground.voices.models import Category, Channel, Report, ReportForm, Status
from commonground.voices.services import do_audit_protected_read

#: The inbox filters and the columns they apply to (``since`` and ``until``: a period of months,
#: ``YYYY-MM``, both included).
FILTERS = ("status", "category", "area", "month", "channel", "since", "until")


#: The inbox's order: most recent month first, then the latest received; the id breaks ties, so
#: a cursor (:func:`after_cursor`) names one place in it (index ``voices_inbox_seek``).
INBOX_ORDER = ("-month", "-created_at", "-id")


def visible_reports(user: AnyUser | Viewer | None) -> QuerySet[Report]:
    """The reports ``user`` may know exist (members of the owner)."""
    return access_reports(Report.objects.all(), user).select_related("area", "owner")


def filtered_reports(user: AnyUser | Viewer | None, filters: dict[str, str]) -> QuerySet[Report]:
    """The inbox: visible reports narrowed by the filters given (unknown values match nothing).

    Most recent month first, then the latest received. Duplicates drop out unless the status
    asked for is ``duplicate``.
    """
    reports = visible_reports(user).order_by(*INBOX_ORDER)
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


def inbox_areas(owners: list[Any], name_field: str) -> list[tuple[str, str]]:
    """The areas the reports of ``owners`` lie in, for the filter: (code, name), by name.

    ``owners``: ``voices_organizations(user)``, worked out once per request by the caller.
    One index probe per admin-2 area (``voices_inbox_area``) instead of a pass over every
    report: the inbox stays fast with 100,000 reports (bench/inbox.py).
    """
    reports = Report.objects.filter(owner_id__in=owners, area_id=OuterRef("pk")).exclude(
        status=Status.DUPLICATE
    )
    areas = Area.objects.filter(level=AreaLevel.ADMIN2).filter(Exists(reports))
    return list(areas.order_by(name_field).values_list("code", name_field))


def inbox_rows(reports: QuerySet[Report], area_name: str, base_url: str) -> list[dict[str, Any]]:
    """One page of the inbox as plain values (coarse columns only; nothing decrypted).

    Read as values, not model instances, and labelled from dictionaries made once: a page of 100
    rows renders in a few milliseconds (bench/inbox.py).
    """
    labels = {
        "category": {value: str(label) for value, label in Category.choices},
        "channel": {value: str(label) for value, label in Channel.choices},
        "status": {value: str(label) for value, label in Status.choices},
    }
    fields = ("pk", "month", f"area__{area_name}", "category", "channel", "status")
    counts = ("women", "men", "girls", "boys", "unknown")
    grading = ("source_reliability", "information_credibility")
    rows = []
    for values in reports.values_list(*fields, *counts, *grading, "created_at", "is_synthetic"):
        pk, month, area, category, channel, status = values[:6]
        reliability, credibility, created_at, synthetic = values[-4:]
        rows.append(
            {
                "url": f"{base_url}{pk}/",
                "cursor": cursor_for(month, created_at, pk),
                "synthetic": synthetic,
                "month": month.strftime("%Y-%m"),
                "area": area or "—",
                "category": labels["category"].get(category, category),
                "affected": sum(values[6:11]),
                "channel": labels["channel"].get(channel, channel),
                "status": labels["status"].get(status, status),
                "grading": f"{reliability}{credibility or ''}",
            }
        )
    return rows


def inbox_months(owners: list[Any]) -> list[datetime.date]:
    """Every month from the latest report of ``owners`` back to the earliest (period filters).

    ``owners``: ``voices_organizations(user)``, worked out once per request by the caller.
    Two index look-ups (the first and last month), not a pass over every report.
    """
    first: datetime.date | None = None
    last: datetime.date | None = None
    for owner in owners:  # one seek each way in ``voices_inbox_seek``
        own = Report.objects.filter(owner_id=owner).values_list("month", flat=True)
        earliest, latest = own.order_by("month").first(), own.order_by("-month").first()
        if earliest is not None and latest is not None:
            first = earliest if first is None else min(first, earliest)
            last = latest if last is None else max(last, latest)
    if first is None or last is None:
        return []
    months = []
    month = last
    while month >= first:
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months


def report_for(user: AnyUser | None, report_id: Any) -> Report | None:
    """One report, or ``None`` when it does not exist or ``user`` may not know of it.

    Asking for a report that exists but is hidden is audited (``access.denied``, bounded); the
    caller still answers exactly as for a missing one.
    """
    report = visible_reports(user).filter(pk=report_id).first()
    if report is None and access_operator(Report.objects.filter(pk=report_id)).exists():
        record_denied(
            user,
            f"voices.report:{report_id}",
            "not visible under access policy",
            records=Report.objects.filter(pk=report_id),
        )
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

    ``perception_responses`` counts stored survey responses (``survey_models``).
    """
    from commonground.voices.survey_models import PerceptionResponse

    return {
        "voices_reports": access_operator(Report.objects.all()).count(),
        "perception_responses": access_operator(PerceptionResponse.objects.all()).count(),
    }


def verification_of(
    user: AnyUser | Viewer | None, reports: list[tuple[Any, Any]]
) -> dict[Any, dict[str, Any]]:
    """Themes, corroborations, duplicates and follow-ups of ``reports`` (id, owner id), by id.

    Only for the reports whose owner's analysts ``user`` counts among (``may_read_protected``),
    the same people the report page shows them to; the other reports are absent from the answer.
    An event that corroborates a report is named only when ``user`` may see it
    (``events.queries.visible_events``); otherwise ``event`` is ``None``. A few queries for the
    whole list, however long.
    """
    from commonground.events.queries import visible_events
    from commonground.voices.inbox_models import Corroboration, DuplicateLink, FollowUp, Theme

    owners = set(voices_organizations(user, analysts_only=True))
    ids = [pk for pk, owner_id in reports if owner_id in owners]
    if not ids:
        return {}
    found: dict[Any, dict[str, Any]] = {
        pk: {
            "themes": [],
            "corroborations": [],
            "duplicate_of": None,
            "duplicates": [],
            "follow_ups": [],
        }
        for pk in ids
    }
    links = Theme.reports.through.objects.filter(report_id__in=ids, theme__owner_id__in=owners)
    for report_id, theme_id, title, published_at, answer in links.order_by(
        "theme__title", "theme_id"
    ).values_list("report_id", "theme_id", "theme__title", "theme__published_at", "theme__answer"):
        published = published_at is not None and bool(answer)
        found[report_id]["themes"].append({"id": theme_id, "title": title, "published": published})
    corroborations = list(
        Corroboration.objects.filter(report_id__in=ids)
        .order_by("created_at", "id")
        .values_list("report_id", "event_id", "other_report_id", "created_at")
    )
    events = {event for _r, event, _o, _c in corroborations if event is not None}
    seen: set[Any] = set()
    if events:
        visible = visible_events(user)  # type: ignore[arg-type]  # access_owned under it takes a Viewer too
        seen = set(visible.filter(pk__in=events).values_list("pk", flat=True))
    for report_id, event, other, created_at in corroborations:
        found[report_id]["corroborations"].append(
            {
                "event": event if event in seen else None,
                "report": other,
                "kind": "event" if event is not None else "report",
                "marked_at": created_at,
            }
        )
    duplicates = DuplicateLink.objects.filter(Q(report_id__in=ids) | Q(original_id__in=ids))
    for report_id, original_id in duplicates.order_by("created_at", "id").values_list(
        "report_id", "original_id"
    ):
        if report_id in found:
            found[report_id]["duplicate_of"] = original_id
        if original_id in found:
            found[original_id]["duplicates"].append(report_id)
    follow_ups = FollowUp.objects.filter(report_id__in=ids).order_by("done", "due_on", "id")
    for report_id, username, due_on, done, done_at in follow_ups.values_list(
        "report_id", "assignee__username", "due_on", "done", "done_at"
    ):
        found[report_id]["follow_ups"].append(
            {"assignee": username, "due_on": due_on, "done": done, "done_at": done_at}
        )
    return found


def page_of(reports: QuerySet[Report], offset: int, size: int) -> QuerySet[Report]:
    """``size`` reports from ``offset`` on, in order: a far page skips rows in the index alone.

    The ids are read first (the covering index ``voices_inbox_seek``, no table row, no join),
    then only those rows: an OFFSET of 49,900 costs a few milliseconds, not a join per row.
    """
    if offset == 0:
        return reports[:size]
    ids = list(reports.values_list("pk", flat=True)[offset : offset + size])
    return reports.filter(pk__in=ids)


def after_cursor(reports: QuerySet[Report], cursor: str) -> QuerySet[Report] | None:
    """The reports that come after ``cursor`` in :data:`INBOX_ORDER` (keyset, or seek, paging).

    A cursor is :func:`cursor_for` of the last report of the page before: the next page is read
    by seeking in ``voices_inbox_seek``, however far it is, instead of skipping rows with an
    OFFSET. ``None`` when the cursor cannot be read (the caller shows a page by number instead).
    """
    try:
        month_text, created_text, id_text = cursor.split("~")
        month = datetime.date.fromisoformat(month_text)
        created = datetime.datetime.fromisoformat(created_text)
        report_id = uuid.UUID(id_text)
    except ValueError:
        return None
    if created.tzinfo is None:
        return None
    # ``month <= m`` first: a range on the index, walked in order; the rest filters in it.
    return reports.filter(month__lte=month).filter(
        Q(month__lt=month) | Q(created_at__lt=created) | Q(created_at=created, id__lt=report_id)
    )


def cursor_for(month: datetime.date, created_at: datetime.datetime, report_id: Any) -> str:
    """The cursor of a report: its place in :data:`INBOX_ORDER` (no protected value in it)."""
    return f"{month.isoformat()}~{created_at.isoformat()}~{report_id}"


def refresh_statistics() -> None:
    """``ANALYZE`` the reports table, after a bulk load (an import, bench/inbox.py).

    With no statistics, or stale ones, SQLite reads the whole table for a selective inbox filter
    (docs/performance.md); a few hundred milliseconds with 100,000 reports.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Report._meta.db_table)}")
