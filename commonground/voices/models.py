"""Community reports and the public forms that collect them.

A report keeps two kinds of fields apart:

- **clear columns**, coarse enough to count and filter on: the admin-2 area, the month, the
  category, how many people were affected by sex and age group, the kind of perpetrator, the
  channel, the status, the grading and the three consent choices;
- **protected fields**, only inside ``sealed`` (AES-256-GCM under a data key of its own, wrapped by
  the organization's key, see ``crypto.py``): the narrative, the contact, the reporter's identity,
  the exact place and coordinates, and the exact date. They never reach a column in clear.

The taxonomy of categories is documented in docs/voices.md; a category's value never changes
once reports use it (later slices add, never rename).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, BaseModel
from commonground.sharing.models import Organization

#: Longest narrative a public form accepts, in characters: bounds what one anonymous post costs.
NARRATIVE_MAX = 4000
#: Longest contact, name or place text.
SHORT_TEXT_MAX = 200
#: Most people one report may count in one group (a typo guard, not a judgement).
COUNT_MAX = 10000


#: Record keys run from 0 to 255 (the disclosure gate's cell-key perturbation, ADR 0021).
RECORD_KEY_RANGE = 256


def random_record_key() -> int:
    """A report's secret record key: the gate sums them into cell keys (never shown)."""
    return secrets.randbelow(RECORD_KEY_RANGE)


class RandomRecordKey(models.Func):
    """The database's own random record key 0-255, for rows written without Django."""

    output_field = models.PositiveSmallIntegerField()

    def as_sql(  # type: ignore[override]  # no arguments: the whole expression is fixed
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        return f"(CAST(floor(random() * {RECORD_KEY_RANGE}) AS smallint))", []

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return f"(random() & {RECORD_KEY_RANGE - 1})", []


class Category(models.TextChoices):
    """What happened: harms first, then positive events (docs/voices.md explains each)."""

    THREAT = "threat", _("Threats or intimidation")
    KILLING = "killing", _("Killing")
    ABDUCTION = "abduction", _("Abduction or kidnapping")
    SGBV = "sgbv", _("Sexual or gender-based violence")
    LOOTING = "looting", _("Looting or theft of property")
    DISPLACEMENT = "displacement", _("People forced to leave their homes")
    DENIAL_OF_SERVICES = "denial_of_services", _("Denial of services (health, school, water, aid)")
    LAND_LIVESTOCK = "land_livestock", _("Land or livestock dispute")
    HATE_SPEECH = "hate_speech", _("Hate speech")
    LOCAL_AGREEMENT = "local_agreement", _("Positive: a local agreement or reconciliation")
    RETURN = "return", _("Positive: people returning home")
    OTHER = "other", _("Something else")


class DatePrecision(models.TextChoices):
    DAY = "day", _("On this exact day")
    WEEK = "week", _("Around this day (within a week)")
    MONTH = "month", _("Some time in this month")


class PerpetratorKind(models.TextChoices):
    """Who did it, as a KIND only: a report never names a person by default."""

    NOT_SAID = "not_said", _("I prefer not to say")
    UNKNOWN = "unknown", _("I do not know")
    STATE_FORCES = "state_forces", _("Soldiers, police or gendarmes")
    ARMED_GROUP = "armed_group", _("An armed group")
    COMMUNITY_MEMBER = "community_member", _("Someone from the community")
    CRIMINALS = "criminals", _("Bandits or criminals")
    OTHER = "other", _("Someone else")
    NONE = "none", _("Nobody: a positive event")


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Public web form")
    STAFF = "staff", _("Entered by the organization's staff")
    SMS = "sms", _("SMS gateway")
    KOBO = "kobo", _("KoBoToolbox or ODK Central export")
    INTERVIEW = "interview", _("Staff: interview")
    FOCUS_GROUP = "focus_group", _("Staff: focus group")
    COMMUNITY_MEETING = "community_meeting", _("Staff: community meeting")
    MEDIA = "media", _("Staff: media monitoring")
    SOCIAL_MEDIA = "social_media", _("Staff: social-media monitoring")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("Being checked")
    VERIFIED = "verified", _("Verified")
    NOT_VERIFIED = "not_verified", _("Could not be verified")
    DUPLICATE = "duplicate", _("Duplicate")
    CLOSED = "closed", _("Closed")


class SourceReliability(models.TextChoices):
    """The Admiralty (NATO) scale for the source."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class InformationCredibility(models.IntegerChoices):
    """The Admiralty (NATO) scale for the information itself."""

    CONFIRMED = 1, _("1: confirmed by other sources")
    PROBABLY_TRUE = 2, _("2: probably true")
    POSSIBLY_TRUE = 3, _("3: possibly true")
    DOUBTFUL = 4, _("4: doubtful")
    IMPROBABLE = 5, _("5: improbable")
    CANNOT_JUDGE = 6, _("6: truth cannot be judged")


class ReportForm(BaseModel):
    """A public form an organization publishes at ``/voices/<organization>/<form>/``."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    published = models.BooleanField(
        default=False, help_text=_("Only a published form answers; others are not found.")
    )
    daily_limit = models.PositiveIntegerField(
        default=500,
        help_text=_("At most this many reports in 24 hours; then the form asks to come back."),
    )
    is_synthetic = models.BooleanField(default=False, help_text=_("Synthetic demonstration data."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="voices_one_form_slug_per_owner")
        ]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self) -> str:
        return f"{self.owner.slug}/{self.slug}"


