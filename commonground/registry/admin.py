"""Admin for the registries: platform administrators look records up and correct them by hand.

Provenance (import run, source row, timestamps) is shown read-only: a hand edit changes the values,
never where the record came from. The next import of the file restores the file's values.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from commonground.core.admin import PROVENANCE_FIELDS, PlatformAdmin, TypedTabularInline
from commonground.registry.models import (
    Actor,
    ActorIdentifier,
    Operation,
    ParallelForce,
    Presence,
)


class ActorIdentifierInline(TypedTabularInline[ActorIdentifier, Actor]):
    model = ActorIdentifier
    extra = 0


@admin.register(Actor)
class ActorAdmin(PlatformAdmin):
    list_display = ("name", "kind", "country_code", "created_at")
    list_filter = ("kind", "country_code")
    search_fields = ("name", "aliases", "identifiers__value")
    readonly_fields = ("created_at", "updated_at")
    inlines = [ActorIdentifierInline]


@admin.register(ActorIdentifier)
class ActorIdentifierAdmin(PlatformAdmin):
    list_display = ("scheme", "value", "actor")
    list_filter = ("scheme",)
    search_fields = ("value", "actor__name")
    raw_id_fields = ("actor",)
    list_select_related = ("actor",)


@admin.register(Operation)
class OperationAdmin(PlatformAdmin):
    list_display = (
        "acronym",
        "name",
        "lead_type",
        "start_date",
        "end_date",
        "verification",
        "owner",
        "source_row",
    )
    list_filter = ("lead_type", "verification", "start_precision", "sensitivity", "owner")
    search_fields = ("slug", "acronym", "name", "lead_org", "notes")
    readonly_fields = PROVENANCE_FIELDS
    list_select_related = ("owner",)


@admin.register(ParallelForce)
class ParallelForceAdmin(PlatformAdmin):
    list_display = (
        "name",
        "lead_entity_type",
        "runs_beside",
        "command_relation",
        "purpose_type",
        "unsc_status",
        "start_year",
        "end_year",
    )
    list_filter = ("lead_entity_type", "command_relation", "purpose_type", "unsc_status")
    search_fields = ("slug", "name", "lead_entity", "parallel_to__acronym")
    filter_horizontal = ("parallel_to",)
    raw_id_fields = ("operation",)
    readonly_fields = PROVENANCE_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[ParallelForce]:
        return super().get_queryset(request).prefetch_related("parallel_to")

    @admin.display(description=_("runs beside"))
    def runs_beside(self, obj: ParallelForce) -> str:
        return ", ".join(operation.acronym for operation in obj.parallel_to.all())


@admin.register(Presence)
class PresenceAdmin(PlatformAdmin):
    list_display = (
        "source_id",
        "organization",
        "actor_kind",
        "presence_type",
        "place",
        "area",
        "start_date",
        "end_date",
        "personnel",
    )
    list_filter = ("actor_kind", "presence_type", "country_code", "start_precision")
    search_fields = (
        "source_id",
        "place",
        "organization__name",
        "organization__acronym",
        "area__name_en",
    )
    raw_id_fields = ("organization", "operation", "area")
    readonly_fields = PROVENANCE_FIELDS
    list_select_related = ("organization", "area")
