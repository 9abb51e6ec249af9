"""Alerts: early warning raised from verified community reports, and the answers it gets.

An alert carries only what its author writes and chooses: an area (admin-2 at most, admin-1
allowed, never a point), a category, an urgency, a time window coarsened to whole weeks and a
short text. The reports it came from are kept (``sources``) for the owner's own traceability and
are never shown to anyone else: recipients never learn which or how many reports, who told them,
what was said, or exact places and dates (docs/alerts.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from commonground.core.models import Area, BaseModel
from commonground.sharing.models import Organization, Sensitivity, SharingCircle
from commonground.voices.models import Category, Report

#: Longest text an alert's author may write: short enough to read on a radio-room phone.
ALERT_TEXT_MAX = 500
#: Longest text of a response or of a closing note.
RESPONSE_TEXT_MAX = 1000
#: Longest time window an alert may cover, in days (about a quarter).
WINDOW_MAX_DAYS = 92
#: How far ahead a window may end, in days (a market day, an announced movement).
WINDOW_AHEAD_DAYS = 92


class Urgency(models.TextChoices):
    """How fast recipients should act (docs/alerts.md)."""

    ROUTINE = "routine", _("Routine: act within days")
    PRIORITY = "priority", _("Priority: act within 24 hours")
    IMMEDIATE = "immediate", _("Immediate: act now, lives at risk")


#: Most urgent first, for lists.
URGENCY_ORDER = {Urgency.IMMEDIATE: 0, Urgency.PRIORITY: 1, Urgency.ROUTINE: 2}


class AlertState(models.TextChoices):
    OPEN = "open", pgettext_lazy("alerts", "Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ResponseKind(models.TextChoices):
    """What a recipient did; ``no_action`` asks for the reason in the text."""

    PATROL_SENT = "patrol_sent", _("Patrol or presence sent")
    PROTECTION = "protection", _("Protection measure taken")
    ASSISTANCE = "assistance", _("Assistance provided")
    REFERRED = "referred", _("Referred to another actor")
    MONITORING = "monitoring", _("Monitoring the situation")
    NO_ACTION = "no_action", _("No action (say why)")


class Alert(BaseModel):
    """One alert, owned by the organization that raised it, sent to circles it owns."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=Category.choices)
    urgency = models.CharField(
        max_length=20, choices=Urgency.choices, default=Urgency.PRIORITY, db_default="priority"
    )
    starts_on = models.DateField(help_text=_("A Monday: windows are whole weeks."))
    ends_on = models.DateField(help_text=_("A Sunday: windows are whole weeks."))
    text = models.CharField(max_length=ALERT_TEXT_MAX)
    sensitivity = models.PositiveSmallIntegerField(
        choices=Sensitivity.choices,
        default=Sensitivity.PARTNERS,
        db_default=Sensitivity.PARTNERS,
        help_text=_("Never above the highest level of any circle it goes to."),
    )
    circles = models.ManyToManyField(SharingCircle, related_name="alerts")
    sources = models.ManyToManyField(
        Report, related_name="+", help_text=_("Never shown outside the owner.")
    )
    state = models.CharField(
        max_length=20, choices=AlertState.choices, default=AlertState.OPEN, db_default="open"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.CharField(max_length=RESPONSE_TEXT_MAX, blank=True, default="")
    is_synthetic = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "state"], name="alerts_owner_state")]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.owner.slug} {self.urgency} {self.category} {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state == AlertState.OPEN


class Acknowledgement(BaseModel):
    """A recipient organization has seen the alert (once per organization: the first counts)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="acknowledgements")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "organization"], name="alerts_one_ack_per_organization"
            )
        ]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self) -> str:
        return f"{self.organization} saw {self.alert_id}"


class AlertResponse(BaseModel):
    """What a recipient organization did about the alert (as many as it records)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="responses")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ResponseKind.choices)
    text = models.CharField(max_length=RESPONSE_TEXT_MAX, blank=True, default="")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("response to an alert")
        verbose_name_plural = _("responses to alerts")

    def __str__(self) -> str:
        return f"{self.organization} {self.kind} {self.alert_id}"
