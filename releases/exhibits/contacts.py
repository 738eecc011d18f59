"""Contacts: stacked lines, side-by-side columns (HTML tables or fixed-width text) and wire
trailers ("/CONTACT: ... /").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .blocks import Block, clean_inline
from .model import ExhibitContact
from .patterns import (
    ADDRESS_RE,
    AUDIENCE_LABEL_RE,
    CONTACT_HEADER_RE,
    EMAIL_RE,
    FAX_LINE_RE,
    INVESTOR_WORDS_RE,
    MAILBOX_INVESTORS_RE,
    MAILBOX_MEDIA_RE,
    MEDIA_WORDS_RE,
    NAME_RE,
    NAME_SUFFIX_ONLY_RE,
    ORG_RE,
    PHONE_RE,
    TITLE_CONTINUES_RE,
    TITLE_RE,
    TRAILER_CONTACT_RE,
    URL_RE,
)


def audience_of(text: str) -> str:
    if INVESTOR_WORDS_RE.search(text):
        return "investors"
    if MEDIA_WORDS_RE.search(text):
        return "media"
    return ""


def is_phone_line(t: str) -> bool:
    m = PHONE_RE.search(t)
    if not m or sum(ch.isdigit() for ch in m.group()) < 7:
        return False
    rest = PHONE_RE.sub(" ", t).strip(" ,;:/")
    rest = re.sub(r"\b(?:or|and|alt\.?|alternate|toll[- ]free)\b", "", rest, flags=re.IGNORECASE)
    rest = re.sub(
        r"\b(?:tel|telephone|phone|ph|office|direct|mobile|cell|main|t|p|o|m|c|work|fax)\b\.?:?",
        "",
        rest,
        flags=re.IGNORECASE,
    )
    return len(rest.strip(" ,;:/().-")) <= 2


def is_name(t: str) -> bool:
    t = t.strip()
    if not NAME_RE.match(t) or TITLE_RE.search(t) or ORG_RE.search(t):
        return False
    words = t.replace(",", " ").split()
    return 2 <= len(words) <= 6 and not any(w.lower() in ("the", "and", "of", "for") for w in words)


class _ContactBuilder:
    def __init__(self, audience: str | None = None) -> None:
        self.contacts: list[ExhibitContact] = []
        self.cur: ExhibitContact | None = None
        # None: no header seen (guess from titles); "" : a header for general contacts
        self.audience = audience
        self.prev_kind = ""

    def close(self) -> None:
        c = self.cur
        if c and (c.name or c.email or c.telephone):
            if not c.audience:
                # no header said who this contact is for: guess from the job title
                c.audience = self.audience if self.audience is not None else audience_of(c.title)
            self.contacts.append(c)
        self.cur = None
        self.prev_kind = ""

    def current(self) -> ExhibitContact:
        if self.cur is None:
            self.cur = ExhibitContact(name="", audience=self.audience or "")
        return self.cur

    def feed(self, line: str | None) -> None:
        if line is None:
            self.close()
            return
        s = clean_inline(line).strip(" []")
        if not s or s.lower() in ("or", "and", "&"):
            self.close()  # "or" between two stacked contacts
            return
        c = self.cur
        if (
            c is not None
            and self.prev_kind == "title"
            and TITLE_CONTINUES_RE.search(c.title)
            and not EMAIL_RE.search(s)
            and not is_phone_line(s)
        ):
            c.title = f"{c.title} {s}"
            return
        hm = CONTACT_HEADER_RE.match(s)
        if hm and len(s) >= 120 and not _one_line_entry(hm):
            hm = None
        am = AUDIENCE_LABEL_RE.match(s)
        if am and not hm and self.cur and self.cur.name and self.prev_kind == "name":
            # "Investor Relations" right under a name is that person's department
            self.cur.audience = self.cur.audience or audience_of(am.group("label"))
            self.cur.title = self.cur.title or s
            self.prev_kind = "title"
            return
        if hm or (am and (len(s) < 40 or am.group("rest"))):
            m = hm or am
            assert m is not None  # one of them matched, as the condition says
            label = m.group("label")
            rest = m.group("rest").strip(" :-–")
            self.close()
            self.audience = header_audience(label)
            if not rest:
                return
            s = rest
        self.feed_value(s)

    def feed_value(self, s: str) -> None:
        # e-mail addresses and phone numbers can share a line with other fields
        for em in EMAIL_RE.findall(s):
            c = self.current()
            if c.email and c.email != em and (c.name or c.telephone):
                self.close()
                c = self.current()
            c.email = c.email or em
        if EMAIL_RE.search(s):
            s = EMAIL_RE.sub("", s)
            s = re.sub(r"\b(?:e-?mail|email)\s*:?", "", s, flags=re.IGNORECASE).strip(" ,;:/|")
        if not s:
            self.prev_kind = "email"
            return
        if is_phone_line(s):
            c = self.current()
            nums = [m.group().strip() for m in PHONE_RE.finditer(s)]
            # "555-201-4400 or 1-800-555-0140": the first number, the others as alternatives
            num = nums[0] + "".join(f" (alt. {n})" for n in nums[1:])
            if re.search(r"\bfax\b", s, re.IGNORECASE):
                self.prev_kind = "fax"
                return
            if not c.telephone:
                c.telephone = num
            self.prev_kind = "phone"
            return
        # "Thomas B. Heacock, Chief Financial Officer" / "Corey Davis, PhD"
        parts = [p.strip() for p in s.split(",") if p.strip()]
        if len(parts) > 1 and is_name(parts[0]) and not ORG_RE.search(s.split(",", 1)[1][:6]):
            name = parts[0]
            rest = parts[1:]
            while rest and NAME_SUFFIX_ONLY_RE.match(rest[0]):
                name += ", " + rest.pop(0)
            self.take_name(name)
            for p in rest:
                if is_phone_line(p):
                    self.feed_value(p)
                elif ORG_RE.search(p) and not TITLE_RE.search(p):
                    self.current().organization = self.current().organization or p
                else:
                    c = self.current()
                    c.title = f"{c.title}, {p}" if c.title else p
                    self.prev_kind = "title"
            return
        self.classify(s)

    def take_name(self, name: str) -> None:
        c = self.cur
        if c is not None and (c.name or (self.prev_kind and self.prev_kind != "org")):
            self.close()
        self.current().name = name
        self.prev_kind = "name"

    def classify(self, s: str) -> None:
        c = self.cur
        # Wrapped job titles: "Senior Director, Investor Relations and" / "Corporate Communications"
        if (
            c is not None
            and self.prev_kind == "title"
            and (s[0].islower() or TITLE_CONTINUES_RE.search(c.title))
            and not (ORG_RE.search(s) and not TITLE_RE.search(s))
        ):
            c.title = f"{c.title} {s}"
            return
        is_org = bool(ORG_RE.search(s))
        is_title = bool(TITLE_RE.search(s))
        if URL_RE.fullmatch(s):
            self.prev_kind = "web"
            return
        if is_org and not (is_title and not re.search(r"\b(?:Inc|LLC|Ltd|Corp|plc)\b", s)):
            cur = self.current()
            if cur.organization and cur.name and cur.telephone:
                self.close()
                cur = self.current()
            if not cur.organization:
                cur.organization = s
            self.prev_kind = "org"
            return
        if is_name(s):
            self.take_name(s)
            return
        cur = self.current()
        if is_title:
            if cur.title and self.prev_kind == "title":
                cur.title = f"{cur.title} {s}"
            elif not cur.title:
                cur.title = s
            elif not cur.organization:
                cur.organization = s
            self.prev_kind = "title"
            return
        if not cur.name and len(s.split()) >= 2 and not cur.title:
            cur.name = s
            self.prev_kind = "name"
        elif not cur.organization:
            cur.organization = s
            self.prev_kind = "org"
        elif not cur.title:
            cur.title = s
            self.prev_kind = "title"


_MAILBOX_AUDIENCE = ((MAILBOX_INVESTORS_RE, "investors"), (MAILBOX_MEDIA_RE, "media"))


# A contacts header stands on a short line ("Acme Investor Relations Contact:"); a longer line
# opening like one is prose, unless it is a whole contact on one line: the header, then a
# name with a phone number or e-mail (K04), however long the company prefix, title and e-mail
# make it.
HEADER_LINE_MAX = 90


def contact_header(line: str) -> re.Match[str] | None:
    """The contacts header opening ``line``: a header line, or a one-line contact."""
    m = CONTACT_HEADER_RE.match(line)
    if m and (len(line) < HEADER_LINE_MAX or _one_line_entry(m)):
        return m
    return None


def labelled_contact(line: str) -> re.Match[str] | None:
    """An audience label with a whole contact after it ("Investors: Name, phone")."""
    m = AUDIENCE_LABEL_RE.match(line)
    return m if m and _one_line_entry(m) else None


def _one_line_entry(m: re.Match[str]) -> bool:
    rest = m.group("rest")
    if m.start("rest") >= HEADER_LINE_MAX or not rest or len(rest) > 240:
        return False
    if not (EMAIL_RE.search(rest) or PHONE_RE.search(rest)):
        return False
    return is_name(re.split(r"[,;(]|\s+(?:or|at|on)\s+", rest, maxsplit=1)[0])


def bare_reach_contact(text: str) -> ExhibitContact | None:
    """A line that is only an e-mail address ("press@acme.com" under the About text, perhaps
    "E-mail:"): a contact with no name, for the audience its mailbox names."""
    if "@" not in text:  # asked of every paragraph after the main text; few hold an address
        return None
    s = re.sub(r"^(?:e-?mail|tel(?:ephone)?|phone)\s*:?\s*", "", text.strip(), flags=re.I)
    email = EMAIL_RE.fullmatch(s.strip(" ."))
    if email:
        local = email.group().split("@")[0]
        audience = next((a for rx, a in _MAILBOX_AUDIENCE if rx.match(local)), "")
        return ExhibitContact(name="", email=email.group(), audience=audience)
    return None


def header_audience(label: str) -> str | None:
    """Audience named by a contact header; "" for general contacts, None when it says nothing."""
    aud = audience_of(label)
    if aud:
        return aud
    if re.search(r"\b(?:general|other|company|additional)\b", label, re.IGNORECASE):
        return ""
    return None


def parse_contact_lines(
    lines: list[str | None], audience: str | None = None
) -> list[ExhibitContact]:
    """Contacts from stacked lines (None = a blank line between entries)."""
    builder = _ContactBuilder(audience)
    for ln in lines:
        builder.feed(ln)
    builder.close()
    return builder.contacts


def is_contact_table(b: Block, after_header: bool) -> bool:
    if b.kind != "table":
        return False
    if b.raw:
        # fixed-width text: side-by-side columns, each cell a line of a stacked contact
        raw = [ln for ln in b.raw if ln.strip()]
        if len(raw) > 14 or any(len(re.split(r" {3,}", ln.strip())) > 3 for ln in raw):
            return False
        flat = [c for ln in raw for c in re.split(r" {3,}", ln.strip())]
    else:
        cells = [c for row in b.rows for c in row if c]
        if any(len(c) > 160 for c in cells) or len(b.rows) > 14 or (b.rows and len(b.rows[0]) > 5):
            return False
        flat = [ln for c in cells for ln in c.split("\n")]
    if any(CONTACT_HEADER_RE.match(x) for x in flat):
        return True
    if b.raw and any(AUDIENCE_LABEL_RE.match(c) for c in re.split(r" {3,}", b.raw[0].strip())):
        return True
    if b.rows and all(AUDIENCE_LABEL_RE.match(c) for c in b.rows[0] if c):
        return True  # column headings: INVESTORS | MEDIA
    has_reach = any(EMAIL_RE.search(x) or is_phone_line(x) for x in flat)
    named = any(is_name(x.split(",")[0]) for x in flat)
    if after_header and (has_reach or named):
        return True
    letterhead = sum(1 for x in flat if ADDRESS_RE.search(x) or FAX_LINE_RE.search(x))
    return has_reach and letterhead == 0 and any(is_name(x.split(",")[0]) for x in flat)


def _split_text_columns(raw: list[str]) -> tuple[list[str], list[str]]:
    """Split side-by-side contact columns in fixed-width text on the right column's start."""
    starts = []
    for ln in raw:
        gaps = list(re.finditer(r"\S( {3,})(?=\S)", ln))
        if gaps:
            starts.append(gaps[-1].end())
    if not starts:
        return [ln.strip() for ln in raw], []
    split = min(starts)
    left, right = [], []
    for ln in raw:
        indent = len(ln) - len(ln.lstrip())
        if indent >= split - 1:
            left.append("")
            right.append(ln.strip())
            continue
        lpart, rpart = ln[:split], ln[split:]
        if lpart and not lpart.endswith(" ") and rpart and not rpart.startswith(" "):
            # a long left line running past the split point: all of it belongs left
            left.append(ln.strip())
            right.append("")
            continue
        left.append(lpart.strip())
        right.append(rpart.strip())
    return left, right


