"""Render an ExhibitDocument as a plain-text or an EDGAR-safe HTML Exhibit 99.1.

The text layout follows the seed exhibit (ImmunoGen, 2003): right-aligned exhibit label,
letterhead underlined with dashes, INVESTORS / MEDIA contacts side by side, FOR IMMEDIATE
RELEASE, centred headline, dateline leading into the first paragraph, wrapped paragraphs,
underlined ABOUT and safe-harbor headings. Both outputs parse back to the same document.
"""

from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from typing import cast

import lxml.etree
import lxml.html
import nh3

from .blocks import clean_inline
from .model import ExhibitContact, ExhibitDocument, ExhibitSection
from .patterns import INVESTOR_WORDS_RE, MEDIA_WORDS_RE, MONTH_NAMES

__all__ = ["EDGAR_TAGS", "render_html", "render_text"]

# Tags EDGAR accepts in HTML exhibits that this renderer emits (EDGAR Filer Manual, HTML 3.2/4.0
# subset). No script, link, img, iframe, object, form, style sheet or external reference.
EDGAR_TAGS = frozenset(
    {
        "html", "head", "title", "body", "p", "div", "table", "tr", "td", "th", "b", "i", "u",
        "font", "br", "hr", "center", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a",
    }
)  # fmt: skip

# Bullets and stray numbers must never start a wrapped line: the parser would read them as a
# list item or a page number.
_GLUE_TOKENS_RE = re.compile(r"^(?:[-*o•–—―]|--|\d{1,3}|#+|\+{3,}|-0-)$")
_ASCII_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "--", "\u2015": "--", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "*", "\u00b7": "*",
    "\u00ae": "(R)", "\u2122": "(TM)", "\u00a9": "(C)", "\u20ac": "EUR", "\u00a3": "GBP",
}  # fmt: skip


