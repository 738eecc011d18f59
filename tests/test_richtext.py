import pytest

from irsite.richtext import sanitize_html


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
