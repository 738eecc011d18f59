from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "irsite.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from irsite import worker

        from .event_sources import register_event_events
        from .filing_sources import register_filing_events
        from .report_sources import register_report_events
        from .results_sources import register_results_events
        from .sending import check, send_webhook
        from .sources import register_release_events

        # One module per noun, each registering its types (`registry`).
        register_release_events()
        register_event_events()
        register_filing_events()
        register_results_events()
        register_report_events()
        # Before the alerts' check (INSTALLED_APPS order): a go-live's webhooks go first.
        worker.register_check("webhooks", check)
        # A worker whose clock is out of bound never claims a delivery: another worker takes it.
        worker.hold_while_skewed(send_webhook.module_path)
