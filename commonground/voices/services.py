"""Writes to community reports (``do_*``), each one audited in ``sharing.AuditEvent``.

The protected fields are sealed here, before anything reaches the database (``crypto.py``); no
audit row ever holds them, only ids, slugs and counts.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commonground.core.models import Area
from commonground.sharing.markings import TLP_REPORT_COARSE, TLP_REPORT_PROTECTED
from commonground.sharing.models import AuditEvent, Organization
from commonground.sharing.policy import access_operator, may_grade_reports
from commonground.voices import crypto
from commonground.voices.models import (
    Channel,
    DatePrecision,
    PerpetratorKind,
    Report,
    ReportForm,
    Status,
)
from commonground.voices.survey_models import PerceptionResponse


class LimitReached(Exception):
    """The form took its daily number of reports; it asks people to come back later."""


class KeyReused(Exception):
    """The sender's key already names a report of another form: not a replay (ADR 0023)."""


class NotAllowed(Exception):
    """The user may not do this to this report (callers answer as if it did not exist)."""


@dataclass
class ReportInput:
    """What a person tells, before it is split into clear columns and sealed fields."""

    category: str
    occurred_on: datetime.date
    date_precision: str = DatePrecision.DAY
    area: Area | None = None
    women: int = 0
    men: int = 0
    girls: int = 0
    boys: int = 0
    unknown: int = 0
    perpetrator_kind: str = PerpetratorKind.NOT_SAID
    may_count: bool = False
    may_contact: bool = False
    may_quote: bool = False
    narrative: str = ""
    contact: str = ""
    reporter_name: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    #: A staff report's monitoring source (link, quoted text, archived copy): sealed too
    #: (``staff.py``).
    media: dict[str, Any] | None = None


#: The fields that exist only inside the ciphertext (docs/voices.md, ADR 0018; the canary test
#: plants one in each).
PROTECTED_FIELDS = (
    "narrative",
    "contact",
    "reporter_name",
    "place",
    "latitude",
    "longitude",
    "occurred_on",
)


def protected_part(data: ReportInput) -> dict[str, Any]:
    """The fields to seal; the contact only when the person agreed to be contacted."""
    fields: dict[str, Any] = {
        "narrative": data.narrative,
        "contact": data.contact if data.may_contact else "",
        "reporter_name": data.reporter_name,
        "place": data.place,
        "latitude": data.latitude,
        "longitude": data.longitude,
        "occurred_on": data.occurred_on.isoformat(),
    }
    if data.media:
        fields["media"] = data.media
    return fields


def audit(action: str, actor: User | None, target: str, **detail: Any) -> None:
    AuditEvent.objects.create(action=action, actor=actor, target=target, detail=detail)


def do_submit_report(
    form: ReportForm | None,
    owner: Organization,
    client_key: str,
    data: ReportInput,
    channel: str = Channel.WEB_FORM,
    actor: User | None = None,
    is_synthetic: bool = False,
) -> tuple[Report, str, bool]:
    """Store one report, sealed; the same ``client_key`` again returns the first one.

    Returns the report, the receipt code to show the reporter, and whether it is new.
    """
    key = crypto.ensure_organization_key(owner)
    receipt = crypto.receipt_code(key, f"{channel}:{client_key}")
    with transaction.atomic():
        known = Report.objects.filter(owner=owner, channel=channel, client_key=client_key).first()
        if known is not None:
            if known.form_id != (form.pk if form else None):
                raise KeyReused(client_key)
            return known, receipt, False
        if form is not None:
            since = timezone.now() - datetime.timedelta(hours=24)
            if Report.objects.filter(form=form, created_at__gte=since).count() >= form.daily_limit:
                raise LimitReached(form.slug)
        report = new_report(key, receipt, form, owner, client_key, data, channel, is_synthetic)
        report.save(force_insert=True)
        audit("voices.report.received", actor, str(report.pk), owner=owner.slug, channel=channel)
    return report, receipt, True


