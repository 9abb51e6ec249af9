"""Admin for organizations, memberships and sharing agreements; the audit log is read-only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from commonground.core.admin import PlatformAdmin, ReadOnlyAdmin
from commonground.sharing.models import (
    ApiToken,
    AuditEvent,
    Membership,
    Organization,
    SharingAgreement,
    SharingCircle,
)
from commonground.sharing.releases import Release
from commonground.sharing.services import do_revoke_api_token


@admin.register(Organization)
class OrganizationAdmin(PlatformAdmin):
    list_display = ("name", "acronym", "kind", "slug", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "acronym", "slug", "aliases")
    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(PlatformAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    search_fields = ("user__username", "user__email", "organization__name", "organization__acronym")
    raw_id_fields = ("user", "organization")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("user", "organization")


@admin.register(SharingAgreement)
class SharingAgreementAdmin(PlatformAdmin):
    list_display = (
        "provider",
        "recipient",
        "max_sensitivity",
        "covers_voices",
        "voices_protected",
        "created_at",
    )
    list_filter = ("max_sensitivity", "covers_voices")
    search_fields = ("provider__name", "provider__acronym", "recipient__name", "recipient__acronym")
    raw_id_fields = ("provider", "recipient")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("provider", "recipient")


@admin.register(SharingCircle)
class SharingCircleAdmin(PlatformAdmin):
    """Circles are managed on /sharing/circles/ (audited); here for platform administrators.

    Whatever is set here, the policy never gives armed organizations raw records of civil owners.
    """

    list_display = ("name", "owner", "slug", "max_sensitivity", "releases_paused")
    list_filter = ("max_sensitivity", "releases_paused")
    search_fields = ("name", "slug", "owner__name", "owner__acronym")
    raw_id_fields = ("owner",)
    filter_horizontal = ("members",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("owner",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log is append-only: an admin who could edit it could hide their own actions."""

    list_display = ("at", "action", "actor", "target")
    list_filter = ("action",)
    search_fields = ("action", "target", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    exclude = ("token_hash",)
    list_select_related = ("user",)
    actions = ("revoke",)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for token in queryset.select_related("user"):
            do_revoke_api_token(token, actor=actor)


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    """The disclosure gate's release log is append-only, like the audit log. It holds which cells
    were suppressed or perturbed, never a true value, so the operator may read it."""

    list_display = ("at", "owner", "table", "organization", "circle", "channel", "withheld")
    list_filter = ("table", "channel", "withheld")
    date_hierarchy = "at"
    list_select_related = ("owner", "organization", "circle")
