"""Renderer tests: seed layout, EDGAR HTML rules, and parse(render(doc)) round trips."""

from __future__ import annotations

import datetime
import html
import re

import lxml.html
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from releases.exhibits import (
    ExhibitContact,
    ExhibitDocument,
    ExhibitSection,
    parse_exhibit,
    render_html,
    render_text,
)
from releases.exhibits.render import EDGAR_TAGS
from releases.exhibits.render_common import split_blocks
from tests.conftest import corpus_dir, needs_corpus

# Real filings come from $IRSITE_TEST_CORPUS (tests/conftest.py); .ci/run always provides them.
SHARED = corpus_dir()
SEED = "seed/ex99-1-immunogen-2003-01-24.txt"


def plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment or "")).split())


def grouped(contacts: list[ExhibitContact]) -> list[ExhibitContact]:
    """Contacts as the renderers lay them out: grouped by audience, in first-seen order."""
    order: list[str] = []
    for c in contacts:
        if c.audience not in order:
            order.append(c.audience)
    return sorted(contacts, key=lambda c: order.index(c.audience))


def key_fields(doc: ExhibitDocument) -> dict[str, object]:
    """The fields a round trip must preserve."""
    return {
        "headline": doc.headline,
        "subheadlines": doc.subheadlines,
        "city": doc.dateline_city,
        "date": doc.date,
        "contacts": [
            (c.name, c.title, c.organization, c.telephone, c.email, c.audience)
            for c in grouped(doc.contacts)
        ],
        "body": plain(doc.body_html),
        "abouts": [(a.heading, plain(a.html)) for a in doc.abouts],
        "safe_harbor": doc.safe_harbor and (doc.safe_harbor.heading, plain(doc.safe_harbor.html)),
        # Where the standard texts stand: the text of the body printed before them (K22).
        "before_standard_texts": plain(split_blocks(doc.body_html, doc.standard_texts_at)[0]),
    }


