"""The approver's desk in Chromium at 390 and 1280 px (issue 29): the admin index with a
correction waiting, the approve, correction and publish pages, the change form. Nothing wider
than the window at 1280 px, no "hours ahead of server time" note in a browser in another zone,
the change form's fields named for assistive technology (axe-core). Screenshots go to
``artifacts/screenshots/desk-*.png`` (or ``IRSITE_SHOTS``)."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from releases import actions

from .admin_forms import edit_data, prepare_correction
from .browsing import ARTIFACTS, run_axe, sign_in
from .conftest import LATER, at
from .files import PDF, attach, photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("IRSITE_SHOTS", ARTIFACTS / "screenshots"))
WIDTHS = {390: 844, 1280: 900}
# A table wider than any window, and an image twice as wide as the desk.
WIDE_TABLE = (
    "<table><thead><tr>"
    + "".join(f"<th>Thirty-nine weeks ended column {n}</th>" for n in range(12))
    + "</tr></thead><tbody><tr>"
    + "".join(f"<td>$1,234,567.{n:02d}</td>" for n in range(12))
    + "</tr></tbody></table>"
)


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def overflowing(page: Page) -> list[str]:
    """The outermost elements reaching past the window's right edge (what widens the page)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right
                <= document.documentElement.clientWidth + 1)
            .slice(0, 8).map(e => `${e.tagName}.${e.className}#${e.id}`)"""
    )


def shoot(page: Page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"desk-{name}-{width}.png"), full_page=True)


@pytest.fixture
def desk(client, roles, make_release, publish, editor, approver):
    """A live release with a correction waiting, a release in review with a wide image and a
    wide table and two files, and an approved one."""
    live = publish(make_release(headline="Acme reports record revenue",
                                published_at=at(2026, 11, 2, 8, 0, 0)))  # fmt: skip
    prepare_correction(client, editor, live, edit_data(
        live, headline="Acme reports record revenue of $9.9M",
        correction_note="The revenue figure was wrong."))  # fmt: skip
    review = make_release(by=editor, headline="Acme signs the deal", published_at=LATER,
                          exhibit_label="EXHIBIT 99.1",
                          release_instruction="FOR IMMEDIATE RELEASE")  # fmt: skip
    attach(review, editor, ("Deal chart", "chart.png", photo("PNG", (1800, 600))),
           ("Deal terms", "terms.pdf", PDF))  # fmt: skip
    chart = review.attachment_list[0]
    review.refresh_from_db()
    review.body = (
        f'<p>Acme today announced a deal.</p><p><img src="{chart.get_absolute_url()}" '
        f'alt="Chart of the deal"></p>{WIDE_TABLE}'
    )
    actions.save_release(review, editor)
    actions.submit(review, editor)
    approved = make_release(by=editor, headline="Acme names a new chief executive",
                            published_at=LATER)  # fmt: skip
    actions.submit(approved, editor)
    actions.approve(approved, approver)
    return {"live": live, "review": review, "approved": approved}


def test_the_approvers_desk_fits_the_window_and_names_no_server_time(
    live_server,
    browser,
    desk,
    approver,
):
    # A browser in London: Django's own shortcuts would say "You are 5 hours ahead of server
    # time" under each time field.
    context = browser.new_context(bypass_csp=True, timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    try:
        page = sign_in(context, live_server.url, approver.username)
        review, approved = desk["review"], desk["approved"]
        pages = {
            "index": reverse("admin:index"),
            "approve": reverse("admin:releases_release_transition", args=[review.pk, "approve"]),
            "correction": reverse(
                "admin:releases_release_correction",
                args=[desk["live"].pk, desk["live"].pending_corrections.get().pk],
            ),
            "publish": reverse("admin:releases_release_transition", args=[approved.pk, "publish"]),
        }
        widths = {}
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                if name == "publish":
                    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
                    assert page.locator(".timezonewarning:visible").count() == 0
                    expect(page.locator("#irsite-readback")).to_contain_text("the approved time")
                if name == "index":
                    expect(page.locator("#release-desk .irsite-desk-correction")).to_contain_text(
                        "Acme reports record revenue"
                    )
                shoot(page, name, width)
                widths[(name, width)] = page_width(page)
        too_wide = {key: w for key, w in widths.items() if key[1] == 1280 and w > 1280}
        assert too_wide == {}
    finally:
        context.close()


AXE_NAMES = {"label", "aria-input-field-name", "aria-textbox-name", "select-name"}


def test_the_change_form_fits_1280_px_and_names_the_body_editor_and_every_field(
    live_server,
    browser,
    desk,
    editor,
):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = sign_in(context, live_server.url, editor.username)
        review = desk["review"]
        actions.recall(review, editor)  # back to draft: the form is editable
        page.goto(f"{live_server.url}{reverse('admin:releases_release_change', args=[review.pk])}")
        body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
        expect(body).to_have_accessible_name(re.compile(r"^Body"))
        shoot(page, "change-form", 1280)
        assert page_width(page) <= 1280, overflowing(page)
        unnamed = [v for v in run_axe(page) if v["id"] in AXE_NAMES]
        assert unnamed == []
    finally:
        context.close()


# An earnings release's table as filed: a label column, then the thirteen- and thirty-nine-week
# columns of two years, each heading a line of its own.
PERIODS = [
    f"{weeks} weeks ended September {day}, {year}"
    for weeks in ("Thirteen", "Thirty-nine")
    for day, year in ((27, 2026), (28, 2025))
]
EARNINGS_TABLE = (
    "<table><thead><tr><th>(in thousands)</th>"
    + "".join(f"<th>{p}</th>" for p in PERIODS)
    + "</tr></thead><tbody>"
    + "".join(
        f"<tr><td>{label}</td>"
        + "".join(f"<td>${row}{n},234,567</td>" for n in range(len(PERIODS)))
        + "</tr>"
        for row, label in enumerate(("Net product revenue", "Collaboration revenue"), 1)
    )
    + "</tbody></table>"
)


def test_an_earnings_table_prints_whole_from_the_browser(
    live_server, browser, make_release, publish
):
    """Chromium's print of an earnings release keeps every column (on screen the table scrolls
    inside itself; on paper nothing can scroll)."""
    import io

    from pypdf import PdfReader

    release = publish(
        make_release(
            headline="Results for the thirty-nine weeks",
            published_at=at(2026, 11, 2, 8, 0, 0),
            body=f"<p>Results.</p>{EARNINGS_TABLE}",
        )
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{release.get_absolute_url()}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        pdf = page.pdf(format="Letter")
        (SHOTS / "desk-printed-earnings-table.pdf").write_bytes(pdf)
        text = "".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        for row in (1, 2):
            for n in range(len(PERIODS)):
                assert f"${row}{n},234,567" in text, (row, n)
        for period in PERIODS:
            assert "".join(period.split()) in text, period
    finally:
        context.close()
