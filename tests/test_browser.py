"""End to end in a real browser: Playwright driving Debian's Chromium against a live server.

Two tests, one browser for both: the public pages pass axe-core (WCAG 2.2 AA and axe's best
practices) with zero violations at phone and desktop widths, and are photographed for review
(`artifacts/screenshots/`); and a release written in the admin's rich-text editor, submitted,
approved and scheduled by two people, stays off every public surface until its go-live second
and is on all of them right after, with nothing restarted (the page cache is on throughout).
"""

import io
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from playwright.sync_api import (
    BrowserContext,
    Locator,
    Page,
    expect,
)

from irsite.alerts.models import Subscriber
from releases import actions
from releases.models import Category, Release

from .browsing import ARTIFACTS, AXE, SCREENSHOTS, WIDTHS, run_axe, sign_in
from .conftest import SYSTEM
from .files import PDF, photo

PHONE = {"width": 390, "height": 844}  # a current iPhone's viewport in CSS pixels

# Committed data must be visible to the live server's threads.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


BODY = (
    "<p>Revenue rose to $9.87 billion; details on the "
    '<a href="https://investors.example.com/q3">investor site</a>.</p>'
    "<table><thead><tr><th>Quarter</th><th>Revenue</th><th>Change</th></tr></thead>"
    "<tbody><tr><td>Q3 2026</td><td>$9.87 billion</td><td>+42%</td></tr>"
    "<tr><td>Q3 2025</td><td>$6.95 billion</td><td>+8%</td></tr></tbody></table>"
    "<p>The company will host a conference call at 8:30 a.m. Eastern Time.</p>"
)


@pytest.fixture
def site(make_release, publish, category):
    """A few public releases, the newest with a table, a link and both kinds of contact."""
    now = timezone.now().replace(microsecond=0)
    for n in range(3):
        publish(
            make_release(
                headline=f"Company presents at investor conference number {n}",
                published_at=now - timedelta(days=40 * (n + 1)),
                categories=[category],
            )
        )
    gone = publish(
        make_release(
            headline="Preliminary second quarter figures",
            slug="preliminary-second-quarter-figures",
            published_at=now - timedelta(days=100),
            categories=[category],
        )
    )
    actions.withdraw(gone, SYSTEM, "Issued in error: the figures were a draft.")
    newest = publish(
        make_release(
            headline="Third quarter results: revenue up 42 percent",
            subheadline="Record quarter\nGuidance raised for the full year",
            slug="third-quarter-results",
            body=BODY,
            published_at=now - timedelta(hours=2),
            categories=[category],
        )
    )
    note = "The Q3 2025 change was +8%, not +9%."
    actions.approve_correction(actions.save_release(newest, SYSTEM, correction_note=note), SYSTEM)
    return newest


# Rules about a whole page, which a frame inside one is not.
PAGE_RULES = ["page-has-heading-one", "landmark-one-main", "region"]


def test_public_pages_have_no_axe_violations_at_phone_and_desktop_width(live_server, context, site):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    pages = {
        "home": "/",
        "list": "/news/",
        "search": "/news/search/?q=quarter+results",
        "release": site.get_absolute_url(),
        "contacts": "/contacts/",
        "alerts": "/alerts/",
        "year": f"/news/{timezone.localtime(site.published_at).year}/",
        "category": site.category_list[0].get_absolute_url(),
        "not-found": "/news/no-such-page/",
        "filings": "/filings/",
        "filings-annual": "/filings/?group=annual",
    }
    call_command("load_filings_demo", stdout=io.StringIO())
    status = {"withdrawn": 410, "not-found": 404}
    gone = Release.objects.get(slug="preliminary-second-quarter-figures")
    pages["withdrawn"] = gone.get_absolute_url()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, list]] = {}
    page = context.new_page()
    for name, path in pages.items():
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server.url + path)
            assert response.status == status.get(name, 200), path
            expect(page.locator("h1")).to_have_count(1)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            report.setdefault(name, {})[label] = run_axe(page)
            if name == "release":  # the sign-up form, inside its frame
                frame = page.locator("iframe.alerts-frame")
                frame.scroll_into_view_if_needed()
                inner = frame.element_handle().content_frame()
                inner.wait_for_load_state()
                report.setdefault("signup frame", {})[label] = run_axe(inner, PAGE_RULES)
    (ARTIFACTS / "axe-results.json").write_text(json.dumps(report, indent=2))
    violations = {
        f"{name} at {label}": found
        for name, by_width in report.items()
        for label, found in by_width.items()
        if found
    }
    assert violations == {}, json.dumps(violations, indent=2)


