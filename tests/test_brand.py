"""The company's brand: a primary colour within WCAG contrast limits and the legal name, set in
the company profile's admin, printed on the pages, the PDF and the alert e-mail; and the logo,
frozen with the letterhead a release was approved with (docs/brand.md)."""

import importlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber
from irsite.contacts.models import CompanyProfile, Letterhead
from releases import actions
from releases.models import Release, ReleaseRendering

from .admin_forms import post_profile
from .conftest import at
from .shared import body, logo, text_of


def wcag_contrast_on_white(colour: str) -> float:
    """The oracle, written from WCAG 2.2's definitions of relative luminance and contrast."""

    def linear(channel: int) -> float:
        s = channel / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (1.0 + 0.05) / (luminance + 0.05)


# --- the colour ----------------------------------------------------------------------------


@pytest.mark.slow
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rgb=st.tuples(*[st.integers(0, 255)] * 3), upper=st.booleans())
def test_colour_is_accepted_exactly_when_its_contrast_on_white_reaches_4_5(
    client, superuser, company, rgb, upper
):
    typed = "#{:02x}{:02x}{:02x}".format(*rgb)
    typed = typed.upper() if upper else typed
    ratio = wcag_contrast_on_white(typed.lower())
    response = post_profile(client, superuser, brand_colour=typed)
    if ratio >= 4.5:
        assert response.status_code == 302
        assert CompanyProfile.load().brand_colour == typed.lower()
    else:
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["brand_colour"]
        assert f"{int(ratio * 100) / 100:.2f}:1" in errors[0] and "at least 4.5:1" in errors[0]
        assert f'value="{typed}"' in response.content.decode()  # kept as typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("#777777", "#777777 has a contrast ratio of 4.47:1 against the white page"),
        ("#ffcc00", "at least 4.5:1 (WCAG 2.x, level AA)"),
        ("red", "Enter the colour as # and six hexadecimal digits"),
        ("#0b4f8a; } body { display:none", "Ensure this value has at most 7 characters"),
        ("#12345g", "Enter the colour as # and six hexadecimal digits"),
    ],
)
def test_refused_colour_says_why_keeps_what_was_typed_and_saves_nothing(
    client, superuser, company, typed, message
):
    response = post_profile(client, superuser, brand_colour=typed, legal_name="Renamed, Inc.")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert response.context["adminform"].form["brand_colour"].value() == typed
    saved = CompanyProfile.load()
    assert saved.brand_colour == "" and saved.legal_name == "ImmunoGen, Inc."


@pytest.mark.slow
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=12))
def test_any_typed_colour_gets_a_page_not_a_500(client, superuser, company, typed):
    response = post_profile(client, superuser, brand_colour=typed)
    assert response.status_code in {200, 302}


def test_pages_take_the_colour_from_a_stylesheet_of_the_site_not_an_inline_style(
    client, superuser, company, settings
):
    settings.IRSITE_PAGE_CACHE = True
    page = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/brand.css?v=0b4f8a">' in page
    css = client.get("/brand.css")
    assert css.content == b":root { --accent: #0b4f8a; }\n"
    assert css["Content-Type"].startswith("text/css") and "public" in css["Cache-Control"]
    assert post_profile(client, superuser, brand_colour="#5A2D82").status_code == 302
    page = client.get("/")
    assert '<link rel="stylesheet" href="/brand.css?v=5a2d82">' in page.content.decode()
    assert "style=" not in page.content.decode()
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert client.get("/brand.css").content == b":root { --accent: #5a2d82; }\n"


def test_a_colour_written_around_the_form_never_reaches_a_stylesheet(client, company):
    CompanyProfile.objects.update(brand_colour="red}*{x")
    assert client.get("/brand.css").content == b":root { --accent: #0b4f8a; }\n"
    assert "brand.css?v=0b4f8a" in client.get("/").content.decode()


def test_legal_name_and_colour_are_in_the_footer_pdf_and_alert_email(
    client, superuser, company, make_release, publish, settings, worker
):
    settings.SITE_URL = "https://ir.example.com"
    assert post_profile(client, superuser, brand_colour="#5a2d82").status_code == 302
    alert_actions.request_subscription(
        "reader@example.com", all_categories=True, categories=[], source="tests"
    )
    reader = Subscriber.objects.get(email="reader@example.com")
    alert_actions.confirm(reader, reader.requested_at.isoformat())
    release = publish(make_release(published_at=timezone.now().replace(microsecond=0)))
    worker()
    year = timezone.localtime(release.published_at).year
    footer = client.get("/").content.decode()
    assert f"© {timezone.localtime().year} ImmunoGen, Inc." in footer
    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    assert f"© {year} ImmunoGen, Inc." in html and f"© {year} ImmunoGen, Inc." in sent.body
    assert 'style="color:#5a2d82;' in html
    assert f"© {year} ImmunoGen, Inc." in text_of(body(client.get(release.get_pdf_url())))


# --- the logo, frozen with the letterhead ----------------------------------------------------


GO_LIVE = at(2026, 11, 30, 16, 5, 0)


def logo_sizes(pdf: bytes) -> list[tuple[int, int]]:
    return [image.image.size for image in PdfReader(io.BytesIO(pdf)).pages[0].images]


@pytest.fixture
def scheduled_with_first_logo(client, superuser, company, make_release, publish):
    """The company's first logo (red, 64×48) on a release approved and scheduled with it, then
    a second logo (blue, 120×30) uploaded before the go-live."""
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        assert (
            post_profile(client, superuser, logo_upload=logo((200, 0, 0), (64, 48))).status_code
            == 302
        )
        first = CompanyProfile.load().get_logo_url()
        release = publish(make_release(published_at=GO_LIVE))
        assert (
            post_profile(client, superuser, logo_upload=logo((0, 0, 200), (120, 30))).status_code
            == 302
        )
    second = CompanyProfile.load().get_logo_url()
    assert first != second
    return release, first, second


