"""The layout kinds of issue 28, each read by its rule: one example test per kind (written to
fail before its fix) and property tests that vary the kind's wording and layout."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releases.exhibits import ExhibitDocument, parse_exhibit, render_html, render_text
from releases.exhibits.render_common import split_blocks
from tests.conftest import corpus_dir, needs_corpus

CASES = corpus_dir() / "exhibit-cases"


def html_doc(body: str, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit(f"<html><body>{body}</body></html>".encode(), filename="x.htm", **kwargs)


def text_doc(text: str, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit(text.encode(), filename="x.txt", **kwargs)


def case(name: str, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit((CASES / name).read_bytes(), filename=name, **kwargs)


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


HEAD = (
    '<div style="text-align:center"><b>Dunmore Chemicals Reports Fourth-Quarter Results</b></div>'
    "<div>WILMINGTON, Del., Feb. 11, 2016 &#8211; Dunmore Chemicals Inc. (NYSE: DCH) reported"
    " fourth-quarter sales of $728 million.</div>"
)


# --- K25: a lone "#" end mark ----------------------------------------------------------------


@pytest.mark.parametrize("mark", ["#", "# #", "- # -"])
def test_a_run_of_one_or_more_hash_marks_closing_the_release_is_its_end_mark(mark: str) -> None:
    doc = html_doc(
        HEAD + "<table><tr><td>Coatings</td><td>$412</td><td>$405</td></tr></table>"
        f'<div style="text-align:center">{mark}</div>'
    )
    assert doc.end_mark == mark
    assert doc.body_html.endswith("</table>")


@needs_corpus
def test_k25a_single_hash_closes_the_release_after_its_table() -> None:
    doc = case("K25a_single_hash_end_mark_after_table.htm")
    assert doc.end_mark == "#"
    assert doc.body_html.endswith("</table>")


@settings(max_examples=60, deadline=None, database=None)
@given(
    hashes=st.integers(1, 5),
    sep=st.sampled_from(["", " "]),
    dashes=st.booleans(),
    after=st.sampled_from(["table", "paragraph"]),
    html=st.booleans(),
)
def test_generated_hash_end_marks_close_the_release(
    hashes: int, sep: str, dashes: bool, after: str, html: bool
) -> None:
    mark = sep.join("#" * hashes) if sep else "#" * hashes
    if dashes:
        mark = f"- {mark} -"
    last = "Lower resin prices offset higher volumes in coatings."
    if html:
        tail = (
            "<table><tr><td>Coatings</td><td>$412</td><td>$405</td></tr></table>"
            if after == "table"
            else f"<p>{last}</p>"
        )
        doc = html_doc(HEAD + tail + f'<p style="text-align:center">{mark}</p>')
    else:
        tail = "Coatings            $412      $405" if after == "table" else last
        doc = text_doc(
            "Dunmore Chemicals Reports Fourth-Quarter Results\n\n"
            "WILMINGTON, Del., Feb. 11, 2016 -- Dunmore Chemicals Inc. (NYSE: DCH) reported\n"
            f"fourth-quarter sales of $728 million.\n\n{tail}\n\n{' ' * 30}{mark}\n"
        )
    assert doc.end_mark == mark
    assert mark not in text_of(doc.body_html)


# --- K23: a lead opening with an introductory phrase -----------------------------------------


def _lead(lead: str) -> ExhibitDocument:
    return text_doc(
        "Prairieline Grain Lifts Full-Year Earnings Forecast\n\n"
        f"HARTWELL, Neb., March 3, 2014 -- {lead}\n\n"
        '"Our elevators took in more soybeans than ever," said Gideon Marsh, president.\n'
    )


@pytest.mark.parametrize(
    "lead",
    [
        "Buoyed by a strong harvest season in the northern plains, Prairieline Grain Co. (NYSE:"
        " PLG) today raised its forecast.",
        "Citing record soybean intake, Prairieline Grain Co. today raised its forecast.",
        "In a letter to shareholders, Prairieline Grain Co. said it would raise its forecast.",
        "For the third year in a row, Prairieline Grain Co. (NYSE: PLG) reported record sales.",
    ],
)
def test_the_company_is_the_lead_subject_after_an_introductory_phrase(lead: str) -> None:
    assert _lead(lead).company_name == "Prairieline Grain Co."


@pytest.mark.parametrize(
    ("lead", "company"),
    [
        ("The Buckle, Inc. (NYSE: BKE) today reported net sales.", "The Buckle, Inc."),
        ("Bank of Ozarks, the regional lender, today reported net income.", "Bank of Ozarks"),
    ],
)
def test_a_comma_inside_or_after_the_company_name_is_not_an_introductory_phrase(
    lead: str, company: str
) -> None:
    assert _lead(lead).company_name == company


@needs_corpus
def test_k23a_company_and_ticker_past_the_introductory_phrase() -> None:
    doc = case("K23a_lead_opens_with_introductory_phrase.txt")
    assert (doc.company_name, doc.exchange, doc.ticker) == ("Prairieline Grain Co.", "NYSE", "PLG")


COMPANIES = ["Prairieline Grain Co.", "Halvorsen Marine, Inc.", "Bank of Ozarks", "4Front Corp."]
INTROS = [
    "Buoyed by a strong harvest season in the northern plains",
    "Citing record demand for its soybean contracts",
    "In a letter to shareholders",
    "Following the close of its fiscal year",
    "Despite weaker prices in the second half",
    "For the third consecutive quarter",
    "Driven by higher volumes",
    # phrases holding commas of their own: a list, places
    "Citing strong demand, higher prices and a record harvest",
    "Reflecting a record harvest in Iowa, Nebraska and Kansas",
    "After a wet spring, a dry summer and an early frost",
]


@pytest.mark.parametrize(
    "lead",
    [
        "Citing strong demand, higher prices and a record harvest, Prairieline Grain Co. (NYSE:"
        " PLG) today raised its forecast.",
        "Reflecting a record harvest in Iowa, Nebraska and Kansas, Prairieline Grain Co. today"
        " raised its forecast.",
        "Citing a record harvest, Prairieline Grain Co. (\u201cPrairieline\u201d) (NYSE: PLG)"
        " today raised its forecast.",
    ],
)
def test_an_introductory_phrase_with_commas_of_its_own_ends_before_the_subject(lead: str) -> None:
    assert _lead(lead).company_name == "Prairieline Grain Co."


@settings(max_examples=80, deadline=None, database=None)
@given(
    intro=st.sampled_from(INTROS),
    company=st.sampled_from(COMPANIES),
    ticker=st.sampled_from(["", " (NYSE: PLG)", " (Nasdaq: HMAR)"]),
    short=st.sampled_from(["", " (\u201cPrairieline\u201d)", " (the \u201cCompany\u201d)"]),
    verb=st.sampled_from(["today reported", "announced", "said", "has raised"]),
)
def test_generated_introductory_phrases_leave_the_lead_subject_as_the_company(
    intro: str, company: str, ticker: str, short: str, verb: str
) -> None:
    doc = _lead(f"{intro}, {company}{short}{ticker} {verb} its full-year forecast.")
    assert doc.company_name == company


# --- K14: a wire continuation with no headline -----------------------------------------------


@needs_corpus
def test_k14b_wire_continuation_parses_without_headline_option_with_every_other_field() -> None:
    doc = case("K14b_no_headline_prnewswire_continuation.txt")
    assert doc.headline == "" and doc.warnings
    assert (doc.dateline_city, str(doc.date), doc.wire_tag) == (
        "MILLBROOK, N.Y.",
        "1997-06-17",
        "/PRNewswire/",
    )
    assert (doc.company_name, doc.exchange, doc.ticker, doc.end_mark) == (
        "Tarrant Data Systems, Inc.",
        "Nasdaq",
        "TRDS",
        "-0-",
    )
    assert text_of(doc.body_html).startswith(
        "Tarrant Data Systems, Inc. (Nasdaq: TRDS) said yesterday"
    )


@settings(max_examples=40, deadline=None, database=None)
@given(
    city=st.sampled_from(["MILLBROOK, N.Y.", "OAKDALE, Calif.", "NEW YORK"]),
    # the wire's tag as each wire prints it, a news agency's too, or the wire's bare name
    wire=st.sampled_from(
        [
            *("/PRNewswire/", "(BUSINESS WIRE)", "/Globe Newswire/", "/PRNewswire-FirstCall/"),
            *("(AP)", "(Reuters)", "(Dow Jones)", "-- PRNewswire", "-- Business Wire"),
        ]
    ),
    company=st.sampled_from(["Tarrant Data Systems, Inc.", "Brindle Networks Inc."]),
    indent=st.sampled_from(["", "     "]),
    supplied=st.sampled_from(["", "Tarrant Buys Sorrel"]),
    html=st.booleans(),
)
def test_generated_wire_continuations_without_headline_leave_it_empty_unless_supplied(
    city: str, wire: str, company: str, indent: str, supplied: str, html: bool
) -> None:
    if html:
        doc = html_doc(
            f"<p>{city}, June 17, 1997 {wire} -- {company} (Nasdaq: TRDS) said yesterday that it"
            " completed the purchase of Sorrel Systems for $12 million in cash.</p>"
            "<p>The company expects the purchase to add to earnings next year.</p>",
            default_headline=supplied,
        )
        assert doc.headline == supplied
        assert bool(doc.warnings) == (not supplied)
        assert (doc.dateline_city, doc.company_name) == (city, company)
        return
    doc = text_doc(
        f"{indent}{city}, June 17, 1997 {wire} -- {company} (Nasdaq: TRDS) said yesterday\n"
        "that it completed the purchase of Sorrel Systems for $12 million in cash.\n\n"
        "The company expects the purchase to add to earnings next year.\n\n"
        "                                -0-\n",
        default_headline=supplied,
    )
    assert doc.headline == supplied
    assert bool(doc.warnings) == (not supplied)
    assert (doc.dateline_city, doc.company_name) == (city, company)
    assert doc.wire_tag == wire.strip("- ")


# --- "Investor Relations: Name, phone" in a cell ------------------------------------------------

KILBRIDE = (
    '<p align="center"><b>Kilbride Reports Data</b></p><p>CAMBRIDGE, Mass., March 30, 2022 --'
    " Kilbride Pharmaceuticals, Inc. (Nasdaq: KLBR) today reported results.</p>"
)
LABELS = {
    "Investors": "investors",
    "Investor Relations": "investors",
    "Investors and Analysts": "investors",
    "Shareholders": "investors",
    "Media": "media",
    "Media Relations": "media",
    "Press": "media",
    "Public Relations": "media",
    "News Media": "media",
}


@pytest.mark.parametrize("label", ["Investor Relations", "Media Relations"])
def test_a_two_word_audience_label_inline_in_a_cell_gives_its_contact(label: str) -> None:
    doc = html_doc(
        f"<table><tr><td>{label}: Dorothea Vance, (555) 912-3040</td>"
        "<td>Other: Arno Lindqvist, (555) 912-3077</td></tr></table>" + KILBRIDE
    )
    first = doc.contacts[0]
    assert (first.name, first.audience, first.telephone) == (
        "Dorothea Vance",
        LABELS[label],
        "(555) 912-3040",
    )


@settings(max_examples=60, deadline=None, database=None)
@given(
    labels=st.lists(st.sampled_from(sorted(LABELS)), min_size=1, max_size=2),
    front=st.booleans(),
    email=st.booleans(),
)
def test_generated_inline_labelled_cells_give_one_contact_each_with_its_audience(
    labels: list[str], front: bool, email: bool
) -> None:
    people = [("Dorothea Vance", "(555) 912-3040"), ("Arno Lindqvist", "(555) 912-3077")]
    cells = "".join(
        f"<td>{label}: {name}, {phone}{' or x@kilbride.example' if email else ''}</td>"
        for label, (name, phone) in zip(labels, people, strict=False)
    )
    table = f"<table><tr>{cells}</tr></table>"
    doc = html_doc(table + KILBRIDE if front else KILBRIDE + table)
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        (name, LABELS[label], phone) for label, (name, phone) in zip(labels, people, strict=False)
    ]


# An audience label alone on its line over a stacked entry, after the text ("Investor
# Relations" / name / phone), as the front matter reads it: it had given no contact there, and
# the entry stayed in the About section (or as headings in the body).


def test_an_audience_label_over_a_stacked_entry_after_the_text_gives_its_contact() -> None:
    doc = html_doc(
        KILBRIDE + "<p><b>About Kilbride</b></p><p>Kilbride develops cough medicines.</p>"
        "<p>Investor Relations<br>Dorothea Vance<br>(555) 912-3040<br>dvance@kilbride.example</p>"
    )
    assert [(c.name, c.audience, c.telephone, c.email) for c in doc.contacts] == [
        ("Dorothea Vance", "investors", "(555) 912-3040", "dvance@kilbride.example")
    ]
    assert "Dorothea" not in doc.abouts[0].html + doc.body_html


def test_an_audience_word_heading_over_text_stays_a_heading() -> None:
    doc = html_doc(
        KILBRIDE + "<p><b>Investors</b></p><p>Kilbride will hold an investor day in May, with"
        " presentations by its research leaders.</p>"
    )
    assert doc.contacts == []
    assert "<h3>Investors</h3>" in doc.body_html


@settings(max_examples=80, deadline=None, database=None)
@given(
    labels=st.lists(st.sampled_from(sorted(LABELS)), min_size=1, max_size=2),
    colon=st.booleans(),
    layout=st.sampled_from(["br", "paragraphs", "text"]),
    title=st.booleans(),
    email=st.booleans(),
    about=st.booleans(),
    fls=st.booleans(),
)
def test_generated_label_over_stacked_entries_after_the_text_give_their_contacts(
    labels: list[str],
    colon: bool,
    layout: str,
    title: bool,
    email: bool,
    about: bool,
    fls: bool,
) -> None:
    people = [("Dorothea Vance", "(555) 912-3040"), ("Arno Lindqvist", "+1 555-912-3077")]
    entries = []
    for label, (name, phone) in zip(labels, people, strict=False):
        lines = [label + (":" if colon else ""), name]
        lines += ["Vice President, Communications"] if title else []
        lines += [phone] + ([f"{name.split()[0].lower()}@kilbride.example"] if email else [])
        entries.append(lines)
    fls_text = (
        "This press release contains forward-looking statements about the trial, which involve"
        " risks and uncertainties, so actual results may differ materially from those expressed."
    )
    about_text = "Kilbride develops cough medicines in Cambridge, Massachusetts."
    if layout == "text":
        doc = text_doc(
            "Kilbride Reports Data\n\nCAMBRIDGE, Mass., March 30, 2022 -- Kilbride"
            " Pharmaceuticals, Inc. (Nasdaq: KLBR)\ntoday reported results.\n\n"
            + (f"{fls_text}\n\n" if fls else "")
            + ("About Kilbride\n\n" if about else "")
            + f"{about_text}\n\n"
            + "".join("\n".join(e) + "\n\n" for e in entries)
        )
    else:
        if layout == "br":
            stacked = "".join("<p>" + "<br>".join(e) + "</p>" for e in entries)
        else:
            stacked = "".join("".join(f"<p>{x}</p>" for x in e) for e in entries)
        doc = html_doc(
            KILBRIDE
            + (f"<p>{fls_text}</p>" if fls else "")
            + ("<p><b>About Kilbride</b></p>" if about else "")
            + f"<p>{about_text}</p>"
            + stacked
        )
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        (name, LABELS[label], phone) for label, (name, phone) in zip(labels, people, strict=False)
    ]
    printed = doc.body_html + "".join(a.html for a in doc.abouts)
    assert not any(name in printed for name, _ in people)
    assert about_text in printed
    if fls:  # the company paragraph and the contacts close the release (K22)
        assert doc.safe_harbor is not None and "forward-looking" not in doc.body_html


# --- K04: a one-line contact longer than 90 characters -----------------------------------------

AMBROSE = (
    '<p align="center"><b>Ambrose Rail Systems Wins Transit Signalling Contract</b></p>'
    "<p>PITTSBURGH, Pa., Sept. 14, 2023 &#8211; Ambrose Rail Systems Inc. (NYSE: ARS) today won"
    " a $310 million contract to re-signal a commuter line.</p>"
    "<p><b>About Ambrose Rail Systems</b></p>"
    "<p>Ambrose Rail Systems designs signalling and braking equipment for railways.</p>"
)


def test_a_one_line_contact_longer_than_a_header_line_is_a_contact_not_a_heading() -> None:
    line = (
        "Ambrose Rail Systems investor relations contact: Yusuf Adeyemi, +1 555-730-2291 or"
        " adeyemi_yusuf@ambroserail.example"
    )
    assert len(line) > 90
    doc = html_doc(AMBROSE + f"<p>{line}</p>")
    assert [(c.name, c.audience, c.telephone, c.email) for c in doc.contacts] == [
        ("Yusuf Adeyemi", "investors", "+1 555-730-2291", "adeyemi_yusuf@ambroserail.example")
    ]
    assert "<h3>" not in doc.body_html and len(doc.abouts[0].html.split("<p>")) == 2


def test_a_long_line_opening_like_a_contacts_header_without_a_contact_stays_text() -> None:
    line = (
        "Media inquiries about the contract award are expected to rise after the announcement"
        " of the transit authority's budget."
    )
    doc = html_doc(AMBROSE.split("<p><b>About")[0] + f"<p>{line}</p>")
    assert doc.contacts == [] and line in doc.body_html


@needs_corpus
def test_k04c_long_one_line_contacts_give_both_contacts_and_leave_the_about_alone() -> None:
    doc = case("K04c_long_one_line_contacts.htm")
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Yusuf Adeyemi", "investors", "+1 555-730-2291"),
        ("Clara Oyelaran-Whitcombe", "media", "+1 555-730-2207"),
    ]
    assert doc.body_html.count("<p>") == 1 and "<h3>" not in doc.body_html
    assert doc.abouts[0].html.count("<p>") == 1


@settings(max_examples=80, deadline=None, database=None)
@given(
    prefix=st.sampled_from(["", "Ambrose Rail Systems ", "Ambrose Rail Systems Inc. "]),
    header=st.sampled_from(
        [
            ("investor relations contact", "investors"),
            ("Investor Contact", "investors"),
            ("media relations contact", "media"),
            ("Media Inquiries", "media"),
        ]
    ),
    name=st.sampled_from(["Yusuf Adeyemi", "Clara Oyelaran-Whitcombe", "Ann-Marie de Vries"]),
    title=st.sampled_from(["", ", Vice President, Investor Relations and Treasury"]),
    reach=st.sampled_from(["phone", "email", "phone or email", "phone and email"]),
    text=st.booleans(),
)
def test_generated_one_line_contacts_are_read_whatever_their_length(
    prefix: str, header: tuple[str, str], name: str, title: str, reach: str, text: bool
) -> None:
    phone, email = "+1 555-730-2291", "contact_person@ambroserail.example"
    said = reach.replace("phone", phone).replace("email", email)
    line = f"{prefix}{header[0]}: {name}{title}, {said}"
    if text:
        doc = text_doc(
            "Ambrose Rail Systems Wins Transit Signalling Contract\n\n"
            "PITTSBURGH, Pa., Sept. 14, 2023 -- Ambrose Rail Systems Inc. (NYSE: ARS) today won\n"
            "a $310 million contract to re-signal a commuter line.\n\n"
            f"{line}\n"
        )
    else:
        doc = html_doc(AMBROSE + f"<p>{line}</p>")
    assert [(c.name, c.audience) for c in doc.contacts] == [(name, header[1])]
    got = doc.contacts[0]
    assert (got.telephone == phone) == ("phone" in reach)
    assert (got.email == email) == ("email" in reach)
    assert name not in text_of(doc.body_html)


# --- K07: an audience label in a table cell of its own ---------------------------------------


def test_side_by_side_contacts_under_one_label_cell_are_still_read_by_column() -> None:
    doc = html_doc(
        "<table><tr><td>Contacts:</td><td>Dorothea Vance</td><td>Arno Lindqvist</td></tr>"
        "<tr><td></td><td>(555) 912-3040</td><td>(555) 912-3077</td></tr></table>" + KILBRIDE
    )
    assert [(c.name, c.telephone) for c in doc.contacts] == [
        ("Dorothea Vance", "(555) 912-3040"),
        ("Arno Lindqvist", "(555) 912-3077"),
    ]


def test_audience_labels_in_their_own_cells_apply_to_the_details_beside_them() -> None:
    doc = html_doc(
        "<table><tr><td><b>Investor Relations:</b></td><td><p>Dorothea Vance</p>"
        "<p>(555) 912-3040</p></td></tr><tr><td><b>Media:</b></td><td><p>Arno Lindqvist</p>"
        "<p>(555) 912-3077</p></td></tr></table>" + KILBRIDE
    )
    assert [(c.name, c.audience) for c in doc.contacts] == [
        ("Dorothea Vance", "investors"),
        ("Arno Lindqvist", "media"),
    ]


@needs_corpus
def test_k07d_label_cells_give_each_contact_its_audience() -> None:
    doc = case("K07d_audience_label_cells_left_of_details.htm")
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Dorothea Vance", "investors", "(555) 912-3040"),
        ("Arno Lindqvist", "media", "(555) 912-3077"),
    ]


@settings(max_examples=80, deadline=None, database=None)
@given(
    labels=st.lists(
        st.sampled_from(
            [
                ("Investor Relations:", "investors"),
                ("Investors", "investors"),
                ("Investor Contact:", "investors"),
                ("Media Contact:", "media"),
                ("Media:", "media"),
                ("Press Inquiries:", "media"),
            ]
        ),
        min_size=1,
        max_size=3,
    ),
    split=st.sampled_from(["p", "br", "rows", "cells"]),
    bold=st.booleans(),
    front=st.booleans(),
)
def test_generated_label_column_tables_give_each_contact_the_label_beside_it(
    labels: list[tuple[str, str]], split: str, bold: bool, front: bool
) -> None:
    people = [
        ("Dorothea Vance", "(555) 912-3040"),
        ("Arno Lindqvist", "(555) 912-3077"),
        ("Imogen Pratt", "(555) 912-3099"),
    ]
    rows = []
    for (label, _), (name, phone) in zip(labels, people, strict=False):
        shown = f"<b>{label}</b>" if bold else label
        if split == "rows":  # the details over several rows, the label cell empty below
            rows.append(
                f"<tr><td>{shown}</td><td>{name}</td></tr><tr><td></td><td>{phone}</td></tr>"
            )
        elif split == "cells":  # the details in cells of their own: name | phone
            rows.append(f"<tr><td>{shown}</td><td>{name}</td><td>{phone}</td></tr>")
        elif split == "br":
            rows.append(f"<tr><td>{shown}</td><td>{name}<br>{phone}</td></tr>")
        else:
            rows.append(f"<tr><td>{shown}</td><td><p>{name}</p><p>{phone}</p></td></tr>")
    table = f"<table>{''.join(rows)}</table>"
    doc = html_doc(table + KILBRIDE if front else KILBRIDE + table)
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        (name, audience, phone)
        for (_, audience), (name, phone) in zip(labels, people, strict=False)
    ]


# --- K06: highlight bullets set as a layout table between headline and dateline ---------------

GREYWATER_HEAD = (
    '<div style="text-align:center"><b>Greywater Appliances Reports Third-Quarter Results</b></div>'
)
GREYWATER_LEAD = (
    "<div>LOUISVILLE, Ky., Oct. 26, 2023 &#8211; Greywater Appliances Inc. (NYSE: GWA) reported"
    " third-quarter sales of $1.46 billion.</div><div>&#8220;Builders kept ordering,&#8221; said"
    " Marisol Quintero.</div>"
)
HIGHLIGHTS = [
    "Third-quarter sales rose 7% to $1.46 billion",
    "Raised full-year outlook for profit per share",
    "Opened a dishwasher plant in Monterrey",
    "Returned $200 million to shareholders",
]


def test_highlight_bullets_in_a_glyph_cell_table_above_the_dateline_are_a_body_list() -> None:
    rows = "".join(f"<tr><td>&#8226;</td><td>{h}</td></tr>" for h in HIGHLIGHTS[:3])
    doc = html_doc(GREYWATER_HEAD + f"<table>{rows}</table>" + GREYWATER_LEAD)
    assert doc.subheadlines == []
    assert doc.body_html.count("<li>") == 3 and "&#8226;" not in doc.body_html
    assert "•" not in doc.body_html


@needs_corpus
def test_k06c_highlights_are_list_items_of_the_body_and_no_subheadlines() -> None:
    doc = case("K06c_highlight_bullets_in_layout_table.htm")
    assert doc.headline == "Greywater Appliances Reports Third-Quarter 2023 Results"
    assert doc.subheadlines == []
    items = re.findall(r"<li>(.*?)</li>", doc.body_html)
    assert items == [
        "Third-quarter sales rose 7% to $1.46 billion",
        "Raised full-year outlook for profit per share",
        "Opened a dishwasher plant in Monterrey",
    ]
    assert doc.body_html.count("<p>") == 2 and "<p></p>" not in doc.body_html


@settings(max_examples=80, deadline=None, database=None)
@given(
    count=st.integers(1, 4),
    # Wingdings' square and arrow as EDGAR HTML gives them (&#167; &#216;), dashes, arrows
    glyph=st.sampled_from(
        [
            *("&#8226;", "&#183;", "&#9642;", "&#61623;", "-", "o", "&#167;", "&#216;"),
            *("&#8211;", "&#8212;", "&#10146;", "&#9658;", "&#10003;"),
        ]
    ),
    font=st.sampled_from(
        ["{}", '<font face="Wingdings">{}</font>', '<font face="Symbol">{}</font>']
    ),
    gap_cell=st.booleans(),
    spans=st.booleans(),
    spacer=st.booleans(),
    wrap=st.sampled_from(["{}", "<div>{}</div>", "<p>{}</p>", "<font size=2>{}</font>"]),
    title=st.booleans(),
)
def test_generated_glyph_cell_highlight_tables_read_as_body_lists(
    count: int,
    glyph: str,
    font: str,
    gap_cell: bool,
    spans: bool,
    spacer: bool,
    wrap: str,
    title: bool,
) -> None:
    span = ' colspan="2"' if spans else ""
    gap = "<td>&#160;</td>" if gap_cell else ""  # an empty cell between glyph and text
    rows = "".join(
        f"<tr><td{span}>{font.format(glyph)}</td>{gap}<td{span}>{wrap.format(h)}</td></tr>"
        for h in HIGHLIGHTS[:count]
    )
    if title:  # a title row over the bullets, one cell across the table
        rows = '<tr><td colspan="4"><b>Third-Quarter Highlights</b></td></tr>' + rows
    if spacer:
        rows = "<tr><td></td><td></td><td></td><td></td></tr>" + rows
    doc = html_doc(GREYWATER_HEAD + f"<table>{rows}</table>" + GREYWATER_LEAD)
    assert doc.subheadlines == []
    assert ("Third-Quarter Highlights" in doc.body_html) == title
    assert re.findall(r"<li>(.*?)</li>", doc.body_html) == HIGHLIGHTS[:count]
    assert text_of(doc.body_html).startswith("Greywater Appliances Inc.")


# --- K26: URL lines finishing a lead-in sentence after the About paragraph ---------------------

FALLOWMERE = (
    '<div style="text-align:center"><b>Fallowmere Tractor Reports First-Quarter Results</b></div>'
    "<div>SIOUX FALLS, S.D., April 25, 2023 &#8211; Fallowmere Tractor Co. (NYSE: FTC) reported"
    " first-quarter sales of $2.9 billion.</div><div>Dealer orders rose 14%.</div>"
)
URLS = [
    "https://investors.fallowmere.example/results",
    "https://investors.fallowmere.example/events (webcast replay)",
    "www.fallowmere.example/slides",
]


def test_url_lines_after_a_lead_in_ending_in_a_colon_stay_with_their_sentence() -> None:
    doc = html_doc(
        FALLOWMERE + "<div><b>About Fallowmere Tractor</b></div>"
        "<div>Fallowmere Tractor builds tractors sold through 900 dealers.</div>"
        "<div>Our quarterly results are posted at:</div>"
        f"<div>{URLS[0]}</div><div>{URLS[1]}</div>"
    )
    assert doc.notes == []
    about = doc.abouts[0].html
    assert about.index("posted at:") < about.index(URLS[0]) < about.index(URLS[1])


def test_a_url_line_closing_the_release_without_a_lead_in_is_still_a_note() -> None:
    doc = html_doc(
        FALLOWMERE + "<div><b>About Fallowmere Tractor</b></div>"
        "<div>Fallowmere Tractor builds tractors sold through 900 dealers.</div>"
        f"<div>{URLS[0]}</div>"
    )
    assert doc.notes == [URLS[0]]


@needs_corpus
def test_k26a_url_lines_kept_with_their_lead_in_and_the_contact_read() -> None:
    doc = case("K26a_url_lines_after_about_leadin.htm")
    assert doc.notes == []
    html = doc.abouts[0].html + doc.body_html
    lead_in = html.index("Our quarterly results and presentation slides are posted at:")
    first = html.index("https://investors.fallowmere.example/results")
    second = html.index("https://investors.fallowmere.example/events (webcast replay)")
    assert lead_in < first < second
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Lucan Ferreira", "investors", "+1 555-862-4100")
    ]


@settings(max_examples=80, deadline=None, database=None)
@given(
    lead_in=st.sampled_from(
        [
            "Our quarterly results and presentation slides are posted at:",
            "More information is available online:",
            "The webcast can be found here:",
            "Investors can read the full report at the following addresses:",
            # short ones, under the length of a heading ending in ":"
            "For more information, visit:",
            "Replay available at:",
            "See also:",
        ]
    ),
    count=st.integers(1, 3),
    about=st.booleans(),
    html=st.booleans(),
)
def test_generated_lead_ins_keep_their_url_lines(
    lead_in: str, count: int, about: bool, html: bool
) -> None:
    urls = URLS[:count]
    if html:
        doc = html_doc(
            FALLOWMERE
            + ("<div><b>About Fallowmere Tractor</b></div>" if about else "")
            + "<div>Fallowmere Tractor builds tractors sold through 900 dealers.</div>"
            + f"<div>{lead_in}</div>"
            + "".join(f"<div>{u}</div>" for u in urls)
        )
    else:
        doc = text_doc(
            "Fallowmere Tractor Reports First-Quarter Results\n\n"
            "SIOUX FALLS, S.D., April 25, 2023 -- Fallowmere Tractor Co. (NYSE: FTC) reported\n"
            "first-quarter sales of $2.9 billion.\n\n"
            + ("About Fallowmere Tractor\n\n" if about else "")
            + "Fallowmere Tractor builds tractors sold through 900 dealers.\n\n"
            + f"{lead_in}\n\n"
            + "".join(f"{u}\n\n" for u in urls)
        )
    assert doc.notes == []
    where = doc.abouts[0].html if about else doc.body_html
    spots = [where.index(lead_in), *(where.index(u) for u in urls)]
    assert spots == sorted(spots)


# --- K24: a section heading right after a contact block ----------------------------------------

HALLORAN = (
    '<div style="text-align:center"><b>Halloran Mining Reports Second-Quarter Output</b></div>'
    "<div>ELKO, Nev., Aug. 6, 2020 &#8211; Halloran Mining Corp. (NYSE: HMC) produced 212,000"
    " ounces of gold in the second quarter.</div><div><b>About Halloran Mining</b></div>"
    "<div>Halloran Mining runs three open-pit gold mines in Nevada.</div>"
)
FLS_PARAS = [
    "This release contains forward-looking statements about Halloran&#8217;s production and"
    " costs, and actual results could differ materially from those expressed in them.",
    "Halloran&#8217;s results may also be affected by the other risks described in its annual"
    " report on Form 10-K.",
]
PAGE_BREAK = (
    '<div style="text-align:center">(more)</div><div style="text-align:center">4</div>'
    '<hr style="page-break-after:always">'
)


def test_a_section_heading_after_a_contact_block_and_a_page_break_opens_its_section() -> None:
    doc = html_doc(
        HALLORAN
        + "<div>Media contact: Petra Vukovic, +1 555-220-7081</div>"
        + PAGE_BREAK
        + "<div><b>Forward-Looking Statements</b></div>"
        + "".join(f"<div>{p}</div>" for p in FLS_PARAS)
    )
    assert [c.name for c in doc.contacts] == ["Petra Vukovic"]
    assert doc.safe_harbor is not None
    assert doc.safe_harbor.heading == "Forward-Looking Statements"
    assert doc.safe_harbor.html.count("<p>") == 2 and "Form 10-K" not in doc.body_html


def test_a_second_stacked_contact_after_a_break_still_continues_the_block() -> None:
    doc = text_doc(
        "Halloran Mining Reports Second-Quarter Output\n\n"
        "ELKO, Nev., Aug. 6, 2020 -- Halloran Mining Corp. (NYSE: HMC) produced 212,000 ounces\n"
        "of gold in the second quarter.\n\nMedia contacts:\n\nPetra Vukovic\n+1 555-220-7081\n\n"
        "Ivo Marsh\nCorporate Communications\nivo.marsh@halloran.example\n"
    )
    assert [(c.name, c.audience) for c in doc.contacts] == [
        ("Petra Vukovic", "media"),
        ("Ivo Marsh", "media"),
    ]


@needs_corpus
def test_k24a_heading_after_contacts_keeps_the_safe_harbor_whole() -> None:
    doc = case("K24a_heading_after_contacts_across_page_break.htm")
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Petra Vukovic", "media", "+1 555-220-7081")
    ]
    assert doc.safe_harbor is not None
    assert doc.safe_harbor.heading == "Forward-Looking Statements"
    paras = re.findall(r"<p>(.*?)</p>", doc.safe_harbor.html)
    assert len(paras) == 2 and paras[1].endswith("annual report on Form 10-K.")
    assert "(more)" not in doc.body_html and "Form 10-K" not in doc.body_html
    assert text_of(doc.body_html).endswith("$1,010 per ounce.")


@settings(max_examples=80, deadline=None, database=None)
@given(
    heading=st.sampled_from(
        [
            "Forward-Looking Statements",
            "Safe Harbor Statement",
            "Cautionary Note Regarding Forward-Looking Statements",
            "Cautionary Statement",
        ]
    ),
    contact=st.sampled_from(["one line", "stacked", "stacked with e-mail"]),
    page=st.sampled_from(["", PAGE_BREAK, "<hr>", '<div style="text-align:center">- more -</div>']),
)
def test_generated_headings_after_contacts_open_their_section(
    heading: str, contact: str, page: str
) -> None:
    if contact == "one line":
        contacts = "<div>Media contact: Petra Vukovic, +1 555-220-7081</div>"
    else:
        reach = "<div>pvukovic@halloran.example</div>" if "e-mail" in contact else ""
        contacts = (
            "<div>Media Contact:</div><div>Petra Vukovic</div><div>+1 555-220-7081</div>" + reach
        )
    doc = html_doc(
        HALLORAN
        + contacts
        + page
        + f"<div><b>{heading}</b></div>"
        + "".join(f"<div>{p}</div>" for p in FLS_PARAS)
    )
    assert [c.name for c in doc.contacts] == ["Petra Vukovic"]
    assert doc.safe_harbor is not None and doc.safe_harbor.heading == heading
    assert doc.safe_harbor.html.count("<p>") == 2


# --- K22: an unheaded forward-looking paragraph, then boilerplate and contacts ----------------

WRENFIELD = (
    '<p align="center"><b>Wrenfield Optics Reports Third Quarter Results</b></p>'
    "<p>PORTLAND, Oregon&#8212;October 22, 2019&#8212;Wrenfield Optics Inc. (NASDAQ: WRNO)"
    " today reported third quarter revenue of $312.5 million.</p>"
    "<p>&#8220;Our coating line ran at full capacity,&#8221; said Ada Korhonen.</p>"
)
FLS_OPENINGS = [
    "This news release includes forward-looking statements, among them statements about"
    " Wrenfield&#8217;s expected revenue. Such statements carry risks and uncertainties, so"
    " actual results may differ materially.",
    "Certain statements in this press release are forward-looking statements within the meaning"
    " of the Private Securities Litigation Reform Act of 1995; actual results may differ"
    " materially.",
    "Statements in this release that are not historical facts are forward-looking statements"
    " that involve risks and uncertainties, and actual results may differ materially.",
]
COMPANY_PARAS = [
    "Wrenfield Optics grinds precision lenses for microscopes and survey instruments.",
    "Founded in 1961, Wrenfield Optics employs 1,400 people in Oregon and Ontario.",
]
FIGURES = (
    "<table><tr><td></td><td>Q3 2019</td><td>Q3 2018</td></tr>"
    "<tr><td>Revenue</td><td>$312.5</td><td>$281.6</td></tr></table>"
)


def test_unheaded_fls_paragraph_before_boilerplate_and_contacts_is_the_safe_harbor() -> None:
    doc = html_doc(
        WRENFIELD + f"<p>{FLS_OPENINGS[0]}</p><p>{COMPANY_PARAS[0]}</p>"
        "<p>Press Contact:<br>Milo Brandauer<br>(555) 318-4410</p>" + FIGURES
    )
    assert doc.safe_harbor is not None and doc.safe_harbor.heading == ""
    assert "forward-looking" not in doc.body_html
    assert COMPANY_PARAS[0] in doc.body_html and "<table>" in doc.body_html


@needs_corpus
def test_k22a_safe_harbor_read_and_company_paragraph_and_contact_kept() -> None:
    doc = case("K22a_unheaded_fls_then_boilerplate_and_contacts.htm")
    assert doc.safe_harbor is not None and doc.safe_harbor.heading == ""
    assert text_of(doc.safe_harbor.html).startswith(
        "This news release includes forward-looking statements"
    )
    assert "Wrenfield Optics grinds" in doc.body_html
    assert [(c.name, c.audience) for c in doc.contacts] == [("Milo Brandauer", "media")]


@settings(max_examples=80, deadline=None, database=None)
@given(
    fls=st.sampled_from(FLS_OPENINGS),
    boilerplate=st.lists(st.sampled_from(COMPANY_PARAS), min_size=1, max_size=2, unique=True),
    closing=st.sampled_from(["contacts", "one-line contact", "end mark", "about"]),
    table=st.booleans(),
)
def test_generated_fls_paragraphs_before_boilerplate_and_closing_parts_are_the_safe_harbor(
    fls: str, boilerplate: list[str], closing: str, table: bool
) -> None:
    close = {
        "contacts": "<p>Press Contact:<br>Milo Brandauer<br>(555) 318-4410</p>",
        "one-line contact": "<p>Media contact: Milo Brandauer, (555) 318-4410</p>",
        "end mark": '<p align="center">###</p>',
        "about": "<p><b>About Wrenfield Optics</b></p><p>Wrenfield makes lenses.</p>",
    }[closing]
    doc = html_doc(
        WRENFIELD
        + f"<p>{fls}</p>"
        + "".join(f"<p>{p}</p>" for p in boilerplate)
        + close
        + (FIGURES if table else "")
    )
    assert doc.safe_harbor is not None and doc.safe_harbor.heading == ""
    assert "forward-looking" not in doc.body_html
    assert all(p in doc.body_html for p in boilerplate)


def _before_and_after(page: str, first: str, *later: str) -> bool:
    """Whether ``first`` stands in ``page`` (as text) before each of ``later``."""
    text = text_of(html.unescape(page))
    at = text.find(text_of(html.unescape(first)))
    return at >= 0 and all(at < text.find(text_of(html.unescape(x))) for x in later)


def test_a_safe_harbor_more_of_the_body_follows_is_printed_where_it_stands() -> None:
    doc = html_doc(
        WRENFIELD + f"<p>{FLS_OPENINGS[0]}</p><p>{COMPANY_PARAS[0]}</p>"
        "<p>Press Contact:<br>Milo Brandauer<br>(555) 318-4410</p>" + FIGURES
    )
    # After the lead and the quote, before the company paragraph and the table.
    assert doc.standard_texts_at == 2
    fls = FLS_OPENINGS[0][:60]
    assert _before_and_after(render_html(doc), fls, COMPANY_PARAS[0], "Revenue $312.5")
    text = render_text(doc, ascii_only=False)
    assert _before_and_after(text, fls.replace("&#8217;", "’"), COMPANY_PARAS[0], "Revenue")


def test_a_safe_harbor_closing_the_release_keeps_the_usual_place() -> None:
    doc = html_doc(WRENFIELD + f"<p>{FLS_OPENINGS[0]}</p>")
    assert doc.safe_harbor is not None and doc.standard_texts_at is None


def test_a_forward_looking_paragraph_more_of_the_release_follows_stays_in_the_body() -> None:
    """K20 unchanged: no contacts, end mark or About after it, and no rules around it."""
    doc = html_doc(WRENFIELD + f"<p>{FLS_OPENINGS[0]}</p><p>{COMPANY_PARAS[0]}</p>" + FIGURES)
    assert doc.safe_harbor is None and "forward-looking" in doc.body_html
    assert doc.standard_texts_at is None


def _placed(doc: ExhibitDocument) -> tuple:
    """The safe harbor, the body, and the text printed before the standard texts."""
    head, _ = split_blocks(doc.body_html, doc.standard_texts_at)
    return (
        doc.safe_harbor and (doc.safe_harbor.heading, text_of(doc.safe_harbor.html)),
        [(a.heading, text_of(a.html)) for a in doc.abouts],
        text_of(doc.body_html),
        text_of(head),
    )


@settings(max_examples=60, deadline=None, database=None)
@given(
    fls=st.sampled_from(FLS_OPENINGS),
    boilerplate=st.lists(st.sampled_from(COMPANY_PARAS), min_size=1, max_size=2, unique=True),
    closing=st.sampled_from(["contacts", "one-line contact", "end mark", "about"]),
    table=st.booleans(),
)
def test_generated_safe_harbors_inside_the_body_keep_their_place_through_both_exports(
    fls: str, boilerplate: list[str], closing: str, table: bool
) -> None:
    close = {
        "contacts": "<p>Press Contact:<br>Milo Brandauer<br>(555) 318-4410</p>",
        "one-line contact": "<p>Media contact: Milo Brandauer, (555) 318-4410</p>",
        "end mark": '<p align="center">###</p>',
        "about": "<p><b>About Wrenfield Optics</b></p><p>Wrenfield makes lenses.</p>",
    }[closing]
    doc = html_doc(
        WRENFIELD
        + f"<p>{fls}</p>"
        + "".join(f"<p>{p}</p>" for p in boilerplate)
        + close
        + (FIGURES if table else "")
    )
    assert doc.standard_texts_at == 2
    for page in (render_html(doc), render_text(doc, ascii_only=False)):
        assert _before_and_after(page, fls[:50], *boilerplate)
        again = parse_exhibit(page.encode(), filename="x.htm" if "<body" in page else "x.txt")
        assert _placed(again) == _placed(doc)
        assert again.standard_texts_at == doc.standard_texts_at


def _kilbride_text(blocks: list[str]) -> str:
    return (
        "                                                   Exhibit 99.1\n\n"
        + "\n\n".join(blocks)
        + "\n\n         Kilbride Pharmaceuticals Reports Positive Phase 2 Data\n\n"
        "CAMBRIDGE, Mass., March 30, 2022 -- Kilbride Pharmaceuticals, Inc. (Nasdaq:\n"
        "KLBR) today reported positive results from its Phase 2 trial.\n"
    )


def test_labelled_contact_blocks_in_text_keep_the_order_they_are_printed_in() -> None:
    doc = text_doc(
        _kilbride_text(
            [
                "Investor Relations:     Dorothea Vance\n"
                "                        (555) 912-3040\n"
                "                        dvance@kilbride.example",
                "Media:                  Arno Lindqvist\n"
                "                        (555) 912-3077\n"
                "                        alindqvist@kilbride.example",
            ]
        )
    )
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Dorothea Vance", "investors", "(555) 912-3040"),
        ("Arno Lindqvist", "media", "(555) 912-3077"),
    ]


@settings(max_examples=60, deadline=None, database=None)
@given(
    labels=st.lists(
        st.sampled_from(
            [
                ("Investor Relations:", "investors"),
                ("Investors:", "investors"),
                ("Media:", "media"),
                ("Media Contact:", "media"),
            ]
        ),
        min_size=1,
        max_size=2,
    ),
    email=st.booleans(),
    column=st.sampled_from([24, 30]),
)
def test_generated_text_label_columns_give_each_contact_its_label_in_order(
    labels: list[tuple[str, str]], email: bool, column: int
) -> None:
    people = [("Dorothea Vance", "(555) 912-3040"), ("Arno Lindqvist", "(555) 912-3077")]
    blocks = []
    for (label, _), (name, phone) in zip(labels, people, strict=False):
        lines = [label.ljust(column) + name, " " * column + phone]
        if email:
            lines.append(" " * column + name.split()[0].lower() + "@kilbride.example")
        blocks.append("\n".join(lines))
    doc = text_doc(_kilbride_text(blocks))
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        (name, audience, phone)
        for (_, audience), (name, phone) in zip(labels, people, strict=False)
    ]


def test_an_introductory_phrase_before_an_unnamed_subject_gives_no_company() -> None:
    doc = _lead("After a challenging year, the company today raised its dividend.")
    assert doc.company_name == ""
