"""Images in a release's body: the release's own image attachments, with alt text, private until
its go-live second exactly as attachments are, and pointed right on every surface (page, PDF,
feeds, e-mail, EDGAR export)."""

import io
import re
import zipfile
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber
from irsite.richtext import sanitize_html
from releases import actions, edgar
from releases.body_images import body_errors
from releases.exhibits import render_html
from releases.models import Attachment, Release

from .admin_forms import edit_data
from .conftest import AT_AND_AFTER, BEFORE, GO_LIVE, SYSTEM
from .files import PDF, attach, photo, upload
from .shared import body, never_existed_url

ALT = "Chart of quarterly revenue rising from $9.9 million to $12.1 million"


def image_tag(attachment: Attachment, alt: str = ALT) -> str:
    return f'<img src="{attachment.get_absolute_url()}" alt="{alt}">'


def put_in_body(release: Release, html: str) -> Release:
    """Save ``html`` as the body, as the admin does (through `actions.save_release`)."""
    release.refresh_from_db()
    release.body = html
    actions.save_release(release, SYSTEM)
    release.refresh_from_db()
    return release


@pytest.fixture
def scheduled(make_release, publish, category):
    """A release scheduled for GO_LIVE whose body shows its PNG chart; it also has a PDF and a
    JPEG release image."""
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        release = make_release(
            headline="Revenue up a fifth", slug="revenue-up", categories=[category],
            published_at=GO_LIVE,
        )  # fmt: skip
        attach(
            release,
            SYSTEM,
            ("Q3 statements", "q3.pdf", PDF),
            ("Revenue chart", "chart.png", photo("PNG", (120, 80))),
            ("Plant photo", "plant.jpg", photo(), True),
        )
        chart = release.attachment_list[1]
        put_in_body(
            release,
            f"<p>Revenue rose.</p>{image_tag(chart)}<p>Margins held.</p>",
        )
        return publish(release)


def chart_of(release: Release) -> Attachment:
    return release.attachment_list[1]


# --- the sanitizer: only images the site issued, with alt text -------------------------------

KEY = "0123456789abcdef" * 2


@pytest.mark.parametrize(
    "img",
    [
        '<img src="https://evil.example/x.png" alt="x">',
        '<img src="//evil.example/x.png" alt="x">',
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">',
        '<img src="javascript:alert(1)" alt="x">',
        f'<img src="/news/files/{KEY}.pdf" alt="x">',
        f'<img src="/news/files/{KEY}.png?x=1" alt="x">',
        f'<img src="https://evil.example/news/files/{KEY}.png" alt="x">',
        f'<img src="/news/files/{KEY}.png">',
        f'<img src="/news/files/{KEY}.png" alt="  ">',
    ],
    ids=["external", "scheme-relative", "data", "javascript", "not-an-image", "query",
         "other-host", "no-alt", "blank-alt"],
)  # fmt: skip
def test_sanitizer_drops_images_the_site_did_not_issue_or_without_alt_text(img):
    assert sanitize_html(f"<p>Before {img} after</p>") == "<p>Before  after</p>"


def test_sanitizer_keeps_an_issued_image_with_alt_text_and_nothing_else_on_it():
    dirty = f'<img src="/news/files/{KEY}.png" alt="A chart" onerror="x()" style="a" width="9">'
    assert sanitize_html(dirty) == f'<img src="/news/files/{KEY}.png" alt="A chart">'


@given(src=st.text(max_size=80), alt=st.text(max_size=20))
def test_no_image_survives_with_an_address_the_site_did_not_issue(src, alt):
    html = sanitize_html(f"<p><img src='{src}' alt='{alt}'></p>")
    for found in re.findall(r'<img src="([^"]*)"', html):
        assert re.fullmatch(r"/news/files/[0-9a-f]{32}\.(png|jpg|webp)", found)


@given(
    html=st.text(max_size=120).map(lambda t: f"<p>{t}</p><img {t}>")
    | st.text(alphabet="<>img src=alt\"'/ &;#x0", max_size=60)
)
def test_checking_the_body_images_of_any_text_gives_sentences_never_an_exception(html):
    errors = body_errors(html, {})
    assert all(isinstance(e, str) and e.endswith(".") for e in errors)


