"""SMS gateways as a channel: one authenticated webhook per organization and gateway.

The shared secret a gateway signs with is never stored: it is derived from the organization's
SMS key (a file in ``COMMONGROUND_HOME/keys``, like the report keys) and the channel's
``generation``, which ``commonground voices sms-channel ORG GATEWAY --rotate`` raises to give the
channel a new secret. The database alone cannot sign a webhook (docs/voices.md, ADR 0023).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import BaseModel
from commonground.sharing.models import Organization
from commonground.voices.models import Report


class SmsGateway(models.TextChoices):
    RAPIDPRO = "rapidpro", "RapidPro"
    FRONTLINESMS = "frontlinesms", "FrontlineSMS"
    TELERIVET = "telerivet", "Telerivet"


class SmsChannel(BaseModel):
    """An organization's webhook at ``/voices/<organization>/sms/<gateway>/``."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    gateway = models.CharField(max_length=20, choices=SmsGateway.choices)
    generation = models.PositiveIntegerField(
        default=1, db_default=1, help_text=_("Raised to give the channel a new secret.")
    )
    active = models.BooleanField(default=True, db_default=True)
    daily_limit = models.PositiveIntegerField(
        default=500, db_default=500, help_text=_("At most this many reports in 24 hours.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "gateway"], name="voices_one_sms_channel")
        ]
        verbose_name = _("SMS channel")
        verbose_name_plural = _("SMS channels")

    def __str__(self) -> str:
        return f"{self.owner.slug}/sms/{self.gateway}"


class SmsMessage(BaseModel):
    """The report an SMS became, and its sender as a keyed hash (never the number in clear)."""

    channel = models.ForeignKey(SmsChannel, on_delete=models.PROTECT, related_name="+")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="+")
    sender_hash = models.CharField(
        max_length=64,
        db_index=True,
        help_text=_("HMAC of the phone number under the organization's SMS key: links repeats."),
    )

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