def test_reader_sees_the_email_signup_form_inside_a_public_page(live_server, context, site):
    """The form lives in a same-origin frame; a CSP of `frame-ancestors 'none'` on it once left
    an empty box on every public page, which no client-level test could see."""
    page = context.new_page()
    page.goto(live_server.url + site.get_absolute_url())
    page.locator("iframe.alerts-frame").scroll_into_view_if_needed()
    email = page.frame_locator("iframe.alerts-frame").locator('input[name="email"]')
    expect(email).to_be_visible()


def frame_fits_its_content(page: Page) -> None:
    """The sign-up frame is as tall as its document: nothing inside is cut off or scrolls."""
    frame = page.locator("iframe.alerts-frame")
    inner = frame.element_handle().content_frame()
    inner.wait_for_load_state()
    content = "Math.ceil(document.documentElement.getBoundingClientRect().height)"
    page.wait_for_function(
        "([f, h]) => Math.abs(f.getBoundingClientRect().height - h) <= 1",
        arg=[frame.element_handle(), inner.evaluate(content)],
    )
    assert inner.evaluate("document.scrollingElement.scrollHeight <= innerHeight")


def test_phone_reader_signs_up_for_one_category_in_a_frame_that_fits_its_content(
    live_server, context, site
):
    # Only categories with a public release are offered (an embargoed one would leak).
    for name in ["Financial results", "Clinical trials", "Conferences", "Partnerships"]:
        site.categories.add(Category.objects.create(name=name, slug=slugify(name)))
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + site.get_absolute_url())
    page.locator("iframe.alerts-frame").scroll_into_view_if_needed()
    frame_fits_its_content(page)
    form = page.frame_locator("iframe.alerts-frame")
    everything, only = form.get_by_label("All press releases"), form.get_by_label("Only these")
    expect(everything).to_be_checked()
    expect(form.get_by_label("Partnerships")).to_be_in_viewport()

    # Ticking a category is choosing categories; choosing "all" again unticks them.
    form.get_by_label("Clinical trials").check()
    expect(only).to_be_checked()
    expect(everything).not_to_be_checked()
    everything.check()
    expect(form.get_by_label("Clinical trials")).not_to_be_checked()
    form.get_by_label("Conferences").check()
    expect(only).to_be_checked()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".alerts-signup").screenshot(path=SCREENSHOTS / "signup-390.png")

    form.get_by_label("Email address").fill("reader@example.com")
    form.get_by_role("button", name="Subscribe").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")
    subscriber = Subscriber.objects.get()
    assert not subscriber.all_categories
    assert [c.name for c in subscriber.categories.all()] == ["Conferences"]

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/news/")
    page.locator("iframe.alerts-frame").scroll_into_view_if_needed()
    frame_fits_its_content(page)
    page.locator(".alerts-signup").screenshot(path=SCREENSHOTS / "signup-1280.png")


def test_phone_reader_filters_the_news_list_by_year_and_category(live_server, context, site):
    Category.objects.create(name="Clinical trials", slug="clinical-trials")
    older = timezone.localtime(Release.objects.get(headline__endswith="number 2").published_at)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/news/")
    filters = page.get_by_role("form", name="Filter press releases")
    expect(filters).to_be_in_viewport()
    filters.get_by_label("Year").select_option(str(older.year))
    filters.get_by_label("Category").select_option(label=site.category_list[0].name)
    filters.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_have_text(
        f"Press releases of {older.year}: {site.category_list[0].name}"
    )
    expect(filters.get_by_label("Year")).to_have_value(str(older.year))
    headlines = page.locator(".release-item h2").all_inner_texts()
    assert headlines and all(
        timezone.localtime(Release.objects.get(headline=h).published_at).year == older.year
        for h in headlines
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "list-filtered-390.png", full_page=True)


