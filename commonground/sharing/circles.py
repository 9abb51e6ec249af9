"""Writes to sharing circles and sharing agreements (``do_*``), each one audited (ADR 0020).

Who may make them is decided in ``commonground.sharing.policy`` (:func:`may_manage_sharing`):
organization administrators of the owner or provider, and platform administrators.

Humanitarian-military separation is checked here as well as in the read policy: an agreement
that would give a civil-society, humanitarian or peacebuilding organization's raw records to an
armed organization is refused with a translated message and the attempt audited
(``sharing.refused``). An armed organization may be a member of such an owner's circle, because
circles also carry alerts and released tables (safe by construction); the policy never gives it
raw records through the circle, and the audit row of the addition says so (``separated``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Model
from django.utils.translation import gettext as _

from commonground.sharing.models import (
    AuditEvent,
    Organization,
    Sensitivity,
    SharingAgreement,
    SharingCircle,
)
from commonground.sharing.policy import (
    may_ever_be_separated,
    may_ever_receive_voices,
    separation_refusal,
)


class SharingRefused(ValueError):
    """A circle or agreement change the policy refuses; the message is translated."""


def _audit(actor: User | None, action: str, target: str, **detail: Any) -> None:
    AuditEvent.objects.create(actor=actor, action=action, target=target, detail=detail)


def _refuse(actor: User | None, target: str, message: str, **detail: Any) -> SharingRefused:
    """Audit a refused attempt (its own row, outside the caller's transaction) and say why."""
    _audit(actor, "sharing.refused", target, reason=message, **detail)
    return SharingRefused(message)


def circle_target(circle: SharingCircle) -> str:
    return f"circle:{circle.owner.slug}/{circle.slug}"


def do_save_circle(
    owner: Organization,
    slug: str,
    name: str,
    actor: User | None,
    *,
    description: str = "",
    max_sensitivity: int = Sensitivity.PARTNERS,
    releases_paused: bool = False,
) -> SharingCircle:
    """Create or change the circle ``slug`` of ``owner`` (audited: what it now says)."""
    with transaction.atomic():
        circle, created = SharingCircle.objects.update_or_create(
            owner=owner,
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "max_sensitivity": max_sensitivity,
                "releases_paused": releases_paused,
            },
        )
        audit_circle_saved(circle, created, actor)
    return circle


def do_add_circle_member(
    circle: SharingCircle, member: Organization, actor: User | None
) -> SharingCircle:
    """Add an organization to a circle (audited; ``separated`` when it gets no raw records)."""
    with transaction.atomic():
        circle.members.add(member)
        audit_member_added(circle, member, actor)
    return circle


def audit_member_added(circle: SharingCircle, member: Organization, actor: User | None) -> None:
    """The audit row of a member added (on the pages or in the admin): ``separated`` when the
    policy gives it none of the owner's raw records (it receives alerts and released tables)."""
    _audit(
        actor,
        "sharing.circle.member_added",
        circle_target(circle),
        member=member.slug,
        separated=may_ever_be_separated(circle.owner.kind, member.kind),
    )


def audit_member_removed(circle: SharingCircle, member: Organization, actor: User | None) -> None:
    _audit(actor, "sharing.circle.member_removed", circle_target(circle), member=member.slug)


def audit_circle_saved(circle: SharingCircle, created: bool, actor: User | None) -> None:
    """The audit row of a circle made or changed: what it now says."""
    _audit(
        actor,
        "sharing.circle.created" if created else "sharing.circle.changed",
        circle_target(circle),
        name=circle.name,
        max_sensitivity=int(circle.max_sensitivity),
        releases_paused=circle.releases_paused,
    )


def do_remove_circle_member(
    circle: SharingCircle, member: Organization, actor: User | None
) -> SharingCircle:
    with transaction.atomic():
        circle.members.remove(member)
        audit_member_removed(circle, member, actor)
    return circle


def do_delete_circle(circle: SharingCircle, actor: User | None) -> None:
    """Delete a circle: its records go back to their owner alone (``SET_NULL``)."""
    target = circle_target(circle)
    with transaction.atomic():
        circle.delete()
        _audit(actor, "sharing.circle.deleted", target)


def agreement_target(provider: Organization, recipient: Organization) -> str:
    return f"agreement:{provider.slug}->{recipient.slug}"


def do_save_agreement(
    provider: Organization,
    recipient: Organization,
    actor: User | None,
    *,
    max_sensitivity: int = Sensitivity.RESTRICTED,
    covers_voices: bool = False,
    voices_protected: bool = False,
    note: str = "",
) -> SharingAgreement:
    """Create or change the agreement from ``provider`` to ``recipient`` (audited).

    Refused (and the attempt audited) when separation forbids it, when it would give voices to
    an organization that may never receive them, or when it is with the provider itself.
    """
    target = agreement_target(provider, recipient)
    refused = agreement_refusal(provider, recipient, covers_voices or voices_protected)
    if refused is not None:
        message, detail = refused
        raise _refuse(actor, target, message, **detail)
    with transaction.atomic():
        agreement, created = SharingAgreement.objects.update_or_create(
            provider=provider,
            recipient=recipient,
            defaults={
                "max_sensitivity": max_sensitivity,
                "covers_voices": covers_voices,
                "voices_protected": voices_protected and covers_voices,
                "note": note,
            },
        )
        audit_agreement_saved(agreement, created, actor)
    return agreement


