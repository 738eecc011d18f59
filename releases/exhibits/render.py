"""Render an ExhibitDocument as a plain-text Exhibit 99.1 (the HTML one is in ``html_render.py``,
re-exported here).

The text layout follows the seed exhibit (ImmunoGen, 2003): right-aligned exhibit label,
letterhead underlined with dashes, INVESTORS / MEDIA contacts side by side, FOR IMMEDIATE
RELEASE, centred headline, dateline leading into the first paragraph, wrapped paragraphs,
underlined ABOUT and safe-harbor headings. Both outputs parse back to the same document.
"""

from __future__ import annotations

import re
from typing import cast

from .html_render import EDGAR_TAGS, render_html
from .model import ExhibitContact, ExhibitDocument, ExhibitSection
from .render_common import (
    _AUDIENCE_HEADING,
    _ascii,
    _contact_groups,
    _dateline,
    _fragment_blocks,
    _instruction,
    _needs_heading,
    split_blocks,
)
from .text_layout import _center, _right, _text_table, _underlined, _wrap

__all__ = ["EDGAR_TAGS", "render_html", "render_text"]


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
    body, rest = split_blocks(doc.body_html, doc.standard_texts_at)
    out += _blocks_text(_fragment_blocks(body), width, ascii_only, lead=lead)
    # Standard texts set inside the body (before the tables, K22) stand between rules, so the
    # importer reads them back as such, at their place, whatever follows.
    rule = ["-" * width, ""] if rest else []
    out += rule
    for section in doc.abouts:
        out += _section_text(section, width, ascii_only)
    if doc.safe_harbor:
        out += _section_text(doc.safe_harbor, width, ascii_only)
    if rest:
        out += [*rule, *_blocks_text(_fragment_blocks(rest), width, ascii_only)]
    if doc.end_mark:
        out += [" " * max(0, (width - len(doc.end_mark)) // 2) + a(doc.end_mark), ""]
    for note in doc.notes:
        out += [*_wrap(a(note), width), ""]
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(line.rstrip() for line in out) + "\n"
