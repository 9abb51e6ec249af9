"""Admin for learning records: platform administrators look them up and correct them by hand.

Organizations edit their own records through the services (``do_*``), which audit each write.
"""

from __future__ import annotations

from django.contrib import admin

from commonground.core.admin import PlatformAdmin
from commonground.learning.models import (
    Benchmark,
    Indicator,
    IndicatorValue,
    PdiaEntry,
    Programme,
    TocEdge,
    TocNode,
)

TIMESTAMPS = ("created_at", "updated_at")


@admin.register(Programme)
class ProgrammeAdmin(PlatformAdmin):
    list_display = ("title", "owner", "sensitivity", "demonstration")
    search_fields = ("slug", "title", "title_fr")
    readonly_fields = TIMESTAMPS


@admin.register(Indicator)
class IndicatorAdmin(PlatformAdmin):
    list_display = ("name", "owner", "source", "programme", "baseline", "target")
    list_filter = ("source",)
    search_fields = ("slug", "name", "name_fr")
    readonly_fields = TIMESTAMPS


@admin.register(IndicatorValue)
class IndicatorValueAdmin(PlatformAdmin):
    list_display = ("indicator", "area", "month", "value", "women", "men")
    readonly_fields = TIMESTAMPS


@admin.register(Benchmark)
class BenchmarkAdmin(PlatformAdmin):
    list_display = ("title", "mission", "owner", "comparison", "threshold", "months")
    list_filter = ("mission",)
    readonly_fields = TIMESTAMPS


@admin.register(TocNode)
class TocNodeAdmin(PlatformAdmin):
    list_display = ("key", "kind", "label", "programme", "margin")
    readonly_fields = TIMESTAMPS


@admin.register(TocEdge)
class TocEdgeAdmin(PlatformAdmin):
    list_display = ("programme", "source", "kind", "target")
    readonly_fields = TIMESTAMPS


@admin.register(PdiaEntry)
class PdiaEntryAdmin(PlatformAdmin):
    list_display = ("programme", "date", "problem", "author")
    readonly_fields = (*TIMESTAMPS, "author")