def test_keyboard_user_skips_to_content_with_a_visible_focus(live_server, context, site):
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + site.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_reader_gets_headline_dateline_and_first_paragraph_on_the_first_screen(
    live_server, context, site
):
    """At 390 px the filing's header block (exhibit label, letterhead, contacts, FOR IMMEDIATE
    RELEASE) follows the body; the correction notice sits under the headline; the contacts are
    one tap away. At 1280 px the release keeps the filing's order."""
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + site.get_absolute_url())
    headline = page.locator("h1#headline").bounding_box()
    correction = page.locator(".release .correction").bounding_box()
    dateline = page.locator(".release-body .dateline").bounding_box()
    first = page.locator(".release-body p").first.bounding_box()
    letterhead = page.locator(".letterhead").bounding_box()
    assert headline["y"] < correction["y"] < first["y"] <= dateline["y"] < first["y"] + 30
    assert first["y"] + first["height"] <= PHONE["height"], "first paragraph below the fold"
    assert letterhead["y"] > first["y"], "the letterhead still comes before the news"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "release-390-first-screen.png")
    page.get_by_role("link", name="Media and investor contacts").click()
    expect(page.locator("#contacts-heading")).to_be_in_viewport()
    expect(page.locator(".release-contacts")).to_contain_text("Carol Hausner")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + site.get_absolute_url())
    expect(page.get_by_role("link", name="Media and investor contacts")).to_be_hidden()
    # Figures in a table line up on the right; labels stay on the left.
    for cell, align in [("$9.87 billion", "right"), ("+42%", "right"), ("Q3 2026", "left")]:
        found = page.locator(".release-body td", has_text=cell).first
        assert found.evaluate("e => getComputedStyle(e).textAlign") == align, cell
    contacts = page.locator(".release-contacts").bounding_box()
    headline = page.locator("h1#headline").bounding_box()
    correction = page.locator(".release .correction").bounding_box()
    body = page.locator(".release-body").bounding_box()
    assert contacts["y"] < headline["y"] < correction["y"] < body["y"]


def test_printed_release_is_the_release_alone_with_its_address_and_publication_time(
    live_server, context, site
):
    page = context.new_page()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(live_server.url + site.get_absolute_url())
    page.emulate_media(media="print")
    for part in [".site-header", ".alerts-signup", ".prev-next", ".site-footer", ".skip-link"]:
        expect(page.locator(part)).to_be_hidden()
    expect(page.locator(".release h1")).to_be_visible()
    expect(page.locator(".letterhead")).to_be_visible()
    published = timezone.localtime(site.published_at)
    when = published.strftime("%B %-d, %Y, %-I:%M ") + ("a.m." if published.hour < 12 else "p.m.")
    expect(page.locator(".release-meta")).to_contain_text(f"Published {when}")
    url = live_server.url + site.get_absolute_url()
    expect(page.locator(".release-meta .permalink")).to_contain_text(url)
    # The header band is gone: the exhibit's own first line opens the page.
    assert page.locator(".release").bounding_box()["y"] < 80
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "release-print.png", full_page=True)
    page.pdf(path=ARTIFACTS / "release-print.pdf", format="A4")


def test_every_page_names_an_icon_the_browser_can_load(live_server, context, site):
    page = context.new_page()
    for path in ["/", site.get_absolute_url(), "/admin/login/"]:
        page.goto(live_server.url + path)
        href = page.locator('link[rel="icon"]').get_attribute("href")
        icon = context.request.get(live_server.url + href)
        assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert context.request.get(live_server.url + "/favicon.ico").url.endswith(href)


# --- the whole workflow, as its people do it --------------------------------------------------

HEADLINE = "Quarterly results beat every estimate"
SLUG = "quarterly-results-beat-every-estimate"  # as the admin prepopulates it


