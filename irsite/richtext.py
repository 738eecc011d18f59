"""Editor HTML: what editors may write, and the one sanitizer every stored or shown text passes.

The allow-list is the contract between the admin's rich-text editor (django-prose-editor, a
ProseMirror/Tiptap widget) and the public pages: paragraphs, two levels of subheading, bold,
italic, links, lists, simple tables and images the site issued. Anything else an editor pastes
(scripts, event handlers, styles, `javascript:` links, images from elsewhere or in `data:` URLs)
is removed by nh3 before it is saved, and again before it is shown, so a row written by any other
path cannot smuggle markup onto a page.

An image stays only with a ``src`` that is a file URL the site issues (``/news/files/<32 random
hex>.<png|jpg|webp>``, see `releases.public.views.attachment_file`) and a non-empty ``alt``
(WCAG 1.1.1);
which release's files a body may show is decided by `releases.body_images`.
"""

import re
from functools import cache
from typing import TYPE_CHECKING, Any

import lxml.html
import nh3
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django_prose_editor.fields import ProseEditorFormField

from irsite.plaintext import markup

if TYPE_CHECKING:
    # django-prose-editor ships no type information; its field is a `TextField` holding HTML,
    # which is what the models read and write, and takes the editor's options besides.
    class ProseEditorField(models.TextField):
        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

else:
    from django_prose_editor.fields import ProseEditorField

# The editor's toolbar, and with it what the editor can produce.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Link": {"enableTarget": False},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "HardBreak": True,
    # Inserted from the release's own image attachments (release-admin.js), never by URL.
    "Image": True,
    "History": True,
    # The package turns the browser's spell-check off by default; press releases want it on.
    "NoSpellCheck": False,
}

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "strong", "em", "b", "i", "a", "ul", "ol", "li",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "img": {"src", "alt"},
}
# Links from a press release go to web pages or mail addresses, nothing else.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _issued_image_url() -> re.Pattern:
    # Resolved on first use: URLs are not loaded when this module is imported.
    prefix = reverse("releases:file", args=["x"])[:-1]
    return re.compile(re.escape(prefix) + r"(?P<key>[0-9a-f]{32}\.(?:png|jpg|webp))")


def issued_image_key(src: str | None) -> str | None:
    """The stored file's key (``<hex>.<ext>``) if ``src`` is an image URL the site issues."""
    found = _issued_image_url().fullmatch((src or "").strip())
    return found["key"] if found else None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and issued_image_key(value) is None:
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_attribute_filter,
)


def _fragment(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _serialized(root) -> str:
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def drop_tag_keeping_tail(element) -> None:
    """Remove ``element`` and what it holds, keeping the text after it in place."""
    parent, previous = element.getparent(), element.getprevious()
    tail = element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _complete_images(html: str) -> str:
    """Images without an issued ``src`` (nh3 removed it) or without alt text are dropped."""
    root = _fragment(html)
    for img in list(root.iter("img")):
        if not img.get("src") or not (img.get("alt") or "").strip():
            drop_tag_keeping_tail(img)
    return _serialized(root)


def sanitize_html(html: str) -> SafeString:
    """Return ``html`` reduced to the allow-list; the only place editor HTML becomes safe."""
    # Characters no page, feed or e-mail may carry go first (see `irsite.plaintext`).
    cleaned = _cleaner.clean(markup(html)).strip()
    if "<img" in cleaned:
        cleaned = _complete_images(cleaned).strip()
    if "<table" in cleaned:
        cleaned = financial_tables(cleaned)
    # ProseMirror saves an empty document as one empty paragraph: that is no text at all.
    if cleaned in {"<p></p>", "<p><br></p>"}:
        cleaned = ""
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just reduced it to the allow-list


class RichTextFormField(ProseEditorFormField):
    """The editor's form field: characters no surface may carry are removed before validation,
    so a pasted NUL or U+FFFF is dropped, not an error the editor cannot see."""

    def to_python(self, value):
        return markup(super().to_python(value))


class RichTextField(ProseEditorField):
    """Editor HTML, stored sanitized; its form field is `RichTextFormField`."""

    def formfield(self, **kwargs):
        return super().formfield(**{**kwargs, "form_class": RichTextFormField})


# A cell holding only a currency sign belongs to the figure after it; one holding only the
# closing parenthesis of a negative figure, a percent sign or a footnote mark, to the one before
# (Workiva and other filing agents put each in a cell of its own).
_CURRENCY = {"$", "US$", "€", "£", "¥", "C$", "A$"}
# ("(1)" is not among them: alone in a cell it is a negative figure as often as a footnote.)
_TRAILER = re.compile(r"\)|%|\)%|pts?\.?|\*{1,3}|\([a-z]\)|[†‡§]")
_FIGURE = re.compile(r"[$€£¥]?\s*\(?[-–—]?\s*[$€£¥]?\d[\d,.]*\)?%?|[-–—]+")


def _cell_text(cell) -> str:
    return " ".join(cell.text_content().split())


def _span(cell) -> int:
    value = (cell.get("colspan") or "1").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 1000 else 1


def _prepend(cell, text: str) -> None:
    cell.text = text + (cell.text or "")


def _append(cell, text: str) -> None:
    children = list(cell)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        cell.text = (cell.text or "") + text


def _merge_cells(row) -> None:
    cells = [c for c in row if c.tag in ("td", "th")]
    for i, cell in enumerate(cells):
        text = _cell_text(cell)
        if text in _CURRENCY and i + 1 < len(cells) and _FIGURE.fullmatch(_cell_text(cells[i + 1])):
            target = cells[i + 1]
            _prepend(target, text)
        elif _TRAILER.fullmatch(text) and i > 0 and _FIGURE.fullmatch(_cell_text(cells[i - 1])):
            target = cells[i - 1]
            _append(target, text if text in {")", "%", ")%"} else f" {text}")
        else:
            continue
        target.set("colspan", str(_span(target) + _span(cell)))
        if target.get("colspan") == "1":
            del target.attrib["colspan"]
        row.remove(cell)
        cells[i] = target  # so a later trailer still finds its figure


def _mark_header_rows(table) -> None:
    """Rows above the first row of figures are the table's header: their cells become th."""
    rows = list(table.iter("tr"))

    def has_figures(row) -> bool:
        values = [_cell_text(c) for c in row if c.tag in ("td", "th")][1:]
        # A year alone is a period header ("2026"), not a figure.
        return any(
            v and _FIGURE.fullmatch(v) and not re.fullmatch(r"(19|20)\d\d", v) for v in values
        )

    index = next((i for i, row in enumerate(rows) if has_figures(row)), None)
    if index is None:
        return  # no figures: not a financial table, left as written
    for row in rows[:index]:
        for cell in row:
            if cell.tag == "td":
                cell.tag = "th"


def financial_tables(html: str) -> str:
    """Sanitized HTML whose tables read right: every figure in one cell under its header (sign,
    figure, closing parenthesis and footnote mark merged), and header rows as ``th``."""
    root = _fragment(html)
    for table in root.iter("table"):
        for row in table.iter("tr"):
            _merge_cells(row)
        _mark_header_rows(table)
    return _serialized(root)
