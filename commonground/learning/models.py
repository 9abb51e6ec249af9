"""Indicators, exit benchmarks, programmes with their theory of change, and PDIA logs.

Indicators, benchmarks and programmes are owned records (``OwnershipFields``), read only through
``commonground.sharing.policy.access_owned``. A theory of change's nodes and edges, an indicator's
hand-entered values and a programme's PDIA entries belong to their parent and are seen exactly
when it is (docs/learning.md, ADR 0025).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, BaseModel
from commonground.sharing.models import OwnedModel


class Source(models.TextChoices):
    """Where an indicator's values come from."""

    EVENTS = "events", _("Conflict events (count)")
    DEATHS = "deaths", _("Deaths in conflict events (best estimate)")
    PRESENCE = "presence", _("Presence records of a kind")
    DEPLOYMENTS = "deployments", _("Peacekeepers deployed (Geo-PKO troops)")
    AGREEMENT_EVENTS = "agreement_events", _("Peace-agreement implementation events")
    AGREEMENT_SCORES = "agreement_scores", _("Peace-agreement implementation score (mean, 0-3)")
    VOICES_RELEASED = "voices_released", _("Community reports (released figures)")
    SURVEY_RELEASED = "survey_released", _("Perception survey (released figures)")
    MANUAL = "manual", _("Entered by hand")


def validate_round_months(value: object) -> None:
    """``{"<round number>": "YYYY-MM", ...}``: refused, naming the round, otherwise."""
    if not isinstance(value, dict):
        raise ValidationError(
            _("Round months must map each round number to its fieldwork month (YYYY-MM).")
        )
    for number, month in value.items():
        if not (isinstance(number, str) and number.isdigit() and int(number) > 0):
            raise ValidationError(
                _("Round months: %(round)s is not a round number.") % {"round": number}
            )
        if not (isinstance(month, str) and len(month) == 7 and is_month(month)):
            raise ValidationError(
                _("Round months: round %(round)s: %(month)s is not a month (YYYY-MM).")
                % {"round": number, "month": month}
            )
    if len(set(value.values())) < len(value):
        raise ValidationError(_("Round months: two rounds cannot share one fieldwork month."))


def is_month(text: str) -> bool:
    try:
        datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        return False
    return True


class Desired(models.TextChoices):
    """Which way is better for this indicator."""

    DECREASE = "decrease", _("Lower is better")
    INCREASE = "increase", _("Higher is better")


class AreaLevelChoice(models.IntegerChoices):
    ADMIN1 = 1, _("Admin-1 (prefecture)")
    ADMIN2 = 2, _("Admin-2 (sub-prefecture)")


