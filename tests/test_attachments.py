"""Attachments: nothing of a file before its release's go-live second, everything at it.

Files are served by `releases.public.views.attachment_file` from the storage (a folder of the
test's own here; tests/test_attachments_s3.py runs the same rules against a real S3 server).
"""

import io
import json
import re
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber
from irsite.uploads import KINDS, check_upload
from releases import actions
from releases.models import Attachment, PendingCorrection, Release, Revision

from .admin_forms import edit_data, form_data
from .conftest import AT_AND_AFTER, BEFORE, GO_LIVE, at
from .files import CAMERA, CSV, EXE, PDF, SVG, attach, ooxml, photo, upload
from .shared import PATTERNS, QUERY, body, counted_queries, fill, never_existed_url

ADD_URL = reverse("admin:releases_release_add")


def stored_files(media: Path) -> list[str]:
    folder = media / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- before, at and after the go-live second ---------------------------------------------------


def test_scheduled_release_files_answer_exactly_like_files_that_never_existed(
    client, scheduled, page_cache
):
    for attachment in scheduled.attachment_list:
        url = attachment.get_absolute_url()
        for moment in BEFORE:
            with time_machine.travel(moment, tick=False):
                client.get(never_existed_url(attachment))  # the cache's per-moment reads
                with counted_queries() as asked:
                    response = client.get(url)
                with counted_queries() as asked_missing:
                    missing = client.get(never_existed_url(attachment))
            assert response.status_code == missing.status_code == 404
            assert dict(response.headers) == dict(missing.headers), url
            assert body(response) == body(missing)
            # The same work for both: no timing difference to measure.
            assert len(asked.captured_queries) == len(asked_missing.captured_queries)


