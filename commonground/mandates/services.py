"""Writes of the mandates app: capability statements and implementation scores.

Each ``do_*`` checks that the user may write for the owning organization (analysts and above,
``queries.may_edit_for``), writes, and leaves a row in the audit log saying who changed what.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from commonground.mandates import queries
from commonground.mandates.models import CapabilityNeed, TaskCategory
from commonground.sharing.models import AuditEvent, Licence, Organization, Sensitivity


class NotAllowed(Exception):
    """The user may not write for this organization (answered like a missing record)."""


def audit(action: str, actor: User | None, target: str, **detail: Any) -> None:
    AuditEvent.objects.create(action=action, actor=actor, target=target, detail=detail)


def require_editor(user: User, owner: Organization) -> None:
    if not queries.may_edit_for(user, owner.pk):
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
    require_editor(user, owner)
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
    require_editor(user, need.owner)
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
