"""Writes of the mandates app: capability statements and implementation scores.

Each ``do_*`` checks that the user may write for the owning organization (analysts and above,
``queries.may_edit_for``), writes, and leaves a row in the audit log saying who changed what.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from commonground.mandates import queries, reviews, scoring
from commonground.mandates.models import (
    AgreementEvent,
    CapabilityNeed,
    ImplementationScore,
    Provision,
    Resolution,
    ReviewItem,
    ReviewKind,
    TaskCategory,
)
from commonground.sharing.models import AuditEvent, Licence, Organization, Sensitivity


class NotAllowed(Exception):
    """The user may not write for this organization (answered like a missing record)."""


def audit(action: str, actor: User | None, target: str, **detail: Any) -> None:
    AuditEvent.objects.create(action=action, actor=actor, target=target, detail=detail)


def require_editor(user: User, owner: Organization) -> None:
    if not queries.may_edit_for(user, owner.pk):
        raise NotAllowed


def require_planner(user: User, owner: Organization) -> None:
    """Capability statements: analysts and above, and the organization's mission planners."""
    if not queries.may_plan_for(user, owner.pk):
        raise NotAllowed


@transaction.atomic
def do_add_need(
    user: User,
    owner: Organization,
    mission: str,
    category: TaskCategory,
    capability: str,
    note: str = "",
    sensitivity: int = Sensitivity.PARTNERS,
) -> CapabilityNeed:
    """State (or restate) that a task needs a capability; the same statement again updates it."""
    require_planner(user, owner)
    need, created = CapabilityNeed.objects.update_or_create(
        owner=owner,
        mission=mission,
        category=category,
        capability=capability,
        defaults={
            "note": note,
            "sensitivity": sensitivity,
            "licence": Licence.OWNER,
            "changed_by": user,
        },
    )
    audit(
        "mandates.need.add" if created else "mandates.need.change",
        user,
        f"need:{need.pk}",
        mission=mission,
        task=category.key,
        capability=capability,
        owner=owner.slug,
        sensitivity=int(sensitivity),
    )
    return need


@transaction.atomic
def do_remove_need(user: User, need: CapabilityNeed) -> None:
    """Withdraw a capability statement (the audit log keeps what it said)."""
    require_planner(user, need.owner)
    audit(
        "mandates.need.remove",
        user,
        f"need:{need.pk}",
        mission=need.mission,
        task=need.category.key,
        capability=need.capability,
        owner=need.owner.slug,
        note=need.note,
    )
    need.delete()


@transaction.atomic
def do_score(
    user: User,
    owner: Organization,
    provision: Provision,
    period: datetime.date,
    score: int,
    evidence: str = "",
    events: list[AgreementEvent] | None = None,
    sensitivity: int = Sensitivity.PARTNERS,
) -> ImplementationScore:
    """Score a provision for a half-year as this user for this organization (again: update)."""
    require_editor(user, owner)
    period = scoring.half_year(period)
    stored, created = ImplementationScore.objects.update_or_create(
        owner=owner,
        provision=provision,
        period=period,
        scorer_label=user.get_username(),
        defaults={
            "score": score,
            "scorer": user,
            "evidence": evidence,
            "sensitivity": sensitivity,
            "licence": Licence.OWNER,
        },
    )
    stored.events.set(events or [])
    audit(
        "mandates.score.add" if created else "mandates.score.change",
        user,
        f"score:{stored.pk}",
        provision=provision.key,
        period=period.isoformat(),
        score=score,
        owner=owner.slug,
        events=[e.key for e in events or []],
    )
    return stored


@transaction.atomic
def do_demo_scores(owner: Organization, agreement: str) -> int:
    """Store the demonstration rule's scores of an agreement (public, labelled); returns how many
    were new or changed. Run again, it changes nothing."""
    changed = 0
    for item in scoring.demo_scores(None, agreement):
        stored, created = ImplementationScore.objects.get_or_create(
            owner=owner,
            provision=item.provision,
            period=item.period,
            scorer_label=scoring.DEMO_SCORER,
            defaults={
                "score": item.score,
                "is_demonstration": True,
                "sensitivity": Sensitivity.PUBLIC,
                "licence": Licence.PUBLIC_FACTS,
                "evidence": DEMO_EVIDENCE,
            },
        )
        wanted = {e.pk for e in item.events}
        if created or stored.score != item.score or wanted != {e.pk for e in stored.events.all()}:
            stored.score = item.score
            stored.save(update_fields=["score", "updated_at"])
            stored.events.set(item.events)
            changed += 1
    if changed:
        audit("mandates.score.demo", None, f"agreement:{agreement}", changed=changed)
    return changed


#: What every demonstration score says of itself (stored in English; pages translate it).
DEMO_EVIDENCE = gettext_noop(
    "Demonstration score, made from the cited events by the rule in docs/mandates.md: "
    "advances up to the end of the half-year, capped at 3, less one per setback in it."
)


#: Review calendar kinds recorded (and withdrawn) by people; mandate end dates are seeded.
RECORDED_KINDS = (ReviewKind.REPORTING, ReviewKind.STRATEGIC_REVIEW)


