from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The HTTP layer asks, never imports: when a report next goes public by itself (its
        # publication second) and when one last did. The page cache keeps nothing past the next
        # one; Last-Modified moves.
        from irsite.http import Schedule, register_schedule

        from .models import Report

        register_schedule(
            "reports",
            Schedule(
                next_go_live=lambda now: Report.objects.next_go_live(now),
                latest_go_live=lambda now: Report.objects.latest_go_live(now),
            ),
        )