def reparse_text(doc: ExhibitDocument, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit(render_text(doc, **kwargs).encode("utf-8"), filename="ex99.txt")


def reparse_html(doc: ExhibitDocument) -> ExhibitDocument:
    return parse_exhibit(render_html(doc).encode("ascii"), filename="ex99.htm")


def seed_doc() -> ExhibitDocument:
    return parse_exhibit((SHARED / SEED).read_bytes(), filename="seed.txt")


# ---------------------------------------------------------------------------------------------
# Seed layout
# ---------------------------------------------------------------------------------------------


@needs_corpus
def test_render_text_of_seed_reads_like_the_seed() -> None:
    text = render_text(seed_doc())
    lines = text.splitlines()
    assert max(len(x) for x in lines) <= 80
    assert lines[2].endswith("EXHIBIT 99.1") and lines[2].startswith(" " * 40)
    i = lines.index("IMMUNOGEN, INC.")
    assert set(lines[i + 1]) == {"-"}
    assert "128 Sidney Street, Cambridge, MA 02139-4239" in lines
    assert any(
        x.strip() == "TEL: (617) 995-2500   FAX: (617) 995-2510" and x.startswith("   ")
        for x in lines
    )
    # INVESTORS and MEDIA side by side, names on the same line
    header = next(x for x in lines if "INVESTORS" in x)
    assert "MEDIA" in header and header.index("MEDIA") > 40
    assert any("Carol Hausner" in x and "Pete Holmberg" in x for x in lines)
    assert "FOR IMMEDIATE RELEASE" in lines
    headline_line = next(x for x in lines if "IMMUNOGEN, INC. REGAINS" in x)
    assert headline_line.startswith("    ")  # centred
    assert any(x.startswith("CAMBRIDGE, MA, JANUARY 24, 2003 - ImmunoGen, Inc.") for x in lines)
    assert "ABOUT IMMUNOGEN, INC." in lines and "FOR IMMUNOGEN, INC." in lines
    assert text.isascii()


@needs_corpus
def test_render_text_of_seed_at_80_columns_matches_the_seed_paragraphs() -> None:
    original = (SHARED / SEED).read_text().replace("\r\n", "\n")
    rendered = render_text(seed_doc(), width=80)
    # Body paragraphs wrap exactly like the seed (which was wrapped at 80 columns).
    for para in ("No payments were made by either company", "Cantuzumab mertansine is a Tumor"):
        start_o, start_r = original.index(para), rendered.index(para)
        assert (
            original[start_o : original.index("\n\n", start_o)]
            == rendered[start_r : rendered.index("\n\n", start_r)]
        )


# ---------------------------------------------------------------------------------------------
# EDGAR HTML rules
# ---------------------------------------------------------------------------------------------


def assert_edgar_html(out: str) -> None:
    lower = out.lower()
    for banned in ("<script", "<link", "<img", "src=", "<iframe", "<object", "<embed", "<style"):
        assert banned not in lower
    assert out.isascii()
    for href in re.findall(r'href\s*=\s*"([^"]*)"', out, re.IGNORECASE):
        assert href.startswith("#") or re.match(r"https?://(www\.)?sec\.gov/", href)
    root = lxml.html.document_fromstring(out)
    tags = {el.tag for el in root.iter() if isinstance(el.tag, str)}
    assert tags <= EDGAR_TAGS, tags - EDGAR_TAGS


@needs_corpus
@pytest.mark.parametrize(
    "name", [SEED, "corpus/011_oracle_2014-06-19.htm", "corpus/020_nvidia_2026-02-25.htm"]
)
def test_render_html_uses_only_edgar_tags_and_no_external_references(name: str) -> None:
    doc = parse_exhibit((SHARED / name).read_bytes(), filename=name)
    assert_edgar_html(render_html(doc))


def test_render_html_turns_links_into_text_with_url() -> None:
    doc = ExhibitDocument(
        headline="Acme Launches Website",
        dateline_city="BOSTON, Mass.",
        date=datetime.date(2020, 5, 1),
        body_html='<p>Acme Corp. today launched <a href="https://acme.example/">its site</a>.'
        '<script>alert(1)</script> See <a href="https://www.sec.gov/x">filings</a>.</p>',
    )
    out = render_html(doc)
    assert_edgar_html(out)
    assert "its site (https://acme.example/)" in out
    assert 'href="https://www.sec.gov/x"' in out


# ---------------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------------


@needs_corpus
def test_seed_round_trips_through_render_text() -> None:
    doc = seed_doc()
    assert key_fields(reparse_text(doc)) == key_fields(doc)


@needs_corpus
def test_seed_round_trips_through_render_html() -> None:
    doc = seed_doc()
    again = reparse_html(doc)
    assert key_fields(again) == key_fields(doc)
    assert (again.company_name, again.exhibit_label) == (doc.company_name, doc.exhibit_label)


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "corpus/001_cisco_1995-08-10.txt",
        "corpus/003_apple_1996-12-20.txt",
        "corpus/008_apple_2004-07-14.htm",
        "corpus/014_adobe_2023-03-15.htm",
        "corpus/017_buckle_2024-11-22.htm",
        "corpus/018_beyond-cancer_2024-12-03.htm",
        "corpus/020_nvidia_2026-02-25.htm",
    ],
)
def test_corpus_file_round_trips_through_both_renderers(name: str) -> None:
    doc = parse_exhibit((SHARED / name).read_bytes(), filename=name)
    assert key_fields(reparse_html(doc)) == key_fields(doc)
    assert key_fields(reparse_text(doc, ascii_only=False)) == key_fields(doc)


def test_to_dict_is_json_serialisable() -> None:
    import json

    doc = ExhibitDocument(
        headline="H", date=datetime.date(2003, 1, 24), contacts=[ExhibitContact("A B")]
    )
    data = json.loads(json.dumps(doc.to_dict()))
    assert data["date"] == "2003-01-24" and data["contacts"][0]["name"] == "A B"