def parse_contact_table(
    b: Block, header_lines: Sequence[str | None] | None = None
) -> list[ExhibitContact]:
    """Contacts laid out in columns: an HTML table or fixed-width text columns."""
    audience: str | None = None
    for ln in header_lines or []:
        if ln:
            m = CONTACT_HEADER_RE.match(ln) or AUDIENCE_LABEL_RE.match(ln)
            if m:
                audience = header_audience(m.group("label"))
    columns: list[list[str]] = []
    if b.rows and not b.raw and _has_label_column(b.rows):
        return _contacts_by_row(b.rows, audience)
    if b.raw:
        left, right = _split_text_columns(b.raw)
        columns = [left, right]
    else:
        ncols = max(len(r) for r in b.rows)
        for j in range(ncols):
            col: list[str] = []
            for r in b.rows:
                cell = r[j] if j < len(r) else ""
                col.extend(cell.split("\n") if cell else [])
                if cell and "\n" in cell:
                    col.append("")  # a whole contact per cell: blank after it
            columns.append(col)
    contacts: list[ExhibitContact] = []
    for col in columns:
        lines: list[str | None] = []
        col_audience = audience
        for _k, ln in enumerate(col):
            s = ln.strip()
            if not s:
                lines.append(None)
                continue
            hm = CONTACT_HEADER_RE.match(s)
            am = AUDIENCE_LABEL_RE.match(s)
            first = not any(x for x in lines)
            label_rest = AUDIENCE_LABEL_RE.match(hm.group("rest")) if hm else None
            if label_rest and not label_rest.group("rest"):
                # "CONTACTS:   MEDIA" - the block's header on the column-heading line
                found = header_audience(label_rest.group("label"))
                col_audience = found if found is not None else col_audience
                lines.append(None)
                continue
            if (hm or (am and first)) and not (hm or am).group("rest"):  # type: ignore[union-attr]
                label = (hm or am).group("label")  # type: ignore[union-attr]
                # A label column ("Contact:") or a column heading ("INVESTORS")
                found = header_audience(label)
                col_audience = found if found is not None else col_audience
                lines.append(None)
                continue
            lines.append(s)
        contacts.extend(parse_contact_lines(lines, col_audience))
    return contacts