# --- the admin: insert, and refuse what is not allowed ---------------------------------------


@pytest.fixture
def draft(make_release, editor):
    release = make_release(published_at=GO_LIVE)
    attach(release, editor, ("Revenue chart", "chart.png", photo("PNG")), ("Q3", "q3.pdf", PDF))
    release.refresh_from_db()
    return release


def change_url(release: Release) -> str:
    return reverse("admin:releases_release_change", args=[release.pk])


def post_body(client, release: Release, html: str):
    data = edit_data(release, body=html)
    items = release.attachment_list
    data |= {"attachments-TOTAL_FORMS": len(items), "attachments-INITIAL_FORMS": len(items)}
    for i, a in enumerate(items):
        data |= {
            f"attachments-{i}-id": a.pk,
            f"attachments-{i}-release": release.pk,
            f"attachments-{i}-title": a.title,
            f"attachments-{i}-position": a.position,
        }
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        return client.post(change_url(release), data)


def test_editor_sees_insert_in_body_beside_each_image_attachment(client, editor, draft):
    client.force_login(editor)
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        page = client.get(change_url(draft)).content.decode()
    chart = draft.attachment_list[0]
    assert f'data-src="{chart.get_absolute_url()}"' in page
    assert page.count("Insert in body") == 1  # the PDF gets none


def test_editor_saves_a_body_image_of_the_release_with_alt_text(client, editor, draft):
    client.force_login(editor)
    chart = draft.attachment_list[0]
    response = post_body(client, draft, f"<p>Revenue rose.</p>{image_tag(chart)}")
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert image_tag(chart) in draft.body


@pytest.mark.parametrize(
    ("img", "message"),
    [
        ('<img src="{url}">', "has no alt text"),
        ('<img src="{url}" alt="">', "has no alt text"),
        ('<img src="https://cdn.example/chart.png" alt="A chart">', "not one of this release"),
        ('<img src="data:image/png;base64,iVBORw0KGgo=" alt="A chart">', "not one of this rel"),
        ('<img src="javascript:alert(1)" alt="A chart">', "not one of this release"),
        ('<img src="{pdf}" alt="A chart">', "not one of this release"),
        ('<img src="{other}" alt="A chart">', "not one of this release"),
    ],
    ids=["missing-alt", "empty-alt", "external", "data", "javascript", "a-pdf", "other-release"],
)
def test_body_image_that_is_not_allowed_is_a_form_error_keeping_what_was_typed(
    client, editor, draft, make_release, img, message
):
    other = make_release()
    attach(other, editor, ("Other chart", "o.png", photo("PNG")))
    chart, pdf = draft.attachment_list
    img = img.format(
        url=chart.get_absolute_url(),
        pdf=pdf.get_absolute_url(),
        other=other.attachment_list[0].get_absolute_url(),
    )
    client.force_login(editor)
    version = draft.version
    typed = f"<p>Typed text that must stay.</p>{img}"
    response = post_body(client, draft, typed)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "Typed text that must stay." in text
    assert response.context["adminform"].form["body"].value() == typed
    draft.refresh_from_db()
    assert draft.version == version and "Typed text" not in draft.body


@pytest.mark.parametrize("change", ["delete", "replace"])
def test_removing_or_replacing_an_image_the_body_shows_is_a_form_error(
    client, editor, draft, change
):
    chart = draft.attachment_list[0]
    put_in_body(draft, f"<p>Revenue rose.</p>{image_tag(chart)}")
    client.force_login(editor)
    data = edit_data(draft)
    rows = draft.attachment_list
    data |= {"attachments-TOTAL_FORMS": len(rows), "attachments-INITIAL_FORMS": len(rows)}
    for i, a in enumerate(rows):
        data |= {
            f"attachments-{i}-id": a.pk,
            f"attachments-{i}-release": draft.pk,
            f"attachments-{i}-title": a.title,
            f"attachments-{i}-position": a.position,
        }
    if change == "delete":
        data["attachments-0-DELETE"] = "on"
    else:
        data["attachments-0-upload"] = upload("new-chart.png", photo("PNG"))
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "which this save removes or replaces" in response.content.decode()
    assert Attachment.objects.filter(pk=chart.pk, file=chart.file.name).exists()