def test_published_release_keeps_the_logo_it_was_approved_with(
    client, scheduled_with_first_logo, make_release, settings, worker
):
    release, first, second = scheduled_with_first_logo
    settings.SITE_URL = "https://ir.example.com"
    alert_actions.request_subscription(
        "reader@example.com", all_categories=True, categories=[], source="tests"
    )
    reader = Subscriber.objects.get(email="reader@example.com")
    alert_actions.confirm(reader, reader.requested_at.isoformat())
    with time_machine.travel(GO_LIVE + timedelta(seconds=5), tick=False):
        worker()
        page = client.get(release.get_absolute_url()).content.decode()
        old_logo = client.get(first)
        pdf = body(client.get(release.get_pdf_url()))
        draft = make_release(slug="a-draft")
    assert f'<img class="letterhead-logo" src="{first}"' in page
    assert f'<img class="brand-logo" src="{second}"' in page  # the site's header is today's
    assert old_logo.status_code == 200 and "public" in old_logo["Cache-Control"]
    assert logo_sizes(pdf) == [(64, 48)]
    (sent,) = mail.outbox
    assert f'<img src="https://ir.example.com{first}"' in sent.alternatives[0][0]
    assert draft.printed_letterhead.get_logo_url() == second  # drafts print today's


def test_earlier_logo_of_a_scheduled_release_answers_like_a_missing_file_until_its_go_live(
    client, scheduled_with_first_logo
):
    _, first, _ = scheduled_with_first_logo
    missing = first.rpartition("/")[0] + "/" + "0" * 32 + ".png"
    for headers in ({}, {"HTTP_RANGE": "bytes=0-9"}, {"HTTP_IF_NONE_MATCH": '"x"'}):
        with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
            client.get(missing, **headers)
            response = client.get(first, **headers)
            never = client.get(missing, **headers)
        assert response.status_code == never.status_code == 404
        assert dict(response.headers) == dict(never.headers) and response.content == never.content
    with time_machine.travel(GO_LIVE, tick=False):
        assert client.get(first).status_code == 200


def test_correction_keeps_the_letterhead_and_logo_as_published(
    client, scheduled_with_first_logo, editor, approver
):
    release, first, _ = scheduled_with_first_logo
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        release = Release.objects.get(pk=release.pk)
        release.headline = "Quarterly results, restated"
        pending = actions.save_release(release, editor, correction_note="Restated.")
        actions.approve_correction(pending, approver)
        page = client.get(release.get_absolute_url()).content.decode()
    assert "Quarterly results, restated" in page
    assert f'<img class="letterhead-logo" src="{first}"' in page
    revision = Release.objects.get(pk=release.pk).revisions.order_by("-number").first()
    assert revision.data["letterhead"]["logo"] == "brand/" + first.rpartition("/")[2]


def test_orphan_cleanup_keeps_every_logo_a_letterhead_keeps(
    client, superuser, scheduled_with_first_logo
):
    _, first, second = scheduled_with_first_logo
    assert (
        post_profile(client, superuser, logo_upload=logo((0, 120, 0), (40, 40))).status_code == 302
    )
    third = CompanyProfile.load().logo.name
    names = {url: "brand/" + url.rpartition("/")[2] for url in (first, second)}
    call_command("clean_orphan_files", "--older-than-hours", "0")
    assert default_storage.exists(names[first])  # a published letterhead keeps it
    assert not default_storage.exists(names[second])  # replaced before anything was approved
    assert default_storage.exists(third)  # the company's logo now
    with time_machine.travel(GO_LIVE, tick=False):
        assert client.get(first).status_code == 200
        assert client.get(second).status_code == 404


def test_identical_profile_and_logo_share_one_letterhead_and_a_new_logo_makes_another(
    client, superuser, company, make_release, publish
):
    one = publish(make_release(slug="one", published_at=at(2026, 11, 2, 8, 0, 0)))
    two = publish(make_release(slug="two", published_at=at(2026, 11, 3, 8, 0, 0)))
    assert one.letterhead_id == two.letterhead_id
    assert post_profile(client, superuser, logo_upload=logo((1, 2, 3), (10, 10))).status_code == 302
    three = publish(make_release(slug="three", published_at=at(2026, 11, 4, 8, 0, 0)))
    assert three.letterhead_id != one.letterhead_id and three.letterhead.logo
    assert not Release.objects.get(pk=one.pk).letterhead.logo


class _Executor:
    """What the migration's function uses of a schema editor, on the test's connection."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_migration_records_todays_logo_on_earlier_letterheads_and_keeps_them_immutable(
    client, superuser, company, make_release, publish
):
    live = publish(make_release(published_at=at(2026, 11, 2, 8, 0, 0)))
    assert not live.letterhead.logo  # approved before there was a logo
    assert post_profile(client, superuser, logo_upload=logo((5, 5, 5), (20, 20))).status_code == 302
    url = CompanyProfile.load().get_logo_url()
    migration = importlib.import_module(
        "irsite.contacts.migrations.0008_brand_colour_and_frozen_logo"
    )
    migration.freeze_logo_of_letterheads(apps, _Executor())
    # As deploying this change does: its letterhead template makes every stored record stale,
    # and `make serve` renders them again before it serves.
    ReleaseRendering.objects.all().delete()
    call_command("render_releases")
    assert (
        f'<img class="letterhead-logo" src="{url}"'
        in client.get(live.get_absolute_url()).content.decode()
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Letterhead.objects.filter(pk=live.letterhead_id).update(legal_name="Changed")
