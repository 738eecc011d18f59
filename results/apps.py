from django.apps import AppConfig


class ResultsConfig(AppConfig):
    # No schedule of its own to register: a kit has no second of its own. It goes public at its
    # release's go-live, which the releases' schedule already caps every cached page at.
    name = "results"
    verbose_name = "Results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The documents' folder and every document a kit keeps: current, awaiting a second
        # person, and replaced (kept for the history) are all rows (`irsite.storedfiles`).
        from irsite import storedfiles

        from .models import KitDocument
        from .models.documents import FOLDER

        storedfiles.declare(
            "results", [FOLDER], lambda: KitDocument.objects.values_list("file", flat=True)
        )

        # E-mail alerts (irsite.alert_topics): readers may choose "Results".
        from irsite import alert_topics

        from .public.alerts import TOPIC

        alert_topics.register(TOPIC)