def agreement_refusal(
    provider: Organization, recipient: Organization, gives_voices: bool
) -> tuple[str, dict[str, Any]] | None:
    """Why the policy refuses an agreement from ``provider`` to ``recipient`` (a translated
    message and the audit's detail), or ``None``: with itself, humanitarian-military
    separation, or community reports to an organization that may never receive them."""
    if provider.pk == recipient.pk:
        return _("An organization needs no agreement with itself."), {}
    refusal = separation_refusal(provider, recipient)
    if refusal is not None:
        return refusal, {"separation": True}
    if gives_voices and not may_ever_receive_voices(recipient.kind):
        message = _("%(recipient)s may never receive community reports.") % {"recipient": recipient}
        return message, {"separation": True}
    return None


def refuse_agreement(
    provider: Organization, recipient: Organization, actor: User | None, gives_voices: bool
) -> str | None:
    """Audit and return the refusal of an agreement made past :func:`do_save_agreement` (the
    Django admin's form), or ``None`` when the policy allows it."""
    refused = agreement_refusal(provider, recipient, gives_voices)
    if refused is None:
        return None
    message, detail = refused
    return str(_refuse(actor, agreement_target(provider, recipient), message, **detail))


def audit_agreement_saved(agreement: SharingAgreement, created: bool, actor: User | None) -> None:
    """The audit row of an agreement made or changed (on the pages or in the admin)."""
    _audit(
        actor,
        "sharing.agreement.created" if created else "sharing.agreement.changed",
        agreement_target(agreement.provider, agreement.recipient),
        max_sensitivity=int(agreement.max_sensitivity),
        covers_voices=agreement.covers_voices,
        voices_protected=agreement.voices_protected,
    )


def do_delete_agreement(agreement: SharingAgreement, actor: User | None) -> None:
    target = agreement_target(agreement.provider, agreement.recipient)
    with transaction.atomic():
        agreement.delete()
        _audit(actor, "sharing.agreement.deleted", target)


def do_set_record_circle(record: Any, circle: SharingCircle | None, actor: User | None) -> Any:
    """Put one owned record in one of its owner's circles (or in none: owner only). Audited.

    A circle of another owner is refused: only the owner decides where its records go.
    """
    label = f"{record._meta.label_lower}:{record.pk}"
    if circle is not None and circle.owner_id != record.owner_id:
        raise _refuse(actor, label, _("A record can only be shared through its owner's circles."))
    with transaction.atomic():
        record.circle = circle
        record.save(update_fields=["circle"])
        _audit(
            actor,
            "sharing.record.circle",
            label,
            circle=circle_target(circle) if circle else None,
        )
    return record


# --- Imports into a circle (``commonground import --circle``) ---------------------------------

#: The circle that new records of the import under way go into, and the highest key of each
#: owned model without ``created_at`` before it started (set by :func:`placing_imports`).
_IMPORT_CIRCLE: ContextVar[tuple[SharingCircle, dict[str, Any]] | None] = ContextVar(
    "commonground_import_circle", default=None
)


def import_circle(owner: Organization, slug: str, actor: User | None = None) -> SharingCircle:
    """The circle ``slug`` of ``owner``; refused (translated, audited) when it has none: a
    record only ever goes into its owner's circles."""
    circle = SharingCircle.objects.select_related("owner").filter(owner=owner, slug=slug).first()
    if circle is None:
        message = _("%(owner)s has no circle %(slug)s: nothing was imported.") % {
            "owner": owner.slug,
            "slug": slug,
        }
        raise _refuse(actor, f"circle:{owner.slug}/{slug}", message)
    return circle


def imported_owned_models() -> list[type[Model]]:
    """The owned models an import writes (they have both ``circle`` and ``import_run``)."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if {"circle", "import_run", "owner"} <= names:
            found.append(model)
    return found


def _created_at(model: type[Model]) -> bool:
    return any(f.name == "created_at" for f in model._meta.get_fields())


@contextmanager
def placing_imports(circle: SharingCircle | None) -> Iterator[None]:
    """Within it, a successful import puts the records it creates in ``circle`` (in the
    import's own transaction: :func:`place_imported_records`, before figures are rebuilt)."""
    if circle is None:
        yield
        return
    before = {
        model._meta.label_lower: model._default_manager.aggregate(top=Max("pk"))["top"] or 0
        for model in imported_owned_models()
        if not _created_at(model)
    }
    token = _IMPORT_CIRCLE.set((circle, before))
    try:
        yield
    finally:
        _IMPORT_CIRCLE.reset(token)


def place_imported_records(
    sender: Any, run: Any, counts: Any = None, parsed: Any = None, **kwargs: Any
) -> None:
    """``import_persisted``: the new records of ``run`` that are its owner's and in no circle go
    into the circle chosen (:func:`placing_imports`); audited with how many of each model.

    Runs before the analysis app's receiver; the events a first import summed in memory
    (``stored_events``) know no circle, so the figures are then summed from the database.
    """
    placing = _IMPORT_CIRCLE.get()
    if placing is None or counts is None:
        return
    circle, before = placing
    if run.owner_id != circle.owner_id:
        return  # never another owner's circle (import_circle checked it already)
    placed = {}
    for model in imported_owned_models():
        label = model._meta.label_lower
        new = model._default_manager.filter(
            import_run=run, owner_id=circle.owner_id, circle__isnull=True
        )
        if _created_at(model):
            new = new.filter(created_at__gte=run.started_at)
        else:
            new = new.filter(pk__gt=before.get(label, 0))
        if count := new.update(circle=circle):
            placed[label] = count
    if placed and getattr(parsed, "stored_events", None) is not None:
        parsed.stored_events = None
    _audit(
        run.imported_by,
        "sharing.import.circle",
        circle_target(circle),
        import_run=str(run.pk),
        placed=placed,
    )
