"""Perception surveys: an XLSForm survey, its rounds, its encrypted responses, its indicators.

A response keeps in clear only the coarse columns needed to count and weight: the admin-2 area,
the round, the sex, the age group and the design weight. Every answer is sealed like a report's
protected fields (``crypto.seal``, a data key per response wrapped by the organization's key).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, BaseModel
from commonground.sharing.models import Organization


class Sex(models.TextChoices):
    FEMALE = "female", _("Women")
    MALE = "male", _("Men")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class PerceptionSurvey(BaseModel):
    """One survey (an XLSForm), owned by an organization, asked in rounds."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    form_id = models.CharField(max_length=200)
    questions = models.JSONField(default=list, db_default=[])
    area_question = models.CharField(max_length=200, blank=True, default="", db_default="")
    sex_question = models.CharField(max_length=200, blank=True, default="", db_default="")
    age_question = models.CharField(max_length=200, blank=True, default="", db_default="")
    weight_question = models.CharField(max_length=200, blank=True, default="", db_default="")
    area_values = models.JSONField(
        default=dict, db_default={}, help_text=_("Choice name of the area question to area code.")
    )
    is_synthetic = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="voices_one_survey_slug")
        ]
        verbose_name = _("perception survey")
        verbose_name_plural = _("perception surveys")

    def __str__(self) -> str:
        return f"{self.owner.slug}/{self.slug}"


class SurveyRound(BaseModel):
    survey = models.ForeignKey(PerceptionSurvey, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="voices_one_round_number")
        ]

    def __str__(self) -> str:
        return f"{self.survey} round {self.number}"


class PerceptionResponse(BaseModel):
    """One respondent's answers: coarse columns in clear, every answer sealed."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(PerceptionSurvey, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="+")
    submission_key = models.CharField(max_length=64)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(
        max_length=10, choices=Sex.choices, default=Sex.UNKNOWN, db_default=Sex.UNKNOWN
    )
    age_group = models.CharField(max_length=20, blank=True, default="", db_default="")
    weight = models.FloatField(default=1.0, db_default=1.0)
    key_id = models.CharField(max_length=16)
    wrapped_key = models.BinaryField()
    sealed = models.BinaryField()
    is_synthetic = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "submission_key"], name="voices_one_response_per_submission"
            )
        ]
        verbose_name = _("perception survey response")
        verbose_name_plural = _("perception survey responses")


class Indicator(BaseModel):
    """The share of respondents whose answer to ``question`` is one of ``success_values``."""

    survey = models.ForeignKey(PerceptionSurvey, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    question = models.CharField(max_length=200)
    success_values = models.JSONField(default=list, db_default=[])

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "slug"], name="voices_one_indicator_slug")
        ]

    def __str__(self) -> str:
        return self.label
