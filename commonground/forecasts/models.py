"""Forecast runs and their per unit and step summaries.

A run is made from the events visible to the public (``visible_events(None)``), so what it
stores is derived from public records only and may be shown to anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import BaseModel


class ForecastLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    ADMIN1 = "admin1", _("Admin-1 areas")


class ForecastRun(BaseModel):
    """One forecast: which model, from which data, made when and by whom, with which settings."""

    country = models.CharField(max_length=3, db_index=True)
    level = models.CharField(max_length=10, choices=ForecastLevel.choices)
    model_name = models.CharField(max_length=60)
    model_version = models.CharField(max_length=60)
    data_cut = models.DateField(help_text=_("First day of the last month of data the run used."))
    made_at = models.DateTimeField(db_index=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_by_label = models.CharField(max_length=150, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    seed = models.BigIntegerField()
    samples = models.PositiveIntegerField()

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("forecast run")
        verbose_name_plural = _("forecast runs")
        indexes = [models.Index(fields=["country", "level", "-made_at"])]

    def __str__(self) -> str:
        return f"{self.country} {self.level} {self.model_name} ({self.data_cut:%Y-%m})"


class ForecastValue(models.Model):
    """The forecast of one unit for one month (``step`` months after the data cut)."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="values")
    unit = models.CharField(max_length=120)
    month = models.DateField()
    step = models.PositiveSmallIntegerField()
    deaths_mean = models.FloatField()
    q05 = models.FloatField()
    q25 = models.FloatField()
    q50 = models.FloatField()
    q75 = models.FloatField()
    q95 = models.FloatField()
    p_any_death = models.FloatField()
    p_one_sided = models.FloatField()

    class Meta:
        ordering = ["run", "unit", "step"]
        verbose_name = _("forecast value")
        verbose_name_plural = _("forecast values")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit", "step"], name="forecast_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m} (step {self.step})"
