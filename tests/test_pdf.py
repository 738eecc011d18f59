"""The PDF rendition ("Download PDF"): laid out like the filing, public exactly when the page is,
a new one for each correction. Read back with pypdf, as a reader's viewer would."""

import http.server
import threading
import time
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse

from releases import actions
from releases.media.pdf import pdf_from_html
from releases.models import Release, Rendition

from .conftest import SYSTEM, at
from .files import PDF, attach
from .shared import body, missing_pdf_url, text_of

GO_LIVE = at(2026, 11, 30, 16, 5, 0)
BODY = (
    "<p>Revenue of $9.87 billion, up 42 percent.</p>"
    "<table><tr><th>Quarter</th><th>Revenue</th></tr><tr><td>Q3 2026</td><td>9,870</td></tr>"
    "</table>"
)


@pytest.fixture
def scheduled(make_release, publish):
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        release = make_release(
            headline="Quarterly results beat every estimate",
            slug="quarterly-results-beat-estimates",
            body=BODY,
            exhibit_label="EXHIBIT 99.1",
            published_at=GO_LIVE,
        )
        attach(release, SYSTEM, ("Q3 financial statements", "q3.pdf", PDF))
        return publish(release)


def test_pdf_is_absent_like_a_missing_release_before_go_live_and_there_at_it(
    client, scheduled, settings
):
    url = scheduled.get_pdf_url()
    assert url.endswith("/quarterly-results-beat-estimates.pdf")
    for moment in (GO_LIVE - timedelta(hours=2), GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            client.get(missing_pdf_url(scheduled))
            response = client.get(url)
            missing = client.get(missing_pdf_url(scheduled))
        assert response.status_code == missing.status_code == 404
        assert dict(response.headers) == dict(missing.headers)
        assert response.content == missing.content
        assert not Rendition.objects.exists()  # nothing rendered, nothing stored
    with time_machine.travel(GO_LIVE, tick=False):
        page = client.get(scheduled.get_absolute_url()).content.decode()
        assert f'href="{url}"' in page
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = body(response)
    assert pdf.startswith(b"%PDF-") and response["Content-Length"] == str(len(pdf))
    text = text_of(pdf)
    for printed in (
        "EXHIBIT 99.1",
        "IMMUNOGEN, INC.",
        "FOR IMMEDIATE RELEASE",
        "Quarterly results beat every estimate",
        "CAMBRIDGE, MA, November 30, 2026 – Revenue of $9.87 billion",
        "Q3 2026 9,870",
        "ABOUT IMMUNOGEN, INC.",
        "This press release includes forward-looking statements",
        "Carol Hausner",
        "Q3 financial statements",
    ):
        assert printed in text, printed


def test_pdf_is_rendered_once_per_version_and_again_after_a_correction(
    client, scheduled, editor, approver
):
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        first = body(client.get(scheduled.get_pdf_url()))
        assert body(client.get(scheduled.get_pdf_url())) == first
        assert Rendition.objects.count() == 1
        release = Release.objects.get(pk=scheduled.pk)
        release.headline = "Quarterly results beat every estimate, restated"
        pending = actions.save_release(release, editor, correction_note="Restated the headline.")
        assert body(client.get(scheduled.get_pdf_url())) == first  # prepared, not public yet
        actions.approve_correction(pending, approver)
        second = body(client.get(scheduled.get_pdf_url()))
    assert "restated" in text_of(second) and "Restated the headline." in text_of(second)
    assert "restated" not in text_of(first)
    old, new = Rendition.objects.order_by("version")
    assert default_storage.exists(old.file.name) and old.file.name != new.file.name
    assert new.file.name.startswith("renditions/") and "quarterly" not in new.file.name


def test_pdf_of_a_withdrawn_release_answers_410_like_its_page(client, scheduled, approver):
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        assert client.get(scheduled.get_pdf_url()).status_code == 200
        actions.withdraw(scheduled, approver, reason="Filed in error.")
        page = client.get(scheduled.get_absolute_url())
        response = client.get(scheduled.get_pdf_url())
    assert response.status_code == page.status_code == 410
    assert response.content == page.content


def test_pdf_rendering_loads_nothing_from_the_network_or_the_disk():
    """Whatever HTML reaches the renderer, it asks no server and reads no file."""
    asked = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)  # a port the OS picks
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        pdf_from_html(
            f'<link rel="stylesheet" href="{base}/style.css"><img src="{base}/pixel.png">'
            '<img src="file:///etc/hostname"><p>Hello.</p>'
        )
        # The same server answers when asked: the silence above is the fetcher's refusal.
        urllib.request.urlopen(f"{base}/probe", timeout=5).read()  # noqa: S310
    finally:
        server.shutdown()
        server.server_close()
    assert asked == ["/probe"]


# --- rendered at publication, by the worker ------------------------------------------------


