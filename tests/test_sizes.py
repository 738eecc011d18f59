"""Ordinary sizes: long headlines, large bodies; nothing is cut silently, nothing answers 500."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from releases.models import BODY_MAX_BYTES, SEARCH_INDEX_MAX_BYTES, Release

from .admin_forms import ADD_URL, form_data

LONG_HEADLINE = (
    "Acme Corporation Reports Record Fourth Quarter and Fiscal Year 2025 Results, Announces a "
    "New Share Repurchase Program of Five Billion Dollars, Raises Its Quarterly Dividend by Ten "
    "Percent, and Provides Full Year 2026 Revenue, Operating Margin and Earnings per Share "
    "Guidance Following the Completion of Its Strategic Review of the Industrial Segment"
)


def exhibit(headline: str, body: str = "<p>More text here.</p>") -> str:
    return (
        "<html><body>\n<p>EXHIBIT 99.1</p>\n"
        f"<p><b>{headline}</b></p>\n"
        "<p>BOSTON, MA, January 24, 2025 -- Acme Corporation (NYSE: ACME) today announced "
        f"results.</p>\n{body}\n</body></html>"
    )


def run_import(*paths) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_exhibit", *map(str, paths), stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}")
    return out.getvalue(), err.getvalue()


def test_importer_keeps_a_334_character_headline_whole(db, tmp_path):
    assert len(LONG_HEADLINE) > 300
    path = tmp_path / "long.htm"
    path.write_text(exhibit(LONG_HEADLINE))
    out, err = run_import(path)
    assert "1 imported" in out, err
    release = Release.objects.get()
    assert release.headline == LONG_HEADLINE
    # The slug is cut at a word boundary, never inside a word.
    assert len(release.slug) <= 80
    assert (
        release.slug
        == "acme-corporation-reports-record-fourth-quarter-and-fiscal-year-2025-results"
    )


def test_importer_refuses_a_headline_over_the_limit_with_file_line_and_reason(db, tmp_path):
    too_long = " ".join([LONG_HEADLINE, LONG_HEADLINE])
    bad = tmp_path / "a_too_long.htm"
    bad.write_text(exhibit(too_long))
    good = tmp_path / "b_good.htm"
    good.write_text(exhibit("Acme Reports Results"))
    out, err = run_import(tmp_path)
    assert re.search(rf"^{re.escape(str(bad))}: line 3: the headline is 69\d characters", err), err
    assert "1 imported, 0 unchanged, 1 failed" in out
    assert list(Release.objects.values_list("headline", flat=True)) == ["Acme Reports Results"]


def big_body(size: int) -> str:
    """A body of about ``size`` bytes of HTML: a results table with distinct figures, as large
    earnings releases have (distinct words are what makes a search vector large)."""
    rows, n, length = [], 0, 0
    while length < size:
        rows.append(
            f"<tr><td>Segment item{n:07d} revenue</td><td>{n * 7919 % 99991:,}</td>"
            f"<td>{n * 104729 % 999983:,}</td></tr>"
        )
        length += len(rows[-1])
        n += 1
    return "<p>Lead paragraph of the results.</p><table>" + "".join(rows) + "</table>"


@pytest.mark.slow
def test_a_large_body_is_saved_in_the_admin_and_found_by_search(
    client, editor, contacts, disclaimer_versions, publish
):
    body = big_body(2_300_000)
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions, body=body, headline="Large results")
    data |= {"published_at_0": "2003-01-24", "published_at_1": "08:00:00"}
    response = client.post(ADD_URL, data)
    assert response.status_code == 302
    release = publish(Release.objects.get())
    assert len(release.body) > 2_000_000
    # Words near the start of the body are indexed on either database.
    page = client.get("/news/search/", {"q": "item0000010"})
    assert page.status_code == 200
    assert b"Large results" in page.content
    if connection.vendor == "postgresql":
        # Past the indexed prefix is documented as not found (by its own words) on PostgreSQL.
        assert len(release.search_document.body_text.encode()) > SEARCH_INDEX_MAX_BYTES


def test_a_body_over_the_size_limit_is_a_form_error_that_keeps_the_input(
    client, editor, contacts, disclaimer_versions
):
    body = big_body(BODY_MAX_BYTES + 1000)
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(contacts, disclaimer_versions, body=body))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "the limit is 4 MB" in errors["body"][0]
    assert response.context["adminform"].form["headline"].value() == "ImmunoGen regains rights"
    assert not Release.objects.exists()


@pytest.mark.slow
def test_importer_reports_a_body_over_the_limit_and_goes_on_with_the_next_file(db, tmp_path):
    big = tmp_path / "a_big.htm"
    big.write_text(exhibit("Acme Reports Big Results", big_body(BODY_MAX_BYTES + 1000)))
    large = tmp_path / "b_large.htm"
    large.write_text(exhibit("Acme Reports Large Results", big_body(1_200_000)))
    out, err = run_import(tmp_path)
    assert re.search(
        rf"^{re.escape(str(big))}: The body is 4\.\d MB of HTML; the limit is 4 MB", err
    )
    assert "1 imported, 0 unchanged, 1 failed" in out
    assert list(Release.objects.values_list("headline", flat=True)) == [
        "Acme Reports Large Results"
    ]


@pytest.mark.parametrize("size", [1_200_000])
def test_search_vector_of_a_text_of_unique_words_fits(make_release, size):
    """Unique short words make the largest vectors; the indexed prefix still fits."""
    words = " ".join(f"w{n:06x}" for n in range(size // 8))
    release = make_release(body=f"<p>{words}</p>")
    assert release.search_document.body_text.startswith("w000000 w000001")