# ---------------------------------------------------------------------------------------------
# Property: random plausible documents survive both renderers
# ---------------------------------------------------------------------------------------------

WORDS = [
    "revenue",
    "growth",
    "quarter",
    "product",
    "customers",
    "market",
    "results",
    "company",
    "board",
    "investment",
    "program",
    "platform",
    "launch",
    "record",
    "increase",
    "partner",
    "clinical",
    "trial",
    "agreement",
    "annual",
    "net",
    "income",
    "operating",
    "expansion",
    "strategy",
    "outlook",
    "guidance",
    "dividend",
    "share",
    "research",
    "data",
]
CAP_WORDS = [w.capitalize() for w in WORDS]
CITIES = [
    "CAMBRIDGE, MA",
    "SAN JOSE, Calif.",
    "NEW YORK",
    "HOFFMAN ESTATES, Ill.",
    "TORONTO, Ontario",
]
FIRST = ["Carol", "Pete", "Maria", "John", "Aiko", "Rahul"]
LAST = ["Hausner", "Holmberg", "Lopez", "Smith", "Tanaka", "Gupta"]
TITLES = [
    "Senior Director, Investor Relations",
    "Vice President, Corporate Communications",
    "Chief Financial Officer",
    "Director of Investor Relations",
]
ORGS = ["Acme Widgets, Inc.", "Rx Communications Group, LLC", "Globex Corporation", ""]
SH_HEADINGS = ["Forward-Looking Statements", "Safe Harbor Statement", "Cautionary Statement"]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)


@st.composite
def sentences(draw: st.DrawFn, min_words: int = 8) -> str:
    ws = draw(st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=60))
    return ws[0].capitalize() + " " + " ".join(ws[1:]) + "."


@st.composite
def contacts(draw: st.DrawFn) -> ExhibitContact:
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    telephone = draw(st.sampled_from(["", "(617) 995-2500", "+1-847-286-9669"]))
    email = draw(st.sampled_from(["", f"{first.lower()}@example.com"]))
    # A press contact says how to reach them: every filing in the corpus and the cases gives a
    # telephone or an e-mail. A bare name on its own line above a headline reads as either, in
    # a filing as in our export (found by this test: "Carol Holmberg" / "Revenue Revenue ...").
    if not (telephone or email):
        email = f"{first.lower()}.{last.lower()}@example.com"
    return ExhibitContact(
        name=f"{first} {last}",
        title=draw(st.sampled_from(["", *TITLES])),
        organization=draw(st.sampled_from(ORGS)),
        telephone=telephone,
        email=email,
        audience=draw(st.sampled_from(["investors", "media", ""])),
    )


@st.composite
def documents(draw: st.DrawFn) -> ExhibitDocument:
    headline = " ".join(draw(st.lists(st.sampled_from(CAP_WORDS), min_size=3, max_size=14)))
    subs = [
        " ".join(draw(st.lists(st.sampled_from(CAP_WORDS), min_size=3, max_size=10)))
        for _ in range(draw(st.integers(0, 2)))
    ]
    paras = draw(st.lists(sentences(), min_size=1, max_size=6))
    company = draw(st.sampled_from(["Acme Widgets, Inc.", "Globex Corporation"]))
    paras[0] = f"{company} today announced that {paras[0][0].lower()}{paras[0][1:]}"
    abouts = [
        ExhibitSection(
            f"About {name}",
            "".join(f"<p>{p}</p>" for p in draw(st.lists(sentences(), min_size=1, max_size=2))),
        )
        for name in draw(
            st.lists(st.sampled_from(["Acme", "Globex", "the Trial"]), max_size=2, unique=True)
        )
    ]
    safe = None
    if draw(st.booleans()):
        safe = ExhibitSection(draw(st.sampled_from(SH_HEADINGS)), f"<p>{draw(sentences())}</p>")
    return ExhibitDocument(
        exhibit_label=draw(st.sampled_from(["", "EXHIBIT 99.1", "Exhibit 99"])),
        contacts=draw(st.lists(contacts(), max_size=4, unique_by=lambda c: c.name)),
        for_immediate_release=draw(st.booleans()),
        headline=headline,
        subheadlines=subs,
        dateline_city=draw(st.sampled_from(CITIES)),
        date=draw(st.dates(datetime.date(1995, 1, 1), datetime.date(2030, 12, 31))),
        body_html="".join(f"<p>{p}</p>" for p in paras),
        abouts=abouts,
        safe_harbor=safe,
    )


@settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(documents())
def test_random_documents_round_trip_through_text_and_html(doc: ExhibitDocument) -> None:
    expected = key_fields(doc)
    assert key_fields(reparse_text(doc)) == expected
    out = render_html(doc)
    assert_edgar_html(out)
    assert key_fields(parse_exhibit(out.encode(), filename="x.htm")) == expected


def test_contacts_stacked_under_one_heading_round_trip_through_text() -> None:
    """Found by the property test above: two investor contacts of the same length-ish, each
    indented by four spaces, were read as a centred headline from the second one on."""
    doc = ExhibitDocument(
        contacts=[
            ExhibitContact(
                name="Carol Hausner", organization="Acme Widgets, Inc.", audience="investors"
            ),
            ExhibitContact(
                name="Carol Holmberg", organization="Acme Widgets, Inc.", audience="investors"
            ),
        ],
        headline="Revenue Revenue Revenue",
        dateline_city="CAMBRIDGE, MA",
        date=datetime.date(2000, 1, 1),
        body_html="<p>Acme Widgets, Inc. today announced that revenue rose again.</p>",
    )
    assert key_fields(reparse_text(doc)) == key_fields(doc)


# ---------------------------------------------------------------------------------------------
# Tables wider than the text layout (K20)
# ---------------------------------------------------------------------------------------------


def table_cells(fragment: str) -> list[list[list[str]]]:
    """Each table's rows of cell texts, whitespace and <br> read as one space."""
    root = lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    return [
        [[" ".join(td.text_content().split()) for td in tr.iter("td", "th")] for tr in t.iter("tr")]
        for t in root.iter("table")
    ]


def wide_table_document(rows: list[list[str]]) -> ExhibitDocument:
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return ExhibitDocument(
        headline="Acme Reports Quarterly Results",
        dateline_city="BOSTON, MA",
        date=datetime.date(2012, 1, 20),
        body_html="<p>Acme Widgets, Inc. today announced quarterly revenue of $4.2 billion.</p>"
        f"<p>CONDENSED STATEMENTS OF OPERATIONS</p><table>{cells}</table>"
        "<p>Acme Widgets, Inc. designs widgets for schools and hospitals around the world.</p>",
    )


def test_a_table_wider_than_the_layout_is_set_in_panels_that_read_back_cell_for_cell() -> None:
    rows = [
        [
            "",
            "Three Months Ended Dec. 31, 2011",
            "Three Months Ended Dec. 25, 2010",
            "Change in dollars",
            "Change in percent",
            "Six Months Ended Dec. 31, 2011",
            "Six Months Ended Dec. 25, 2010",
        ],
        ["Net sales including services and accessories", "$4,210", "$3,870", "$340", "8.8%",
         "$8,120", "$7,410"],
    ]  # fmt: skip
    doc = wide_table_document(rows)
    text = render_text(doc)
    assert max(len(line) for line in text.splitlines()) <= 78
    # Each panel repeats the row labels beside the columns that fit.
    assert text.count("Net sales including services and") == 3
    again = reparse_text(doc)
    assert table_cells(again.body_html) == [rows]
    assert key_fields(again) == key_fields(doc)


