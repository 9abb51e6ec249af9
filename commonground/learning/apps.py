from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """Indicators, exit benchmarks, theories of change, PDIA logs and the IATI results export.

    The whole feature lives in this folder; ``web`` and ``api`` only mount it. See
    docs/learning.md and ADR 0025.
    """

    name = "commonground.learning"
    label = "learning"
    verbose_name = _("Learning: indicators, benchmarks, theories of change")
