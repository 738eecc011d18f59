import pytest
from hypothesis import given
from hypothesis import strategies as st

from irsite.richtext import sanitize_html
from releases.text import mark_figure_cells, plain_text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ('<p onmouseover="steal()">Hi</p>', "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="https://evil.example/x.png" onerror="x()">', ""),
        ('<p style="color:red">Hi</p>', "<p>Hi</p>"),
        ("<iframe src='https://evil.example'></iframe><p>ok</p>", "<p>ok</p>"),
        ("<p></p>", ""),
    ],
    ids=["script", "event handler", "javascript link", "image", "style", "iframe", "empty"],
)
def test_sanitizer_removes_what_is_not_on_the_allow_list(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_sanitizer_keeps_what_editors_write():
    html = (
        "<h2>Highlights</h2><p><strong>Bold</strong> and <em>italic</em> and "
        '<a href="https://example.com/x">a link</a>.</p><ul><li>one</li></ul>'
        "<table><thead><tr><th>Q</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    )
    cleaned = sanitize_html(html)
    for kept in ["<h2>", "<strong>", "<em>", 'href="https://example.com/x"', "<ul>", "<th>"]:
        assert kept in cleaned


# --- figures in tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "figure"),
    [
        ("$9.87 billion", True),
        ("+42%", True),
        ("(1,234)", True),
        ("€0.5m", True),
        ("—", True),
        ("<p>12.5</p>", True),
        ("Q3 2026", False),
        ("Net revenue", False),
        ("<strong>Total</strong>", False),
    ],
)
def test_table_cells_holding_a_figure_are_marked_to_align_right(cell, figure):
    html = mark_figure_cells(sanitize_html(f"<table><tr><td>{cell}</td></tr></table>"))
    assert ('class="num"' in html) is figure


cells = st.text(alphabet=st.sampled_from(list("0123456789$%()+-,. —abc<>&")), max_size=12)


@given(st.lists(cells, min_size=1, max_size=6))
def test_marking_figures_changes_no_text_and_adds_nothing_but_the_class(texts):
    row = "".join(f"<td>{t.replace('&', '&amp;').replace('<', '&lt;')}</td>" for t in texts)
    html = sanitize_html(f"<table><tbody><tr>{row}</tr></tbody></table>")
    marked = mark_figure_cells(html)
    assert plain_text(marked) == plain_text(html)
    assert marked.replace(' class="num"', "") == html
