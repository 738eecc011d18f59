"""Editor HTML: what editors may write, and the one sanitizer every stored or shown text passes.

The allow-list is the contract between the admin's rich-text editor (django-prose-editor, a
ProseMirror/Tiptap widget) and the public pages: paragraphs, two levels of subheading, bold,
italic, links, lists and simple tables. Anything else an editor pastes (scripts, event handlers,
styles, `javascript:` links, images from elsewhere) is removed by nh3 before it is saved, and
again before it is shown, so a row written by any other path cannot smuggle markup onto a page.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe

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
    "History": True,
    # The package turns the browser's spell-check off by default; press releases want it on.
    "NoSpellCheck": False,
}

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "strong", "em", "b", "i", "a", "ul", "ol", "li",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Links from a press release go to web pages or mail addresses, nothing else.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html: str) -> SafeString:
    """Return ``html`` reduced to the allow-list; the only place editor HTML becomes safe."""
    cleaned = _cleaner.clean(html or "").strip()
    # ProseMirror saves an empty document as one empty paragraph: that is no text at all.
    if cleaned in {"<p></p>", "<p><br></p>"}:
        cleaned = ""
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just reduced it to the allow-list
