"""Admin: forms only. Reports are deliberately not in the admin.

A platform administrator who is not a member of the owning organization must not learn that a
report exists (docs/access-policy.md); the owner's analysts work in ``/voices/inbox/``.
"""

from django.contrib import admin

from commonground.core.admin import PlatformAdmin
from commonground.voices.models import ReportForm


@admin.register(ReportForm)
class ReportFormAdmin(PlatformAdmin):
    list_display = ("title", "owner", "slug", "published", "daily_limit", "is_synthetic")
    list_filter = ("published", "owner")
    search_fields = ("title", "slug", "owner__slug")