class Programme(OwnedModel):
    """A programme of an organization: the theory of change and PDIA log hang on it."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    title_fr = models.CharField(max_length=300, blank=True, default="", db_default="")
    description = models.TextField(blank=True, default="", db_default="")
    description_fr = models.TextField(blank=True, default="", db_default="")
    country_code = models.CharField(max_length=3, default="CAF", db_default="CAF")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    iati_identifier = models.CharField(
        max_length=150,
        blank=True,
        default="",
        db_default="",
        help_text=_("The activity's IATI identifier (reporting organization's prefix first)."),
    )
    demonstration = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("Made for the demo: shown with a demonstration label everywhere."),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.title


class Indicator(OwnedModel):
    """What is measured, from the platform's data or by hand, with baseline and target."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    name_fr = models.CharField(max_length=300, blank=True, default="", db_default="")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    country_code = models.CharField(max_length=3, default="CAF", db_default="CAF")
    #: For events and deaths: one violence type of ``events.ViolenceType``; empty means all.
    violence_type = models.CharField(max_length=20, blank=True, default="", db_default="")
    #: For presence: one ``registry.PresenceKind``; for agreement events: ``advance``/``setback``
    #: (empty: both); for deployments: the mission acronym; for agreement scores: the agreement;
    #: for released community reports and survey tables: the slug of the organization whose
    #: table is read.
    kind = models.CharField(max_length=40, blank=True, default="", db_default="")
    #: For released survey tables: the survey indicator's code in the table
    #: (``<survey slug>.<indicator slug>``).
    survey_indicator = models.CharField(
        max_length=170,
        blank=True,
        default="",
        db_default="",
        help_text=_("The survey indicator read: <survey slug>.<indicator slug>."),
    )
    #: For released survey tables: each round's fieldwork month, ``{"1": "2024-03"}`` (survey
    #: rounds store a number and a label, no dates); a round without one is in no month.
    round_months = models.JSONField(
        blank=True,
        default=dict,
        db_default={},
        validators=[validate_round_months],
        help_text=_("Each survey round's fieldwork month (YYYY-MM), by round number."),
    )
    level = models.PositiveSmallIntegerField(
        choices=AreaLevelChoice.choices, default=AreaLevelChoice.ADMIN1, db_default=1
    )
    unit = models.CharField(max_length=60, default="events", db_default="events")
    desired = models.CharField(
        max_length=10, choices=Desired.choices, default=Desired.DECREASE, db_default="decrease"
    )
    baseline = models.FloatField(null=True, blank=True)
    baseline_month = models.DateField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    target_month = models.DateField(null=True, blank=True)
    #: The area baseline, target and programme results refer to; empty means the whole country.
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_sex = models.BooleanField(
        default=False, db_default=False, help_text=_("Values carry women and men (WPS).")
    )
    description = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(BaseModel):
    """A value entered by hand for one area (or the country) and month."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(help_text=_("First day of the month."))
    value = models.FloatField()
    women = models.FloatField(null=True, blank=True)
    men = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "month"], name="one_value_per_indicator_area_month"
            )
        ]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m}: {self.value}"


class Comparison(models.TextChoices):
    BELOW = "lt", _("below")
    AT_MOST = "le", _("at most")
    AT_LEAST = "ge", _("at least")
    ABOVE = "gt", _("above")


class Benchmark(OwnedModel):
    """A condition for drawdown: an indicator compared with a threshold, held for a run of months.

    Met in a month when the comparison held in that month and the ``months`` - 1 before it,
    every one of them with data (docs/learning.md).
    """

    mission = models.CharField(max_length=80, db_index=True)
    title = models.CharField(max_length=300)
    title_fr = models.CharField(max_length=300, blank=True, default="", db_default="")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="benchmarks")
    #: The area the condition is about; empty means the country (the indicator's total).
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comparison = models.CharField(max_length=2, choices=Comparison.choices)
    threshold = models.FloatField()
    months = models.PositiveSmallIntegerField(
        default=1, db_default=1, help_text=_("Consecutive months the condition must hold.")
    )
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    demonstration = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["mission", "title"]
        verbose_name = _("exit benchmark")
        verbose_name_plural = _("exit benchmarks")

    def __str__(self) -> str:
        return self.title


class NodeKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    ASSUMPTION = "assumption", _("Assumption")


#: The layer each kind is drawn in, left to right.
NODE_LAYER = {NodeKind.ACTIVITY: 0, NodeKind.OUTPUT: 1, NodeKind.OUTCOME: 2, NodeKind.ASSUMPTION: 3}


class TocNode(BaseModel):
    """A box of a programme's theory of change."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="nodes")
    key = models.SlugField(max_length=40)
    kind = models.CharField(max_length=12, choices=NodeKind.choices)
    label = models.CharField(max_length=300)
    label_fr = models.CharField(max_length=300, blank=True, default="", db_default="")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="nodes")
    #: For assumptions: how far (a fraction of the baseline) an indicator may move the wrong way
    #: before the assumption is flagged.
    margin = models.FloatField(default=0.2, db_default=0.2)

    class Meta:
        ordering = ["programme", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="one_toc_node_key")
        ]
        verbose_name = _("theory-of-change node")
        verbose_name_plural = _("theory-of-change nodes")

    def __str__(self) -> str:
        return f"{self.kind}: {self.label}"


class EdgeKind(models.TextChoices):
    LEADS_TO = "leads_to", _("leads to")
    CONTRIBUTES_TO = "contributes_to", _("contributes to")
    HOLDS_IF = "holds_if", _("holds only if")


class TocEdge(BaseModel):
    """A typed arrow between two nodes of the same programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="edges")
    source = models.ForeignKey(TocNode, on_delete=models.CASCADE, related_name="out_edges")
    target = models.ForeignKey(TocNode, on_delete=models.CASCADE, related_name="in_edges")
    kind = models.CharField(
        max_length=16, choices=EdgeKind.choices, default=EdgeKind.LEADS_TO, db_default="leads_to"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_toc_edge_per_pair")
        ]
        verbose_name = _("theory-of-change link")
        verbose_name_plural = _("theory-of-change links")

    def __str__(self) -> str:
        return f"{self.source.key} {self.kind} {self.target.key}"


class PdiaEntry(BaseModel):
    """One dated step of problem-driven iterative adaptation, with its evidence."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pdia")
    date = models.DateField()
    problem = models.TextField()
    tried = models.TextField()
    learned = models.TextField()
    changed = models.TextField()
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "-date", "-created_at"]
        verbose_name = _("PDIA log entry")
        verbose_name_plural = _("PDIA log entries")

    def __str__(self) -> str:
        return f"{self.date}: {self.problem[:60]}"
