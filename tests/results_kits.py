"""Helpers of the results kits' tests (issue 26): a kit with documents, written and approved
through `results.actions` as the admin does."""

from irsite.uploads import check_upload
from results import actions
from results.models import KitDocument, ResultsKit

from .conftest import SYSTEM
from .files import CSV, PDF, upload

SECOND = actions.SystemActor("second person")


def make_kit(release, by=SYSTEM, *, fiscal_year=2027, period="q1", event=None, documents=None):
    """A draft kit for ``release`` with ``documents`` ((category, title, filename, bytes)...);
    by default slides (PDF) and supplemental tables (CSV)."""
    kit = ResultsKit(fiscal_year=fiscal_year, period=period, release=release, event=event)
    documents = documents if documents is not None else [
        ("slides", "Q1 presentation", "slides.pdf", PDF),
        ("supplemental", "Supplemental tables", "tables.csv", CSV),
    ]  # fmt: skip

    def write_related() -> None:
        for position, (category, title, name, content) in enumerate(documents):
            document = KitDocument(kit=kit, category=category, title=title, position=position)
            document.take(check_upload(upload(name, content)))
            document.save()

    return actions.save_kit(kit, by, write_related=write_related)


def approved_kit(release, **kwargs) -> ResultsKit:
    kit = make_kit(release, **kwargs)
    actions.approve(kit, SECOND)
    kit.refresh_from_db()
    return kit
