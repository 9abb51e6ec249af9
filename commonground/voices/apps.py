from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    """Community reports: what people tell an organization, encrypted with that organization's key.

    The whole feature lives in this folder (models, services, queries, crypto, pages, API, CLI);
    ``web`` and ``api`` only mount it. See docs/voices.md and ADR 0018.
    """

    name = "commonground.voices"
    label = "voices"
    verbose_name = _("Voices")
    default_auto_field = "django.db.models.BigAutoField"
