from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastsConfig(AppConfig):
    """Stored forecasts: what ``commonground forecast run`` made, for pages, maps and the API."""

    name = "commonground.forecasts"
    label = "forecasts"
    verbose_name = _("Forecasts")
    default_auto_field = "django.db.models.BigAutoField"
