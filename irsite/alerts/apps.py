from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "irsite.alerts"
    label = "alerts"
    verbose_name = "Email alerts"

    def ready(self) -> None:
        from irsite import worker

        from . import checks  # noqa: F401 - registers the deploy check
        from .sending import check

        # The worker's due-release check (`manage.py run_worker`).
        worker.register_check("alerts", check)