def test_scheduled_release_files_appear_at_the_go_live_second(client, scheduled, page_cache):
    pdf, image = scheduled.attachment_list
    for moment in BEFORE[1:]:  # warm the cache (when on) just before
        with time_machine.travel(moment, tick=False):
            assert client.get(pdf.get_absolute_url()).status_code == 404
    for moment in AT_AND_AFTER:
        with time_machine.travel(moment, tick=False):
            response = client.get(pdf.get_absolute_url())
            photo_response = client.get(image.get_absolute_url())
        assert response.status_code == 200, moment
        assert body(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Length"] == str(len(PDF))
        assert 'filename="q3-financial-statements.pdf"' in response["Content-Disposition"]
        assert "public" in response["Cache-Control"]
        # A browser must not guess another type, nor run anything the file might carry.
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert photo_response.status_code == 200
        assert photo_response["Content-Type"] == "image/jpeg"
        assert body(photo_response) == image.file.open("rb").read()


def test_public_file_is_never_cached_past_the_next_go_live(
    client, scheduled, make_release, publish
):
    later = at(2026, 12, 1, 9, 0, 0)
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        publish(make_release(published_at=later))
    with time_machine.travel(later - timedelta(seconds=30), tick=False):
        response = client.get(scheduled.attachment_list[0].get_absolute_url())
    assert response.status_code == 200
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age <= 30


SECRET_PARTS = ("Q3 financial statements", "Plant photo", "attachments/")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_scheduled_release_files_are_on_no_public_url_until_go_live(
    client, scheduled, page_cache, name, route
):
    url = fill(route, scheduled, scheduled.categories.get())
    keys = [a.key for a in scheduled.attachment_list]
    for moment in BEFORE:
        with time_machine.travel(moment, tick=False):
            response = client.get(url, QUERY.get(name, {}))
        text = body(response).decode(errors="replace")
        for secret in (*keys, *SECRET_PARTS):
            assert secret not in text, f"{url} shows {secret!r} at {moment}"
            assert secret not in str(response.headers)


@pytest.mark.parametrize("name", ["releases:detail", "releases:rss", "releases:atom"])
def test_release_files_are_linked_from_its_page_and_feeds_at_go_live(
    client, scheduled, page_cache, name
):
    route = dict(PATTERNS)[name]
    url = fill(route, scheduled, scheduled.categories.get())
    for moment in (GO_LIVE - timedelta(seconds=1), GO_LIVE):
        with time_machine.travel(moment, tick=False):
            text = client.get(url).content.decode()
        shown = scheduled.attachment_list[0].get_absolute_url() in text
        assert shown == (moment >= GO_LIVE), f"{url} at {moment}"


def test_files_of_a_withdrawn_release_answer_410_like_its_page(client, scheduled, approver):
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        actions.withdraw(scheduled, approver, reason="Filed in error.")
        page = client.get(scheduled.get_absolute_url())
        for attachment in scheduled.attachment_list:
            response = client.get(attachment.get_absolute_url())
            assert response.status_code == page.status_code == 410
            assert response.content == page.content
            assert b"Filed in error." in response.content


# --- feeds and e-mail ----------------------------------------------------------------------


def test_feeds_carry_attachments_as_enclosures_with_length_and_type(client, scheduled):
    pdf, image = scheduled.attachment_list
    with time_machine.travel(GO_LIVE, tick=False):
        rss = feedparser.parse(client.get(reverse("releases:rss")).content)
        atom = feedparser.parse(client.get(reverse("releases:atom")).content)
    assert not rss.bozo and not atom.bozo
    (rss_item,) = [e for e in rss.entries if e.title == scheduled.headline]
    # RSS 2.0 allows one enclosure per item: the first attachment.
    assert [(e.href, e.length, e.type) for e in rss_item.enclosures] == [
        (f"http://testserver{pdf.get_absolute_url()}", str(len(PDF)), "application/pdf")
    ]
    (atom_item,) = [e for e in atom.entries if e.title == scheduled.headline]
    assert [(e.href, e.length, e.type) for e in atom_item.enclosures] == [
        (f"http://testserver{pdf.get_absolute_url()}", str(len(PDF)), "application/pdf"),
        (f"http://testserver{image.get_absolute_url()}", str(image.size), "image/jpeg"),
    ]
    for enclosure in atom_item.enclosures:
        with time_machine.travel(GO_LIVE, tick=False):
            assert client.get(enclosure.href).status_code == 200


def test_alert_email_links_every_attachment_once_live(client, scheduled, settings, worker):
    settings.SITE_URL = "https://ir.example.com"
    with time_machine.travel(GO_LIVE - timedelta(minutes=5), tick=False):
        alert_actions.request_subscription(
            "reader@example.com", all_categories=True, categories=[], source="tests"
        )
        reader = Subscriber.objects.get(email="reader@example.com")
        alert_actions.confirm(reader, reader.requested_at.isoformat())
        call_command("run_worker", "--once")
        assert mail.outbox == []
    with time_machine.travel(GO_LIVE, tick=False):
        call_command("run_worker", "--once")
    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    for attachment in scheduled.attachment_list:
        url = f"https://ir.example.com{attachment.get_absolute_url()}"
        assert url in sent.body
        assert f'href="{url}"' in html
        assert attachment.title in sent.body


# --- the editor's side: the admin ------------------------------------------------------------


def attachment_rows(*rows: dict, initial: int = 0) -> dict:
    data = {"attachments-TOTAL_FORMS": str(len(rows)), "attachments-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        data |= {f"attachments-{i}-{k}": v for k, v in row.items()}
    return data


@pytest.fixture
def frozen():
    with time_machine.travel(at(2026, 11, 26, 12, 0, 0), tick=False):
        yield


def test_editor_attaches_files_in_the_release_admin_with_random_stored_names(
    client, editor, contacts, disclaimer_versions, company, frozen, _own_media
):
    client.force_login(editor)
    assert b'name="attachments-TOTAL_FORMS"' in client.get(ADD_URL).content
    data = form_data(contacts, disclaimer_versions) | attachment_rows(
        {"title": "Financial statements", "position": 0,
         "upload": upload("immunogen-regains-rights.pdf", PDF)},
        {"title": "Tables", "position": 1, "upload": upload("tables.xlsx",
                                                             ooxml("xl/workbook.xml"))},
        {"title": "Letter", "position": 2, "upload": upload("letter.docx",
                                                            ooxml("word/document.xml"))},
        {"title": "Data", "position": 3, "upload": upload("data.csv", CSV)},
    )  # fmt: skip
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    release = Release.objects.get(slug="immunogen-regains-rights")
    items = release.attachment_list
    assert [(a.title, a.content_type) for a in items] == [
        ("Financial statements", "application/pdf"),
        ("Tables", KINDS["xlsx"].content_type),
        ("Letter", KINDS["docx"].content_type),
        ("Data", "text/csv"),
    ]
    for a in items:
        assert re.fullmatch(r"attachments/[0-9a-f]{32}\.(pdf|xlsx|docx|csv)", a.file.name)
        assert release.slug not in a.file.name and "immunogen" not in a.file.name
    assert items[0].file.open("rb").read() == PDF
    # The revision records them, so a correction can never lose the published files.
    revision = release.revisions.get()
    assert [a["file"] for a in revision.data["attachments"]] == [a.file.name for a in items]
    # Staff can download a file of a release that is not public.
    response = client.get(
        reverse("admin:releases_release_attachment", args=[release.pk, items[0].pk])
    )
    assert body(response) == PDF
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("annual-report.pdf", EXE, "is a application/x-msdownload file"),
        ("logo.png", SVG, "SVG"),
        ("logo.svg", SVG, "SVG"),
        ("notes.txt", b"\x00\x01binary\x00", "not a type irsite accepts"),
        ("broken.xlsx", ooxml("xl/workbook.xml")[:-40], "damaged Excel workbook"),
        ("broken.jpg", photo()[:200], "damaged JPEG"),
        ("page.csv", b"<html><body>hi</body></html>\n<p>x</p>", "not a type irsite accepts"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_upload_redisplays_the_form_with_its_reason_and_stores_nothing(
    client, editor, contacts, disclaimer_versions, company, frozen, _own_media,
    name, content, message,
):  # fmt: skip
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions) | attachment_rows(
        {"title": "File", "position": 0, "upload": upload(name, content)}
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "ImmunoGen regains rights" in response.content.decode()  # what was typed stays
    assert not Release.objects.exists()
    assert stored_files(_own_media) == []


def test_type_is_decided_by_content_not_by_the_name(editor, make_release, _own_media):
    release = make_release()
    attach(release, editor, ("Statements", "photo.png", PDF), ("Data", "data.pdf", CSV))
    pdf, csv = release.attachment_list
    assert (pdf.content_type, pdf.extension) == ("application/pdf", "pdf")
    assert (csv.content_type, csv.extension) == ("text/csv", "csv")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_images_are_reencoded_without_camera_or_gps_metadata(editor, make_release, fmt):
    original = photo(fmt)
    assert CAMERA.encode() in original
    release = make_release()
    attach(release, editor, ("Photo", f"photo.{fmt.lower()}", original))
    (stored,) = release.attachment_list
    data = stored.file.open("rb").read()
    assert CAMERA.encode() not in data
    with Image.open(stored.file.open("rb")) as image:
        assert image.format == fmt and image.size == (64, 48)
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
    assert stored.size == len(data)


def test_file_and_release_size_limits_come_from_settings(
    client, editor, contacts, disclaimer_versions, company, frozen, settings, _own_media
):
    client.force_login(editor)
    settings.IRSITE_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    data = form_data(contacts, disclaimer_versions) | attachment_rows(
        {"title": "Big", "position": 0, "upload": upload("big.pdf", PDF)}
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "the limit per file is" in response.content.decode()

    settings.IRSITE_ATTACHMENT_MAX_BYTES = len(PDF)
    settings.IRSITE_RELEASE_FILES_MAX_BYTES = len(PDF) + len(CSV) - 1
    data = form_data(contacts, disclaimer_versions) | attachment_rows(
        {"title": "One", "position": 0, "upload": upload("one.pdf", PDF)},
        {"title": "Two", "position": 1, "upload": upload("two.csv", CSV)},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "the limit per release is" in response.content.decode()
    assert not Release.objects.exists() and stored_files(_own_media) == []


def test_files_of_an_approved_or_scheduled_release_cannot_change(
    client, editor, approver, make_release, _own_media
):
    release = make_release(by=editor, published_at=GO_LIVE)
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        actions.submit(release, editor)
    actions.approve(release, approver)
    with pytest.raises(actions.TransitionRefused):
        attach(release, editor, ("Late", "late.pdf", PDF))
    assert stored_files(_own_media) == [] and not Attachment.objects.exists()
    client.force_login(editor)
    page = client.get(reverse("admin:releases_release_change", args=[release.pk]))
    assert b'name="attachments-0-upload"' not in page.content
    assert b'type="file"' not in page.content


def test_correction_replaces_a_file_only_once_approved_and_keeps_the_old_one_in_history(
    client, scheduled, editor, approver, _own_media
):
    old = scheduled.attachment_list[0]
    old_url, old_name = old.get_absolute_url(), old.file.name
    # Another page size: a different document (stored as uploaded, like PDF: no properties).
    new_pdf = PDF.replace(b"200 200", b"300 300")
    client.force_login(editor)
    url = reverse("admin:releases_release_change", args=[scheduled.pk])
    rows = [
        {"id": a.pk, "release": scheduled.pk, "title": a.title, "position": a.position,
         "is_release_image": "on" if a.is_release_image else ""}
        for a in scheduled.attachment_list
    ]  # fmt: skip
    rows[0] |= {"upload": upload("fixed.pdf", new_pdf, "application/pdf")}
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        data = edit_data(scheduled) | attachment_rows(*rows, initial=2)
        # Without a note the correction is refused and nothing is stored.
        before = stored_files(_own_media)
        response = client.post(url, data)
        assert response.status_code == 200 and b"correction note" in response.content
        assert stored_files(_own_media) == before
        data = edit_data(scheduled, correction_note="Replaced the statements.")
        data |= attachment_rows(*rows, initial=2)
        data["attachments-0-upload"] = upload("fixed.pdf", new_pdf, "application/pdf")
        response = client.post(url, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        client.logout()
        # Prepared, not public: the old file is still the published one, the new one nowhere.
        pending = PendingCorrection.objects.get(release=scheduled)
        new_name = pending.data["attachments"][0]["file"]
        assert new_name != old_name and default_storage.exists(new_name)
        assert body(client.get(old_url)) == PDF
        new_url = reverse("releases:file", args=[new_name.rpartition("/")[2]])
        assert client.get(new_url).status_code == 404
        call_command("clean_orphan_files", "--older-than-hours", "0")  # it keeps the pending file
        assert default_storage.exists(new_name)

        actions.approve_correction(pending, approver)
        assert client.get(old_url).status_code == 404
        assert body(client.get(new_url)) == new_pdf
        assert new_url in client.get(scheduled.get_absolute_url()).content.decode()
        assert scheduled.release_image is not None
    assert default_storage.exists(old_name)
    first, second = Revision.objects.filter(release=scheduled).order_by("number")[1:3]
    assert first.data["attachments"][0]["file"] == old_name
    assert second.data["attachments"][0]["file"] == new_name
    assert scheduled.corrections.get().note == "Replaced the statements."
    call_command("clean_orphan_files", "--older-than-hours", "0")
    assert default_storage.exists(old_name)


# --- nothing half-saved, nothing left behind ---------------------------------------------------


def test_failed_save_leaves_no_file_in_storage(editor, make_release, contacts, _own_media):
    release = make_release()
    item = check_upload(upload("statements.pdf", PDF))

    def write_related() -> None:
        attachment = Attachment(release=release, title="Statements")
        attachment.take(item)
        attachment.save()
        assert stored_files(_own_media)  # written, then the save fails
        release.releasecontact_set.create(contact=contacts[0], position=9)  # already there

    with pytest.raises(IntegrityError):
        actions.save_release(release, editor, write_related=write_related)
    assert stored_files(_own_media) == []
    assert not Attachment.objects.exists()


def test_clean_orphan_files_deletes_only_unreferenced_files_older_than_asked(
    editor, make_release, _own_media, capsys
):
    release = make_release()
    attach(release, editor, ("Statements", "s.pdf", PDF))
    kept = release.attachment_list[0].file.name
    stray = default_storage.save(f"attachments/{secrets.token_hex(16)}.pdf", ContentFile(PDF))
    call_command("clean_orphan_files")  # younger than the default 24 h: kept
    assert default_storage.exists(stray)
    call_command("clean_orphan_files", "--older-than-hours", "0", "--dry-run")
    assert default_storage.exists(stray)
    call_command("clean_orphan_files", "--older-than-hours", "0")
    assert not default_storage.exists(stray) and default_storage.exists(kept)
    assert f"deleted {stray}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="must be 0 or more"):
        call_command("clean_orphan_files", "--older-than-hours", "-1")


def test_clean_orphan_files_covers_every_apps_folder_and_keeps_what_a_row_refers_to(
    editor, make_release, make_event, _own_media, capsys
):
    """Every app's stored files are cleaned through what it declares: an event document
    nothing refers to is deleted like a release's, one an event or a change keeps is not."""
    from events.models import EventChange, EventDocument

    event = make_event()
    stored = {
        name: default_storage.save(f"event-files/{secrets.token_hex(16)}.pdf", ContentFile(PDF))
        for name in ("current", "in-a-change", "stray")
    }
    document = {"kind": "slides", "title": "Slides", "position": 0, "size": len(PDF),
                "content_type": "application/pdf", "sha256": "0" * 64}  # fmt: skip
    EventDocument.objects.create(event=event, file=stored["current"], **document)
    EventChange.objects.create(
        event=event,
        base_version=1,
        prepared_by=editor,
        data={"documents": [document | {"file": stored["in-a-change"]}]},
    )
    call_command("clean_orphan_files", "--older-than-hours", "0")
    assert not default_storage.exists(stored["stray"])
    assert default_storage.exists(stored["current"]) and default_storage.exists(
        stored["in-a-change"]
    )
    assert f"deleted {stored['stray']}" in capsys.readouterr().out


@pytest.mark.parametrize("app", ["results", "reports"])
def test_clean_orphan_files_cleans_kits_and_reports_folders_keeping_their_files(
    app, make_release, make_report, _own_media, capsys
):
    """Results kits and reports declare their folders too: a stray file there is deleted, every
    file a kit or a report refers to (its documents; its PDF and cover) is kept."""
    from irsite import storedfiles

    if app == "results":
        from results.models.documents import FOLDER as folder

        from .results_kits import make_kit

        kit = make_kit(make_release())
        kept = list(kit.documents.values_list("file", flat=True))
    else:
        from reports.models import FOLDER as folder

        report = make_report()
        kept = [report.file.name, report.cover.name]
    assert folder in storedfiles.folders()
    stray = default_storage.save(f"{folder}/{secrets.token_hex(16)}.pdf", ContentFile(PDF))
    call_command("clean_orphan_files", "--older-than-hours", "0")
    assert not default_storage.exists(stray)
    assert kept and all(default_storage.exists(name) for name in kept)
    assert f"deleted {stray}" in capsys.readouterr().out


def test_restoring_a_revision_restores_its_files(editor, make_release):
    release = make_release()
    attach(release, editor, ("Statements", "s.pdf", PDF))
    with_file = release.revisions.order_by("-number").first()
    name = release.attachment_list[0].file.name

    def remove() -> None:
        release.attachments.all().delete()

    actions.save_release(release, editor, write_related=remove)
    assert not release.attachments.exists()
    actions.restore_revision(release, with_file, editor)
    assert [a.file.name for a in release.attachments.all()] == [name]


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    content=st.binary(max_size=2048),
    name=st.sampled_from(["a.pdf", "b.png", "c.jpg", "d.csv", "e.svg", "f.xlsx", "g"]),
)
def test_any_upload_is_either_accepted_as_a_known_type_or_refused_with_a_message(content, name):
    try:
        checked = check_upload(upload(name or "file", content))
    except ValidationError as error:
        assert error.messages and all(error.messages)
    else:
        assert checked.kind.extension in KINDS


# --- the release image: link previews and search engines ------------------------------------


def test_release_image_is_in_open_graph_twitter_card_and_json_ld_once_live(client, scheduled):
    image = scheduled.release_image
    assert image.title == "Plant photo" and (image.width, image.height) == (64, 48)
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(GO_LIVE, tick=False):
        page = client.get(scheduled.get_absolute_url()).content.decode()
        url = f"http://testserver{image.get_absolute_url()}"
        assert f'<meta property="og:image" content="{url}">' in page
        assert '<meta property="og:image:alt" content="Plant photo">' in page
        assert '<meta property="og:image:width" content="64">' in page
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert f'<meta name="twitter:image" content="{url}">' in page
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                    page, re.S).group(1))  # fmt: skip
        assert data["image"] == [url]
        assert f'<img src="{image.get_absolute_url()}" alt="Plant photo"' in page
        assert client.get(image.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("Statements", "s.pdf", PDF, "on")], "must be a PNG, JPEG or WebP"),
        (
            [("One", "a.jpg", photo(), "on"), ("Two", "b.png", photo("PNG"), "on")],
            "one attachment at most as the release image",
        ),
    ],
)
def test_release_image_must_be_one_image(
    client, editor, contacts, disclaimer_versions, company, frozen, _own_media, rows, message
):
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions) | attachment_rows(
        *(
            {"title": t, "position": i, "upload": upload(n, c), "is_release_image": flag}
            for i, (t, n, c, flag) in enumerate(rows)
        )
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Release.objects.exists() and stored_files(_own_media) == []


def test_export_lists_the_attachments_of_a_release(make_release, editor, settings):
    settings.SITE_URL = "https://ir.example.com"
    release = make_release()
    attach(release, editor, ("Q3\tstatements", "s.pdf", PDF), ("Data", "d.csv", CSV))
    out = io.StringIO()
    call_command("export_exhibit", release.slug, "--attachments", stdout=out)
    pdf, csv = release.attachment_list
    assert out.getvalue().splitlines() == [
        f"0\tQ3 statements\tapplication/pdf\t{len(PDF)}\t{pdf.sha256}\t"
        f"https://ir.example.com{pdf.get_absolute_url()}",
        f"1\tData\ttext/csv\t{len(CSV)}\t{csv.sha256}\t"
        f"https://ir.example.com{csv.get_absolute_url()}",
    ]


def test_revisions_whose_attachments_differ_compare_side_by_side(client, editor, make_release):
    release = make_release()
    before = release.revisions.order_by("-number").first()
    attach(release, editor, ("Statements", "s.pdf", PDF))
    after = release.revisions.order_by("-number").first()
    client.force_login(editor)
    url = f"/admin/releases/release/{release.pk}/revisions/?a={before.number}&b={after.number}"
    response = client.get(url)
    assert response.status_code == 200
    assert "Attachments" in response.content.decode()


def test_a_jpeg_comment_and_a_png_colour_profile_do_not_survive_the_reencoding():
    """Pillow writes back a JPEG's comment and an image's ICC profile it read: the promise to
    keep pixels only covers them too (a comment holding markup was stored and served)."""
    commented, profiled = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(
        commented, "JPEG", comment=b"<script>alert(1)</script>"
    )
    Image.new("RGB", (32, 24), (40, 200, 40)).save(profiled, "PNG", icc_profile=b"\x00" * 128)
    for name, content, leftover in (
        ("c.jpg", commented.getvalue(), "comment"),
        ("p.png", profiled.getvalue(), "icc_profile"),
    ):
        checked = check_upload(upload(name, content))
        with Image.open(io.BytesIO(checked.content)) as image:
            assert leftover not in image.info, name
        assert b"<script>" not in checked.content


def test_an_office_document_that_unpacks_past_its_bound_is_refused_without_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", b"\0" * (110 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 1024 * 1024  # about 110 KB on the wire
    with pytest.raises(ValidationError, match="unpacks to more than a document holds"):
        check_upload(upload("bomb.docx", bomb))
