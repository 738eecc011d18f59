"""Score the exhibit importer field by field against hand-checked expectations.

A case folder holds exhibits and an ``expected.json`` mapping a file name (or ``"a + b"`` for
files imported one after the other) to ``{"args": [...], "import": bool, "expected": {...}}``.
Each expected key is checked twice: on what ``parse_file`` returns ("parsed") and on what the
``import_exhibit --publish`` command saved, the public page and the text export ("saved").
Every case is imported inside a transaction that is rolled back, so each starts from the same
database and nothing is left behind.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command, load_command_class
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from irsite.contacts.models import CompanyProfile

from .. import edgar
from ..exhibits import ExhibitDocument, ExhibitError, render_html, render_text
from ..models import Release
from ..record import rendering

# Expected keys grouped into the fields the importer issue measures.
GROUPS = {
    "headline": "headline",
    "import": "headline",
    "subheadlines": "subheadlines",
    "subheadline": "subheadlines",
    "company_name": "company",
    "dateline_city": "city",
    "date": "date",
    "error_without_date": "date",
    "ticker": "ticker",
    "saved listing": "ticker",
    "contacts": "contacts",
    "contact": "contacts",
    "investors": "contacts",
    "media": "contacts",
    "second release contact": "contacts",
    "release line": "FIR",
    "fir": "FIR",
    "about": "About",
    "abouts": "About",
    "safe_harbor.heading": "safe harbor",
    "safe_harbor.text_starts": "safe harbor",
    "safe_harbor": "safe harbor",
    "end_mark": "end mark",
    "notes": "notes",
    "wire_tag": "notes",
    "body": "body",
    "body_starts": "body",
    "quote": "body",
    "page_and_export": "body",
}
COLUMNS = [
    "headline", "subheadlines", "company", "city", "date", "ticker", "contacts", "FIR",
    "About", "safe harbor", "end mark", "notes", "body",
]  # fmt: skip


@dataclass
class View:
    """What one import produced, in one shape for parsed documents and saved releases."""

    headline: str = ""
    subheadlines: list[str] = field(default_factory=list)
    company_name: str = ""
    dateline_city: str = ""
    date: str = ""
    ticker: str = ""
    wire_tag: str = ""
    end_mark: str = ""
    notes: list[str] = field(default_factory=list)
    release_instruction: str = ""
    contacts: list[dict[str, str]] = field(default_factory=list)
    abouts: list[tuple[str, str]] = field(default_factory=list)
    safe_harbor: tuple[str, str] | None = None
    body_html: str = ""
    page: str = ""
    export: str = ""
    error: str = ""
    contacts_before: list[list[dict[str, str]]] = field(default_factory=list)


@dataclass
class Case:
    name: str
    files: list[Path]
    args: list[str]
    expected: dict[str, Any]


def load_cases(folder: Path, expected: Path | None = None) -> list[Case]:
    spec = json.loads((expected or folder / "expected.json").read_text(encoding="utf-8"))
    return [
        Case(name, [folder / f.strip() for f in name.split("+")], e.get("args", []), e["expected"])
        for name, e in spec.items()
    ]


def _options(args: list[str]) -> dict[str, str]:
    return {args[i].lstrip("-"): args[i + 1] for i in range(0, len(args) - 1, 2)}


def _contact_dict(c: Any) -> dict[str, str]:
    return {
        k: getattr(c, k) or ""
        for k in ("name", "title", "organization", "telephone", "email", "audience")
    }


def _doc_view(doc: ExhibitDocument) -> View:
    return View(
        headline=doc.headline,
        subheadlines=list(doc.subheadlines),
        company_name=doc.company_name,
        dateline_city=doc.dateline_city,
        date=doc.date.isoformat() if doc.date else "",
        ticker=f"{doc.exchange}: {doc.ticker}" if doc.exchange else doc.ticker,
        wire_tag=doc.wire_tag,
        end_mark=doc.end_mark,
        notes=list(doc.notes),
        release_instruction=getattr(doc, "release_instruction", "")
        or ("FOR IMMEDIATE RELEASE" if doc.for_immediate_release else ""),
        contacts=[_contact_dict(c) for c in doc.contacts],
        abouts=[(a.heading, a.html) for a in doc.abouts],
        safe_harbor=(doc.safe_harbor.heading, doc.safe_harbor.html) if doc.safe_harbor else None,
        body_html=doc.body_html,
        page=render_html(doc),
        export=render_text(doc),
    )


def parse_options(args: list[str]) -> dict[str, Any]:
    opts = _options(args)
    kwargs: dict[str, Any] = {}
    if "date" in opts:
        kwargs["default_date"] = date.fromisoformat(opts["date"])
    if "headline" in opts:
        kwargs["default_headline"] = opts["headline"]
    return kwargs


def parsed_view(case: Case, args: list[str] | None = None) -> View:
    """The last file of the case as ``edgar.parse_file`` reads it."""
    args = case.args if args is None else args
    view = View()
    for path in case.files:
        try:
            docs = edgar.parse_file(path.read_bytes(), str(path), **parse_options(args))
        except (ExhibitError, TypeError) as error:
            return View(error=str(error))
        prior = view.contacts
        view = _doc_view(docs[0][2])
        view.contacts_before.append(prior)
    return view


def saved_view(case: Case, args: list[str] | None = None) -> View:
    """The last file of the case imported with ``import_exhibit --publish`` (rolled back)."""
    args = case.args if args is None else args
    view = View()
    err = StringIO()
    with (
        transaction.atomic(),
        override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
            ALLOWED_HOSTS=["testserver"],
        ),
    ):
        try:
            for path in case.files:
                call_command(
                    "import_exhibit",
                    str(path),
                    "--publish",
                    *_confirm_company_args(),
                    *args,
                    stdout=StringIO(),
                    stderr=err,
                )
            view = _release_view(Release.objects.order_by("-pk").first())
        except (CommandError, ExhibitError) as error:
            view = View(error=f"{error}: {err.getvalue().strip()}")
        transaction.set_rollback(True)
    return view


def _confirm_company_args() -> list[str]:
    """The flag by which a user confirms the exhibit's company details, where it exists."""
    parser = load_command_class("releases", "import_exhibit").create_parser(
        "manage.py", "import_exhibit"
    )
    return ["--company-profile"] if "--company-profile" in parser.format_help() else []


