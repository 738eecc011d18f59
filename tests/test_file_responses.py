"""File responses (attachments, PDF renditions, logos): conditional GET and byte ranges (RFC 9110
§13, §14) once the file is public, and exactly a missing file's answer before (releases/
fileserve.py)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from releases import actions
from releases.models import Rendition

from .conftest import AT_AND_AFTER, BEFORE, GO_LIVE
from .shared import body, missing_pdf_url, never_existed_url

LIVE = GO_LIVE + timedelta(minutes=5)


def expected(header: str, size: int) -> tuple[int, int] | str:
    """The oracle, from RFC 9110 §14.1.1-§14.1.3 for one range spec: (start, stop), or "416",
    or "whole" when the header is to be ignored."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header)
    if match is None or match.groups() == ("", ""):
        return "whole"
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        return "416" if suffix == 0 else (max(0, size - suffix), size)
    if last and int(last) < int(first):
        return "whole"
    if int(first) >= size:
        return "416"
    return int(first), min(int(last) + 1, size) if last else size


def pdf_of(release):
    return next(a for a in release.attachment_list if a.content_type == "application/pdf")


@pytest.fixture
def live_file(client, scheduled):
    """A public attachment's URL and its bytes."""
    attachment = pdf_of(scheduled)
    with time_machine.travel(LIVE, tick=False):
        whole = body(client.get(attachment.get_absolute_url()))
    return attachment, whole


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.one_of(st.just(""), st.integers(0, 400).map(str)),
    last=st.one_of(st.just(""), st.integers(0, 400).map(str)),
)
def test_a_byte_range_answers_as_rfc_9110_says(client, live_file, first, last):
    attachment, whole = live_file
    header = f"bytes={first}-{last}"
    with time_machine.travel(LIVE, tick=False):
        response = client.get(attachment.get_absolute_url(), HTTP_RANGE=header)
    want = expected(header, len(whole))
    assert "public" in response["Cache-Control"]
    if want == "whole":
        assert response.status_code == 200 and body(response) == whole
    elif want == "416":
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(whole)}"
    else:
        start, stop = want
        assert response.status_code == 206, header
        assert body(response) == whole[start:stop]
        assert response["Content-Range"] == f"bytes {start}-{stop - 1}/{len(whole)}"
        assert response["Content-Length"] == str(stop - start)
        assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bytes=0-0", 206),  # one byte
        ("BYTES=0-1", 206),  # the unit is case-insensitive
        ("bytes=0-1,4-5", 200),  # several ranges: the whole file
        ("bytes=0-1, ", 206),  # an empty list element is no range
        ("items=0-1", 200),
        ("bytes=a-b", 200),
        ("bytes=-0", 416),
        (" bytes\t=0-1", 206),  # optional whitespace is spaces and tabs
        ("bytes\xa0=0-1", 200),  # and nothing else (the front cache reads it the same way)
    ],
)
def test_range_headers_of_every_shape(client, live_file, header, status):
    attachment, _ = live_file
    with time_machine.travel(LIVE, tick=False):
        assert client.get(attachment.get_absolute_url(), HTTP_RANGE=header).status_code == status


def test_conditional_get_answers_304_with_the_pages_caching(client, live_file):
    attachment, whole = live_file
    url = attachment.get_absolute_url()
    with time_machine.travel(LIVE, tick=False):
        first = client.get(url)
        etag, modified = first["ETag"], first["Last-Modified"]
        assert first["Accept-Ranges"] == "bytes"
        for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": modified}):
            again = client.get(url, **headers)
            assert again.status_code == 304 and body(again) == b""
            assert again["ETag"] == etag and again["Cache-Control"] == first["Cache-Control"]
        changed = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
        assert changed.status_code == 200 and body(changed) == whole
        # 304 wins over a range (RFC 9110 §13.2.2).
        both = client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_RANGE="bytes=0-9")
        assert both.status_code == 304
        assert client.get(url, HTTP_IF_MATCH='"other"').status_code == 412