def _bare_label(cell: str) -> str | None:
    """The label of a cell holding only an audience label or a contacts header ("Media
    Contact:", "Investor Relations:"), else None."""
    s = cell.strip()
    m = CONTACT_HEADER_RE.match(s) or AUDIENCE_LABEL_RE.match(s)
    return m.group("label") if m and not m.group("rest").strip(" :-–") else None


def _has_label_column(rows: list[list[str]]) -> bool:
    """A table whose left column labels the details beside it ("Media Contact:" | name, phone),
    row by row (K07): every left cell is a bare label or empty, some labelled row has text to
    its right, and each row's details are one entry's, in one cell or spread over several
    (name | phone | e-mail); side-by-side contacts under one label (two names, two phones in
    a row), and column headings such as INVESTORS | MEDIA, are read by column."""
    if any(r[0] and _bare_label(r[0]) is None for r in rows if r):
        return False
    if not all(_one_entry([c for c in r[1:] if c]) for r in rows):
        return False
    return any(len(r) >= 2 and r[0] and any(r[1:]) for r in rows)


def _one_entry(cells: list[str]) -> bool:
    """Whether the cells of a row hold one contact's details: one cell, or one-line cells of
    which no two give a name, a phone number or an e-mail address each."""
    if len(cells) <= 1:
        return True
    names = sum(1 for c in cells if is_name(c.split(",")[0]))
    phones = sum(1 for c in cells if PHONE_RE.search(c))
    emails = sum(1 for c in cells if EMAIL_RE.search(c))
    return max(names, phones, emails) <= 1 and all("\n" not in c for c in cells)


