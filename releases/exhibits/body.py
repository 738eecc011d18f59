"""The body: paragraphs, headings, lists and tables; About and safe-harbor sections; contacts,
end marks and notes after the text; the company and ticker named in the lead.
"""

from __future__ import annotations

import html
import re

from .blocks import Block
from .contacts import (
    bare_reach_contact,
    contact_header,
    is_contact_table,
    labelled_contact,
    parse_contact_lines,
    parse_contact_table,
    parse_wire_trailer,
)
from .front import Item, is_contact_line
from .model import ExhibitDocument, ExhibitSection
from .patterns import (
    ABOUT_RE,
    BOARD_RE,
    END_MARK_RE,
    FLS_HEADING_RE,
    FLS_OPENER_RE,
    INTRO_WORD_RE,
    LEAD_COMPANY_RE,
    LEGAL_FORM_COMMA_RE,
    MARK_RE,
    NAME_CONNECTORS,
    RUN_IN_HEADING_RE,
    SYMBOL_RE,
    URL_RE,
    WIRE_CODES_RE,
    first_ticker,
    has_fls_words,
    is_note,
)
from .reading import (
    between_rules,
    entry_has_reach,
    is_heading,
    label_over_entry,
    main_text_follows,
)


def is_fls_paragraph(t: str, window: int = 400) -> bool:
    return len(t) > 150 and has_fls_words(t[:window])


def _inline_heading(b: Block) -> tuple[str, str] | None:
    """A run-in heading: "SAFE HARBOR STATEMENT ...: All forward-looking statements ..."."""
    if b.lead_bold and len(b.lead_bold) < 200 and len(b.text) > len(b.lead_bold) + 20:
        return b.lead_bold, b.text[len(b.lead_bold) :].strip()
    m = RUN_IN_HEADING_RE.match(b.text) if b.text.find(":", 0, 201) >= 6 else None
    if m and (m.group("h").upper() == m.group("h") or FLS_HEADING_RE.search(m.group("h"))):
        return m.group("h"), m.group("rest")
    return None


