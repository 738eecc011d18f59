"""Plain text pasted into the body editor is read as the importer reads a text exhibit: a
filing hard-wrapped at 78 columns gives its paragraphs, not one paragraph per line."""

import textwrap

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsite.richtext import sanitize_html
from releases.models import BODY_MAX_BYTES

from .shared import FILING

pytestmark = pytest.mark.django_db
URL = reverse("admin:releases_release_paste_text")


def paste(client, text: str):
    return client.post(URL, text.encode(), content_type="text/plain; charset=utf-8")


def test_pasted_filing_text_gives_its_paragraphs_not_one_per_line(client, editor):
    client.force_login(editor)
    response = paste(client, FILING)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = response.json()["html"]
    assert html.count("<p>") == 2, html
    assert "announced that it has regained the rights" in html  # the wrapped line re-joined
    assert "<li>Rights to the compound return" in html and "<h3>Highlights</h3>" in html
    assert "\t" not in html and "<p></p>" not in html


def test_pasted_text_is_sanitised_and_escaped(client, editor):
    client.force_login(editor)
    html = paste(client, "<script>alert(1)</script> and\n<img src=x onerror=alert(1)>\n").json()[
        "html"
    ]
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_only_staff_who_may_write_releases_can_paste(client, db):
    response = paste(client, FILING)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300), max_size=6
    )
)
def test_any_pasted_text_gives_html_the_sanitiser_leaves_as_it_is(client, editor, paragraphs):
    client.force_login(editor)
    text = "\n\n".join(textwrap.fill(p, 78) for p in paragraphs)
    response = paste(client, text)
    assert response.status_code == 200
    html = response.json()["html"]
    assert sanitize_html(html) == html


def test_a_paste_over_the_body_limit_is_refused_with_a_reason_not_a_server_error(client, editor):
    client.force_login(editor)
    response = paste(client, "word " * (BODY_MAX_BYTES // 5 + 1))
    assert response.status_code == 400
    assert "size limit" in response.json()["error"]
