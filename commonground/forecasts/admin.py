"""Forecast runs in the admin, read only: runs change only through ``commonground forecast run``."""

from __future__ import annotations

from django.contrib import admin

from commonground.core.admin import ReadOnlyAdmin
from commonground.forecasts.models import ForecastRun, ForecastValue


@admin.register(ForecastRun)
class ForecastRunAdmin(ReadOnlyAdmin):
    list_display = ("country", "level", "model_name", "model_version", "data_cut", "made_at")
    list_filter = ("country", "level", "model_name")


@admin.register(ForecastValue)
class ForecastValueAdmin(ReadOnlyAdmin):
    list_display = ("run", "unit", "month", "step", "deaths_mean", "p_any_death", "p_one_sided")
    list_filter = ("run__country", "step")