def write_release(page: Page, base: str, publication: str) -> None:
    """The editor writes the release as a person would: typing, and the editor's toolbar."""
    page.goto(f"{base}/admin/releases/release/add/")
    page.fill("#id_headline", HEADLINE)
    page.fill("#id_dateline_city", "CAMBRIDGE, MA")
    date, clock = publication.split(" ")
    page.fill("#id_published_at_0", date)
    page.fill("#id_published_at_1", clock)

    editor = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Revenue of $9.87 billion, up 42 percent. Read more on our investor site")
    expect(editor).to_contain_text("our investor site")
    for _ in range(len("investor site")):
        page.keyboard.press("Shift+ArrowLeft")
    # A loaded headless Chromium now and then drops one of those key presses; the selection is
    # what matters here, so it is set exactly where a press went missing.
    page.evaluate(
        """t => {
          if (getSelection().toString() === t) return;
          const root = document.querySelector('.prose-editor .ProseMirror');
          const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let node, last = null;
          while ((node = walk.nextNode())) if (node.data.includes(t)) last = node;
          const at = last.data.lastIndexOf(t);
          getSelection().setBaseAndExtent(last, at, last, at + t.length);
        }""",
        "investor site",
    )
    page.wait_for_function("t => getSelection().toString() === t", arg="investor site")
    link = page.locator(".prose-menubar button[data-name=link]")
    expect(link).not_to_have_class(re.compile(r"\bdisabled\b"))
    link.click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=href]").fill("https://investors.example.com/q3")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    expect(editor.locator("a")).to_have_text("investor site")
    # Click after the end of the paragraph's last line, as a user would, and start a new one.
    # (The editor may still be restoring the link's selection when the dialog has closed.)
    paragraph = editor.locator("p").first
    box = paragraph.bounding_box()
    collapsed = "() => window.getSelection().isCollapsed"
    for _ in range(20):
        paragraph.click(position={"x": box["width"] - 2, "y": box["height"] - 3})
        page.wait_for_timeout(50)
        if page.evaluate(collapsed):
            break
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(editor.locator("p")).to_have_count(2)
    expect(editor.locator("a")).to_have_text("investor site")
    page.click(".prose-menubar button[data-name=table]")
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=rows]").fill("2")
    dialog.locator("input[name=cols]").fill("2")
    dialog.locator("select[name=withHeaderRow]").select_option("Yes")
    dialog.locator("button[type=submit]").click()
    for n, cell in enumerate(["Quarter", "Revenue", "Q3 2026", "$9.87 billion"]):
        if n:
            page.keyboard.press("Tab")  # to the next cell (a Tab in the last would add a row)
        page.keyboard.type(cell)
    expect(editor.locator("th")).to_have_count(2)
    expect(editor.locator("a")).to_have_text("investor site")

    # Attach both contacts through the autocomplete of the contacts inline.
    for name in ["Carol Hausner", "Pete Holmberg"]:
        page.click("#releasecontact_set-group .add-row a")
        row = page.locator("#releasecontact_set-group tr.form-row.dynamic-releasecontact_set").last
        row.locator(".select2-selection").click()
        page.locator(".select2-search__field").fill(name.split()[0])
        page.locator(".select2-results__option", has_text=name).click()

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    stored = page.locator("#id_body").input_value()
    assert '<a href="https://investors.example.com/q3"' in stored and "<th>" in stored


def start_draft(page: Page, base: str, headline: str, first_paragraph: str) -> Locator:
    """The editor opens a new release: headline, dateline, a publication time tomorrow, and the
    body's first paragraph typed in the editor. Returns the body editor."""
    page.goto(f"{base}/admin/releases/release/add/")
    page.fill("#id_headline", headline)
    page.fill("#id_dateline_city", "CAMBRIDGE, MA")
    later = timezone.localtime() + timedelta(days=1)
    page.fill("#id_published_at_0", f"{later:%Y-%m-%d}")
    page.fill("#id_published_at_1", f"{later:%H:%M:%S}")
    body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.type(first_paragraph)
    return body


def transition(page: Page, label: str, go_live: str | None = None) -> None:
    page.click(f"#workflow a.button:text-is('{label}')")
    if go_live:
        date, clock = go_live.split(" ")
        page.fill("#id_go_live_0", date)
        page.fill("#id_go_live_1", clock)
    page.click(f"input[type=submit][value='{label}']")
    expect(page.locator(".messagelist")).to_contain_text(f"{label}: done.")


def public_views(context: BrowserContext, base: str, release_path: str) -> dict[str, str]:
    """What an anonymous reader gets from the list, the page, search and both feeds."""
    urls = {
        "list": "/news/",
        "page": release_path,
        "search": "/news/search/?q=quarterly+results",
        "rss": "/news/feed/rss/",
        "atom": "/news/feed/atom/",
    }
    return {name: context.request.get(base + url).text() for name, url in urls.items()}