def new_report(
    key: bytes,
    receipt: str,
    form: ReportForm | None,
    owner: Organization,
    client_key: str,
    data: ReportInput,
    channel: str,
    is_synthetic: bool,
) -> Report:
    """An unsaved report: clear columns set, protected fields sealed under ``key``."""
    return Report(
        **report_columns(key, receipt, form, owner, client_key, data, channel, is_synthetic)
    )


def report_columns(
    key: bytes,
    receipt: str,
    form: ReportForm | None,
    owner: Organization,
    client_key: str,
    data: ReportInput,
    channel: str,
    is_synthetic: bool,
) -> dict[str, Any]:
    """A new report's columns (by attribute name), protected fields sealed under ``key``.

    Shared by the one-by-one form and the batch channels (``kobo.py`` inserts these without
    building a model per row) so every channel splits and seals a report the same way.
    """
    report_id = uuid.uuid4()
    wrapped, sealed = crypto.seal(key, report_id, protected_part(data))
    return {
        "id": report_id,
        "owner_id": owner.pk,
        "form_id": form.pk if form is not None else None,
        "channel": channel,
        "client_key": client_key,
        "receipt_hash": crypto.receipt_hash(receipt),
        "category": data.category,
        "area_id": data.area.pk if data.area is not None else None,
        "month": data.occurred_on.replace(day=1),
        "date_precision": data.date_precision,
        "women": data.women,
        "men": data.men,
        "girls": data.girls,
        "boys": data.boys,
        "unknown": data.unknown,
        "perpetrator_kind": data.perpetrator_kind,
        "may_count": data.may_count,
        "may_contact": data.may_contact,
        "may_quote": data.may_quote,
        "key_id": crypto.key_id(key),
        "wrapped_key": wrapped,
        "sealed": sealed,
        "is_synthetic": is_synthetic,
    }


def do_audit_protected_read(report: Report, actor: User | None, why: str) -> None:
    """Every read of a report's protected fields leaves a row: who, which report, why."""
    audit("voices.report.read", actor, str(report.pk), owner=report.owner.slug, why=why)


def do_grade_report(
    report: Report,
    actor: User,
    status: str,
    source_reliability: str,
    information_credibility: int | None,
    public_answer: str,
) -> Report:
    """An analyst of the owner grades a report (Admiralty scale) and answers the reporter."""
    if not may_grade_reports(actor, report.owner_id):
        raise NotAllowed(str(report.pk))
    answer_changed = public_answer != report.public_answer
    report.status = Status(status)
    report.source_reliability = source_reliability
    report.information_credibility = information_credibility
    report.public_answer = public_answer
    report.graded_by = actor
    if answer_changed:
        report.answered_at = timezone.now() if public_answer else None
    report.save()
    audit(
        "voices.report.graded",
        actor,
        str(report.pk),
        status=report.status,
        grading=f"{source_reliability}{information_credibility or ''}",
        answer_changed=answer_changed,
    )
    return report


def do_rotate_key(organization: Organization) -> int:
    """Give the organization a new key and re-wrap every data key with it; returns how many.

    The new key is written next to the old one first; the data keys are re-wrapped in one
    transaction; only then does the new file replace the old. A failure leaves the old key and
    every report as they were. A key held in the environment cannot be rotated here.
    """
    if os.environ.get(crypto.key_variable(organization), "").strip():
        raise crypto.KeyMissing(
            f"the key of {organization.slug} is in {crypto.key_variable(organization)}: "
            "rotate it where that variable is set"
        )
    old = crypto.organization_key(organization)
    new = crypto.new_key()
    path = crypto.key_file(organization)
    pending = path.with_suffix(".key.new")
    pending.unlink(missing_ok=True)
    crypto.write_key_file(pending, new)
    try:
        with transaction.atomic():
            reports = access_operator(Report.objects.filter(owner=organization)).exclude(
                wrapped_key=b""
            )
            count = 0
            for report in reports.only("id", "wrapped_key").iterator():
                report.wrapped_key = crypto.rewrap(old, new, report.wrapped_key)
                report.key_id = crypto.key_id(new)
                report.save(update_fields=["wrapped_key", "key_id"])
                count += 1
            rewrap_survey_responses(organization, old, new)
            audit("voices.key.rotated", None, organization.slug, reports=count)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    pending.replace(path)
    return count


