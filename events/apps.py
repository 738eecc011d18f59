from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The HTTP layer asks, never imports: when what readers see of events next changes by
        # itself (an announce second, a materials second, an event's end, a replay's end) and
        # when it last did. The page cache keeps nothing past the next one; Last-Modified moves.
        from irsite.http import Schedule, register_schedule

        from .models import Event
        from .models.querysets import latest_change_at

        register_schedule(
            "events",
            Schedule(
                next_go_live=lambda now: Event.objects.next_change(now),
                latest_go_live=latest_change_at,
            ),
        )

        # E-mail alerts (irsite.alert_topics): readers may choose "Events".
        from irsite import alert_topics

        from .public.alerts import TOPIC

        alert_topics.register(TOPIC)

        # The documents' folder, and every document referred to: an event's, and each one a
        # change keeps in its record (`irsite.storedfiles`, `manage.py clean_orphan_files`).
        from irsite import storedfiles

        from .models import EventChange, EventDocument
        from .models.documents import FOLDER

        def referenced_names() -> list[str]:
            names = list(EventDocument.objects.values_list("file", flat=True))
            for data in EventChange.objects.values_list("data", flat=True).iterator():
                names.extend(d["file"] for d in (data or {}).get("documents", []))
            return names

        storedfiles.declare("events", [FOLDER], referenced_names)