def test_release_written_in_the_admin_goes_live_on_every_surface_at_its_second(
    roles, live_server, browser, company, contacts, disclaimer_versions, editor, approver
):
    base = live_server.url
    editing = browser.new_context()
    approving = browser.new_context()
    reading = browser.new_context(bypass_csp=True)  # axe runs in it
    try:
        later = timezone.localtime() + timedelta(days=1)
        page = sign_in(editing, base, editor.username)
        write_release(page, base, f"{later:%Y-%m-%d %H:%M:%S}")
        transition(page, "Submit for approval")

        release = Release.objects.get(headline=HEADLINE)
        assert release.slug == SLUG
        path = f"/admin/releases/release/{release.pk}/change/"
        page = sign_in(approving, base, approver.username)
        page.goto(base + path)
        transition(page, "Approve")
        go_live = timezone.localtime().replace(microsecond=0) + timedelta(seconds=12)
        transition(page, "Publish or schedule", f"{go_live:%Y-%m-%d %H:%M:%S}")
        release.refresh_from_db()
        assert release.state == "scheduled"
        assert release.published_at == go_live

        release_path = release.get_absolute_url()
        before = public_views(reading, base, release_path)
        assert timezone.now() < go_live, "too slow to check before the go-live"
        for name, text in before.items():
            assert HEADLINE not in text and SLUG not in text, f"{name} shows it early"

        time.sleep(max(0.0, (go_live - timezone.now()).total_seconds()) + 0.05)
        after = public_views(reading, base, release_path)
        for name, text in after.items():
            shown = re.sub(r"</?mark>", "", text)
            assert HEADLINE in shown, f"{name} lacks it after the go-live"
        assert '<a href="https://investors.example.com/q3"' in after["page"]
        assert re.search(r"<th>(<p>)?Quarter(</p>)?</th>", after["page"])
        assert "Carol Hausner" in after["page"] and "Pete Holmberg" in after["page"]

        page = reading.new_page()
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(base + release_path)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "e2e-release-390.png", full_page=True)
        assert run_axe(page) == [], "the release as the editor wrote it is not accessible"
    finally:
        for context in (editing, approving, reading):
            context.close()


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_editors_desk_tall_spellchecked_body_wide_headline_tools_clear_of_the_headline(
    roles, live_server, browser, company, contacts, disclaimer_versions, editor, make_release
):
    release = make_release(
        by=editor,
        headline="A long headline of the kind investor relations write: results, guidance, "
        "a conference call, and a new chief executive officer",
    )
    release.body = release.body.replace("Second paragraph", "A second, longer paragraph")
    actions.save_release(release, editor)
    context = browser.new_context()
    try:
        page = sign_in(context, live_server.url, editor.username)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in WIDTHS.values():
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/admin/releases/release/{release.pk}/revisions/?a=1&b=2")
            changed = page.locator("table.irsite-sbs tr.irsite-sbs-changed")
            expect(changed.locator("td").first).to_contain_text("Second paragraph")
            expect(changed.locator("ins")).to_have_text("A second, longer")
            page.screenshot(path=SCREENSHOTS / f"admin-revisions-{width}.png", full_page=True)
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/admin/releases/release/{release.pk}/change/")
            body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
            assert body.bounding_box()["height"] >= 300, "the body editor starts a few lines high"
            assert body.get_attribute("spellcheck") != "false"
            assert body.evaluate("e => e.spellcheck"), "spell-check is off in the body editor"
            headline = page.locator("#id_headline")
            row = page.locator(".field-headline").bounding_box()
            assert headline.bounding_box()["width"] >= min(600, row["width"] * 0.6)
            # The object tools overlap neither the page's headline (subtitle) nor the field.
            title = page.locator("#content h2").first.bounding_box()
            for tool in page.locator(".object-tools li").all():
                box = tool.bounding_box()
                assert not overlaps(box, title), "an object tool covers the headline"
                assert not overlaps(box, headline.bounding_box())
            # The block-type menu's arrow is drawn, not a glyph a font may lack.
            arrow = page.locator(".prose-menubar__selected").first.evaluate(
                "e => getComputedStyle(e, '::after').content"
            )
            assert arrow in ('""', "none", "normal"), f"the menu arrow is the glyph {arrow}"
            page.screenshot(path=SCREENSHOTS / f"admin-change-{width}.png", full_page=True)

        # A new table starts with a header row.
        page.set_viewport_size({"width": 1280, "height": 900})
        body.click()
        page.keyboard.press("Control+End")
        page.click(".prose-menubar button[data-name=table]")
        dialog = page.locator("dialog[open]")
        expect(dialog.locator("select[name=withHeaderRow]")).to_have_value("Yes")
        dialog.locator("button[type=submit]").click()
        expect(body.locator("table tr").first.locator("th")).not_to_have_count(0)
        page.screenshot(path=SCREENSHOTS / "admin-editor-table-1280.png")
    finally:
        context.close()


