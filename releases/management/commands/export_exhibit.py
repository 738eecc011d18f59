from django.core.management.base import BaseCommand, CommandError, CommandParser

from releases import edgar
from releases.exhibits import render_html, render_text
from releases.models import Release


class Command(BaseCommand):
    help = "Print a release as a filing-ready Exhibit 99.1 (plain text or EDGAR HTML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("release", help="The release's id or slug.")
        parser.add_argument("--format", choices=["text", "html"], default="text")

    def handle(self, *args, release: str, format: str, **options) -> None:
        lookup = {"pk": int(release)} if release.isdigit() else {"slug": release}
        found = Release.objects.filter(**lookup).first()
        if found is None:
            raise CommandError(f"{release}: no release with that id or slug")
        document = edgar.to_exhibit(found)
        self.stdout.write(render_text(document) if format == "text" else render_html(document))
