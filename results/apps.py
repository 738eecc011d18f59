from django.apps import AppConfig


class ResultsConfig(AppConfig):
    # No schedule of its own to register: a kit has no second of its own. It goes public at its
    # release's go-live, which the releases' schedule already caps every cached page at.
    name = "results"
    verbose_name = "Results"
    default_auto_field = "django.db.models.BigAutoField"
