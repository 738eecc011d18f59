"""`manage.py load_filings_demo`: the demo issuer's CIK and a handful of filings (idempotent).
`load_demo` runs it; the running site never reads ../shared (the filings are in filings.demo)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from filings import actions, demo
from filings.models import EdgarSource


class Command(BaseCommand):
    help = "Set the demo issuer's CIK (if none is set) and load its demo filings (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        source = EdgarSource.load()
        if source.cik and source.cik != demo.CIK:
            self.stdout.write(f"The CIK is {source.cik}, not the demo's: no demo filings loaded.")
            return
        if not source.cik:
            actions.set_cik(demo.CIK)
        stored = actions.store_demo(demo.CIK, demo.FILINGS)
        self.stdout.write(f"Demo filings: {stored.created} loaded, {stored.changed} updated.")
