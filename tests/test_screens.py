"""The screenshots issue 29's closing note names, taken as people meet the pages (Chromium at
390 and 1280 px as the non-superuser approver, and a reader): the approver's admin index with a
correction waiting, the approve page, an earnings release imported from a real exhibit printed
to PDF (its pages drawn to PNG by poppler's ``pdftoppm``), and the home page.

The folder is ``$IRSITE_SHOTS`` (default ``artifacts/screenshots/``); each shot is also checked
for what would be visibly wrong in it: a page wider than the window, a table cut on paper."""

import io
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from releases import actions
from releases.models import Release

from .admin_forms import edit_data, prepare_correction
from .conftest import LATER, at, corpus_dir, needs_corpus
from .test_browser import ARTIFACTS, sign_in
from .test_desk_browser import WIDE_TABLE, overflowing, page_width
from .test_home_browser import HEADLINE, results_day  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("IRSITE_SHOTS", ARTIFACTS / "screenshots"))
WIDTHS = {390: 844, 1280: 900}
# The Buckle's third-quarter release (corpus 017): its statements run in thirteen- and
# thirty-nine-week columns of two years, the table issue 29 saw cut in print.
EXHIBIT = corpus_dir() / "corpus" / "017_buckle_2024-11-22.htm"


def shoot(page: Page, name: str, width: int) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fits(page: Page, width: int) -> None:
    """Nothing widens the page past the window (a wide table scrolls inside itself)."""
    assert page_width(page) <= width, overflowing(page)


def broken_figures(page: Page, cells: str) -> list[str]:
    """The figures among ``cells`` that run over more than one line ("$1,234," over "567.00")."""
    return page.evaluate(
        """(cells) => [...document.querySelectorAll(cells)]
            .filter(c => /^[$(]?[\\d,.]+\\)?$/.test(c.textContent.trim()))
            .filter(c => {
                const r = document.createRange(); r.selectNodeContents(c);
                return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1;
            })
            .map(c => c.textContent.trim())""",
        cells,
    )


def test_the_approvers_index_with_a_correction_waiting_and_the_approve_page(
    live_server, context, roles, client, make_release, publish, editor, approver
):
    live = publish(make_release(headline="Acme reports record revenue",
                                published_at=at(2026, 11, 2, 8, 0, 0)))  # fmt: skip
    prepare_correction(client, editor, live, edit_data(
        live, headline="Acme reports record revenue of $9.9M",
        correction_note="The revenue figure was wrong."))  # fmt: skip
    review = make_release(by=editor, headline="Acme signs the deal", published_at=LATER,
                          exhibit_label="EXHIBIT 99.1",
                          release_instruction="FOR IMMEDIATE RELEASE",
                          body=f"<p>Acme today announced a deal.</p>{WIDE_TABLE}")  # fmt: skip
    actions.submit(review, editor)
    page = sign_in(context, live_server.url, approver.username)
    approve = reverse("admin:releases_release_transition", args=[review.pk, "approve"])
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}{reverse('admin:index')}")
        expect(page.get_by_text("Waiting for your approval").first).to_be_visible()
        expect(page.locator("#release-desk .irsite-desk-correction")).to_contain_text(
            "Acme reports record revenue"
        )
        shoot(page, "approver-index", width)
        fits(page, width)  # at 390 px the desk's detail once ran on one line to 680 px
        page.goto(f"{live_server.url}{approve}")
        expect(page.get_by_text("FOR IMMEDIATE RELEASE").first).to_be_visible()
        shoot(page, "approve", width)
        # The printed page's table scrolls inside itself; its cells keep their words and
        # figures whole (they once broke letter by letter at 390 px, "$1,234," / "567.00").
        assert broken_figures(page, ".irsite-printed-page td") == []
        if width == 1280:
            fits(page, width)


@needs_corpus
def test_an_imported_earnings_release_prints_every_column(live_server, context):
    """Chromium's print-to-PDF of a real earnings release keeps the whole table on the paper:
    the last column's figures are in the PDF's text, and its pages are drawn to PNG."""
    from pypdf import PdfReader

    call_command("import_exhibit", "--publish", "--date", "2024-11-22", str(EXHIBIT),
                 stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    release = Release.objects.get()
    page = context.new_page()
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        assert page.goto(f"{live_server.url}{release.get_absolute_url()}").status == 200
        shoot(page, "earnings-release", width)
        fits(page, width)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / "earnings-printed.pdf"
    pdf.write_bytes(page.pdf(format="Letter"))
    pages = [
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages
    ]
    text = " ".join(pages)
    # The statement's heading rows (plain cells, as filed) print on the page of its first
    # figures: "Thirteen Weeks Ended" once stood alone at the foot of page 2.
    heading = next(n for n, p in enumerate(pages) if "Thirteen Weeks" in p)
    assert "SALES, Net of returns" in pages[heading], (heading, pages[heading][-300:])
    # The right-most columns of the statements: the thirty-nine weeks of the prior year.
    assert "Thirty-nine Weeks Ended" in text or "THIRTY-NINE WEEKS ENDED" in text.upper()
    # The pages drawn as pictures by poppler's pdftoppm (Debian's poppler-utils; .ci/run
    # installs it, as it installs chromium).
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is not installed: apt-get install poppler-utils (.ci/run does)"
    out = str(SHOTS / "earnings-printed")
    for old in SHOTS.glob("earnings-printed*.png"):  # an earlier run's, maybe more pages
        old.unlink()
    subprocess.run([pdftoppm, "-r", "60", "-png", str(pdf), out], check=True)  # noqa: S603
    assert len(list(SHOTS.glob("earnings-printed*.png"))) == len(pages)


@pytest.mark.usefixtures("results_day")
def test_the_home_page_with_its_upcoming_events(live_server, context, make_event, announce):
    now = timezone.now().replace(microsecond=0)
    yesterday = now - timedelta(days=1)
    for n, days in enumerate((55, 70, 90)):
        announce(make_event(title=f"Healthcare conference {n + 1}", slug=f"conference-{n}",
                            kind="conference", starts_at=now + timedelta(days=days),
                            announce_at=yesterday), yesterday)  # fmt: skip
    page = context.new_page()
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        assert page.goto(live_server.url + "/").status == 200
        expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
        expect(page.locator("#upcoming-heading + ul .event-item")).to_have_count(3)
        expect(page.get_by_role("link", name=HEADLINE).first).to_be_in_viewport()
        if width == 390:
            page.screenshot(path=str(SHOTS / "home-390-first-screen.png"))
        shoot(page, "home", width)
        fits(page, width)