def test_approver_copies_a_listed_preview_link_in_one_click(
    roles, live_server, browser, company, contacts, disclaimer_versions, approver, make_release
):
    release = make_release()
    actions.create_preview_link(release, approver, hours=48, note="counsel")
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    try:
        page = sign_in(context, live_server.url, approver.username)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/admin/releases/release/{release.pk}/change/")
        address = page.locator(".irsite-share-url").input_value()
        page.get_by_role("button", name="Copy").click()
        expect(page.locator(".irsite-copy-status")).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == address
        page.locator("#workflow").screenshot(path=SCREENSHOTS / "admin-share-links-1280.png")
        reader = browser.new_context()
        try:
            shown = reader.new_page()
            shown.goto(address)
            expect(shown.locator("h1")).to_have_text(release.headline)
        finally:
            reader.close()
    finally:
        context.close()


def test_publish_page_has_pickers_no_script_errors_and_reads_the_go_live_back(
    roles,
    live_server,
    browser,
    make_release,
    editor,
    approver,
):
    tomorrow = timezone.localtime() + timedelta(days=1)
    release = make_release(by=editor, published_at=tomorrow)
    actions.submit(release, editor)
    actions.approve(release, approver)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = sign_in(context, live_server.url, approver.username)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )  # fmt: skip
        page.goto(f"{live_server.url}/admin/releases/release/{release.pk}/transition/publish/")
        # The admin's calendar and clock shortcuts appear only once their script ran.
        expect(page.locator(".datetimeshortcuts").first).to_be_visible()
        zone = timezone.localtime().strftime("%Z")
        expect(page.locator("#irsite-clock")).to_contain_text(f" {zone}")
        page.fill("#id_go_live_0", f"{tomorrow:%Y-%m-%d}")
        page.fill("#id_go_live_1", "4:05 PM")
        readback = page.locator("#irsite-readback")
        day = f"{tomorrow:%Y-%m-%d}"
        expect(readback).to_contain_text("Goes live in ")
        expect(readback).to_contain_text(f"(at {day} 16:05:00 {tomorrow:%Z})")
        page.fill("#id_go_live_0", f"{timezone.localtime() - timedelta(days=1):%Y-%m-%d}")
        expect(readback).to_contain_text("choose a later time, or Publish now")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "admin-publish-page.png"), full_page=True)
        assert errors == []
    finally:
        context.close()


# --- files: attachments, the release image and the PDF rendition -------------------------------
# An editor attaches a PDF and a release image in the admin, an approver schedules the release
# seconds ahead; before the go-live every file URL answers like a missing one, at it all answer
# 200, after a withdrawal 410. Screenshots: artifacts/screenshots/release-with-files-*.png; the
# PDF rendition: artifacts/release-rendition.pdf.
FILES_HEADLINE = "Plant opening doubles capacity"


