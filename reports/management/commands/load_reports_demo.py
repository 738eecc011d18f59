"""A demo report (idempotent, by title): last fiscal year's annual report, a PDF and a cover
image generated here (WeasyPrint and Pillow, both already dependencies: nothing is read from
outside the project), published now through the reports' own actions."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw

from irsite import clock
from irsite.uploads import check_upload
from reports import actions
from reports.models import Report

SYSTEM = actions.SystemActor("load_reports_demo")


def demo_pdf(title: str) -> bytes:
    from weasyprint import HTML  # the system's Pango, as the release PDFs need

    html = (
        f"<h1>{title}</h1><p>Letter to shareholders, financial highlights and the audited "
        "financial statements of the fiscal year (demo content).</p>"
    )
    return HTML(string=html).write_pdf()


def demo_cover(title: str) -> bytes:
    image = Image.new("RGB", (240, 320), (18, 52, 86))
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 224, 304), outline=(255, 255, 255), width=2)
    draw.text((28, 40), title, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = __doc__

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        year = clock.now().year - 1
        title = f"Annual report {year}"
        if Report.objects.filter(title=title).exists():
            self.stdout.write("Demo report already loaded.")
            return
        report = Report(title=title, kind=Report.Kind.ANNUAL_REPORT, fiscal_year=year)
        report.take(check_upload(SimpleUploadedFile("annual-report.pdf", demo_pdf(title))))
        report.take_cover(check_upload(SimpleUploadedFile("cover.png", demo_cover(title))))
        actions.save_report(report, SYSTEM)
        actions.submit(report, SYSTEM)
        actions.approve(report, SYSTEM, now=True)
        self.stdout.write(f"{report.title}: {report.get_absolute_url()}")
