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

        register_schedule(
            "events",
            Schedule(
                next_go_live=lambda now: Event.objects.next_change(now),
                latest_go_live=lambda now: Event.objects.latest_change(now),
            ),
        )

        # E-mail alerts (irsite.alert_topics): readers may choose "Events".
        from irsite import alert_topics

        from .public.alerts import TOPIC

        alert_topics.register(TOPIC)
