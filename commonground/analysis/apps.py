from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "commonground.analysis"
    label = "analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Keep the stored figures in step with the events (core and events never import us)."""
        from commonground.analysis import figures

        figures.connect_signals()