def test_files_of_a_release_scheduled_in_the_admin_appear_at_its_second_and_go_with_it(
    roles,
    live_server,
    browser,
    company,
    contacts,
    disclaimer_versions,
    editor,
    approver,
    tmp_path: Path,
):
    base = live_server.url
    statements = tmp_path / "q3-statements.pdf"
    statements.write_bytes(PDF)
    picture = tmp_path / "plant.jpg"
    picture.write_bytes(photo("JPEG", (1200, 630)))
    editing, approving, reading = (browser.new_context() for _ in range(3))
    try:
        page = sign_in(editing, base, editor.username)
        start_draft(
            page, base, FILES_HEADLINE,
            "The new plant opened today and doubles the company's capacity.",
        )  # fmt: skip
        for n, (title, path, is_image) in enumerate(
            [("Q3 financial statements", statements, False), ("The new plant", picture, True)]
        ):
            page.click("#attachments-group .add-row a")
            page.fill(f"input[name='attachments-{n}-title']", title)
            page.fill(f"input[name='attachments-{n}-position']", str(n))
            page.set_input_files(f"input[name='attachments-{n}-upload']", str(path))
            if is_image:
                page.check(f"input[name='attachments-{n}-is_release_image']")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")
        expect(page.locator("#attachments-group")).to_contain_text("q3-statements.pdf")
        transition(page, "Submit for approval")

        release = Release.objects.get(headline=FILES_HEADLINE)
        page = sign_in(approving, base, approver.username)
        page.goto(f"{base}/admin/releases/release/{release.pk}/change/")
        transition(page, "Approve")
        go_live = timezone.localtime().replace(microsecond=0) + timedelta(seconds=12)
        transition(page, "Publish or schedule", f"{go_live:%Y-%m-%d %H:%M:%S}")
        release.refresh_from_db()
        pdf, image = release.attachment_list
        assert image.is_release_image and (image.width, image.height) == (1200, 630)
        urls = [pdf.get_absolute_url(), image.get_absolute_url(), release.get_pdf_url()]
        missing = [f"/news/files/{'0' * 32}.pdf", "/news/2099/01/01/never-was.pdf"]

        get = reading.request.get
        assert timezone.now() < go_live, "too slow to check before the go-live"
        for url in urls:
            response = get(base + url)
            assert response.status == 404, url
            assert response.text() == get(base + missing[0]).text()
        assert timezone.now() < go_live, "too slow to check before the go-live"

        time.sleep(max(0.0, (go_live - timezone.now()).total_seconds()) + 0.05)
        kinds = ["application/pdf", "image/jpeg", "application/pdf"]
        for url, kind in zip(urls, kinds, strict=True):
            response = get(base + url)
            assert response.status == 200, url
            assert response.headers["content-type"] == kind
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "release-rendition.pdf").write_bytes(get(base + release.get_pdf_url()).body())
        page = reading.new_page()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + release.get_absolute_url())
            expect(page.locator(".release-image img")).to_have_attribute("alt", "The new plant")
            expect(page.locator(".attachments a")).to_have_count(2)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"release-with-files-{width}.png", full_page=True)

        page = approving.new_page()  # still signed in
        page.goto(f"{base}/admin/releases/release/{release.pk}/change/")
        page.click("#workflow a.button:text-is('Withdraw')")
        page.fill("#id_reason", "Filed in error.")
        page.click("input[type=submit][value='Withdraw']")
        expect(page.locator(".messagelist")).to_contain_text("Withdraw: done.")
        for url in urls:
            assert get(base + url).status == 410, url
    finally:
        for context in (editing, approving, reading):
            context.close()


# --- an image in the body, with its alt text ---------------------------------------------------
# The editor uploads a PDF, a chart and a release image, inserts the chart into the body with
# "Insert in body" and its alt text, and saves; an approver schedules it seconds ahead. Before
# the go-live the chart, the other files and the PDF rendition answer like missing files; at it
# the page shows the chart with its alt text and all answer 200; after a withdrawal, 410.
# Screenshots: artifacts/screenshots/release-body-image-*.png, the rendition
# artifacts/release-body-image.pdf.
BODY_IMAGE_HEADLINE = "Revenue chart shows a record quarter"
CHART_ALT = "Bar chart: quarterly revenue rising from $6.95 billion to $9.87 billion"


