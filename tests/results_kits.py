"""Helpers of the results kits' tests (issue 26): a kit with documents, written and approved
through `results.actions` as the admin does, and the `kit` fixture (a kit whose release goes
live at GO_LIVE; registered by conftest.py's `pytest_plugins`)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from irsite.uploads import check_upload
from results import actions
from results.models import FiscalCalendar, KitDocument, ResultsKit
from results.models.fiscal import reported_quarter

from .conftest import SYSTEM, at
from .files import CSV, PDF, upload

SECOND = actions.SystemActor("second person")


def reported_period(release) -> tuple[int, str]:
    """(fiscal year, period) of the quarter last ended on ``release``'s day: what results
    published that day report, by the fiscal calendar as it is set."""
    day = timezone.localdate(release.published_at)
    fiscal_year, quarter = reported_quarter(day, FiscalCalendar.current().year_end_month)
    return fiscal_year, f"q{quarter}"


def make_kit(release, by=SYSTEM, *, fiscal_year=None, period=None, event=None, documents=None):
    """A draft kit for ``release`` with ``documents`` ((category, title, filename, bytes)...);
    by default slides (PDF) and supplemental tables (CSV). The period, unless given, is the
    quarter last ended on the release's day (what results published that day report)."""
    if fiscal_year is None and period is None:
        fiscal_year, period = reported_period(release)
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


GO_LIVE = at(2026, 10, 27, 16, 5, 0)
HEADLINE = "Fiscal first quarter revenue of $4.56 billion"


@pytest.fixture
def kit(make_release, publish, category, make_event, announce):
    """A kit for Q1 FY2027 (a June year-end), its release scheduled for GO_LIVE; another kit
    already public so every list, feed and sitemap has something to show."""
    actions.set_fiscal_calendar(6, SYSTEM)
    earlier = publish(make_release(categories=[category], published_at=at(2026, 7, 28, 16, 5)))
    approved_kit(earlier, fiscal_year=2026, period="fy", documents=[])
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        release = make_release(
            headline=HEADLINE, slug="fiscal-q1-revenue", categories=[category],
            published_at=GO_LIVE,
        )  # fmt: skip
        kit = approved_kit(release)
        return publish(release), kit
