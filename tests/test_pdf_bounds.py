"""The PDF rendition under pressure: a correction's PDF public with the corrected page, a logo
lost from storage, a rendition that cannot be made in time, and a long one beside a purge.

Read back with pypdf, through the public URLs, with the real renderer (WeasyPrint in its own
process) and, where the worker matters, a real `manage.py run_worker` process.
"""

import contextlib
import logging
import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from irsite import clock
from irsite.http.frontcache import purge_front_cache
from releases import actions
from releases.models import Release, Rendition

from .admin_forms import approve_correction, edit_data, prepare_correction
from .conftest import SYSTEM
from .fronts import HoldingFront, start_worker, stop
from .shared import body, text_of, wait_until, with_logo

PARAGRAPH = "<p>" + "Revenue rose in every region and every quarter of the year. " * 8 + "</p>"


@pytest.mark.django_db(transaction=True)
def test_an_approved_corrections_pdf_is_public_in_the_same_instant_as_the_corrected_page(
    make_release, publish, settings
):
    """Readers who ask the moment a correction is approved (no worker has run: it is busy, or
    its tasks are queued behind others) get the corrected PDF, every one of them: no 503 while
    someone renders it on demand, never the old text under the corrected page."""
    settings.IRSITE_PAGE_CACHE = False
    release = publish(make_release(headline="Results", body=PARAGRAPH * 60))
    assert Client().get(release.get_pdf_url()).status_code == 200  # the first version's PDF
    changed = Release.objects.get(pk=release.pk)
    changed.headline = "Results, restated"
    pending = actions.save_release(changed, SYSTEM, correction_note="Restated the headline.")
    actions.approve_correction(pending, SYSTEM)

    answers: list = []
    crowd = [
        threading.Thread(target=lambda: answers.append(Client().get(release.get_pdf_url())))
        for _ in range(4)
    ]
    for reader in crowd:
        reader.start()
    for reader in crowd:
        reader.join()
    assert [a.status_code for a in answers] == [200] * 4
    for answer in answers:
        text = text_of(body(answer))
        assert "Results, restated" in text and "Restated the headline." in text
    page = Client().get(Release.objects.get(pk=release.pk).get_absolute_url())
    assert "Results, restated" in page.content.decode()


def test_a_logo_missing_from_storage_gives_a_pdf_without_it_and_a_404_for_itself(
    client, superuser, company, make_release, publish, caplog
):
    with_logo(client, superuser, company)  # uploaded through the company profile's form
    release = publish(make_release(headline="Printed with the logo"))
    logo_url = company.get_logo_url()
    assert client.get(logo_url).status_code == 200
    default_storage.delete(company.logo.name)  # lost: a restore without it, a bad sync

    with caplog.at_level(logging.ERROR, logger="irsite.pdf"):
        pdf = client.get(release.get_pdf_url())
    assert pdf.status_code == 200
    assert "Printed with the logo" in text_of(body(pdf))
    assert any("missing from storage" in r.getMessage() for r in caplog.records)  # logged
    assert client.get(logo_url).status_code == 404  # the missing file itself
    assert client.get("/").status_code == 200


def test_a_pdf_that_cannot_be_made_in_time_leaves_the_release_published_and_answers_503(
    client, make_release, publish, worker, settings
):
    # A limit no rendition can meet (the renderer's process alone takes longer to start): the
    # worker's task gives up at it, the request's render too, and neither is a 500.
    settings.IRSITE_PDF_RENDER_SECONDS = 0.01
    release = publish(make_release(headline="Published on time", published_at=timezone.now()))
    worker()
    (task,) = DBTaskResult.objects.filter(task_path="releases.tasks.render_release_pdf")
    assert task.status == "SUCCESSFUL" and task.return_value.startswith("not made")
    assert client.get(release.get_absolute_url()).status_code == 200  # published on time
    for _ in range(2):  # the second does not wait for the renderer again
        started = time.monotonic()
        pdf = client.get(release.get_pdf_url())
        assert pdf.status_code == 503 and pdf["Retry-After"] == "5"
    assert time.monotonic() - started < 0.5
    assert not Rendition.objects.exists()