@transaction.atomic
def do_add_review_item(
    user: User,
    owner: Organization,
    mission: str,
    kind: str,
    date: datetime.date,
    title: str,
    how: str = "",
    source_url: str = "",
    sensitivity: int = Sensitivity.PARTNERS,
) -> ReviewItem:
    """Record a reporting deadline or a strategic review of a mission for a body of a mission the
    user may plan for (:func:`queries.may_keep_calendar_for`)."""
    if not queries.may_keep_calendar_for(user, owner.pk):
        raise NotAllowed
    if kind not in RECORDED_KINDS:
        raise NotAllowed
    item = ReviewItem.objects.create(
        key=f"{mission}|{kind}|{uuid.uuid4().hex}",
        owner=owner,
        mission=mission,
        kind=kind,
        date=date,
        title=title,
        how=how,
        source_url=source_url,
        sensitivity=sensitivity,
        licence=Licence.OWNER,
    )
    audit(
        "mandates.review.add",
        user,
        f"review-item:{item.pk}",
        mission=mission,
        kind=str(kind),
        date=date.isoformat(),
        title=title,
        owner=owner.slug,
        sensitivity=int(sensitivity),
    )
    return item


@transaction.atomic
def do_remove_review_item(user: User, item: ReviewItem) -> None:
    """Withdraw a recorded deadline or review (the audit log keeps what it said)."""
    if not queries.may_keep_calendar_for(user, item.owner_id):
        raise NotAllowed
    if item.kind not in RECORDED_KINDS:
        raise NotAllowed
    audit(
        "mandates.review.remove",
        user,
        f"review-item:{item.pk}",
        mission=item.mission,
        kind=item.kind,
        date=item.date.isoformat(),
        title=item.title,
        how=item.how,
        source_url=item.source_url,
        owner=item.owner.slug,
    )
    item.delete()


@transaction.atomic
def do_seed_review_calendar(owner: Organization, readme: Path | None) -> int:
    """Store every mission's mandate end dates (public facts) from its stored resolutions and the
    data README's "mandate until" column (:func:`reviews.derive_end_dates`); returns how many
    were new or changed. Run again, it changes nothing."""
    stated = reviews.stated_end_dates(readme)
    changed = 0
    missions = Resolution.objects.values_list("mission", flat=True).distinct().order_by()
    for mission in sorted(set(missions)):
        resolutions = list(Resolution.objects.filter(mission=mission))
        for end in reviews.derive_end_dates(resolutions, stated):
            values = {
                "mission": mission,
                "kind": ReviewKind.MANDATE_END,
                "date": end.date,
                "resolution": end.resolution,
                "title": f"S/RES/{end.resolution.number}",
                "basis": end.basis,
                "how": end.how,
                "source_url": end.resolution.source_url,
                "sensitivity": Sensitivity.PUBLIC,
                "licence": Licence.PUBLIC_FACTS,
            }
            item, created = ReviewItem.objects.get_or_create(
                key=f"{mission}|end|{end.resolution.number}", defaults={"owner": owner, **values}
            )
            if created or any(getattr(item, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(item, name, value)
                item.save()
                changed += 1
    if changed:
        audit("mandates.review.seed", None, "review-calendar", changed=changed)
    do_seed_reporting_deadlines(owner, readme)
    return changed


#: The title of every seeded reporting deadline (stored in English; pages translate it).
DEADLINE_TITLE = gettext_noop("Report of the Secretary-General due")


@transaction.atomic
def do_seed_reporting_deadlines(owner: Organization, readme: Path | None) -> int:
    """Store the reporting deadlines of the cited cycles (:data:`reviews.REPORTING_CYCLES`,
    public facts, each with its source and confidence); returns how many were new, changed or
    removed. A deadline no cycle gives any more is removed; run again, it changes nothing.
    ``commonground demo`` runs it with the mandate end dates (:func:`do_seed_review_calendar`)."""
    stated = reviews.stated_end_dates(readme)
    changed = 0
    for mission in sorted(reviews.REPORTING_CYCLES):
        resolutions = list(Resolution.objects.filter(mission=mission))
        wanted = set()
        for deadline in reviews.reporting_deadlines(mission, resolutions, stated):
            number = deadline.resolution.number
            key = f"{mission}|report|{number}|{deadline.date.isoformat()}"
            wanted.add(key)
            values = {
                "mission": mission,
                "kind": ReviewKind.REPORTING,
                "date": deadline.date,
                "resolution": deadline.resolution,
                "title": DEADLINE_TITLE,
                "basis": deadline.basis,
                "how": deadline.how,
                "source_url": deadline.cycle.source_url,
                "confidence": deadline.cycle.confidence,
                "sensitivity": Sensitivity.PUBLIC,
                "licence": Licence.PUBLIC_FACTS,
            }
            item, created = ReviewItem.objects.get_or_create(
                key=key, defaults={"owner": owner, **values}
            )
            if created or any(getattr(item, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(item, name, value)
                item.save()
                changed += 1
        stale = ReviewItem.objects.filter(
            mission=mission, kind=ReviewKind.REPORTING, key__startswith=f"{mission}|report|"
        ).exclude(key__in=wanted)
        changed += stale.delete()[0]
    if changed:
        audit("mandates.review.seed_deadlines", None, "review-calendar", changed=changed)
    return changed
