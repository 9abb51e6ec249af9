"""Verification of reports and the organization's public answers to themes.

- :class:`Corroboration`: a report supported by an event of the events app or by another report
  of the same organization.
- :class:`DuplicateLink`: a report that tells again what another one told; it points at its
  original, takes the status ``duplicate`` and drops out of counts.
- :class:`FollowUp`: who does something about a report, by when, and whether it is done.
- :class:`Theme`: what many reports say ("the road to the market is not safe"), with the
  organization's public answer ("you said, we did"). Reporters whose report belongs to a theme
  read the answer with their receipt code; the published answers are listed on a public page,
  without anything of the reports.

None of these holds a protected field: only ids, dates and the organization's own public words.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, BaseModel
from commonground.sharing.models import Organization

#: Longest public answer to a theme, in characters.
ANSWER_MAX = 4000


class Corroboration(BaseModel):
    """A report supported by one event or one other report (exactly one of the two)."""

    report = models.ForeignKey(
        "voices.Report", on_delete=models.CASCADE, related_name="corroborations"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_report = models.ForeignKey(
        "voices.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=True, other_report__isnull=False)
                | Q(event__isnull=False, other_report__isnull=True),
                name="voices_corroboration_one_target",
            ),
            models.UniqueConstraint(
                fields=["report", "event"], name="voices_corroboration_event_once"
            ),
            models.UniqueConstraint(
                fields=["report", "other_report"], name="voices_corroboration_report_once"
            ),
        ]
        verbose_name = _("corroboration")
        verbose_name_plural = _("corroborations")


class DuplicateLink(BaseModel):
    """This report tells again what ``original`` told (same owner, never itself)."""

    report = models.OneToOneField(
        "voices.Report", on_delete=models.CASCADE, related_name="duplicate_link"
    )
    original = models.ForeignKey(
        "voices.Report", on_delete=models.CASCADE, related_name="duplicates"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("duplicate")
        verbose_name_plural = _("duplicates")


class FollowUp(BaseModel):
    """Someone of the owner does something about a report by a day; done or not."""

    report = models.ForeignKey("voices.Report", on_delete=models.CASCADE, related_name="follow_ups")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    done = models.BooleanField(default=False, db_default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["done", "due_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")


class Theme(BaseModel):
    """What several reports say, and the organization's public answer to it."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=30, blank=True, default="", db_default="")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True, default="", db_default="", max_length=ANSWER_MAX)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the answer was made public; empty: not public.")
    )
    reports = models.ManyToManyField("voices.Report", blank=True, related_name="themes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-published_at", "title"]
        indexes = [models.Index(fields=["owner", "published_at"], name="voices_theme_published")]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and bool(self.answer)
