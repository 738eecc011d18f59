from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "irsite.alerts"
    label = "alerts"
    verbose_name = "Email alerts"

    def ready(self) -> None:
        from irsite import worker

        from . import checks  # noqa: F401 - registers the deploy check
        from .sending import check, send_alerts

        # The worker's due-release check (`manage.py run_worker`).
        worker.register_check("alerts", check)
        # A worker whose clock is out of bound never claims a send: another worker takes it.
        worker.hold_while_skewed(send_alerts.module_path)