FIGURES = ["$4,210", "(341)", "8.8%", "—", "12", "$1,234,567", "n/a", "(0.05)"]
LABEL_WORDS = [*WORDS, "Three", "Months", "Ended", "Dec.", "31,", "2011", "non-GAAP",
               "infrastructure-as-a-service", "(in", "millions)"]  # fmt: skip


@st.composite
def wide_tables(draw: st.DrawFn) -> list[list[str]]:
    ncols = draw(st.integers(2, 12))
    nrows = draw(st.integers(1, 8))
    cell = st.one_of(
        st.just(""),
        st.sampled_from(FIGURES),
        st.lists(st.sampled_from(LABEL_WORDS), min_size=1, max_size=14).map(" ".join),
    )
    rows = [[draw(cell) for _ in range(ncols)] for _ in range(nrows)]
    # What the importer hands the renderer: no empty row or column, the widest past 78.
    rows = [r for r in rows if any(r)]
    keep = [k for k in range(ncols) if any(r[k] for r in rows)]
    rows = [[r[k] for k in keep] for r in rows]
    assume(len(keep) >= 2 and sum(max(len(r[k]) + 3 for r in rows) for k in range(len(keep))) > 81)
    return rows


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(wide_tables())
def test_random_wide_tables_fit_78_columns_and_read_back_cell_for_cell(
    rows: list[list[str]],
) -> None:
    doc = wide_table_document(rows)
    text = render_text(doc, ascii_only=False)
    assert max(len(line) for line in text.splitlines()) <= 78
    again = parse_exhibit(text.encode(), filename="ex99.txt")
    assert table_cells(again.body_html) == [rows]
    assert key_fields(again) == key_fields(doc)


SPLIT_BODY = (
    '<p>Lead &amp; <a href="x?a=1&gt;2">more</a><br>line</p>\n<h3 class="a>b">H</h3>'
    "<ul><li>one<ul><li>nested</li></ul></li></ul>"
)


@pytest.mark.parametrize(
    ("n", "cut"),
    [
        (None, len(SPLIT_BODY)),  # no place: all of it
        (0, len(SPLIT_BODY)),  # the lead comes first
        (1, SPLIT_BODY.index("<h3")),
        (2, SPLIT_BODY.index("<ul>")),  # a list, nested lists and all, is one block
        (3, len(SPLIT_BODY)),  # past the last block
    ],
)
def test_split_blocks_cuts_before_a_top_level_block_keeping_the_markup_as_written(
    n: int | None, cut: int
) -> None:
    assert split_blocks(SPLIT_BODY, n) == (SPLIT_BODY[:cut], SPLIT_BODY[cut:])


def test_standard_texts_inside_the_body_stand_between_rules_in_both_exports() -> None:
    doc = ExhibitDocument(
        headline="Acme Reports Results",
        dateline_city="BOSTON, Mass.",
        date=datetime.date(2020, 5, 1),
        body_html="<p>Acme Corp. today reported results.</p><p>Acme makes anvils.</p>"
        "<table><tr><td>Revenue</td><td>$5</td></tr></table>",
        abouts=[ExhibitSection("About Acme", "<p>Acme makes anvils and rockets.</p>")],
        safe_harbor=ExhibitSection(
            "",
            "<p>This press release contains forward-looking statements about Acme's revenue, "
            "which involve risks and uncertainties; actual results may differ materially from "
            "those expressed.</p>",
        ),
        standard_texts_at=1,
    )
    text = render_text(doc)
    assert text.index("About Acme") < text.index("forward-looking") < text.index("anvils.")
    assert text.count("-" * 78) == 2
    out = render_html(doc)
    assert out.index("About Acme") < out.index("forward-looking") < out.index("anvils.")
    assert out.count("<hr>") == 2
    for again in (reparse_text(doc), reparse_html(doc)):
        assert key_fields(again) == key_fields(doc) and again.standard_texts_at == 1
