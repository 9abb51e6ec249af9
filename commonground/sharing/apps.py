from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "commonground.sharing"
    label = "sharing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Audit failed sign-ins (commonground/sharing/signals.py)."""
        from commonground.sharing import signals

        signals.connect()