def _p(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def table_html(rows: list[list[str]], spans: list[list[int]] | None = None) -> str:
    """A table of ``rows``; ``spans`` (as ``Block.spans``, when it fits the rows) gives a cell
    covering several columns its colspan, so a heading stands over every figure it heads."""
    if (
        spans
        and [len(s) for s in spans] == [len(r) for r in rows]
        and any(n != 1 for s in spans for n in s)
    ):
        out = ["<table>", "<tbody>"]
        for row, span in zip(rows, spans, strict=True):
            cells = "".join(
                (f'<td colspan="{n}">' if n > 1 else "<td>")
                + html.escape(c, quote=False).replace("\n", "<br>")
                + "</td>"
                for c, n in zip(row, span, strict=True)
                if n
            )
            out.append(f"<tr>{cells}</tr>")
        out += ["</tbody>", "</table>"]
        return "".join(out)
    # The whole table escaped in one go: cells joined by \x00, rows by \x01, split after (when
    # no cell holds either character and no row is empty, as in every table seen); else cell
    # by cell.
    joined = "\x01".join(map("\x00".join, rows))
    if (
        rows
        and all(rows)
        and joined.count("\x01") == len(rows) - 1
        and joined.count("\x00") == sum(map(len, rows)) - len(rows)
    ):
        cells = (
            html.escape(joined, quote=False)
            .replace("\x00", "</td><td>")
            .replace("\x01", "</td></tr><tr><td>")
            .replace("\n", "<br>")
        )
        return f"<table><tbody><tr><td>{cells}</td></tr></tbody></table>"
    out = ["<table>", "<tbody>"]
    for row in rows:
        cells = "".join(f"<td>{html.escape(c, quote=False)}</td>" for c in row)
        cells = cells.replace("\n", "<br>")
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return "".join(out)


class _Out:
    """Collects HTML for the body or a section, wrapping consecutive bullets in <ul>; a bullet
    indented deeper than the one before opens a list nested in that item."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.levels: list[int] = []  # indent of each open <ul>, outermost first
        self.blocks = 0  # top-level blocks so far: paragraphs, headings, tables, lists

    def add(self, piece: str, bullet: bool = False, indent: int = 0) -> None:
        if not bullet:
            self._close_to(0)
            self.parts.append(piece)
            self.blocks += 1
            return
        if not self.levels:
            self.parts.append("<ul>")
            self.levels.append(indent)
            self.blocks += 1
        elif indent > self.levels[-1]:
            self.parts[-1] = self.parts[-1].removesuffix("</li>")
            self.parts.append("<ul>")
            self.levels.append(indent)
        else:
            while len(self.levels) > 1 and indent < self.levels[-1]:
                self.levels.pop()
                self.parts.append("</ul></li>")
        self.parts.append(piece)

    def end_block(self) -> int:
        """Close an open list (what comes next stands after it); the top-level blocks so far."""
        self._close_to(0)
        return self.blocks

    def _close_to(self, depth: int) -> None:
        while len(self.levels) > depth:
            self.levels.pop()
            self.parts.append("</ul></li>" if self.levels else "</ul>")

    def html(self) -> str:
        self._close_to(0)
        return "".join(self.parts)


def _block_html(b: Block, heading: bool = False) -> tuple[str, bool]:
    if b.kind == "table":
        return table_html(b.rows or [[x] for x in b.raw], b.spans), False
    # HTML line breaks inside a paragraph (a quote over its attribution) are kept.
    lines = b.lines if not b.raw and len(b.lines) > 1 else [b.text]
    esc = "<br>".join(html.escape(x, quote=False) for x in lines)
    if b.bullet:
        return f"<li>{esc}</li>", True
    if heading:
        return f"<h3>{html.escape(b.text, quote=False)}</h3>", False
    return f"<p>{esc}</p>", False


def parse_body(blocks: list[Block], doc: ExhibitDocument) -> None:
    body = _Out()
    section: tuple[str, str, _Out] | None = None  # (kind, heading, out)
    single_para_section = False
    tail = False  # past the main text: notices go to notes
    contact_mode = False
    contact_lines: list[str | None] = []
    # Where the last paragraph went when it ends in ":" ("... are posted at:"): the URL lines
    # right after it finish its sentence and go there too, never to the notes (K26).
    leadin: _Out | None = None

    harbor_at = 0  # top-level blocks of the body printed before the safe harbor

    def close_section() -> None:
        nonlocal section, harbor_at
        if section:
            kind, heading, out = section
            sec = ExhibitSection(heading=heading, html=out.html())
            if kind == "about":
                doc.abouts.append(sec)
            elif doc.safe_harbor is None:
                doc.safe_harbor = sec
                # The body gets no block while a section is open: this is where it stood.
                harbor_at = body.end_block()
            else:
                doc.safe_harbor.html += sec.html
        section = None

    def flush_contacts() -> None:
        nonlocal contact_lines, contact_mode
        if contact_lines:
            doc.contacts.extend(parse_contact_lines(contact_lines))
        contact_lines = []
        contact_mode = False

    def next_para(i: int) -> Block | None:
        for b in blocks[i + 1 : i + 3]:
            if b.kind == "p":
                return b
            if b.kind == "table":
                return None
        return None

    # Notices closing the document (trademarks, "home page" lines) are notes even when no
    # About / safe-harbor / end mark comes before them.
    tail_start = len(blocks)
    for k in range(len(blocks) - 1, -1, -1):
        bk = blocks[k]
        if bk.kind == "hr" or (bk.kind == "p" and len(bk.text) < 800 and is_note(bk.text)):
            tail_start = k
            continue
        break

    taken = -1  # blocks up to this one were read with the block that opened their entry
    for i, b in enumerate(blocks):
        if i <= taken:
            continue
        if i >= tail_start:
            tail = True
        if b.kind == "hr":
            if contact_mode:
                contact_lines.append(None)
            continue
        t = b.text.strip()
        if leadin is not None and b.kind == "p" and URL_RE.match(t):
            piece, bullet = _block_html(b)
            leadin.add(piece, bullet, b.indent)
            continue
        leadin = None
        # -- contacts -------------------------------------------------------------------------
        if b.kind == "table" and is_contact_table(b, contact_mode):
            close_section()
            header = contact_lines
            contact_lines = []
            doc.contacts.extend(parse_contact_table(b, header))
            contact_mode = False
            tail = True
            continue
        if b.kind == "p" and "/" in t and "/CONTACT:" in t.upper().replace(" ", ""):
            close_section()
            flush_contacts()
            doc.contacts.extend(parse_wire_trailer(b.text))
            if re.search(r"(?:^|\s)-0-(?:\s|$)", b.text) and not doc.end_mark:
                doc.end_mark = "-0-"
            tail = True
            continue
        if b.kind == "p" and WIRE_CODES_RE.match(t) and tail:
            continue
        first_line = (b.lines[0] if b.lines else t).strip("[] ")
        # An audience label alone over its entry takes the entry's paragraphs with it.
        entry_end = label_over_entry(blocks, i) if b.kind == "p" else None
        if entry_end is not None or (
            b.kind == "p" and (contact_header(first_line) or labelled_contact(first_line))
        ):
            close_section()
            flush_contacts()
            contact_mode = True
            tail = True
            for k in range(i, (entry_end or i) + 1):
                contact_lines.extend(blocks[k].lines or [blocks[k].text.strip()])
            taken = entry_end or i
            continue
        if contact_mode:
            # After a break (a blank line, a page break), only an entry with its own phone or
            # e-mail continues the block, as in the front matter (K21): a section heading after
            # the contacts, across a "(more)" and a page break, is not one more contact (K24).
            broke = b.gap_before or bool(contact_lines and contact_lines[-1] is None)
            if (
                b.kind == "p"
                and (not broke or entry_has_reach(blocks, i))
                and not (is_heading(b) and (ABOUT_RE.match(t) or FLS_HEADING_RE.search(t)))
                and (
                    (len(b.lines) > 1 and all(len(x) < 90 for x in b.lines))
                    or is_contact_line(Item(t, b, b.line))
                )
                and not is_note(t)
            ):
                if b.gap_before:
                    contact_lines.append(None)
                contact_lines.extend(b.lines or [t])
                continue
            flush_contacts()
        # -- end marks and notes ---------------------------------------------------------------
        if b.kind == "p" and END_MARK_RE.match(t):
            close_section()
            doc.end_mark = doc.end_mark or re.sub(r"\s+", " ", t)
            tail = True
            continue
        if (
            b.kind == "p"
            and (tail or section)
            and len(t) < 800
            and is_note(t)
            and not (section and section[0] == "safe" and has_fls_words(t))
        ):
            close_section()
            if not re.fullmatch(r"trademarks?:?", t, re.IGNORECASE):
                doc.notes.append(t)
            continue
        bare = bare_reach_contact(t) if b.kind == "p" and (section or tail) else None
        if bare:
            close_section()  # an e-mail under the About text is a contact, not part of it
            doc.contacts.append(bare)
            tail = True
            continue
        # -- About and safe-harbor sections ---------------------------------------------------
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        heading = is_heading(
            b, after is not None and after.kind == "p" and bool(URL_RE.match(after.text.strip()))
        )
        if heading and ABOUT_RE.match(t):
            close_section()
            section = ("about", t, _Out())
            single_para_section = False
            tail = True
            continue
        if (
            heading
            and doc.safe_harbor is None
            and (
                FLS_HEADING_RE.search(t)
                or (next_para(i) is not None and is_fls_paragraph(next_para(i).text))  # type: ignore[union-attr]
            )
        ):
            close_section()
            section = ("safe", t, _Out())
            single_para_section = False
            tail = True
            continue
        if b.kind == "p" and doc.safe_harbor is None and not (section and section[0] == "safe"):
            inline = _inline_heading(b)
            if inline and FLS_HEADING_RE.search(inline[0]):
                close_section()
                section = ("safe", inline[0], _Out())
                section[2].add(_p(inline[1]))
                single_para_section = False
                tail = True
                continue
            # Unheaded safe harbor: "This press release contains forward-looking statements..."
            # or, after the main text, "Certain statements in this press release ... are
            # forward-looking statements" (the phrase can come late in a long list).
            # Neither kind without forward-looking words in its first 2,500 characters.
            fls_near = is_fls_paragraph(t, 2500)
            opener = FLS_OPENER_RE.match(t) if fls_near else None
            # Followed by more of the release, it stays where it stands (before the tables),
            # unless it is set off from that by rules (K22).
            if fls_near and (
                (tail and (opener or is_fls_paragraph(t, 400)))
                or (
                    opener
                    and is_fls_paragraph(t)
                    and (between_rules(blocks, i) or not main_text_follows(blocks, i))
                )
            ):
                close_section()
                section = ("safe", "", _Out())
                section[2].add(_p(t))
                single_para_section = True
                tail = True
                continue
        if section:
            ends = (
                heading
                or b.kind == "table"
                or single_para_section
                or (b.align == "center" and not b.bullet)
            )
            if not ends:
                piece, bullet = _block_html(b)
                section[2].add(piece, bullet, b.indent)
                leadin = section[2] if b.kind == "p" and t.endswith(":") else None
                continue
            close_section()
        # -- body -------------------------------------------------------------------------------
        if b.kind == "p" and not t:
            continue
        piece, bullet = _block_html(b, heading=heading and b.kind == "p")
        body.add(piece, bullet, b.indent)
        leadin = body if b.kind == "p" and t.endswith(":") else None
    close_section()
    flush_contacts()
    if doc.safe_harbor is not None and 0 < harbor_at < body.blocks:
        # More of the body follows the safe harbor: it is printed where it stands (K22).
        doc.standard_texts_at = harbor_at
    doc.body_html = body.html()


def first_paragraph_text(body_html: str) -> str:
    m = re.search(r"<p>(.*?)</p>", body_html, re.DOTALL)
    return html.unescape(m.group(1)) if m else ""


def company_from_lead(lead: str) -> str:
    """The company the lead opens with: its subject, past any introductory phrase (K23)."""
    rest = _past_introductory_phrase(lead)
    if rest is not None:
        # Past the phrase a subject that is no name ("the company", "it") gives none: the
        # phrase's words never are one.
        return _lead_subject(rest)
    return _lead_subject(lead)


_SENTENCE_BREAK_RE = re.compile(r"[.!?][\"”’)]?\s")
_LEAD_VERB_RE = re.compile(r"\b(?:today|announced|reported|said|unveiled|declared)\b", re.I)


def _past_introductory_phrase(lead: str) -> str | None:
    """The lead after an opening phrase closed by a comma ("Citing ..., Acme today ..."), or
    None when it opens with its subject. A phrase starts with a preposition or participle, or
    holds a lower-case word that no company name holds (names keep "of", "and", "de" ...). It
    runs to the first comma a named subject follows; with none, to its first comma."""
    first: str | None = None
    for comma in re.finditer(r",\s+", lead[:200]):
        if LEGAL_FORM_COMMA_RE.match(lead, comma.start()):
            continue
        phrase = lead[: comma.start()].strip()
        # A phrase is part of the lead's first sentence and holds no verb of the lead itself
        # ("Apple today announced results for ... 2004. For the quarter, ..." opens with its
        # subject), nor a parenthesis (the subject's ticker: "Acme (NYSE: A), citing ...").
        if (
            len(phrase) < 2
            or "(" in phrase
            or _SENTENCE_BREAK_RE.search(phrase)
            or _LEAD_VERB_RE.search(phrase)
        ):
            break
        if first is None:
            words = phrase.split()
            if not (
                INTRO_WORD_RE.match(phrase)
                or any(w[:1].islower() and w not in NAME_CONNECTORS for w in words[1:])
            ):
                return None
            first = lead[comma.end() :]
        rest = lead[comma.end() :]
        subject = _lead_subject(rest)
        if subject and "," not in LEGAL_FORM_COMMA_RE.sub(" ", subject):
            return rest
    return first


def _lead_subject(lead: str) -> str:
    m = LEAD_COMPANY_RE.match(lead)
    if not m:
        return ""
    co = MARK_RE.sub("", m.group("co")).strip(" ,-")
    board = BOARD_RE.match(co)
    if board:
        co = board.group("co")
    if (
        len(co.split()) > 8
        or co.lower() in ("the", "we", "it", "this", "our")
        or (not co[0].isupper() and not co[0].isdigit())
    ):
        return ""
    return co


def find_ticker(lead: str, doc: ExhibitDocument) -> tuple[str, str]:
    m = first_ticker(lead)
    if m:
        return re.sub(r"\s+", " ", m.group("ex")), m.group("sym")
    # Most leads name the ticker; the text of the whole body is made only when this one does not.
    texts = (strip_tags(doc.body_html), " ".join(strip_tags(a.html) for a in doc.abouts))
    for text in texts:
        m = first_ticker(text)
        if m:
            return re.sub(r"\s+", " ", m.group("ex")), m.group("sym")
    for text in texts:
        m = SYMBOL_RE.search(text) if "symbol" in text else None
        if m:
            return m.group("ex"), m.group("sym")
    return "", ""


def strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))
