"""Read-only admin for events: they change only by import, so every record keeps its provenance.

Correcting an event means correcting the source file and importing it again.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from commonground.core.admin import ReadOnlyAdmin
from commonground.events.models import Event, LikelyDuplicate, SourceChunk


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = (
        "date_start",
        "dataset",
        "source_id",
        "violence_type",
        "country_code",
        "admin1",
        "place",
        "fatalities_best",
        "sensitivity",
        "withdrawn",
    )
    list_filter = (
        "dataset",
        "violence_type",
        "withdrawn",
        "sensitivity",
        "licence",
        "country_code",
        "date_precision",
    )
    search_fields = ("source_id", "place", "description")
    date_hierarchy = "date_start"
    list_select_related = ("admin1",)
    #: Counting a whole events table on every page is slow on a field laptop.
    show_full_result_count = False


@admin.register(LikelyDuplicate)
class LikelyDuplicateAdmin(ReadOnlyAdmin):
    list_display = ("event", "other", "distance_km", "days_apart", "flagged_by")
    search_fields = ("event__source_id", "other__source_id")
    list_select_related = ("event", "other", "flagged_by")


@admin.register(SourceChunk)
class SourceChunkAdmin(ReadOnlyAdmin):
    """Which files' source fields are kept; the compressed data itself is not shown."""

    list_display = ("sha256", "first_row", "last_row", "rows", "complete")
    list_filter = ("complete",)
    search_fields = ("sha256",)
    fields = ("sha256", "first_row", "last_row", "rows", "complete")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SourceChunk]:
        return super().get_queryset(request).defer("data")  # up to hundreds of KB per chunk