def _release_view(release: Release | None) -> View:
    if release is None:
        return View(error="nothing saved")
    release = Release.objects.for_page().get(pk=release.pk)
    company = CompanyProfile.load()
    response = Client().get(release.get_absolute_url())
    if response.status_code == 200:
        page = response.content.decode()
    else:
        # A draft (an exhibit that prints no headline is never published): the record as the
        # desk's preview prints it.
        record = rendering.render_record(release, preview=True)
        page = f"{record.letterhead}{record.content}"
    safe = release.safe_harbors()
    return View(
        headline=release.headline,
        subheadlines=release.subheadlines,
        company_name=company.legal_name,
        dateline_city=release.dateline_city,
        date=timezone.localdate(release.published_at).isoformat() if release.published_at else "",
        ticker=company.listing,
        wire_tag=getattr(release, "wire_tag", ""),
        end_mark=getattr(release, "end_mark", ""),
        notes=[n for n in getattr(release, "notes", "").split("\n") if n],
        release_instruction=getattr(release, "release_instruction", "FOR IMMEDIATE RELEASE"),
        contacts=[_contact_dict(c) for c in release.ordered_contacts()],
        abouts=[(v.heading, str(v.html)) for v in release.abouts()],
        safe_harbor=(safe[0].heading, str(safe[0].html)) if safe else None,
        body_html=release.body,
        page=page,
        export=render_text(edgar.to_exhibit(release)),
    )


