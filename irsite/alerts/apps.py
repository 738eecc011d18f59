from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "irsite.alerts"
    label = "alerts"
    verbose_name = "Email alerts"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy check