def test_worker_stores_the_pdf_when_scheduled_and_go_live_serves_that_file(
    client, scheduled, worker
):
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        worker()
        (stored,) = Rendition.objects.filter(release=scheduled)
        # Stored, privately: the URL still answers like a release that never existed.
        response = client.get(scheduled.get_pdf_url())
        missing = client.get(missing_pdf_url(scheduled))
    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content
    with default_storage.open(stored.file.name) as file:
        content = file.read()
    with time_machine.travel(GO_LIVE, tick=False):
        served = body(client.get(scheduled.get_pdf_url()))
    assert served == content and Rendition.objects.count() == 1  # nothing rendered at go-live
    assert "CAMBRIDGE, MA, November 30, 2026" in text_of(served)


def test_unscheduling_discards_the_pdf_and_the_next_schedule_prints_its_own_time(
    client, scheduled, worker, approver, publish
):
    with time_machine.travel(GO_LIVE - timedelta(hours=2), tick=False):
        worker()
        assert Rendition.objects.filter(release=scheduled).count() == 1
        actions.unschedule(scheduled, approver)
        assert not Rendition.objects.filter(release=scheduled).exists()
    later = GO_LIVE + timedelta(days=1)
    release = publish(Release.objects.get(pk=scheduled.pk), later)
    with time_machine.travel(later - timedelta(minutes=10), tick=False):
        worker()
    (stored,) = Rendition.objects.filter(release=release)
    with time_machine.travel(later, tick=False):
        pdf = body(client.get(release.get_pdf_url()))
    assert "December 1, 2026" in text_of(pdf) and "November 30" not in text_of(pdf)
    assert Rendition.objects.filter(release=release).get() == stored


def test_approved_correction_gets_its_pdf_from_the_worker_and_the_old_one_is_kept(
    client, scheduled, worker, editor, approver
):
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        worker()
        first = body(client.get(scheduled.get_pdf_url()))
        release = Release.objects.get(pk=scheduled.pk)
        release.headline = "Quarterly results beat every estimate, restated"
        pending = actions.save_release(release, editor, correction_note="Restated the headline.")
        actions.approve_correction(pending, approver)
        worker()
        assert Rendition.objects.filter(release=release).count() == 2  # before any request
        second = body(client.get(scheduled.get_pdf_url()))
    assert "restated" in text_of(second) and "restated" not in text_of(first)
    old = Rendition.objects.get(release=release, version=scheduled.version)
    with default_storage.open(old.file.name) as file:
        assert file.read() == first


def test_revision_history_lists_every_published_pdf_for_staff_only(
    client, scheduled, worker, editor, approver
):
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        worker()
        first = body(client.get(scheduled.get_pdf_url()))
        release = Release.objects.get(pk=scheduled.pk)
        release.headline = "Quarterly results beat every estimate, restated"
        pending = actions.save_release(release, editor, correction_note="Restated the headline.")
        actions.approve_correction(pending, approver)
        worker()
    old = reverse("admin:releases_release_rendition", args=[release.pk, scheduled.version])
    assert client.get(old).status_code == 302  # to the sign-in page
    client.force_login(editor)
    history = client.get(reverse("admin:releases_release_revisions", args=[release.pk]))
    assert f'href="{old}"' in history.content.decode()
    response = client.get(old)
    assert body(response) == first and "no-store" in response["Cache-Control"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_crowd_asking_for_a_pdf_not_yet_stored_renders_it_once_and_hears_when_to_retry(
    make_release, publish, settings
):
    """A long release (WeasyPrint takes seconds) asked for by several readers at once, before
    the worker has stored its PDF: one request renders it, the others are told to come back
    (they held every app-server thread, and a 2 MB body timed out into a 500)."""
    from django.test import Client

    # Past the page cache's own single flight (its waiters give up after 3 s): the rule must
    # hold for a render of any length, on any server.
    settings.IRSITE_PAGE_CACHE = False
    paragraph = "<p>" + "Revenue rose in every region and every quarter of the year. " * 8 + "</p>"
    release = publish(make_release(headline="A long release", body=paragraph * 600))
    url = release.get_pdf_url()
    answers: list = []

    def read() -> None:
        answers.append(Client().get(url))

    first = threading.Thread(target=read)
    first.start()
    deadline = time.monotonic() + 30
    while not Rendition.objects.exists() and time.monotonic() < deadline:
        crowd = [threading.Thread(target=read) for _ in range(3)]
        for thread in crowd:
            thread.start()
        for thread in crowd:
            thread.join()
        if any(a.status_code == 503 for a in answers):
            break
    first.join()
    waiting = [a for a in answers if a.status_code == 503]
    assert waiting, [a.status_code for a in answers]
    assert all(a["Retry-After"] == "5" for a in waiting)
    assert all(a["Cache-Control"] == "private, no-store" for a in waiting)
    assert {a.status_code for a in answers} <= {200, 503}
    assert Rendition.objects.filter(release=release).count() == 1
    assert Client().get(url).status_code == 200
