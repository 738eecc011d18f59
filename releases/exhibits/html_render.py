"""Render an ExhibitDocument as EDGAR-safe HTML (the subset the Filer Manual accepts)."""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html
import nh3

from .model import ExhibitDocument, ExhibitSection
from .render_common import (
    _AUDIENCE_HEADING,
    _contact_groups,
    _dateline,
    _instruction,
    _needs_heading,
    split_blocks,
)

__all__ = ["EDGAR_TAGS", "render_html"]

# Tags EDGAR accepts in HTML exhibits that this renderer emits (EDGAR Filer Manual, HTML 3.2/4.0
# subset). No script, link, img, iframe, object, form, style sheet or external reference.
EDGAR_TAGS = frozenset(
    {
        "html", "head", "title", "body", "p", "div", "table", "tr", "td", "th", "b", "i", "u",
        "font", "br", "hr", "center", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a",
    }
)  # fmt: skip

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
    head, rest = split_blocks(doc.body_html, doc.standard_texts_at)
    body = _edgar_fragment(head)
    dateline = _dateline(doc, upper_date=False, dash="\u2013")
    if dateline:
        prefix = f"<b>{_e(dateline.strip())}</b> "
        body = "<p>" + prefix + body[3:] if body.startswith("<p>") else f"<p>{prefix}</p>\n" + body
    out.append(body)
    # Standard texts set inside the body (before the tables, K22) stand between rules, as in
    # the text export, so the importer reads them back at their place.
    if rest:
        out.append("<hr>")
    for section in doc.abouts:
        out.append(_section_html(section))
    if doc.safe_harbor:
        out.append(_section_html(doc.safe_harbor))
    if rest:
        out += ["<hr>", _edgar_fragment(rest)]
    if doc.end_mark:
        out.append(f'<p align="center">{_e(doc.end_mark)}</p>')
    for note in doc.notes:
        out.append(f"<p>{_e(note)}</p>")
    out.append("</body></html>")
    text = "\n".join(out) + "\n"
    # EDGAR wants ASCII; everything else as numeric character references.
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")
