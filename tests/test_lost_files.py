"""Stored files lost or out of reach never make a public URL answer 500 (issue 31).

A file that a row names but the storage does not have (lost in a restore, a bad sync): the page
is served, the PDF is printed without it (logged), and its own URL answers 404. A storage that
fails (a disk's I/O error here, configured through ``STORAGES`` as production's is; an
unreachable S3 in tests/test_attachments_s3.py): 503 with ``Retry-After``, never cached, and
the PDF is not stored for good without its images. Read back with pypdf through the public URLs.
"""

import io
import logging

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from releases import actions
from releases.models import Release, Rendition

from .conftest import SYSTEM
from .files import PDF, attach, photo
from .shared import body, text_of, with_logo
from .storages import FAILING_DISK

ALT = "Chart of quarterly revenue"


def images_in(pdf: bytes) -> set[tuple[int, int]]:
    """The sizes of the images the PDF shows (the logo is on every page's letterhead)."""
    reader = PdfReader(io.BytesIO(pdf))
    return {(i.image.width, i.image.height) for page in reader.pages for i in page.images}


@pytest.fixture
def live(client, superuser, company, make_release, publish) -> Release:
    """A public release printed with the company's logo (64×48), a chart in its body (120×80)
    and a PDF attachment; no rendition stored yet (the worker has not run)."""
    with_logo(client, superuser, company)
    release = make_release(headline="Revenue up a fifth")
    attach(
        release,
        SYSTEM,
        ("Revenue chart", "chart.png", photo("PNG", (120, 80))),
        ("Q3 statements", "q3.pdf", PDF),
    )
    chart = release.attachment_list[0]
    release.body = (
        f'<p>Revenue rose.</p><img src="{chart.get_absolute_url()}" alt="{ALT}">'
        "<p>Margins held.</p>"
    )
    actions.save_release(release, SYSTEM)
    release = publish(Release.objects.get(pk=release.pk))
    assert not Rendition.objects.filter(release=release).exists()
    return release


def test_with_every_file_there_the_pdf_prints_the_logo_and_the_body_image(client, live):
    pdf = client.get(live.get_pdf_url())
    assert pdf.status_code == 200
    assert images_in(body(pdf)) == {(64, 48), (120, 80)}


def test_a_logo_missing_from_storage_gives_the_page_a_pdf_without_it_and_a_404_for_itself(
    client, live, company, caplog
):
    logo_url = company.get_logo_url()
    assert client.get(logo_url).status_code == 200
    default_storage.delete(company.logo.name)  # lost: a restore without it, a bad sync

    with caplog.at_level(logging.ERROR):
        page = client.get(live.get_absolute_url())
        pdf = client.get(live.get_pdf_url())
        logo = client.get(logo_url)
    assert page.status_code == 200 and "Revenue up a fifth" in page.content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    printed = body(pdf)
    assert "Revenue up a fifth" in text_of(printed)
    assert images_in(printed) == {(120, 80)}  # the body's chart, no logo
    assert logo.status_code == 404
    assert any("missing from storage" in r.getMessage() for r in caplog.records)  # logged
    assert client.get("/").status_code == 200
    assert client.get("/contacts/").status_code == 200
    # The PDF without the logo is the one stored: asked again, the same bytes, no render.
    assert body(client.get(live.get_pdf_url())) == printed


def test_a_body_image_missing_from_storage_gives_a_pdf_without_it_and_a_404_for_itself(
    client, live, caplog
):
    chart = live.attachment_list[0]
    default_storage.delete(chart.file.name)

    with caplog.at_level(logging.ERROR):
        page = client.get(live.get_absolute_url())
        pdf = client.get(live.get_pdf_url())
        image = client.get(chart.get_absolute_url())
    assert page.status_code == 200
    assert pdf.status_code == 200
    printed = body(pdf)
    text = text_of(printed)
    assert "Revenue rose." in text and "Margins held." in text
    assert images_in(printed) == {(64, 48)}  # the logo, no chart
    assert image.status_code == 404
    assert any(chart.file.name in r.getMessage() for r in caplog.records)


def test_an_attachment_missing_from_storage_answers_404_with_or_without_a_range(client, live):
    statements = live.attachment_list[1]
    default_storage.delete(statements.file.name)
    assert client.get(statements.get_absolute_url()).status_code == 404
    ranged = client.get(statements.get_absolute_url(), HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 404


def test_a_failing_storage_answers_503_with_retry_after_and_the_pdf_waits_for_it(
    client, live, company, settings
):
    working = settings.STORAGES
    statements = live.attachment_list[1]
    logo_url = company.get_logo_url()
    settings.STORAGES = {**working, "default": {"BACKEND": FAILING_DISK}}
    answers = {
        "logo": client.get(logo_url),
        "attachment": client.get(statements.get_absolute_url()),
        "range": client.get(statements.get_absolute_url(), HTTP_RANGE="bytes=0-9"),
        "pdf rendered on demand": client.get(live.get_pdf_url()),
    }
    assert client.get(live.get_absolute_url()).status_code == 200  # the page needs no file
    # No PDF was stored without its images while the storage failed: back up, the PDF is
    # made with both; down again, the stored PDF is a 503 too.
    settings.STORAGES = working
    pdf = client.get(live.get_pdf_url())
    assert pdf.status_code == 200
    assert images_in(body(pdf)) == {(64, 48), (120, 80)}
    settings.STORAGES = {**working, "default": {"BACKEND": FAILING_DISK}}
    answers["stored pdf"] = client.get(live.get_pdf_url())

    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == dict.fromkeys(answers, 503), statuses
    for name, response in answers.items():
        assert response["Retry-After"] == "10", name
        assert "no-store" in response["Cache-Control"], name  # no cache keeps the failure


def test_a_logo_the_failing_storage_cannot_give_is_not_left_out_of_the_pdf_for_good(
    client, superuser, company, make_release, publish, settings
):
    """Only a file the storage says is not there is left out: one it fails to give (the logo
    alone on the letterhead here) fails the render, which is made again once it reads."""
    with_logo(client, superuser, company)
    release = publish(make_release(headline="Printed with the logo"))
    working = settings.STORAGES
    settings.STORAGES = {**working, "default": {"BACKEND": FAILING_DISK}}
    down = client.get(release.get_pdf_url())
    assert (down.status_code, down["Retry-After"]) == (503, "10")
    settings.STORAGES = working
    pdf = client.get(release.get_pdf_url())
    assert pdf.status_code == 200
    assert images_in(body(pdf)) == {(64, 48)}
