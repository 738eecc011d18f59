from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The site-wide layers ask this app, never import it: when a release next goes live
        # and when one last did (the page cache's cap, Last-Modified), and which letterheads
        # public releases print (their logos stay served). All by the one publication rule.
        from irsite import clock
        from irsite.contacts.models import register_printed_letterheads
        from irsite.http import Schedule, register_schedule

        from .models import Release
        from .models.files import RENDITIONS_FOLDER

        # Built once per process (the site's Last-Modified asks at every uncached render); it
        # decides at ``now`` when it runs (`irsite.clock.WhenRun`, `irsite.clock.fixed`).
        newest = (
            Release.objects.public(clock.WhenRun())
            .order_by("-published_at")
            .values_list("published_at", flat=True)
        )

        def latest_go_live(now):
            with clock.fixed(now):
                return newest.first()

        register_schedule(
            "releases",
            Schedule(
                next_go_live=lambda now: Release.objects.next_go_live(now),
                latest_go_live=latest_go_live,
            ),
        )
        register_printed_letterheads(
            "releases", lambda: Release.objects.public().values("letterhead")
        )

        # The audit trail records the changes the layers below make through their own
        # actions: the company profile, the contacts and the standard texts (`irsite.audit`).
        from irsite import audit as site_audit

        from .actions import audit
        from .models import AuditEntry

        site_audit.register(
            "releases",
            lambda user, kind, detail: audit(user, AuditEntry.Action(kind), None, detail),
        )

        # The folders of its stored files, and what refers to them (`irsite.storedfiles`).
        from irsite import storedfiles, uploads

        from .media.orphans import referenced_names

        storedfiles.declare("releases", [uploads.FOLDER, RENDITIONS_FOLDER], referenced_names)
