"""``/voices/reports``: the inbox as JSON, for the owner's members only (mounted in api/routes).

Anyone else, signed in or not, gets 404 on both routes: the API never says a report exists. The
protected fields come only to the owner's analysts, and each such answer is audited.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import BaseModel, Field

from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.sharing.markings import TLP_REPORT_COARSE, TLP_REPORT_PROTECTED
from commonground.sharing.policy import policy, request_viewer
from commonground.voices import queries
from commonground.voices.models import Report

router = Router(tags=["voices"])

#: Most reports one answer lists.
API_PAGE = 200


class ThemeRef(BaseModel):
    id: uuid.UUID
    title: str
    published: bool = Field(description="Its answer is public (the public answers page).")


class CorroborationOut(BaseModel):
    kind: str = Field(description="`event` or `report`.")
    event: int | None = Field(description="The event's number; null if you may not see it.")
    report: uuid.UUID | None = Field(description="The other report of the same organization.")
    marked_at: datetime.datetime


class FollowUpOut(BaseModel):
    assignee: str = Field(description="Username of the member who does it.")
    due_on: datetime.date
    done: bool
    done_at: datetime.datetime | None


class VerificationOut(BaseModel):
    """What the report page shows of verification, to the same people."""

    themes: list[ThemeRef]
    corroborations: list[CorroborationOut]
    duplicate_of: uuid.UUID | None
    duplicates: list[uuid.UUID]
    follow_ups: list[FollowUpOut]


class ReportOut(BaseModel):
    """A report's coarse columns: what every member of the owner may see."""

    id: uuid.UUID
    owner: str
    channel: str
    status: str
    category: str
    area: str | None = Field(description="Admin-2 area code.")
    month: datetime.date
    date_precision: str
    women: int
    men: int
    girls: int
    boys: int
    unknown: int
    perpetrator_kind: str
    may_count: bool
    may_contact: bool
    may_quote: bool
    source_reliability: str
    information_credibility: int | None
    public_answer: str
    synthetic: bool
    tlp: str = Field(
        description="TLP 2.0 marking of this answer: TLP:AMBER+STRICT for the coarse columns, "
        "TLP:RED when the protected fields are included (docs/access-policy.md)."
    )
    verification: VerificationOut | None = Field(
        description="Themes, corroborations, duplicates and follow-ups: for the owner's analysts "
        "(as the report page); null for everyone else."
    )


class ReportDetailOut(ReportOut):
    protected: dict[str, Any] | None = Field(
        description="Narrative, contact, identity, exact place and date: the owner's analysts only."
    )


class ReportFilters(Schema):
    status: str = ""
    category: str = ""
    area: str = ""
    month: str = Field("", description="YYYY-MM")
    channel: str = ""
    since: str = Field("", description="YYYY-MM, first month of a period (included)")
    until: str = Field("", description="YYYY-MM, last month of a period (included)")


#: The clear columns the list reads, as plain values (no model instance: bench/inbox.py).
COLUMNS = tuple(
    name
    for name in ReportOut.model_fields
    if name not in ("owner", "area", "synthetic", "verification", "tlp")
)


def report_out(report: Report, verification: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    return {
        **{name: getattr(report, name) for name in COLUMNS},
        "owner": report.owner.slug,
        "area": report.area.code if report.area else None,
        "synthetic": report.is_synthetic,
        "tlp": f"TLP:{TLP_REPORT_COARSE.value}",
        "verification": verification.get(report.pk),
    }


@router.get(
    "/voices/reports",
    response={200: list[ReportOut], frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("voices")
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> list[dict[str, Any]]:
    """Your organizations' reports, newest first, filtered (coarse columns only)."""
    if not queries.may_use_inbox(request.user):
        raise Http404("Not found.")
    viewer = request_viewer(request)
    reports = queries.filtered_reports(viewer, filters.model_dump())
    rows = list(
        reports.values(*COLUMNS, "owner_id", "owner__slug", "area__code", "is_synthetic")[:API_PAGE]
    )
    verification = queries.verification_of(viewer, [(r["id"], r["owner_id"]) for r in rows])
    return [
        {
            **{name: row[name] for name in COLUMNS},
            "owner": row["owner__slug"],
            "area": row["area__code"],
            "synthetic": row["is_synthetic"],
            "tlp": f"TLP:{TLP_REPORT_COARSE.value}",
            "verification": verification.get(row["id"]),
        }
        for row in rows
    ]


@router.get(
    "/voices/reports/{report_id}",
    response={200: ReportDetailOut, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("voices")
def get_report(request: HttpRequest, report_id: uuid.UUID) -> dict[str, Any]:
    """One report; decrypted protected fields for the owner's analysts (audited)."""
    report = queries.report_for(request.user, report_id)
    if report is None:
        raise Http404("No such report.")
    protected = queries.protected_fields(report, request.user, why="api")
    verification = queries.verification_of(request.user, [(report.pk, report.owner_id)])
    answer = {**report_out(report, verification), "protected": protected}
    if protected is not None:
        answer["tlp"] = f"TLP:{TLP_REPORT_PROTECTED.value}"
    return answer