def test_preview_shows_body_images_before_go_live_without_their_public_url(client, editor, draft):
    chart = draft.attachment_list[0]
    put_in_body(draft, f"<p>Revenue rose.</p>{image_tag(chart)}")
    client.force_login(editor)
    url = reverse("admin:releases_release_preview", args=[draft.pk])
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        response = client.get(url)
    page = response.content.decode()
    assert '<img src="data:image/png;base64,' in page and f'alt="{ALT}"' in page
    assert chart.key not in page.split('<div class="release-body">')[1].split("</div>")[0]
    assert "no-store" in response["Cache-Control"]


def test_approver_reviews_body_images_before_go_live(client, approver, draft):
    chart = draft.attachment_list[0]
    put_in_body(draft, f"<p>Revenue rose.</p>{image_tag(chart)}")
    client.force_login(approver)
    url = reverse("admin:releases_release_transition", args=[draft.pk, "approve"])
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        actions.submit(draft, SYSTEM)
        page = client.get(url).content.decode()
    printed = page[page.index('id="printed-heading"') :]
    review = printed.split('<div class="release-body">')[1].split("</div>")[0]
    assert '<img src="data:image/png;base64,' in review and f'alt="{ALT}"' in review


# --- private until go-live, exactly as attachments ---------------------------------------------


def test_body_image_before_go_live_answers_exactly_like_a_missing_file(client, scheduled):
    chart = chart_of(scheduled)
    for moment in BEFORE:
        with time_machine.travel(moment, tick=False):
            response = client.get(chart.get_absolute_url())
            missing = client.get(never_existed_url(chart))
        assert response.status_code == missing.status_code == 404
        assert dict(response.headers) == dict(missing.headers)
        assert body(response) == body(missing)


def test_body_image_is_in_the_page_and_served_from_the_go_live_second(client, scheduled):
    chart = chart_of(scheduled)
    for moment in AT_AND_AFTER:
        with time_machine.travel(moment, tick=False):
            page = client.get(scheduled.get_absolute_url()).content.decode()
            image = client.get(chart.get_absolute_url())
        assert image_tag(chart) in page
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
        assert body(image) == chart.file.open("rb").read()
        # A random name, nothing of the release in it.
        assert re.fullmatch(r"/news/files/[0-9a-f]{32}\.png", chart.get_absolute_url())


def test_body_image_of_a_withdrawn_release_answers_410(client, scheduled, approver):
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        actions.withdraw(scheduled, approver, reason="Filed in error.")
        response = client.get(chart_of(scheduled).get_absolute_url())
    assert response.status_code == 410 and b"Filed in error." in response.content


def test_page_shows_only_the_release_own_images_whatever_the_stored_body_says(
    client, scheduled, make_release, editor
):
    other = make_release()
    attach(other, editor, ("Someone else's chart", "o.png", photo("PNG")))
    foreign = other.attachment_list[0]
    # Written past the admin (a script, an old row): the page still drops it.
    Release.objects.filter(pk=scheduled.pk).update(
        body=scheduled.body + image_tag(foreign, "Not ours")
    )
    with time_machine.travel(GO_LIVE, tick=False):
        page = client.get(scheduled.get_absolute_url()).content.decode()
    assert foreign.key not in page and "Not ours" not in page
    assert image_tag(chart_of(scheduled)) in page


# --- the other surfaces ----------------------------------------------------------------------


def test_pdf_rendition_embeds_the_body_image(client, scheduled):
    with time_machine.travel(GO_LIVE, tick=False):
        response = client.get(scheduled.get_pdf_url())
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(body(response)))
    sizes = [(i.image.width, i.image.height) for page in reader.pages for i in page.images]
    assert (120, 80) in sizes


