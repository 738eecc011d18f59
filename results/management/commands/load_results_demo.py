"""Demo results (idempotent): the demo company's fiscal calendar (its year ends in June) and a
kit for the demo release's quarter with slides and supplemental tables, approved by a second
actor. Demo data shipped here; nothing is read from outside the project."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from irsite.uploads import check_upload
from releases import demo
from releases.models import Release
from results import actions
from results.models import FiscalCalendar, KitDocument, Period, ResultsKit
from results.models.fiscal import reported_quarter

EDITOR = actions.SystemActor("load_results_demo")
APPROVER = actions.SystemActor("load_results_demo (approval)")

# A one-page PDF standing in for the slides, and sample tables (clearly not real figures).
SLIDES = (
    b"%PDF-1.3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Count 1 /Kids [ 3 0 R ] >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /MediaBox [ 0 0 200 200 ] /Parent 2 0 R /Resources << >> >>\n"
    b"endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n205\n%%EOF\n"
)
TABLES = b"line item,sample value\nrevenue,0\noperating expenses,0\nnote,demo data only\n"
YEAR_END_MONTH = 6


class Command(BaseCommand):
    help = __doc__

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not FiscalCalendar.objects.exists():
            actions.set_fiscal_calendar(YEAR_END_MONTH, EDITOR)
        release = Release.objects.filter(slug=demo.RELEASE["slug"]).first()
        if release is None or ResultsKit.objects.filter(release=release).exists():
            return
        assert release.published_at is not None
        day = timezone.localdate(release.published_at)
        fiscal_year, quarter = reported_quarter(day, FiscalCalendar.current().year_end_month)
        kit = ResultsKit(
            fiscal_year=fiscal_year, period=Period.values[quarter - 1], release=release
        )
        files = [
            ("slides", "Quarterly presentation", "slides.pdf", SLIDES),
            ("supplemental", "Supplemental tables (sample)", "tables.csv", TABLES),
        ]

        def write_related() -> None:
            for position, (category, title, name, content) in enumerate(files):
                document = KitDocument(kit=kit, category=category, title=title, position=position)
                document.take(check_upload(SimpleUploadedFile(name, content)))
                document.save()

        actions.save_kit(kit, EDITOR, write_related=write_related)
        actions.approve(kit, APPROVER)
        self.stdout.write(f"{kit.title}: {kit.get_absolute_url()}")