# --- checks --------------------------------------------------------------------------------


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _blocks(body: str) -> list[str]:
    return re.findall(r"<(?:p|h\d|li|table)\b[^>]*>(.*?)</(?:p|h\d|li|table)>", body, re.S)


def _contacts_match(got: list[dict[str, str]], want: list[list[str]]) -> bool:
    if len(got) != len(want):
        return False
    for c, w in zip(got, want, strict=True):
        name, audience, *reach = w
        if c["name"] != name or (c["audience"] or "") != audience:
            return False
        if reach and reach[0] not in (c["telephone"], c["email"]):
            return False
    return True


def with_supplied_headline(view: View, case: Case, saved: bool) -> View:
    """An exhibit that prints no headline is scored as its importer asks: given ``--headline``
    (as ``--date`` is given for one that prints no date)."""
    if "--headline" not in view.error or "--headline" in case.args:
        return view
    again = (saved_view if saved else parsed_view)(case, [*case.args, "--headline", HEADLINE])
    return again if not again.error else view


HEADLINE = "Supplied headline"


def check(key: str, want: Any, view: View, case: Case, saved: bool) -> bool:
    """Whether ``view`` holds what ``expected[key]`` says."""
    if key == "error_without_date":
        again = (saved_view if saved else parsed_view)(case, [])
        return "dateline has no date" in again.error
    if key == "import":
        # A filing that prints no headline imports with the headline empty (issue 28, K14):
        # nothing may be invented; otherwise an import gives a headline.
        empty_allowed = isinstance(want, str) and (
            "empty headline" in want or want.startswith("accepted")
        )
        return not view.error and (bool(view.headline) or empty_allowed)
    if view.error:
        return False
    if key in ("headline", "company_name", "dateline_city", "date", "ticker", "wire_tag"):
        return getattr(view, key) == want
    if key == "end_mark":
        return view.end_mark == want and want in view.page and want in view.export
    if key == "saved listing":
        return view.ticker == want
    if key == "fir":
        return (view.release_instruction.upper() == "FOR IMMEDIATE RELEASE") == want
    if key == "subheadlines":
        return view.subheadlines == want
    if key == "subheadline":
        parts = [p.strip() for p in want.split("(")[0].split("...") if p.strip()]
        joined = " ".join(view.subheadlines)
        return all(p in joined for p in parts)
    if key == "contacts":
        return _contacts_match(view.contacts, want)
    if key == "contact":
        return bool(view.contacts) and all(view.contacts[0][k] == v for k, v in want.items())
    if key in ("investors", "media"):
        return [c["name"] for c in view.contacts if c["audience"] == key] == want
    if key == "second release contact":
        name, reach = want
        return any(
            c["name"] == name and reach in (c["telephone"], c["email"]) for c in view.contacts
        )
    if key == "safe_harbor.heading":
        return view.safe_harbor is not None and view.safe_harbor[0] == want
    if key == "safe_harbor.text":
        return view.safe_harbor is not None and _check_paragraphs(want, view.safe_harbor[1])
    if key == "links":
        return _check_links(want, view)
    if key == "page":
        return _check_page(want, view)
    if key == "safe_harbor.text_starts":
        return view.safe_harbor is not None and _text(view.safe_harbor[1]).startswith(want)
    if key == "body_starts":
        return _text(view.body_html).startswith(want)
    if key == "notes":
        heads = [w.split("...")[0].strip() for w in want]
        texts = view.notes + [_text(b) for b in _blocks(view.body_html)]
        return all(any(t.startswith(h) for t in texts) for h in heads)
    if key == "about":
        return bool(view.abouts) and all(
            "@" not in _text(h) and len(_blocks(h)) == 1 for _, h in view.abouts
        )
    if key == "release line":
        instruction = view.release_instruction
        shown = " ".join([view.headline, *view.subheadlines, _text(view.body_html)])
        return instruction.upper().startswith("FOR RELEASE") and "FOR RELEASE" not in shown.upper()
    if key == "quote":
        return bool(re.search(r"<p>[^<]*[”\"][^<]*<br\s*/?>\s*—", view.body_html))
    if key == "body":
        return _check_body(want, view)
    if key == "page_and_export":
        return _check_page_and_export(want, view)
    raise ValueError(f"no check for expected key {key!r}")