def test_if_range_resumes_only_the_same_file(client, live_file):
    attachment, whole = live_file
    url = attachment.get_absolute_url()
    with time_machine.travel(LIVE, tick=False):
        first = client.get(url)
        etag, modified = first["ETag"], first["Last-Modified"]
        for validator, status in [
            (etag, 206),
            (modified, 206),
            ('"another-file"', 200),
            (f"W/{etag}", 200),  # a weak tag never matches (§13.1.5)
            ("Mon, 01 Jan 2001 00:00:00 GMT", 200),
        ]:
            response = client.get(url, HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE=validator)
            assert response.status_code == status, validator
            assert body(response) == (whole[10:20] if status == 206 else whole)


REQUESTS = [
    {"HTTP_RANGE": "bytes=0-9"},
    {"HTTP_RANGE": "bytes=-5"},
    {"HTTP_IF_NONE_MATCH": '"0123456789"'},
    {"HTTP_IF_NONE_MATCH": "*"},
    {"HTTP_IF_MODIFIED_SINCE": "Mon, 30 Nov 2026 00:00:00 GMT"},
    {"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": '"0123456789"'},
]


@pytest.mark.parametrize("headers", REQUESTS, ids=lambda h: ",".join(h))
def test_ranged_and_conditional_requests_before_go_live_answer_like_a_missing_file(
    client, scheduled, headers, worker
):
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        worker()  # the PDF is rendered and stored, privately
    assert Rendition.objects.filter(release=scheduled).exists()
    pairs = [(a.get_absolute_url(), never_existed_url(a)) for a in scheduled.attachment_list]
    pairs.append((scheduled.get_pdf_url(), missing_pdf_url(scheduled)))
    for url, missing_url in pairs:
        for moment in BEFORE:
            with time_machine.travel(moment, tick=False):
                client.get(missing_url, **headers)
                response = client.get(url, **headers)
                missing = client.get(missing_url, **headers)
            assert response.status_code == missing.status_code == 404, url
            assert dict(response.headers) == dict(missing.headers), url
            assert body(response) == body(missing)
        for moment in AT_AND_AFTER:
            with time_machine.travel(moment, tick=False):
                assert client.get(url, **headers).status_code in {200, 206, 304}, url


@pytest.mark.parametrize("headers", REQUESTS, ids=lambda h: ",".join(h))
def test_ranged_and_conditional_requests_after_withdrawal_answer_410(
    client, scheduled, approver, headers
):
    urls = [a.get_absolute_url() for a in scheduled.attachment_list] + [scheduled.get_pdf_url()]
    with time_machine.travel(LIVE, tick=False):
        assert all(client.get(url).status_code == 200 for url in urls)
        actions.withdraw(scheduled, approver, reason="Filed in error.")
        page = client.get(scheduled.get_absolute_url())
        for url in urls:
            response = client.get(url, **headers)
            assert response.status_code == 410 and response.content == page.content, url


def test_pdf_rendition_answers_ranges_and_304(client, scheduled):
    url = scheduled.get_pdf_url()
    with time_machine.travel(LIVE, tick=False):
        whole = client.get(url)
        pdf = body(whole)
        part = client.get(url, HTTP_RANGE="bytes=0-7")
        again = client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"])
    assert part.status_code == 206 and body(part) == pdf[:8] == b"%PDF-1.7"
    assert again.status_code == 304
    assert "public" in part["Cache-Control"] and "public" in again["Cache-Control"]


def test_partial_not_modified_and_unsatisfiable_answers_carry_the_pages_caching(client, scheduled):
    url = pdf_of(scheduled).get_absolute_url()
    with time_machine.travel(LIVE, tick=False):
        page = client.get(reverse("releases:list"))
        whole = client.get(url)
        answers = [
            client.get(url, HTTP_RANGE="bytes=0-3"),
            client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"]),
            client.get(url, HTTP_RANGE="bytes=99999-"),
        ]
    assert [a.status_code for a in answers] == [206, 304, 416]
    for answer in [whole, *answers]:
        assert answer["Cache-Control"] == page["Cache-Control"], answer.status_code


def test_logo_answers_ranges_and_304(client, superuser, company):
    from .admin_forms import post_profile
    from .shared import logo

    assert post_profile(client, superuser, logo_upload=logo((9, 9, 9), (30, 30))).status_code == 302
    url = company.__class__.load().get_logo_url()
    whole = client.get(url)
    data = body(whole)
    part = client.get(url, HTTP_RANGE="bytes=1-3")
    assert part.status_code == 206 and body(part) == data[1:4]
    assert client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304
