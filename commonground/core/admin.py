"""Admin for areas and import runs, and the base classes every Common Ground admin uses.

The Django admin is for platform administrators only. Django lets in any *staff* user; owned
records (events, presence) must still follow the access policy, so every admin here also asks
:func:`commonground.sharing.policy.viewer_for` whether the user is a platform administrator
(a superuser, or a ``platform_admin`` member). A staff account without that role sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, ImportRun, Withdrawal
from commonground.sharing.policy import viewer_for

#: Where an imported record came from and when it was written: shown, never edited.
PROVENANCE_FIELDS = ("import_run", "source_row", "created_at", "updated_at")

if TYPE_CHECKING:
    TypedModelAdmin = admin.ModelAdmin
    TypedTabularInline = admin.TabularInline
else:

    class TypedModelAdmin(admin.ModelAdmin):
        """``ModelAdmin`` that accepts ``[Model]`` at run time, as django-stubs types it.

        (django-stubs-ext would patch this in, but it is a development dependency only.)
        """

        def __class_getitem__(cls, item):
            return cls

    class TypedTabularInline(admin.TabularInline):
        def __class_getitem__(cls, item):
            return cls


def is_platform_admin(request: HttpRequest) -> bool:
    """Staff (Django's own admin check) and a platform administrator in the access policy."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return viewer_for(user).is_platform_admin


class PlatformAdmin(TypedModelAdmin[Any]):
    """Every model admin: open to platform administrators only, whatever Django permissions say."""

    #: Source addresses are web pages; say so now rather than rely on Django 5's http default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_platform_admin(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_platform_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_platform_admin(request) and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(PlatformAdmin):
    """For records that change only through their own process (imports, the audit log)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(PlatformAdmin):
    list_display = ("code", "name_en", "name_fr", "level", "country_code", "parent")
    list_filter = ("level", "country_code")
    search_fields = ("code", "name_en", "name_fr", "aliases")
    raw_id_fields = ("parent",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("parent",)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """Import runs are the provenance of every imported record: read-only, never deleted."""

    list_display = (
        "started_at",
        "dataset",
        "dataset_version",
        "file_name",
        "outcome",
        "rows_read",
        "added",
        "updated",
        "unchanged",
        "removed",
        "replace_release",
        "rejected",
        "problem_count",
        "owner",
    )
    list_filter = ("outcome", "dataset", "owner", "replace_release")
    search_fields = ("file_name", "sha256", "dataset")
    date_hierarchy = "started_at"
    list_select_related = ("owner", "imported_by")

    @admin.display(description=_("problems"))
    def problem_count(self, obj: ImportRun) -> int:
        return len(obj.problems)


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    """What an import that replaced a release withdrew: read-only (undo with
    ``commonground imports undo-withdrawals`` or the import's withdrawals page)."""

    list_display = ("run", "model", "source_id", "object_id", "public")
    list_filter = ("model", "public")
    search_fields = ("source_id", "object_id")
    list_select_related = ("run",)
