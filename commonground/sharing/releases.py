"""The log of what the disclosure gate released, and the owner's pause switch.

Every call of ``gate.release`` writes one :class:`Release`: who received which published table
of whose records, through which circle and organization, when, and which cells were suppressed
or perturbed (cell ids only: never a true value). The owner of the records reads the log and
pauses releases to a circle (``SharingCircle.releases_paused``); both are audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonground.sharing.models import AuditEvent, Organization, SharingCircle


def _empty_list() -> list[str]:
    return []


def _empty_dict() -> dict[str, list[str]]:
    return {}


class Release(models.Model):
    """One answer of the disclosure gate (append-only)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    circle = models.ForeignKey(
        SharingCircle, null=True, blank=True, on_delete=models.SET_NULL, related_name="releases"
    )
    channel = models.CharField(max_length=20, default="page", db_default="page")
    restrictions = models.JSONField(
        default=_empty_dict, db_default=models.Value({}, output_field=models.JSONField())
    )
    suppressed = models.JSONField(
        default=_empty_list, db_default=models.Value([], output_field=models.JSONField())
    )
    perturbed = models.JSONField(
        default=_empty_list, db_default=models.Value([], output_field=models.JSONField())
    )
    risk = models.FloatField(default=0.0, db_default=0.0)
    withheld = models.BooleanField(default=False, db_default=False)

    class Meta:
        app_label = "sharing"
        ordering = ["-at", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.table} → {self.organization}"


def do_record_release(
    *,
    table: str,
    owner: Organization,
    recipient: Any,
    organization: Organization | None,
    circle: SharingCircle | None,
    channel: str,
    restrictions: dict[str, list[str]],
    suppressed: list[str],
    perturbed: list[str],
    risk: float,
    withheld: bool,
) -> Release:
    """Log one release (the gate calls this for every answer it gives)."""
    return Release.objects.create(
        owner=owner,
        table=table,
        recipient=recipient if isinstance(recipient, User) else None,
        organization=organization,
        circle=circle,
        channel=channel,
        restrictions=restrictions,
        suppressed=suppressed,
        perturbed=perturbed,
        risk=risk,
        withheld=withheld,
    )


def do_set_releases_paused(circle: SharingCircle, paused: bool, actor: User | None) -> None:
    """Pause (or resume) every release to a circle; audited."""
    with transaction.atomic():
        circle.releases_paused = paused
        circle.save(update_fields=["releases_paused", "updated_at"])
        AuditEvent.objects.create(
            actor=actor,
            action="sharing.releases.paused" if paused else "sharing.releases.resumed",
            target=f"sharing.circle:{circle.pk}",
            detail={"circle": circle.slug, "owner": circle.owner.slug},
        )


def releases_of(owner_ids: list[Any]) -> QuerySet[Release]:
    """The release log of the given owners (the caller checks they may read it)."""
    return Release.objects.filter(owner_id__in=owner_ids).select_related(
        "recipient", "organization", "circle"
    )
