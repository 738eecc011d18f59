"""`manage.py poll_edgar`: one poll of EDGAR now, as the worker runs it every few minutes."""

from django.core.management.base import BaseCommand, CommandError

from filings import poller


class Command(BaseCommand):
    help = "Read the issuer's filings from EDGAR once (the worker does it every few minutes)."

    def handle(self, *args, **options) -> None:
        if problem := poller.not_ready():
            raise CommandError(problem)  # one line: what to set
        self.stdout.write(poller.poll())