def _ascii(text: str) -> str:
    """EDGAR text documents are ASCII: transliterate typographic characters."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII_MAP:
            out.append(_ASCII_MAP[ch])
        else:
            decomposed = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(decomposed or "?")
    return "".join(out)


def _date_text(doc: ExhibitDocument, upper: bool) -> str:
    if not doc.date:
        return ""
    month = MONTH_NAMES[doc.date.month]
    text = f"{month} {doc.date.day}, {doc.date.year}"
    return text.upper() if upper else text


def _instruction(doc: ExhibitDocument) -> str:
    return doc.release_instruction or ("FOR IMMEDIATE RELEASE" if doc.for_immediate_release else "")


def _dateline(doc: ExhibitDocument, upper_date: bool, dash: str) -> str:
    """ "CAMBRIDGE, MA, JANUARY 24, 2003 - " (with the wire tag, when there is one)."""
    parts = [p for p in (doc.dateline_city, _date_text(doc, upper_date)) if p]
    if not parts:
        return ""
    text = ", ".join(parts)
    if doc.wire_tag:
        text += f" {doc.wire_tag}"
    return f"{text} {dash} "


# ---------------------------------------------------------------------------------------------
# HTML fragments -> simple block list (shared by both renderers)
# ---------------------------------------------------------------------------------------------


def _fragment_blocks(fragment: str) -> list[tuple[str, object]]:
    """[(kind, payload)]: ("p", text) ("h", text) ("li", text) ("table", rows)."""
    if not fragment or not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return [("p", clean_inline(re.sub(r"<[^>]+>", " ", fragment)))]
    out: list[tuple[str, object]] = []
    if root.text and root.text.strip():
        out.append(("p", clean_inline(root.text)))
    for el in root:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("ul", "ol"):
            for li in el.iter("li"):
                out.append(("li", _text_of(li)))
        elif tag == "li":
            out.append(("li", _text_of(el)))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.append(("h", _text_of(el)))
        elif tag == "table":
            rows = _table_grid(el)
            if rows:
                out.append(("table", rows))
        elif tag:
            text = _text_of(el)
            if text:
                out.append(("p", text))
        if el.tail and el.tail.strip():
            out.append(("p", clean_inline(el.tail)))
    return [(k, v) for k, v in out if v]


def _span(cell: lxml.etree._Element, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return max(1, min(int(value), 50)) if value.isdigit() else 1


def _table_grid(table: lxml.etree._Element) -> list[list[tuple[str, int]]]:
    """Rows of (text, columns spanned): a cell spanning rows leaves an empty cell in each row
    below it, so every cell stays over its own columns."""
    rows: list[list[tuple[str, int]]] = []
    below: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in table.iter("tr"):
        row: list[tuple[str, int]] = []
        cells = [c for c in tr if c.tag in ("td", "th")]
        col = 0
        while cells or below.get(col, 0) > 0:
            if below.get(col, 0) > 0:
                below[col] -= 1
                row.append(("", 1))
                col += 1
                continue
            cell = cells.pop(0)
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            row.append((_text_of(cell, keep_breaks=True), colspan))
            if rowspan > 1:
                below.update(dict.fromkeys(range(col, col + colspan), rowspan - 1))
            col += colspan
        rows.append(row)
    return rows


def _text_of(el: lxml.etree._Element, keep_breaks: bool = False) -> str:
    text = _itertext_with_breaks(el)
    if keep_breaks:
        return "\n".join(x for x in (clean_inline(s) for s in text.split("\n")) if x)
    return clean_inline(text.replace("\n", " "))


def _itertext_with_breaks(el: lxml.etree._Element) -> str:
    parts: list[str] = []

    def rec(node: lxml.etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "br":
                parts.append("\n")
            elif isinstance(child.tag, str):
                rec(child)
            if child.tail:
                parts.append(child.tail)

    rec(el)
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------------------------


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    tokens = text.split()
    glued: list[str] = []
    for tok in tokens:
        if glued and _GLUE_TOKENS_RE.match(tok):
            glued[-1] += "\x00" + tok
        else:
            glued.append(tok)
    lines: list[str] = []
    cur = first
    cur_has = False
    for tok in glued:
        word = tok.replace("\x00", " ")
        candidate = f"{cur} {word}" if cur_has else cur + word
        if cur_has and len(candidate) > width:
            lines.append(cur)
            cur = rest + word
        else:
            cur = candidate
        cur_has = True
    if cur_has:
        lines.append(cur)
    return lines


def _center(text: str, width: int) -> list[str]:
    lines = _wrap(text, min(width - 12, 62))
    return [(" " * max(4, (width - len(ln)) // 2) + ln) for ln in lines]


def _underlined(text: str, width: int) -> list[str]:
    lines = _wrap(text, width)
    return [*lines, "-" * min(width, max(len(x) for x in lines))]


def _right(text: str, width: int) -> str:
    return " " * max(0, width - len(text)) + text


def _text_table(rows: list[list[tuple[str, int]]], width: int = 78) -> list[str]:
    """Columns of text: the first left-aligned, figures right-aligned, and a cell spanning
    columns centred over exactly those columns; a table wider than ``width`` is set as ruled
    panels (``_ruled_table``)."""
    rows = [[(clean_inline(t.replace("\n", " ")), span) for t, span in r] for r in rows]
    rows = [r for r in rows if any(t for t, _ in r)]
    if not rows:
        return []
    lines = _natural_table(rows)
    if max(len(x) for x in lines) <= width:
        return lines
    return _ruled_table(rows, width)


def _natural_table(rows: list[list[tuple[str, int]]]) -> list[str]:
    ncols = max(sum(span for _, span in r) for r in rows)
    widths = [0] * ncols
    for r in rows:
        col = 0
        for text, span in r:
            if span == 1:
                widths[col] = max(widths[col], len(text))
            col += span
    for r in rows:  # widen the last column under a spanned cell that needs more room
        col = 0
        for text, span in r:
            if span > 1:
                have = sum(widths[col : col + span]) + 3 * (span - 1)
                widths[col + span - 1] += max(0, len(text) - have)
            col += span
    out = []
    for r in rows:
        cells, col = [], 0
        for text, span in r:
            width = sum(widths[col : col + span]) + 3 * (span - 1)
            if col == 0:
                cells.append(text.ljust(width))
            elif span > 1:
                cells.append(text.center(width))
            else:
                cells.append(text.rjust(width))
            col += span
        out.append("   ".join(cells).rstrip())
    return out


RULED_GAP = 2  # spaces between the columns of a ruled panel
_STUB_CAP, _COLUMN_CAP = 32, 18  # widths a long label or heading wraps at in a ruled panel


def _ruled_table(rows: list[list[tuple[str, int]]], width: int) -> list[str]:
    """A table too wide for the layout, as panels of columns that fit, the row labels repeated
    in each: ``=`` rules above and below give each column's extent, ``-`` rules end each row,
    and a cell too long for its column wraps inside it (``blocks.read_ruled_table`` reads it
    back cell for cell). A spanned cell stands in the first of its columns."""
    grid = [[t for text, span in r for t in [text] + [""] * (span - 1)] for r in rows]
    ncols = max(len(r) for r in grid)
    grid = [r + [""] * (ncols - len(r)) for r in grid]
    keep = [k for k in range(ncols) if any(r[k] for r in grid)]
    grid = [[r[k] for k in keep] for r in grid]
    if len(keep) == 1:  # one column: its cells are paragraphs, as the importer reads them
        out: list[str] = []
        for r in grid:
            out += [*textwrap.wrap(r[0], width, break_long_words=False, break_on_hyphens=False), ""]
        return out[:-1]
    natural = [max(len(r[k]) for r in grid) for k in range(len(keep))]
    longest = [
        max((len(w) for r in grid for w in r[k].split()), default=1) for k in range(len(keep))
    ]
    widths = [min(natural[0], max(longest[0], _STUB_CAP))] + [
        max(1, min(n, max(w, _COLUMN_CAP))) for n, w in zip(natural[1:], longest[1:], strict=True)
    ]
    widest = max(widths[1:])
    if widths[0] + RULED_GAP + widest > width:  # make room for the widest column beside the label
        widths[0] = max(longest[0], width - RULED_GAP - widest)
    for k in range(1, len(widths)):
        widths[k] = min(widths[k], max(longest[k], width - RULED_GAP - widths[0]))
    panels: list[list[int]] = []
    for k in range(1, len(widths)):
        used = widths[0] + sum(RULED_GAP + widths[j] for j in panels[-1]) if panels else width
        if used + RULED_GAP + widths[k] > width:
            panels.append([])
        panels[-1].append(k)
    out = []
    for panel in panels:
        cols = [0, *panel]
        rule = (" " * RULED_GAP).join("=" * widths[k] for k in cols)
        between = rule.replace("=", "-")
        out.append(rule)
        for n, r in enumerate(grid):
            if n:
                out.append(between)
            wrapped = [
                textwrap.wrap(r[k], widths[k], break_long_words=False, break_on_hyphens=False)
                for k in cols
            ]
            for i in range(max(len(w) for w in wrapped)):
                cells = [
                    (w[i] if i < len(w) else "").ljust(widths[k])
                    if k == 0
                    else (w[i] if i < len(w) else "").rjust(widths[k])
                    for k, w in zip(cols, wrapped, strict=True)
                ]
                out.append((" " * RULED_GAP).join(cells).rstrip())
        out += [rule, ""]
    return out[:-1]


def _wrap_title(title: str, limit: int) -> list[str] | None:
    """Break a job title after a comma or connector so the parser can re-join it."""
    if len(title) <= limit:
        return [title]
    lines: list[str] = []
    rest = title
    while len(rest) > limit:
        cut = -1
        for m in re.finditer(r"(?:,|\band|\bof|&|\bfor)(?= )", rest[: limit + 1]):
            cut = m.end()
        if cut <= 0:
            return None
        lines.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    lines.append(rest)
    return lines


def _contact_lines(c: ExhibitContact, limit: int) -> list[str] | None:
    lines = [c.name] if c.name else []
    if c.title:
        wrapped = _wrap_title(c.title, limit)
        if wrapped is None:
            return None
        lines += wrapped
    if c.organization:
        lines.append(c.organization)
    if c.telephone:
        lines.append(f"Tel: {c.telephone}")
    if c.email:
        lines.append(c.email)
    if any(len(x) > limit for x in lines):
        return None
    return lines


_AUDIENCE_HEADING = {"investors": "INVESTORS", "media": "MEDIA", "": "GENERAL"}


def _needs_heading(audience: str, contacts: list[ExhibitContact]) -> bool:
    """Investor and media groups are always labelled; general contacts only when the parser
    would otherwise guess an audience from their job titles."""
    if audience:
        return True
    return any(
        INVESTOR_WORDS_RE.search(c.title) or MEDIA_WORDS_RE.search(c.title) for c in contacts
    )


def _contact_groups(contacts: list[ExhibitContact]) -> list[tuple[str, list[ExhibitContact]]]:
    groups: dict[str, list[ExhibitContact]] = {}
    for c in contacts:
        groups.setdefault(c.audience if c.audience in _AUDIENCE_HEADING else "", []).append(c)
    return list(groups.items())


def _contacts_text(doc: ExhibitDocument, width: int) -> list[str]:
    groups = _contact_groups(doc.contacts)
    out = [*_underlined("CONTACTS:", width), ""]
    if len(groups) == 2:
        columns: list[list[str]] = []
        for limit in (44, 36, 30):
            cols: list[list[str]] | None = []
            for audience, contacts in groups:
                # side by side, both columns get a heading so the columns line up
                col = [_AUDIENCE_HEADING[audience]]
                for c in contacts:
                    lines = _contact_lines(c, limit)
                    if lines is None:
                        cols = None
                        break
                    col += lines
                if cols is None:
                    break
                cols.append(col)
            if cols:
                left_w = max(len(x) for x in cols[0])
                right_w = max(len(x) for x in cols[1])
                start = max(51, 4 + left_w + 5)
                if start + right_w > width + 2:
                    start = 4 + left_w + 5
                if start + right_w <= width + 2:
                    columns = cols
                    break
        if columns:
            left, right = columns
            for k in range(max(len(left), len(right))):
                lt = left[k] if k < len(left) else ""
                rt = right[k] if k < len(right) else ""
                # headings sit one column left of the names, as in the seed
                lpad = 3 if k == 0 else 4
                rpad = start - 1 if k == 0 else start
                line = (" " * lpad + lt) if lt else ""
                if rt:
                    line = line.ljust(rpad) + rt
                out.append(line.rstrip())
            return out
    for audience, contacts in groups:
        # a general group after an investor/media group must not run on under that heading
        if _needs_heading(audience, contacts) or len(groups) > 1:
            out.append(f"   {_AUDIENCE_HEADING[audience]}:")
        for c in contacts:
            lines = _contact_lines(c, width - 4) or [c.name, c.title, c.organization]
            out += ["    " + x for x in lines if x]
            out.append("")
    while out and not out[-1]:
        out.pop()
    return out


def _section_text(section: ExhibitSection, width: int, ascii_only: bool) -> list[str]:
    out: list[str] = []
    if section.heading:
        out += [*_underlined(_a(section.heading, ascii_only), width), ""]
    out += _blocks_text(_fragment_blocks(section.html), width, ascii_only)
    return out


def _a(text: str, ascii_only: bool) -> str:
    return _ascii(text) if ascii_only else text


def _blocks_text(
    blocks: list[tuple[str, object]], width: int, ascii_only: bool, lead: str = ""
) -> list[str]:
    out: list[str] = []
    pending_lead = lead
    for kind, payload in blocks:
        if kind == "table":
            table = cast(list[list[tuple[str, int]]], payload)  # a table's payload: its rows
            rows = [[(_a(c, ascii_only), n) for c, n in r] for r in table]
            out += [*_text_table(rows, width), ""]
            continue
        text = _a(str(payload), ascii_only)
        if kind == "p" and pending_lead:
            text = pending_lead + text
            pending_lead = ""
        if kind == "li":
            out += _wrap(text, width, "  * ", "    ")
        elif kind == "h":
            out += _wrap(text, width)
        else:
            out += _wrap(text, width)
        out.append("")
    if pending_lead:
        out = [pending_lead.rstrip(), "", *out]
    return out


def render_text(doc: ExhibitDocument, width: int = 78, *, ascii_only: bool = True) -> str:
    """Plain-text Exhibit 99.1 in the seed's layout (``width`` columns, ASCII by default)."""
    a = (lambda s: _ascii(s)) if ascii_only else (lambda s: s)
    out: list[str] = ["", ""]
    if doc.exhibit_label:
        out += [_right(a(doc.exhibit_label), width), "", ""]
    has_letterhead = bool(doc.address_lines or doc.telephone or doc.fax or doc.website)
    if doc.company_name and has_letterhead:
        out += [a(doc.company_name), "-" * (width), "", ""]
        out += [a(x) for x in doc.address_lines]
        phone = "   ".join(
            p
            for p in (doc.telephone and f"TEL: {doc.telephone}", doc.fax and f"FAX: {doc.fax}")
            if p
        )
        if phone:
            out.append(_right(a(phone), width))
        if doc.website:
            out.append(_right(a(doc.website), width))
        out += ["", ""]
    if doc.contacts:
        out += [a(x) for x in _contacts_text(doc, width)] + ["", ""]
    if instruction := _instruction(doc):
        out += [*_underlined(a(instruction), width), "", ""]
    if doc.headline:
        out += [*_center(a(doc.headline), width), ""]
    for sub in doc.subheadlines:
        out += [*_center(a(sub), width), ""]
    lead = a(_dateline(doc, upper_date=True, dash="-"))
    out += _blocks_text(_fragment_blocks(doc.body_html), width, ascii_only, lead=lead)
    for section in doc.abouts:
        out += _section_text(section, width, ascii_only)
    if doc.safe_harbor:
        out += _section_text(doc.safe_harbor, width, ascii_only)
    if doc.end_mark:
        out += [" " * max(0, (width - len(doc.end_mark)) // 2) + a(doc.end_mark), ""]
    for note in doc.notes:
        out += [*_wrap(a(note), width), ""]
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(line.rstrip() for line in out) + "\n"


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_FRAGMENT_TAGS = {
    "p", "br", "b", "i", "u", "ul", "ol", "li", "table", "tr", "td", "th",
    "h2", "h3", "h4", "a", "strong", "em", "thead", "tbody", "img",
}  # fmt: skip
# EDGAR (Filer Manual, vol. II, 5.2.2): an HTML document may show only JPEG or GIF images filed
# with it, named relatively; any other image reference is dropped (its alt text stays).
EDGAR_IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,27}\.(?:jpg|gif)")


def _edgar_fragment(fragment: str) -> str:
    """Sanitise stored HTML to EDGAR's subset; links become "text (url)"."""
    if not fragment:
        return ""
    clean = nh3.clean(
        fragment,
        tags=_FRAGMENT_TAGS,
        # Spans place a header over its own columns ("Quarter ended" over two years).
        attributes={
            "a": {"href"},
            "td": {"colspan", "rowspan"},
            "th": {"colspan", "rowspan"},
            "img": {"src", "alt"},
        },
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    root = lxml.html.fragment_fromstring(clean, create_parent="div")
    for img in list(root.iter("img")):
        if not EDGAR_IMAGE_NAME.fullmatch(img.get("src") or ""):
            parent, prev = img.getparent(), img.getprevious()
            joined = (img.get("alt") or "") + (img.tail or "")
            if prev is not None:
                prev.tail = (prev.tail or "") + joined
            else:
                parent.text = (parent.text or "") + joined
            parent.remove(img)
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        if href.startswith("#") or re.match(r"^https?://(?:www\.)?sec\.gov/", href):
            for attr in list(a.attrib):
                if attr != "href":
                    del a.attrib[attr]
            continue
        text = a.text_content()
        label = (
            text
            if (not href or href in text or href.replace("mailto:", "") in text)
            else (f"{text} ({href.replace('mailto:', '')})")
        )
        # replace the link by its label, keeping surrounding text in place
        parent, prev = a.getparent(), a.getprevious()
        joined = label + (a.tail or "")
        if prev is not None:
            prev.tail = (prev.tail or "") + joined
        else:
            parent.text = (parent.text or "") + joined
        parent.remove(a)
    for tag, repl in (("strong", "b"), ("em", "i")):
        for el in root.iter(tag):
            el.tag = repl
    for el in list(root.iter("thead", "tbody")):
        el.drop_tag()
    for table in root.iter("table"):
        table.set("border", "0")
        table.set("cellpadding", "2")
        table.set("cellspacing", "0")
        for td in table.iter("td"):
            txt = td.text_content().strip()
            if re.fullmatch(r"[$(€£]*-?[\d,.]+\)?%?|[—–-]", txt):
                td.set("align", "right")
    inner = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return inner


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _contacts_html(doc: ExhibitDocument) -> str:
    groups = _contact_groups(doc.contacts)
    labelled = [_needs_heading(a, cs) for a, cs in groups]
    heads = "".join(
        f'<td valign="top"><b>{_e(_AUDIENCE_HEADING[a]) if show else ""}</b></td>'
        for (a, _), show in zip(groups, labelled, strict=False)
    )
    rows = [f"<tr>{heads}</tr>"] if any(labelled) else []
    depth = max(len(cs) for _, cs in groups)
    for k in range(depth):
        cells = []
        for _, contacts in groups:
            if k < len(contacts):
                c = contacts[k]
                lines = [
                    c.name,
                    c.title,
                    c.organization,
                    c.telephone and f"Tel: {c.telephone}",
                    c.email,
                ]
                cells.append('<td valign="top">' + "<br>".join(_e(x) for x in lines if x) + "</td>")
            else:
                cells.append("<td></td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<p><b>CONTACTS:</b></p>\n"
        '<table border="0" cellpadding="4" cellspacing="0" width="100%">'
        + "".join(rows)
        + "</table>\n"
    )


def _section_html(section: ExhibitSection) -> str:
    out = ""
    if section.heading:
        out += f"<p><b>{_e(section.heading)}</b></p>\n"
    return out + _edgar_fragment(section.html) + "\n"


def render_html(doc: ExhibitDocument) -> str:
    """Self-contained HTML exhibit within EDGAR's HTML subset (ASCII, entities for the rest)."""
    title = doc.exhibit_label or "Exhibit 99.1"
    out = [
        "<html><head><title>" + _e(title) + "</title></head>",
        "<body style=\"font-family:'Times New Roman',serif;font-size:10pt\">",
    ]
    if doc.exhibit_label:
        out.append(f'<p align="right"><b>{_e(doc.exhibit_label)}</b></p>')
    if doc.company_name and (doc.address_lines or doc.telephone or doc.fax or doc.website):
        lines = [f"<b>{_e(doc.company_name)}</b>"] + [_e(x) for x in doc.address_lines]
        phone = "&nbsp;&nbsp;&nbsp;".join(
            _e(p)
            for p in (doc.telephone and f"TEL: {doc.telephone}", doc.fax and f"FAX: {doc.fax}")
            if p
        )
        if phone:
            lines.append(phone)
        if doc.website:
            lines.append(_e(doc.website))
        out.append("<p>" + "<br>".join(lines) + "</p>")
        out.append("<hr>")
    if doc.contacts:
        out.append(_contacts_html(doc))
    if instruction := _instruction(doc):
        out.append(f"<p><b>{_e(instruction)}</b></p>")
    if doc.headline:
        out.append(f'<p align="center"><b>{_e(doc.headline)}</b></p>')
    for sub in doc.subheadlines:
        out.append(f'<p align="center"><i>{_e(sub)}</i></p>')
    body = _edgar_fragment(doc.body_html)
    dateline = _dateline(doc, upper_date=False, dash="\u2013")
    if dateline:
        prefix = f"<b>{_e(dateline.strip())}</b> "
        body = "<p>" + prefix + body[3:] if body.startswith("<p>") else f"<p>{prefix}</p>\n" + body
    out.append(body)
    for section in doc.abouts:
        out.append(_section_html(section))
    if doc.safe_harbor:
        out.append(_section_html(doc.safe_harbor))
    if doc.end_mark:
        out.append(f'<p align="center">{_e(doc.end_mark)}</p>')
    for note in doc.notes:
        out.append(f"<p>{_e(note)}</p>")
    out.append("</body></html>")
    text = "\n".join(out) + "\n"
    # EDGAR wants ASCII; everything else as numeric character references.
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")