def test_feeds_carry_the_body_image_at_an_absolute_url_from_go_live(client, scheduled):
    chart = chart_of(scheduled)
    url = f"http://testserver{chart.get_absolute_url()}"
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        assert chart.key not in client.get(reverse("releases:atom")).content.decode()
    with time_machine.travel(GO_LIVE, tick=False):
        atom = feedparser.parse(client.get(reverse("releases:atom")).content)
    (item,) = [e for e in atom.entries if e.title == scheduled.headline]
    assert (url, "image/png") in [(e.href, e.type) for e in item.enclosures]


def test_alert_email_quotes_an_image_in_the_lead_by_its_alt_text(
    client, make_release, publish, editor, settings, worker
):
    settings.SITE_URL = "https://ir.example.com"
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        release = make_release(published_at=GO_LIVE)
        attach(release, editor, ("Chart", "c.png", photo("PNG")))
        chart = release.attachment_list[0]
        put_in_body(release, f"<p>Revenue rose {image_tag(chart)} in the quarter.</p>")
        publish(release)
        alert_actions.request_subscription(
            "reader@example.com", all_categories=True, categories=[], source="tests"
        )
        reader = Subscriber.objects.get(email="reader@example.com")
        alert_actions.confirm(reader, reader.requested_at.isoformat())
    with time_machine.travel(GO_LIVE, tick=False):
        worker()
    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    assert f"[Image: {ALT}]" in sent.body
    assert f"[Image: {ALT}]" in html
    # Not shown in the message (mail clients block remote images): linked, as every attachment,
    # at its absolute URL.
    assert not re.search(r"<img[^>]*" + chart.key, html)
    assert f'href="https://ir.example.com{chart.get_absolute_url()}"' in html


# --- EDGAR export: images by relative name, JPEG, filed beside the HTML ------------------------


def test_edgar_html_references_body_images_by_relative_jpeg_names(scheduled):
    html = render_html(edgar.to_exhibit(scheduled))
    assert f'<img src="ex99-1-img01.jpg" alt="{ALT}">' in html
    assert "/news/files/" not in html and "data:" not in html
    assert not re.search(r'<img[^>]*src="(?!ex99-1-img\d\d\.jpg")', html)


def test_edgar_zip_holds_the_html_and_each_image_it_names_as_jpeg(scheduled, tmp_path):
    out = tmp_path / "exhibit.zip"
    call_command("export_exhibit", scheduled.slug, "--format", "zip", "--output", str(out))
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        html = archive.read("ex99-1.htm").decode("ascii")
        referenced = re.findall(r'<img src="([^"]+)"', html)
        assert (
            sorted(names)
            == sorted(["ex99-1.htm", *referenced])
            == ["ex99-1-img01.jpg", "ex99-1.htm"]
        )
        for name in referenced:
            assert len(name) <= 32 and re.fullmatch(r"[a-z0-9][a-z0-9_.-]*\.jpg", name)
            with Image.open(io.BytesIO(archive.read(name))) as image:
                assert image.format == "JPEG" and image.size == (120, 80)


def test_admin_offers_the_edgar_zip_to_staff_before_go_live(client, editor, scheduled):
    client.force_login(editor)
    url = reverse("admin:releases_release_export", args=[scheduled.pk, "zip"])
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        response = client.get(url)
        page = client.get(change_url(scheduled)).content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert url in page
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "ex99-1-img01.jpg" in archive.namelist()


def test_edgar_export_of_a_body_without_images_is_unchanged_and_has_no_image_files(
    make_release,
):
    release = make_release()
    with zipfile.ZipFile(io.BytesIO(edgar.exhibit_zip(release))) as archive:
        assert archive.namelist() == ["ex99-1.htm"]
        assert archive.read("ex99-1.htm").decode() == render_html(edgar.to_exhibit(release))


def test_export_lists_body_images_among_the_attachments(scheduled, settings):
    settings.SITE_URL = "https://ir.example.com"
    out = io.StringIO()
    call_command("export_exhibit", scheduled.slug, "--attachments", stdout=out)
    assert [line.split("\t")[1] for line in out.getvalue().splitlines()] == [
        "Q3 statements",
        "Revenue chart",
        "Plant photo",
    ]
