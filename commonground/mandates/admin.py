"""Admin for mandates, agreements and deployments: platform administrators look records up and
correct them by hand; provenance (import run, source row, timestamps) stays read-only."""

from __future__ import annotations

from django.contrib import admin

from commonground.core.admin import PROVENANCE_FIELDS, PlatformAdmin
from commonground.mandates.models import (
    AgreementEvent,
    CapabilityNeed,
    Deployment,
    DeploymentContributor,
    DeploymentUnits,
    ImplementationScore,
    MandateTask,
    Provision,
    Resolution,
    ReviewItem,
    TaskCategory,
)


@admin.register(TaskCategory)
class TaskCategoryAdmin(PlatformAdmin):
    list_display = ("key", "label_en", "label_fr", "source_row")
    search_fields = ("key", "label_en", "label_fr")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(Resolution)
class ResolutionAdmin(PlatformAdmin):
    list_display = ("mission", "number", "year", "adopted")
    list_filter = ("mission",)
    readonly_fields = PROVENANCE_FIELDS


@admin.register(MandateTask)
class MandateTaskAdmin(PlatformAdmin):
    list_display = ("resolution", "category", "tier", "mode", "paragraph", "confidence")
    list_filter = ("resolution__mission", "tier", "mode", "confidence")
    search_fields = ("task", "task_fr", "category__key", "paragraph")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(Provision)
class ProvisionAdmin(PlatformAdmin):
    list_display = ("key", "agreement", "article", "theme", "confidence")
    list_filter = ("agreement", "theme", "confidence")
    search_fields = ("key", "commitment", "commitment_fr")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(AgreementEvent)
class AgreementEventAdmin(PlatformAdmin):
    list_display = ("key", "agreement", "date", "direction", "confidence")
    list_filter = ("agreement", "direction", "confidence")
    search_fields = ("key", "what")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(Deployment)
class DeploymentAdmin(PlatformAdmin):
    list_display = ("mission", "year", "location", "country", "troops", "source_row")
    list_filter = ("mission", "year")
    search_fields = ("mission", "location", "country")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(DeploymentContributor)
class DeploymentContributorAdmin(PlatformAdmin):
    list_display = ("mission", "year", "location", "contributor", "troops", "source_row")
    list_filter = ("mission", "year")
    search_fields = ("mission", "location", "contributor")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(DeploymentUnits)
class DeploymentUnitsAdmin(PlatformAdmin):
    list_display = ("mission", "year", "location", "infantry", "engineering", "medical", "aviation")
    list_filter = ("mission", "year")
    search_fields = ("mission", "location")
    readonly_fields = PROVENANCE_FIELDS


@admin.register(CapabilityNeed)
class CapabilityNeedAdmin(PlatformAdmin):
    """Statements are written on the task page (audited); the admin looks them up."""

    list_display = ("mission", "category", "capability", "owner", "sensitivity", "changed_by")
    list_filter = ("mission", "capability", "owner")
    readonly_fields = ("created_at", "updated_at", "changed_by")


@admin.register(ImplementationScore)
class ImplementationScoreAdmin(PlatformAdmin):
    """Scores are written on the scores page (audited); the admin looks them up."""

    list_display = ("provision", "period", "score", "scorer_label", "owner", "is_demonstration")
    list_filter = ("is_demonstration", "owner", "period")
    search_fields = ("provision__key", "scorer_label")
    readonly_fields = ("created_at", "updated_at", "scorer")


@admin.register(ReviewItem)
class ReviewItemAdmin(PlatformAdmin):
    list_display = ("mission", "date", "kind", "basis", "resolution", "owner", "sensitivity")
    list_filter = ("mission", "kind", "basis")
    search_fields = ("key", "title", "how")
