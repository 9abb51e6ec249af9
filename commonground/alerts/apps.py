from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Early warning: an organization raises an alert from its verified reports to its circles.

    The whole feature lives in this folder (models, services, queries, pages, API, CLI, demo);
    ``web`` and ``api`` only mount it. Who sees an alert is decided in ``sharing/policy.py``
    (the ``Alerts`` block). See docs/alerts.md.
    """

    name = "commonground.alerts"
    label = "alerts"
    verbose_name = _("Alerts")
    default_auto_field = "django.db.models.BigAutoField"
