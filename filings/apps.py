from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "SEC filings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # /healthz asks this app, never imports it: a stale filings list is "degraded".
        from irsite.health import register_status

        from .models import EdgarSource

        def edgar_status() -> str | None:
            source = EdgarSource.objects.filter(pk=1).first()
            return (source.staleness() or None) if source is not None else None

        register_status("edgar", edgar_status)

        # The worker's periodic checks (irsite.worker): enqueue the EDGAR poll when it is due.
        from irsite import worker

        from .tasks import enqueue_if_due

        worker.register_check("edgar", enqueue_if_due)

        # E-mail alerts (irsite.alert_topics): readers may choose "SEC filings".
        from irsite import alert_topics

        from .public.alerts import TOPIC

        alert_topics.register(TOPIC)
        # A release's page names the 8-K it was filed with (filings.links): releases asks its
        # notes registry, never this app.
        from releases.public import notes

        from .links import note_for

        notes.register("filings", note_for)