def _quoted(want: str) -> list[str]:
    """The phrases an expectation quotes ('...'), without a trailing ellipsis."""
    return [q.removesuffix("...").strip() for q in re.findall(r"'([^']+)'", want)]


def _check_paragraphs(want: str, html_: str) -> bool:
    blocks = [_text(b) for b in _blocks(html_)]
    counts = {"both": 2, "two": 2, "three": 3}
    count = next((n for word, n in counts.items() if want.startswith(word)), None)
    ending = _quoted(want)
    return (count is None or len(blocks) == count) and all(
        blocks and blocks[-1].endswith(q) for q in ending
    )


def _check_links(want: str, view: View) -> bool:
    """A lead-in and the URL lines that finish it, kept together in one section (the About or
    the body): in its block, or in the blocks right after it, and not split off as notes."""
    lead_in = _quoted(want)[0]
    places = [h for _, h in view.abouts] + [view.body_html]
    for place in places:
        blocks = _blocks(place)
        for n, block in enumerate(blocks):
            if lead_in in _text(block):
                following = " ".join(blocks[n : n + 3])
                return not view.notes and len(re.findall(r"https?://", following)) >= 2
    return False


def _check_page(want: str, view: View) -> bool:
    """The safe harbor printed where it stands in the filing: before the quoted text and the
    table that follow it."""
    if view.safe_harbor is None:
        return False
    page = view.page
    text = _text(page)
    harbor = text.find(_text(view.safe_harbor[1])[:60])
    later = [text.find(q) for q in _quoted(want) or []]
    # The body's tables: after the headline (the EDGAR export sets its contacts, above the
    # headline, in a table of their own).
    headline = html.escape(view.headline[:30], quote=False)
    starts = [page.find(h) for h in (headline, _as_entities(headline)) if h]
    table = page.find("<table", max([0, *starts]))
    return (
        harbor >= 0
        and all(harbor < at for at in later)
        and (table < 0 or page.find(_text(view.safe_harbor[1])[:30]) < table)
    )


def _as_entities(text: str) -> str:
    """``text`` as the EDGAR export writes it: ASCII, numeric references for the rest."""
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _check_body(want: str, view: View) -> bool:
    blocks = _blocks(view.body_html)
    if want.startswith("only the lead paragraph"):
        return len(blocks) == 1
    if "highlights as <li> items" in want:
        items = [_text(i) for i in re.findall(r"<li\b[^>]*>(.*?)</li>", view.body_html, re.S)]
        paragraphs = re.findall(r"<p\b", view.body_html)
        glyphs = ("•", "·", "●", "▪", "-", "o ")
        return (
            len(items) == 3
            and all(i and not i.startswith(glyphs) for i in items)
            and len(paragraphs) >= 2
        )
    if "stays in the body" in want:
        phrase = _quoted(want)[0]
        contact = re.search(r"contact ([^()]+) \((\w+)\)", want)
        named = contact is None or any(
            c["name"] == contact.group(1).strip() and c["audience"] == contact.group(2)
            for c in view.contacts
        )
        return phrase in _text(view.body_html) and named
    if want.startswith("ends with the table"):
        body = view.body_html.rstrip()
        return body.endswith("</table>") and not re.search(r"<p>\s*#+\s*</p>", body)
    if "(more)" in want:
        return "(more)" not in _text(view.body_html)
    m = re.match(r"(\d+) paragraphs", want)
    if m:
        return len(blocks) == int(m.group(1)) and "<li" not in view.body_html
    if "nested under" in want:
        colon = re.search(r"<p>As outlined[^<]*will be:</p>", view.body_html)
        nested = re.search(
            r"<li>Organized[^<]*<ul>\s*<li>Wound Care[^<]*</li>\s*<li>Dental", view.body_html
        )
        return bool(colon and nested)
    raise ValueError(f"no check for body expectation {want!r}")