def _contacts_by_row(rows: list[list[str]], audience: str | None) -> list[ExhibitContact]:
    """Contacts of a label-column table: each row's details go under the label on its left;
    rows with an empty label cell continue the row above, as a column of lines does."""
    contacts: list[ExhibitContact] = []
    lines: list[str | None] = []
    for row in rows:
        label = _bare_label(row[0]) if row[0] else None
        if label is not None:
            contacts.extend(parse_contact_lines(lines, audience))
            lines = []
            found = header_audience(label)
            audience = found if found is not None else audience
        for cell in row[1:] if label is not None or not row[0] else row:
            if cell:
                lines.extend(cell.split("\n"))
                if "\n" in cell:
                    lines.append(None)  # a whole contact per cell: blank after it
    contacts.extend(parse_contact_lines(lines, audience))
    return contacts


def parse_wire_trailer(text: str) -> list[ExhibitContact]:
    """Contacts from a PR Newswire style ``/CONTACT: ... /`` trailer."""
    m = TRAILER_CONTACT_RE.search(text)
    if not m:
        return []
    body = clean_inline(m.group("body"))
    org = ""
    om = re.search(r",?\s*(?:both|all)\s+of\s+(?P<org>[^/]+?)\s*$", body)
    if om:
        org = om.group("org").strip()
        body = body[: om.start()]
    contacts = []
    for chunk in re.split(r",?\s+or\s+|;\s*", body):
        chunk = chunk.strip(" ,")
        if not chunk:
            continue
        c = ExhibitContact(name="", organization=org)
        for part in [p.strip() for p in chunk.split(",") if p.strip()]:
            em = EMAIL_RE.search(part)
            if em:
                c.email = c.email or em.group()
            elif is_phone_line(part):
                c.telephone = c.telephone or PHONE_RE.search(part).group().strip()  # type: ignore[union-attr]
            elif re.search(r"\bcontacts?\b", part, re.IGNORECASE) and not c.name:
                c.audience = audience_of(part)
            elif not c.name:
                nm = re.match(r"^(?P<name>.+?)\s+of\s+(?P<org>.+)$", part)
                if nm and is_name(nm.group("name")):
                    c.name, c.organization = nm.group("name"), nm.group("org")
                else:
                    c.name = part
            elif TITLE_RE.search(part) and not c.title:
                c.title = part
            elif not c.organization:
                c.organization = part
        if not c.audience:
            c.audience = audience_of(f"{c.title} {chunk.split(',')[0]}")
        if c.name or c.telephone or c.email:
            contacts.append(c)
    return contacts