def rewrap_survey_responses(organization: Organization, old: bytes, new: bytes) -> None:
    """Perception survey responses are sealed under the same key: re-wrap theirs too."""
    responses = access_operator(PerceptionResponse.objects.filter(owner=organization))
    for response in responses.exclude(wrapped_key=b"").only("id", "wrapped_key").iterator():
        response.wrapped_key = crypto.rewrap(old, new, response.wrapped_key)
        response.key_id = crypto.key_id(new)
        response.save(update_fields=["wrapped_key", "key_id"])


def do_shred(organization: Organization) -> int:
    """Destroy the organization's key and every wrapped data key and ciphertext; irreversible.

    The coarse columns stay (counts by area and month), the protected fields are gone for good:
    even a backup of the key file opens nothing, because the wrapped keys are erased too.
    """
    with transaction.atomic():
        count = (
            access_operator(Report.objects.filter(owner=organization))
            .exclude(wrapped_key=b"")
            .update(wrapped_key=b"", sealed=b"", key_id="shredded")
        )
        access_operator(PerceptionResponse.objects.filter(owner=organization)).exclude(
            wrapped_key=b""
        ).update(wrapped_key=b"", sealed=b"", key_id="shredded")
        audit("voices.key.shredded", None, organization.slug, reports=count)
    for path in organization_key_files(organization):
        if path.exists():
            path.write_bytes(b"\0" * path.stat().st_size)  # best effort: the file system may copy
            path.unlink()
    return count


def organization_key_files(organization: Organization) -> list[Path]:
    """Every key the organization holds here: the data-key wrapping key, the SMS key (it links
    repeat senders' hashed numbers) and the ODK private key (it opens copies on the ODK server).
    Shredding destroys them all."""
    folder = crypto.key_folder()
    slug = organization.slug
    return [crypto.key_file(organization), folder / f"{slug}.sms.key", folder / f"{slug}.odk.pem"]


def do_export(organization: Organization, out: IO[str], output_name: str) -> int:
    """Write the organization's reports, decrypted, one JSON object a line; audited."""
    key = crypto.organization_key(organization)
    count = 0
    reports = access_operator(Report.objects.filter(owner=organization)).select_related("area")
    for report in reports.order_by("created_at", "id").iterator():
        row = export_row(report)
        if report.wrapped_key:
            row["protected"] = crypto.open_sealed(key, report.pk, report.wrapped_key, report.sealed)
        # Each line carries its own marking: a line copied out of the file keeps it.
        row["tlp"] = (
            f"TLP:{(TLP_REPORT_PROTECTED if report.wrapped_key else TLP_REPORT_COARSE).value}"
        )
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    audit("voices.exported", None, organization.slug, reports=count, file=output_name)
    return count


def export_row(report: Report) -> dict[str, Any]:
    """The clear columns of a report, as plain JSON values."""
    return {
        "id": str(report.pk),
        "owner": report.owner.slug,
        "channel": report.channel,
        "status": report.status,
        "category": report.category,
        "area": report.area.code if report.area else None,
        "month": report.month.isoformat(),
        "date_precision": report.date_precision,
        "affected": {
            "women": report.women,
            "men": report.men,
            "girls": report.girls,
            "boys": report.boys,
            "unknown": report.unknown,
        },
        "perpetrator_kind": report.perpetrator_kind,
        "consent": {
            "may_count": report.may_count,
            "may_contact": report.may_contact,
            "may_quote": report.may_quote,
        },
        "source_reliability": report.source_reliability,
        "information_credibility": report.information_credibility,
        "public_answer": report.public_answer,
        "received_at": report.created_at.isoformat(),
        "synthetic": report.is_synthetic,
    }


def export_to_file(organization: Organization, path: Path) -> int:
    """Export into a new file readable by its owner only (it holds decrypted reports)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        return do_export(organization, out, path.name)
