from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from releases import edgar
from releases.exhibits import render_html, render_text
from releases.models import Release


class Command(BaseCommand):
    help = (
        "Print a release as a filing-ready Exhibit 99.1 (plain text or EDGAR HTML), or with "
        "--attachments the list of its attached files (filed as further exhibits, not inside "
        "this one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("release", help="The release's id or slug.")
        parser.add_argument("--format", choices=["text", "html", "zip"], default="text")
        parser.add_argument(
            "--output",
            help="With --format zip: the file to write (the EDGAR HTML and its JPEG images).",
        )
        parser.add_argument(
            "--attachments",
            action="store_true",
            help="List the attachments instead: order, title, type, bytes, SHA-256, public URL "
            "(tab-separated, one per line).",
        )

    def handle(
        self, *args, release: str, format: str, attachments: bool, output: str | None, **options
    ) -> None:
        lookup = {"pk": int(release)} if release.isdigit() else {"slug": release}
        found = Release.objects.filter(**lookup).first()
        if found is None:
            raise CommandError(f"{release}: no release with that id or slug")
        if attachments:
            for a in found.attachment_list:
                url = settings.SITE_URL + a.get_absolute_url()
                fields = [a.position, a.title, a.content_type, a.size, a.sha256, url]
                self.stdout.write("\t".join(str(f).replace("\t", " ") for f in fields))
            return
        if format == "zip":
            if not output:
                raise CommandError("--format zip needs --output FILE")
            with open(output, "wb") as file:
                file.write(edgar.exhibit_zip(found))
            return
        document = edgar.to_exhibit(found)
        self.stdout.write(render_text(document) if format == "text" else render_html(document))
