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

        # The reports' folder, and every file referred to: a report's file and cover, the
        # files corrections replaced, and those a pending change names (`irsite.storedfiles`).
        from irsite import storedfiles

        from .models import ReportChange, ReportVersion
        from .models.report import FOLDER

        def referenced_names() -> list[str]:
            names = [n for row in Report.objects.values_list("file", "cover") for n in row]
            names.extend(ReportVersion.objects.values_list("file", flat=True))
            for data in ReportChange.objects.values_list("data", flat=True).iterator():
                names.extend([(data or {}).get("file", ""), (data or {}).get("cover", "")])
            return names

        storedfiles.declare("reports", [FOLDER], referenced_names)

        # E-mail alerts (irsite.alert_topics): readers may choose "Reports".
        from irsite import alert_topics

        from .public.alerts import TOPIC

        alert_topics.register(TOPIC)
