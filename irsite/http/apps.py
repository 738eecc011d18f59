from django.apps import AppConfig


class HttpConfig(AppConfig):
    """The site-wide HTTP layer: one Django app only because it keeps one row of state (the
    site's Last-Modified and count of public changes, `irsite.http.models.PublicChange`)."""

    name = "irsite.http"
    label = "irsite_http"
    verbose_name = "Public HTTP layer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # irsite's own apps are the site's rooms; this one is its frame, so it starts the probe
        # that tells a transaction-mode pooler the settings do not know of (irsite.pooler).
        from irsite import pooler

        pooler.watch()
