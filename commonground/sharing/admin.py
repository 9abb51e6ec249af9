"""Admin for organizations, memberships and sharing agreements; the audit log is read-only.

Circles and agreements changed here are audited as on the sharing pages, and an agreement that
breaks humanitarian-military separation is refused in the form (``sharing.circles``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from commonground.core.admin import PlatformAdmin, ReadOnlyAdmin
from commonground.sharing import circles
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


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class SharingAgreementForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """The policy's refusals (separation, voices to armed kinds) as form errors, audited."""

    actor: User | None = None

    class Meta:
        model = SharingAgreement
        fields = (
            "provider",
            "recipient",
            "max_sensitivity",
            "covers_voices",
            "voices_protected",
            "note",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        provider, recipient = data.get("provider"), data.get("recipient")
        if isinstance(provider, Organization) and isinstance(recipient, Organization):
            gives_voices = bool(data.get("covers_voices") or data.get("voices_protected"))
            refusal = circles.refuse_agreement(provider, recipient, self.actor, gives_voices)
            if refusal is not None:
                raise forms.ValidationError(refusal)
        return data


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
    form = SharingAgreementForm

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = cast(type[SharingAgreementForm], super().get_form(request, obj, change, **kwargs))
        form.actor = _actor(request)
        return form

    def save_model(
        self, request: HttpRequest, obj: SharingAgreement, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        circles.audit_agreement_saved(obj, not change, _actor(request))

    def delete_model(self, request: HttpRequest, obj: SharingAgreement) -> None:
        circles.do_delete_agreement(obj, _actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SharingAgreement]) -> None:
        for agreement in queryset.select_related("provider", "recipient"):
            circles.do_delete_agreement(agreement, _actor(request))


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

    def save_model(self, request: HttpRequest, obj: SharingCircle, form: Any, change: bool) -> None:
        # kept on the form (one per request), not on this admin (shared between requests)
        form.members_before = (
            set(obj.members.values_list("pk", flat=True)) if change and obj.pk else set()
        )
        super().save_model(request, obj, form, change)
        circles.audit_circle_saved(obj, not change, _actor(request))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        circle: SharingCircle = form.instance
        before: set[Any] = getattr(form, "members_before", set())
        after = {org.pk: org for org in circle.members.all()}
        for pk in sorted(set(after) - before, key=str):
            circles.audit_member_added(circle, after[pk], _actor(request))
        for member in Organization.objects.filter(pk__in=before - set(after)):
            circles.audit_member_removed(circle, member, _actor(request))

    def delete_model(self, request: HttpRequest, obj: SharingCircle) -> None:
        circles.do_delete_circle(obj, _actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SharingCircle]) -> None:
        for circle in queryset.select_related("owner"):
            circles.do_delete_circle(circle, _actor(request))


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
        for token in queryset.select_related("user"):
            do_revoke_api_token(token, actor=_actor(request))


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    """The disclosure gate's release log is append-only, like the audit log. It holds which cells
    were suppressed or perturbed, never a true value, so the operator may read it."""

    list_display = ("at", "owner", "table", "organization", "circle", "channel", "withheld")
    list_filter = ("table", "channel", "withheld")
    date_hierarchy = "at"
    list_select_related = ("owner", "organization", "circle")