def chart_png() -> bytes:
    """A bar chart a person can recognise in a screenshot."""
    image = Image.new("RGB", (640, 320), "white")
    draw = ImageDraw.Draw(image)
    for n, height in enumerate([150, 180, 210, 280]):
        draw.rectangle([60 + n * 140, 300 - height, 150 + n * 140, 300], fill=(20, 80, 160))
    draw.line([40, 300, 620, 300], fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_editor_puts_an_image_with_alt_text_in_the_body_and_it_is_private_until_go_live(
    roles,
    live_server,
    browser,
    company,
    contacts,
    disclaimer_versions,
    editor,
    approver,
    tmp_path: Path,
):
    base = live_server.url
    files = {"q3-statements.pdf": PDF, "chart.png": chart_png(), "plant.jpg": photo()}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    editing, approving, reading = (browser.new_context() for _ in range(3))
    try:
        page = sign_in(editing, base, editor.username)
        body = start_draft(
            page, base, BODY_IMAGE_HEADLINE,
            "Revenue reached a record $9.87 billion in the third quarter.",
        )  # fmt: skip
        rows = [
            ("Q3 financial statements", "q3-statements.pdf", False),
            ("Revenue chart", "chart.png", False),
            ("The new plant", "plant.jpg", True),
        ]
        for n, (title, name, is_image) in enumerate(rows):
            page.click("#attachments-group .add-row a")
            page.fill(f"input[name='attachments-{n}-title']", title)
            page.fill(f"input[name='attachments-{n}-position']", str(n))
            page.set_input_files(f"input[name='attachments-{n}-upload']", str(tmp_path / name))
            if is_image:
                page.check(f"input[name='attachments-{n}-is_release_image']")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")

        # The saved chart goes into the body at the end, with its alt text.
        insert = page.locator(".irsite-insert-image").first
        insert.locator("button.irsite-insert").click()
        expect(insert.locator("[role=status]")).to_contain_text("Type the alt text first")
        expect(body.locator("img")).to_have_count(0)
        body.click()
        page.keyboard.press("Control+End")
        insert.locator("input.irsite-alt").fill(CHART_ALT)
        insert.locator("button.irsite-insert").click()
        expect(body.locator("img")).to_have_attribute("alt", CHART_ALT)
        # Shown in the editor from the admin's copy (its public URL answers 404 until go-live).
        page.wait_for_function(
            "() => document.querySelector('.ProseMirror img').naturalWidth === 640"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".field-body").screenshot(path=SCREENSHOTS / "release-body-image-editor.png")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        release = Release.objects.get(headline=BODY_IMAGE_HEADLINE)
        statements, chart, plant = release.attachment_list
        assert f'<img src="{chart.get_absolute_url()}" alt="{CHART_ALT}">' in release.body
        transition(page, "Submit for approval")

        page = sign_in(approving, base, approver.username)
        page.goto(f"{base}/admin/releases/release/{release.pk}/change/")
        transition(page, "Approve")
        go_live = timezone.localtime().replace(microsecond=0) + timedelta(seconds=12)
        transition(page, "Publish or schedule", f"{go_live:%Y-%m-%d %H:%M:%S}")
        release.refresh_from_db()
        assert release.state == "scheduled"
        urls = [a.get_absolute_url() for a in (statements, chart, plant)]
        urls.append(release.get_pdf_url())

        get = reading.request.get
        assert timezone.now() < go_live, "too slow to check before the go-live"
        for url in urls:
            missing = (
                re.sub(r"[0-9a-f]{32}", "0" * 32, url)
                if "/files/" in url
                else ("/news/2099/01/01/never-was.pdf")
            )
            response, absent = get(base + url), get(base + missing)
            assert response.status == absent.status == 404, url
            assert response.text() == absent.text()
        assert timezone.now() < go_live, "too slow to check before the go-live"

        time.sleep(max(0.0, (go_live - timezone.now()).total_seconds()) + 0.05)
        kinds = ["application/pdf", "image/png", "image/jpeg", "application/pdf"]
        for url, kind in zip(urls, kinds, strict=True):
            response = get(base + url)
            assert response.status == 200, url
            assert response.headers["content-type"] == kind
        ARTIFACTS.mkdir(exist_ok=True)
        rendition = get(base + release.get_pdf_url()).body()
        (ARTIFACTS / "release-body-image.pdf").write_bytes(rendition)
        page = reading.new_page()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + release.get_absolute_url())
            shown = page.locator(".release-body img")
            expect(shown).to_have_attribute("alt", CHART_ALT)
            # Loaded, not a broken image.
            assert shown.evaluate("img => img.complete && img.naturalWidth") == 640
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"release-body-image-{width}.png", full_page=True)
        assert run_axe(page) == []

        page = approving.new_page()  # still signed in
        page.goto(f"{base}/admin/releases/release/{release.pk}/change/")
        page.click("#workflow a.button:text-is('Withdraw')")
        page.fill("#id_reason", "Filed in error.")
        page.click("input[type=submit][value='Withdraw']")
        expect(page.locator(".messagelist")).to_contain_text("Withdraw: done.")
        for url in urls:
            assert get(base + url).status == 410, url
    finally:
        for context in (editing, approving, reading):
            context.close()


def test_editor_pastes_a_filings_hard_wrapped_text_and_gets_its_paragraphs(
    roles, live_server, context, editor
):
    from .shared import FILING

    page = sign_in(context, live_server.url, editor.username)
    page.goto(f"{live_server.url}/admin/releases/release/add/")
    body = page.locator(".prose-editor .ProseMirror[contenteditable=true]").first
    body.click()
    # What the browser does when a person pastes text copied from a .txt filing.
    body.evaluate(
        """(root, text) => {
          const data = new DataTransfer();
          data.setData('text/plain', text);
          root.dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        FILING,
    )
    expect(body.locator("li")).to_have_count(2)
    expect(body.locator(":scope > p")).to_have_count(2)  # list items hold a <p> of their own
    expect(body.locator(":scope > p").first).to_contain_text(
        "announced that it has regained the rights"
    )
    expect(body.locator("h3")).to_have_text(["Exhibit 99.1", "Highlights"])