def test_a_pdf_over_its_size_limit_is_not_stored(client, make_release, publish, settings):
    settings.IRSITE_PDF_MAX_HTML_BYTES = 20_000
    release = publish(make_release(headline="Long", body=PARAGRAPH * 100))
    assert client.get(release.get_pdf_url()).status_code == 503
    assert not Rendition.objects.exists()


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_long_rendition_does_not_delay_a_purge(make_release, publish, settings):
    """A worker rendering a long PDF sends a purge queued after it at once (a withdrawal's, a
    go-live's), not when the rendition is done: renditions run on a lane of their own."""
    release = publish(make_release(headline="A long release", body=PARAGRAPH * 1500))
    front = HoldingFront()
    worker = start_worker(front)
    try:
        deadline = time.monotonic() + 60
        while not DBTaskResult.objects.filter(
            task_path="releases.tasks.render_release_pdf", status="RUNNING"
        ).exists():
            assert time.monotonic() < deadline, "the rendition never started"
            time.sleep(0.05)
        sent = time.monotonic()
        purge_front_cache.enqueue(keys=["/news/withdrawn/"])
        while "/news/withdrawn/" not in front.purges:
            assert time.monotonic() - sent < 60
            time.sleep(0.02)
        took = time.monotonic() - sent
        assert not Rendition.objects.filter(release=release).exists()  # still rendering
        assert took < 2, took
    finally:
        stop(worker)
        front.close()


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_sigterm_during_a_long_rendition_stops_the_worker_within_the_bound(make_release, publish):
    """The rendition runs on the worker's own lane and in a process of its own: asked to stop,
    the worker puts the rendition back within its bound and exits, and its renderer goes with
    it (no WeasyPrint left running for nobody)."""
    release = publish(make_release(headline="A long release", body=PARAGRAPH * 1500))
    front = HoldingFront()
    worker = start_worker(front, IRSITE_WORKER_STOP_SECONDS="0.5")
    try:
        deadline = time.monotonic() + 60
        while not DBTaskResult.objects.filter(
            task_path="releases.tasks.render_release_pdf", status="RUNNING"
        ).exists():
            assert time.monotonic() < deadline, "the rendition never started"
            time.sleep(0.05)
        renderer = None
        while renderer is None:  # the worker's child process running WeasyPrint
            assert time.monotonic() < deadline, "no renderer process"
            renderer = next(iter(children(worker.pid)), None)
            time.sleep(0.05)
        started = time.monotonic()
        worker.terminate()
        worker.wait(10)
        assert time.monotonic() - started < 2
        assert worker.returncode == 0
        (task,) = DBTaskResult.objects.filter(task_path="releases.tasks.render_release_pdf")
        assert task.status == "READY"  # put back for the next worker
        assert not Rendition.objects.filter(release=release).exists()
        while alive(renderer):
            assert time.monotonic() - started < 5, "the renderer outlived its worker"
            time.sleep(0.05)
    finally:
        stop(worker)
        front.close()


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_release_whose_pdf_cannot_be_made_goes_live_at_its_second(
    make_release, publish, settings
):
    """A real worker given a rendition limit no PDF can meet: the rendition is stopped at it
    (the task ends "not made", nothing stored), and the release is public at its second all the
    same, its go-live purge sent then; its PDF answers 503 with Retry-After, never a 500."""
    settings.IRSITE_PAGE_CACHE = False
    settings.IRSITE_PDF_RENDER_SECONDS = 0.01  # the request's render too
    front = HoldingFront()
    worker = start_worker(front, IRSITE_PDF_RENDER_SECONDS="0.01")
    try:
        assert worker.stdout and b"started" in worker.stdout.readline()
        when = (clock.now() + timedelta(seconds=5)).replace(microsecond=0)
        release = publish(make_release(headline="Due at its second", published_at=when), when)
        wait_until(
            lambda: DBTaskResult.objects.filter(
                task_path="releases.tasks.render_release_pdf", status="SUCCESSFUL"
            ).exists(),
            60,
            "the rendition's task to end",
        )
        (task,) = DBTaskResult.objects.filter(task_path="releases.tasks.render_release_pdf")
        assert task.return_value.startswith("not made"), task.return_value
        assert clock.now() < when, "the machine was too slow to see it before its second"
        assert Client().get(release.get_absolute_url()).status_code == 404
        wait_until(lambda: clock.now() >= when, 10, "the go-live second")
        page = Client().get(release.get_absolute_url())
        late = (clock.now() - when).total_seconds()
        assert page.status_code == 200 and "Due at its second" in page.content.decode()
        print(f"public {late:.2f} s after its second (the request included)")
        assert late < 2, late
        pdf = Client().get(release.get_pdf_url())
        assert pdf.status_code == 503 and pdf["Retry-After"] == "5"
        wait_until(
            lambda: any(release.get_absolute_url() in keys for keys in front.purges),
            10,
            "the go-live purge",
        )
        assert not Rendition.objects.filter(release=release).exists()
    finally:
        stop(worker)
        front.close()


def pdftotext(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it, on one line."""
    program = shutil.which("pdftotext")
    assert program, "pdftotext is not installed: apt-get install poppler-utils (.ci/run does)"
    done = subprocess.run(  # noqa: S603 - the installed program, on bytes
        [program, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def test_a_correction_approved_in_the_admin_has_its_pdf_public_at_once_with_the_new_text(
    client, make_release, publish, editor, approver, settings
):
    """As production runs (page cache on, no worker has run since): an editor corrects the
    headline, slug and body of a live release whose PDF readers have fetched; the approver
    approves it from the review page; the very next requests, at the new URL and at the old
    one (redirected), get the corrected PDF, never a 503 nor the old text."""
    release = publish(make_release(headline="Results of the year", slug="results-of-the-year",
                                   body="<p>Revenue rose nine per cent.</p>"))  # fmt: skip
    old_pdf = release.get_pdf_url()
    first = Client().get(old_pdf)
    assert first.status_code == 200 and "nine per cent" in pdftotext(body(first))
    data = edit_data(release, headline="Results of the year, restated", slug="results-restated",
                     body="<p>Revenue rose eight per cent.</p>",
                     correction_note="Revenue growth restated.")  # fmt: skip
    pending = prepare_correction(client, editor, release, data)
    assert Client().get(old_pdf).status_code == 200  # nothing public changes while it waits

    started = time.monotonic()
    approve_correction(client, approver, pending)
    approval = time.monotonic() - started
    corrected = Release.objects.get(pk=release.pk)
    for url in (corrected.get_pdf_url(), old_pdf):
        answer = Client().get(url, follow=True)
        assert answer.status_code == 200, url
        text = pdftotext(body(answer))
        assert "Results of the year, restated" in text and "eight per cent" in text, url
        assert "nine per cent" not in text and "Revenue growth restated." in text, url
    print(f"approval with its PDF took {approval:.2f} s")
