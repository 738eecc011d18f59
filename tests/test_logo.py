"""The company logo: uploaded on the company profile, checked like release images, public on the
letterhead, every page (and as the favicon), the e-mail alerts and the PDF rendition."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber

from .admin_forms import CHANGE, profile_data
from .conftest import at
from .files import CAMERA, PDF, SVG, photo, upload
from .shared import body, with_logo


@pytest.fixture(name="with_logo")
def _with_logo(client, superuser, company):
    return with_logo(client, superuser, company)


@pytest.mark.parametrize("page_cache", [False, True], ids=["cache-off", "cache-on"])
def test_logo_is_on_the_letterhead_every_page_and_the_favicon(
    client, superuser, company, make_release, publish, settings, page_cache
):
    settings.IRSITE_PAGE_CACHE = page_cache
    release = publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    assert "brand-logo" not in client.get("/").content.decode()  # cached without a logo
    client.force_login(superuser)
    url = reverse(CHANGE, args=[company.pk])
    response = client.post(url, profile_data(company, logo_upload=upload("logo.png", photo("PNG"))))
    assert response.status_code == 302
    client.logout()
    company.refresh_from_db()
    assert re.fullmatch(r"brand/[0-9a-f]{32}\.png", company.logo.name)
    logo_url = company.get_logo_url()
    for page in ("/", reverse("releases:list"), release.get_absolute_url()):
        html = client.get(page).content.decode()
        assert f'<link rel="icon" href="{logo_url}" type="image/png">' in html, page
        assert f'<img class="brand-logo" src="{logo_url}" alt=""' in html, page
    # The release was approved without a logo: its letterhead stays so (docs/brand.md).
    assert "letterhead-logo" not in client.get(release.get_absolute_url()).content.decode()
    response = client.get(logo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    data = body(response)
    assert CAMERA.encode() not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and not image.getexif()


def test_replaced_logo_gets_a_new_url_and_the_old_one_answers_404(client, superuser, with_logo):
    old = with_logo.get_logo_url()
    client.force_login(superuser)
    client.post(
        reverse(CHANGE, args=[with_logo.pk]),
        profile_data(with_logo, logo_upload=upload("new.jpg", photo("JPEG"))),
    )
    client.logout()
    with_logo.refresh_from_db()
    assert with_logo.get_logo_url() != old
    assert client.get(old).status_code == 404
    assert client.get(with_logo.get_logo_url())["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("logo.svg", SVG, "SVG"), ("logo.png", PDF, "must be a PNG, JPEG or WebP image")],
)
def test_logo_that_is_not_a_raster_image_is_refused(
    client, superuser, company, name, content, message
):
    client.force_login(superuser)
    response = client.post(
        reverse(CHANGE, args=[company.pk]), profile_data(company, logo_upload=upload(name, content))
    )
    assert response.status_code == 200 and message in response.content.decode()
    company.refresh_from_db()
    assert not company.logo


def test_logo_is_in_the_alert_email_and_the_pdf(
    client, with_logo, make_release, publish, settings, worker
):
    settings.SITE_URL = "https://ir.example.com"
    alert_actions.request_subscription(
        "reader@example.com", all_categories=True, categories=[], source="tests"
    )
    reader = Subscriber.objects.get(email="reader@example.com")
    alert_actions.confirm(reader, reader.requested_at.isoformat())
    from django.utils import timezone

    release = publish(make_release(published_at=timezone.now().replace(microsecond=0)))
    from django.core.management import call_command

    call_command("run_worker", "--once")
    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    assert f'<img src="https://ir.example.com{with_logo.get_logo_url()}"' in html
    pdf = body(client.get(release.get_pdf_url()))
    assert b"/Subtype /Image" in pdf