class Report(BaseModel):
    """One person's account, owned by the organization it was told to."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey(ReportForm, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    client_key = models.CharField(
        max_length=64, help_text=_("Made by the sender; the same key twice stores one report.")
    )
    receipt_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    category = models.CharField(max_length=30, choices=Category.choices)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(help_text=_("The first day of the month it happened in."))
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices)
    women = models.PositiveIntegerField(default=0)
    men = models.PositiveIntegerField(default=0)
    girls = models.PositiveIntegerField(default=0)
    boys = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0, help_text=_("Sex or age not known."))
    perpetrator_kind = models.CharField(
        max_length=20, choices=PerpetratorKind.choices, default=PerpetratorKind.NOT_SAID
    )
    may_count = models.BooleanField(help_text=_("May be counted in anonymous figures."))
    may_contact = models.BooleanField(help_text=_("May be contacted back."))
    may_quote = models.BooleanField(help_text=_("May be quoted without identifying details."))
    source_reliability = models.CharField(
        max_length=1, blank=True, choices=SourceReliability.choices
    )
    information_credibility = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=InformationCredibility.choices
    )
    public_answer = models.TextField(blank=True, max_length=NARRATIVE_MAX)
    answered_at = models.DateTimeField(null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_id = models.CharField(max_length=16, help_text=_("Which organization key wraps it."))
    wrapped_key = models.BinaryField(help_text=_("The data key, wrapped (AES key wrap)."))
    sealed = models.BinaryField(
        help_text=_("Nonce and AES-256-GCM ciphertext of the protected fields.")
    )
    is_synthetic = models.BooleanField(default=False)
    cell_key = models.PositiveSmallIntegerField(
        default=random_record_key,
        db_default=RandomRecordKey(),
        help_text=_("Secret record key 0-255 for cell-key perturbation (never shown)."),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "channel", "client_key"], name="voices_one_report_per_client_key"
            )
        ]
        indexes = [
            # The inbox's order (INBOX_ORDER in queries.py), then its filters, each one walked
            # in that order so a page stops after its rows (bench/inbox.py, docs/performance.md).
            # Covering: the id (last tie-breaker) and the status (duplicates out) are in them, so
            # a far page skips rows in the index alone, a cursor page seeks and a count reads the
            # index only.
            models.Index(
                fields=["owner", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_seek",
            ),
            models.Index(
                fields=["owner", "status", "-month", "-created_at", "-id"],
                name="voices_inbox_status",
            ),
            models.Index(
                fields=["owner", "category", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_category_seek",
            ),
            models.Index(
                fields=["owner", "channel", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_channel_seek",
            ),
            models.Index(
                fields=["owner", "area", "-month", "-created_at", "-id", "status"],
                name="voices_inbox_area_seek",
            ),
        ]
        verbose_name = _("community report")
        verbose_name_plural = _("community reports")

    def __str__(self) -> str:
        return f"{self.owner.slug} {self.month:%Y-%m} {self.category}"

    @property
    def affected(self) -> int:
        return self.women + self.men + self.girls + self.boys + self.unknown


# Models kept in modules of their own: KoBo mappings, SMS channels and messages, surveys.
# Verification and "you said, we did" (helper h-inbox) live in their own module, loaded here so
# Django registers their models with this app.
import commonground.voices.inbox_models  # noqa: E402, F401
from commonground.voices.kobo_models import FormMapping  # noqa: E402, F401
from commonground.voices.sms_models import SmsChannel, SmsMessage  # noqa: E402, F401
from commonground.voices.survey_models import (  # noqa: E402, F401
    Indicator,
    PerceptionResponse,
    PerceptionSurvey,
    SurveyRound,
)
