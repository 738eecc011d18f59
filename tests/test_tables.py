"""Financial tables: every figure under its own header, on the page and in both exports."""

import re

import lxml.html
from django.urls import reverse

from releases.models import Release

from .conftest import SYSTEM, corpus_dir, needs_corpus

SPANNED = (
    '<p>Results.</p><table><tr><th rowspan="2"></th><th colspan="2">Quarter ended</th></tr>'
    "<tr><th>2026</th><th>2025</th></tr>"
    "<tr><td>Revenue</td><td>1,234.5</td><td>999</td></tr>"
    "<tr><td>Net income</td><td>12</td><td>(3)</td></tr></table>"
)


def export(client, release: Release, fmt: str) -> str:
    response = client.get(reverse("admin:releases_release_export", args=[release.pk, fmt]))
    assert response.status_code == 200
    return response.content.decode()


def test_html_export_keeps_row_and_column_spans(client, superuser, make_release):
    release = make_release(body=SPANNED)
    client.force_login(superuser)
    html = export(client, release, "html")
    assert re.search(r'<th[^>]*colspan="2"[^>]*>\s*Quarter ended', html)
    assert re.search(r'<th[^>]*rowspan="2"', html)


def test_text_export_lays_spanned_headers_over_their_own_columns(client, superuser, make_release):
    release = make_release(body=SPANNED)
    client.force_login(superuser)
    lines = export(client, release, "text").splitlines()
    years = next(line for line in lines if "2026" in line and "2025" in line)
    revenue = next(line for line in lines if line.startswith("Revenue"))
    quarter = next(line for line in lines if "Quarter ended" in line)
    # Right edges line up: 2026 over 1,234.5 and 2025 over 999.
    assert years.index("2026") + 4 == revenue.index("1,234.5") + len("1,234.5")
    assert years.index("2025") + 4 == revenue.index("999") + 3
    # The spanned header sits over both year columns, not over the labels.
    assert quarter.index("Quarter") > revenue.index("1,234.5") - len("Quarter ended")
    assert quarter.index("Quarter") >= len("Net income")


def grid(table) -> list[list[tuple[int, str]]]:
    """Each row as (first column, text) of its cells, spans counted."""
    rows, below = [], {}
    for tr in table.iter("tr"):
        row, col = [], 0
        for cell in tr:
            while below.get(col):
                below[col] -= 1
                col += 1
            row.append((col, " ".join(cell.text_content().split()), cell.tag))
            span = int(cell.get("colspan", 1))
            for c in range(col, col + span):
                below[c] = int(cell.get("rowspan", 1)) - 1
            col += span
        rows.append(row)
    return rows


WORKIVA = (
    "<p>Results.</p><table>"
    '<tr><td></td><td colspan="3">Three Months Ended</td></tr>'
    '<tr><td></td><td colspan="2">March 3, 2023</td><td colspan="2">March 4, 2022</td></tr>'
    "<tr><td>Revenue</td><td>$</td><td>4,655</td><td>$</td><td>4,262</td></tr>"
    '<tr><td>Other income</td><td colspan="2">12</td><td>(3</td><td>)</td></tr>'
    '<tr><td>Margin</td><td colspan="2">88</td><td>87</td><td>%</td></tr>'
    "</table>"
)


def test_pasted_financial_table_shows_each_figure_under_its_header(client, make_release, publish):
    release = publish(make_release(body=WORKIVA))
    page = lxml.html.fromstring(client.get(release.get_absolute_url()).content)
    rows = grid(page.xpath("//*[contains(@class, 'release-body')]//table")[0])
    # Header rows are marked as headers, figure rows are not.
    assert [cell[2] for cell in rows[1]] == ["th", "th", "th"]
    assert [cell[2] for cell in rows[2]] == ["td", "td", "td"]
    header = {text: col for col, text, _ in rows[1] if text}
    by_label = {row[0][1]: {text: col for col, text, _ in row[1:]} for row in rows[2:]}
    assert by_label["Revenue"] == {
        "$4,655": header["March 3, 2023"],
        "$4,262": header["March 4, 2022"],
    }
    assert by_label["Other income"] == {
        "12": header["March 3, 2023"],
        "(3)": header["March 4, 2022"],
    }
    assert by_label["Margin"]["87%"] == header["March 4, 2022"]


@needs_corpus
def test_imported_workiva_release_has_no_figure_parts_in_cells_of_their_own(
    client, superuser, publish, db
):
    from releases import edgar

    path = corpus_dir() / "corpus" / "014_adobe_2023-03-15.htm"
    [result] = edgar.import_file(path.read_bytes(), path.name, actor=SYSTEM)
    release = publish(result.release)
    page = lxml.html.fromstring(client.get(release.get_absolute_url()).content)
    tables = page.xpath("//*[contains(@class, 'release-body')]//table")
    assert tables
    for table in tables:
        for row in grid(table):
            assert not [text for _, text, _ in row if text in {"$", ")", "%"}], row


WIDE = (
    "<p>Results.</p><table>"
    '<tr><th rowspan="2"></th><th colspan="3">Three Months Ended</th>'
    '<th colspan="3">Six Months Ended</th></tr>'
    "<tr><th>Dec. 31, 2011</th><th>Dec. 25, 2010</th><th>Change in percent</th>"
    "<th>Dec. 31, 2011</th><th>Dec. 25, 2010</th><th>Change in percent</th></tr>"
    "<tr><td>Net sales including services and accessories</td><td>4,210</td><td>3,870</td>"
    "<td>8.8%</td><td>8,120</td><td>7,410</td><td>9.6%</td></tr>"
    "<tr><td>Gross margin</td><td>1,701</td><td>1,522</td><td>11.8%</td><td>3,310</td>"
    "<td>2,960</td><td>11.8%</td></tr></table>"
)


def test_text_export_of_a_table_wider_than_78_columns_fits_and_reads_back_cell_for_cell(
    client, superuser, make_release
):
    from releases.exhibits import parse_exhibit

    release = make_release(body=WIDE)
    client.force_login(superuser)
    text = export(client, release, "text")
    body = text[text.index("Results.") :]  # (the side-by-side contacts above may take 80)
    assert max(len(line) for line in body.splitlines()) <= 78
    again = parse_exhibit(text.encode(), filename="export.txt")
    table = lxml.html.fragment_fromstring(again.body_html, create_parent="div").find(".//table")
    rows = [[" ".join(td.text_content().split()) for td in tr] for tr in table.iter("tr")]
    # A spanned heading stands in the first of its columns.
    assert rows == [
        ["", "Three Months Ended", "", "", "Six Months Ended", "", ""],
        ["", "Dec. 31, 2011", "Dec. 25, 2010", "Change in percent", "Dec. 31, 2011",
         "Dec. 25, 2010", "Change in percent"],
        ["Net sales including services and accessories", "4,210", "3,870", "8.8%", "8,120",
         "7,410", "9.6%"],
        ["Gross margin", "1,701", "1,522", "11.8%", "3,310", "2,960", "11.8%"],
    ]  # fmt: skip