def _check_page_and_export(want: str, view: View) -> bool:
    if "78-column" in want:
        body = view.body_html
        fls = body.find("This press release contains forward-looking")
        ok = 0 <= fls < body.find("designs tablets") < body.find("<table")
        width = max((len(line) for line in view.export.splitlines()), default=0)
        return ok and width <= 78 and "forward-looking" in _text(view.page)
    quoted = re.findall(r"'([^']+)'", want)
    needles = [*quoted, "NOTE TO EDITORS", "registered trademarks"]
    present = all(n in _text(doc) for n in needles for doc in (view.page, view.export))
    absent = "no FOR IMMEDIATE RELEASE" not in want or all(
        "FOR IMMEDIATE RELEASE" not in doc.upper() for doc in (view.page, view.export)
    )
    return present and absent


# --- scoring -------------------------------------------------------------------------------


@dataclass
class Row:
    case: str
    parsed: dict[str, list[bool]]
    saved: dict[str, list[bool]]


def score(folder: Path, expected: Path | None = None) -> list[Row]:
    rows = []
    for case in load_cases(folder, expected):
        parsed = with_supplied_headline(parsed_view(case), case, saved=False)
        saved = with_supplied_headline(saved_view(case), case, saved=True)
        row = Row(case.name, {}, {})
        for key, want in case.expected.items():
            group = GROUPS.get(key, key)
            row.parsed.setdefault(group, []).append(check(key, want, parsed, case, False))
            row.saved.setdefault(group, []).append(check(key, want, saved, case, True))
        rows.append(row)
    return rows


def _cell(results: list[bool] | None) -> str:
    if not results:
        return ""
    return "ok" if all(results) else f"{sum(results)}/{len(results)}"


def markdown(title: str, rows: list[Row]) -> str:
    """A table: one row per case, ``parsed | saved`` per field, then totals."""
    head = ["case", *COLUMNS, "parsed", "saved"]
    out = [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    totals = {"parsed": [0, 0], "saved": [0, 0]}
    per_col = {c: {"parsed": [0, 0], "saved": [0, 0]} for c in COLUMNS}
    for row in rows:
        cells = []
        for col in COLUMNS:
            p, s = row.parsed.get(col), row.saved.get(col)
            cells.append(f"{_cell(p)} / {_cell(s)}" if p else "")
            for kind, res in (("parsed", p), ("saved", s)):
                if res:
                    per_col[col][kind][0] += sum(res)
                    per_col[col][kind][1] += len(res)
        counts = []
        for kind in ("parsed", "saved"):
            res = [r for v in getattr(row, kind).values() for r in v]
            totals[kind][0] += sum(res)
            totals[kind][1] += len(res)
            counts.append(f"{sum(res)}/{len(res)}")
        out.append(f"| {row.case} | " + " | ".join(cells + counts) + " |")
    col_cells = []
    for col in COLUMNS:
        parsed, saved = per_col[col]["parsed"], per_col[col]["saved"]
        col_cells.append(f"{parsed[0]}/{parsed[1]} / {saved[0]}/{saved[1]}" if parsed[1] else "")
    pct = {k: 100 * v[0] / v[1] if v[1] else 0 for k, v in totals.items()}
    out.append(
        "| **total** | "
        + " | ".join(col_cells)
        + f" | **{totals['parsed'][0]}/{totals['parsed'][1]} ({pct['parsed']:.0f} %)**"
        + f" | **{totals['saved'][0]}/{totals['saved'][1]} ({pct['saved']:.0f} %)** |"
    )
    out += ["", "Cells: parsed / saved; `ok`: every check of the field passed, else passed/checks."]
    return "\n".join(out)
