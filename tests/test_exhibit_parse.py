"""Parser tests: one per layout feature, malformed input, and the corpus acceptance table."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releases.exhibits import ExhibitError, parse_exhibit, split_submission
from tests.conftest import corpus_dir, needs_corpus

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exhibits"


# Real filings come from $IRSITE_TEST_CORPUS (tests/conftest.py); .ci/run always provides them.
SHARED = corpus_dir()


def fixture(name: str, **kwargs: object) -> object:
    return parse_exhibit((FIXTURES / name).read_bytes(), filename=name, **kwargs)


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def doc_from(text: str, **kwargs: object) -> object:
    return parse_exhibit(text.encode(), filename="x.txt", **kwargs)


# ---------------------------------------------------------------------------------------------
# Layout features
# ---------------------------------------------------------------------------------------------


def test_side_by_side_contacts_are_split_into_investor_and_media_columns() -> None:
    doc = fixture("side_by_side_contacts.txt")
    assert [(c.name, c.audience) for c in doc.contacts] == [
        ("Jane Roe", "investors"),
        ("John Doe", "media"),
    ]
    jane, john = doc.contacts
    assert jane.title == "Vice President, Investor Relations"
    assert jane.telephone == "(217) 555-0102" and jane.email == "jroe@acmewidgets.com"
    assert john.organization == "Doe Public Relations LLC" and john.email == "jdoe@doepr.com"


def test_letterhead_gives_company_address_telephone_and_fax() -> None:
    doc = fixture("side_by_side_contacts.txt")
    assert doc.company_name == "ACME WIDGETS, INC."
    assert doc.address_lines == ["100 Main Street, Springfield, IL 62701"]
    assert (doc.telephone, doc.fax) == ("(217) 555-0100", "(217) 555-0101")
    assert doc.for_immediate_release and doc.exhibit_label == "EXHIBIT 99.1"


def test_stacked_contacts_at_the_end_are_read_with_their_audience() -> None:
    doc = fixture("stacked_contacts_end.txt")
    assert [(c.name, c.audience) for c in doc.contacts] == [
        ("Mary Major", "media"),
        ("Peter Minor", "investors"),
    ]
    assert doc.contacts[0].title == "Director, Corporate Communications"
    assert doc.contacts[1].email == "pminor@globex.com"
    assert "Mary Major" not in doc.body_html


def test_wire_trailer_contacts_and_codes_stay_out_of_the_body() -> None:
    doc = fixture("wire_trailer.txt", default_date=datetime.date(2005, 1, 30))
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Bill Lumbergh", "investors", "+1-512-555-0130"),
        ("Milton Waddams", "media", "+1-512-555-0140"),
    ]
    assert doc.contacts[0].organization == "Initech Corp."
    assert doc.end_mark == "-0-"
    assert "CONTACT" not in doc.body_html and "Web site" not in doc.body_html


def test_page_marker_mid_sentence_is_removed_and_paragraph_rejoined() -> None:
    doc = fixture("page_marker.txt")
    assert "<PAGE>" not in doc.body_html
    assert "the Hooli product line during the coming year." in doc.body_html
    assert text_of(doc.body_html).endswith("Hooli is headquartered in Palo Alto, CA.")  # no "2"


@pytest.mark.parametrize(
    ("dateline", "city", "date", "wire"),
    [
        ("CAMBRIDGE, MA, JANUARY 24, 2003 - ", "CAMBRIDGE, MA", "2003-01-24", ""),
        ("San Jose, CA (August 10, 1995) -- ", "San Jose, CA", "1995-08-10", ""),
        ("CUPERTINO, Calif.--Dec. 20, 1996--", "CUPERTINO, Calif.", "1996-12-20", ""),
        (
            "CUPERTINO, California\u2014July 14, 2004\u2014",
            "CUPERTINO, California",
            "2004-07-14",
            "",
        ),
        ("SAN JOSE, Calif. \u2013 March 15, 2023 \u2013 ", "SAN JOSE, Calif.", "2023-03-15", ""),
        ("SANTA CLARA, Calif.\u2014Feb. 25, 2026\u2015", "SANTA CLARA, Calif.", "2026-02-25", ""),
        ("NEW YORK, Jan. 25, 2005 /PRNewswire/ -- ", "NEW YORK", "2005-01-25", "/PRNewswire/"),
        ("TORONTO, Jan. 5, 2006 /CNW/ - ", "TORONTO", "2006-01-05", "/CNW/"),
        ("NEW YORK--(BUSINESS WIRE)--Jan. 25, 2005--", "NEW YORK", "2005-01-25", "(BUSINESS WIRE)"),
        ("WINSTON-SALEM, N.C., Sept. 9, 2009 ... ", "WINSTON-SALEM, N.C.", "2009-09-09", ""),
        ("ST. LOUIS, Mo., 4 March 2008 - ", "ST. LOUIS, Mo.", "2008-03-04", ""),
    ],
)
def test_dateline_forms_and_separators_give_city_date_and_wire_tag(
    dateline: str, city: str, date: str, wire: str
) -> None:
    doc = doc_from(
        f"Widget Maker Reports Results\n\n{dateline}Widget Co. today reported results.\n"
    )
    assert (doc.dateline_city, doc.date.isoformat(), doc.wire_tag) == (city, date, wire)
    assert doc.date_source == "dateline"
    assert text_of(doc.body_html) == "Widget Co. today reported results."


def test_no_year_dateline_takes_the_year_from_the_default_date() -> None:
    doc = fixture("no_year_dateline.txt", default_date=datetime.date(2005, 1, 3))
    # "Dec. 30" next to a January default is the previous December
    assert doc.date == datetime.date(2004, 12, 30) and doc.date_source == "option"
    assert doc.wire_tag == "/PRNewswire/" and doc.dateline_city == "NEW YORK"


def test_dateline_without_date_uses_the_for_immediate_release_date() -> None:
    doc = fixture("business_wire_no_date.htm")
    assert doc.date == datetime.date(2024, 11, 22) and doc.date_source == "document"
    assert doc.dateline_city == "MALIBU, CA" and doc.wire_tag == "(BUSINESS WIRE)"
    assert doc.for_immediate_release


def test_html_two_column_contact_table_gives_one_contact_per_column() -> None:
    doc = fixture("html_contact_table.htm")
    assert [(c.name, c.audience, c.email) for c in doc.contacts] == [
        ("Ann Smith", "investors", "ann.smith@umbrella.com"),
        ("Bob Jones", "media", "bob.jones@umbrella.com"),
    ]
    assert doc.contacts[0].telephone == "+1.650.555.0101"
    assert doc.dateline_city == "RACCOON CITY, Mo." and doc.end_mark == "# # #"


def test_multiple_about_sections_with_headings_split_across_lines() -> None:
    doc = fixture("multiple_abouts.htm")
    assert [a.heading for a in doc.abouts] == [
        "About the Phase 2 Trial",
        "About Cyberdyne Systems, Inc.",
    ]
    assert doc.subheadlines == ["First patient dosed in the United States"]
    assert doc.safe_harbor and doc.safe_harbor.heading == "Forward-Looking Statements"
    assert doc.end_mark == "+++++"


@pytest.mark.parametrize("mark", ["###", "# # #", "* * *", "+++", "-0-", "- 30 -"])
def test_end_marks_are_recorded_and_kept_out_of_the_body(mark: str) -> None:
    doc = doc_from(
        "Widget Maker Reports Results\n\nBOSTON, May 1, 2001 - Widget Co. today reported.\n\n"
        f"                                   {mark}\n"
    )
    assert doc.end_mark == mark
    assert mark not in doc.body_html


def test_fixed_width_text_table_is_kept_as_table_rows() -> None:
    doc = fixture("text_table.txt")
    assert "<table>" in doc.body_html
    assert "<tr><td>Revenue</td><td>$1,200</td><td>$1,100</td></tr>" in doc.body_html
    assert "<tr><td>Net income</td><td>150</td><td>120</td></tr>" in doc.body_html
    assert doc.end_mark == "###"


def test_edgar_submission_wrapper_gives_ex99_document_and_filing_date() -> None:
    data = (FIXTURES / "submission.txt").read_bytes()
    docs, filed = split_submission(data)
    assert filed == datetime.date(2003, 1, 24)
    assert [t for t, _ in docs] == ["EX-99.1"]
    doc = parse_exhibit(data, filename="submission.txt")
    assert doc.headline == "Massive Dynamic Announces New Chairman"
    # "Jan. 24" has no year: the filing date supplies it
    assert doc.date == datetime.date(2003, 1, 24) and doc.date_source == "filing"


def test_latin1_text_with_crlf_line_endings_is_decoded() -> None:
    doc = fixture("latin1_crlf.txt")
    assert doc.headline == "Soylent Names Café Partner"
    assert "\u201cgreen\u201d" in doc.body_html
    assert doc.dateline_city == "PARIS, France" and doc.date == datetime.date(2001, 5, 2)


def test_bullets_under_the_headline_are_subheadlines() -> None:
    doc = parse_exhibit(
        b"<html><body><p><b>Widget Co. Reports Record Quarter</b></p>"
        b"<ul><li>Revenue up 20%</li><li>Margin up 2 points</li></ul>"
        b"<p>BOSTON, May 1, 2001 - Widget Co. today reported.</p></body></html>",
        filename="x.htm",
    )
    assert doc.subheadlines == ["Revenue up 20%", "Margin up 2 points"]


@pytest.mark.parametrize(
    ("lead", "exchange", "ticker"),
    [
        ("Acme (Nasdaq: IMGN) today", "Nasdaq", "IMGN"),
        ("Acme (NYSE: ORCL) today", "NYSE", "ORCL"),
        ("Acme (NASDAQ/NMS:ROAC) today", "NASDAQ/NMS", "ROAC"),
        ("Acme (Nasdaq:ADBE) today", "Nasdaq", "ADBE"),
        ("Acme (NASDAQ: NVDA) today", "NASDAQ", "NVDA"),
    ],
)
def test_ticker_is_split_into_exchange_and_symbol(lead: str, exchange: str, ticker: str) -> None:
    doc = doc_from(f"Acme Reports Results\n\nBOSTON, May 1, 2001 - {lead} reported.\n")
    assert (doc.exchange, doc.ticker) == (exchange, ticker)


def test_unheaded_forward_looking_paragraph_is_the_safe_harbor() -> None:
    text = (
        "Acme Reports Results\n\nBOSTON, May 1, 2001 - Acme Corp. today reported results.\n\n"
        "This press release includes forward-looking statements that involve risks and\n"
        "uncertainties; actual results may differ materially from those projected in the\n"
        "forward-looking statements.\n"
    )
    doc = doc_from(text)
    assert doc.safe_harbor is not None and doc.safe_harbor.heading == ""
    assert "forward-looking" not in doc.body_html


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------


def _assert_one_line(err: ExhibitError) -> None:
    assert "\n" not in str(err) and err.reason


def test_empty_file_raises() -> None:
    with pytest.raises(ExhibitError) as exc:
        parse_exhibit(b"  \n\n", filename="empty.txt")
    _assert_one_line(exc.value)
    assert "empty" in str(exc.value)


def test_binary_file_raises_with_line_number() -> None:
    with pytest.raises(ExhibitError) as exc:
        parse_exhibit(b"Headline\nsecond line\n\x00\x01\x02binary", filename="x.txt")
    _assert_one_line(exc.value)
    assert exc.value.line == 3 and "binary" in str(exc.value)


def test_truncated_html_without_text_raises() -> None:
    with pytest.raises(ExhibitError) as exc:
        parse_exhibit(
            b"<html><head><title>EX-99.1</title></head><body><table><tr><td", filename="x.htm"
        )
    _assert_one_line(exc.value)


def test_text_without_headline_reads_with_an_empty_headline_and_a_warning() -> None:
    doc = doc_from("BOSTON, May 1, 2001 - Acme Corp. today reported results for the quarter.\n")
    assert doc.headline == "" and doc.dateline_city == "BOSTON"
    assert doc.company_name == "Acme Corp." and "prints no headline" in doc.warnings[0]


def test_text_with_neither_headline_nor_dateline_raises() -> None:
    with pytest.raises(ExhibitError) as exc:
        doc_from(
            "Acme Corp. reported results for the quarter and raised its forecast for the year.\n",
            default_date=datetime.date(2001, 5, 1),
        )
    _assert_one_line(exc.value)
    assert "headline" in exc.value.reason


def test_dateline_without_year_and_no_default_raises_with_line_number() -> None:
    with pytest.raises(ExhibitError) as exc:
        fixture("no_year_dateline.txt")
    _assert_one_line(exc.value)
    assert exc.value.line == 3
    assert str(exc.value) == "line 3: dateline has no year; pass --date YYYY-MM-DD"


def test_dateline_without_date_and_no_default_raises() -> None:
    with pytest.raises(ExhibitError) as exc:
        doc_from("Acme Names CFO\n\nKEARNEY, NE -- (BUSINESS WIRE) -- Acme Corp. named a CFO.\n")
    _assert_one_line(exc.value)
    assert exc.value.line == 3 and "no date" in exc.value.reason


# ---------------------------------------------------------------------------------------------
# Acceptance: the seed and the development corpus
# ---------------------------------------------------------------------------------------------

# file: (label, headline start, date, city, (exchange, ticker), [(contact name, audience)],
#        about headings, safe harbor?, FIR, end mark)
EXPECTED = {
    "seed/ex99-1-immunogen-2003-01-24.txt": (
        "EXHIBIT 99.1",
        "IMMUNOGEN, INC. REGAINS DEVELOPMENT AND COMMERCIALIZATION RIGHTS FOR CANTUZUMAB",
        "2003-01-24",
        "CAMBRIDGE, MA",
        ("Nasdaq", "IMGN"),
        [("Carol Hausner", "investors"), ("Pete Holmberg", "media")],
        ["ABOUT IMMUNOGEN, INC."],
        True,
        True,
        "",
    ),
    "corpus/001_cisco_1995-08-10.txt": (
        "EXHIBIT 20.1",
        "CISCO SYSTEMS TO ACQUIRE COMBINET INC.",
        "1995-08-10",
        "San Jose, CA",
        ("NASDAQ", "CSCO"),
        [],
        [],
        False,
        False,
        "",
    ),
    "corpus/003_apple_1996-12-20.txt": (
        "Exhibit 99.1",
        "Apple Computer, Inc. Agrees to Acquire NeXT Software Inc.",
        "1996-12-20",
        "CUPERTINO, Calif.",
        ("", ""),
        [("Katie Cotton", "media"), ("Russell Brady", "media"), ("Nicole Overson", "media")],
        [],
        False,
        False,
        "",
    ),
    "corpus/005_sears_2004-07-22.txt": (
        "Exhibit 99",
        "Sears Reports Second Quarter 2004 Results",
        "2004-07-22",
        "HOFFMAN ESTATES, Ill.",
        ("NYSE", "S"),
        [("Edgar P. McDougal", "media"), ("Scott A. Bohaboy", "investors")],
        ["About Sears"],
        True,
        False,
        "-0-",
    ),
    "corpus/008_apple_2004-07-14.htm": (
        "Exhibit 99.1",
        "Apple Reports Third Quarter Results",
        "2004-07-14",
        "CUPERTINO, California",
        ("", ""),
        [("Steve Dowling", "media"), ("Nancy Paxton", "investors"), ("Joan Hoover", "investors")],
        [],
        True,  # its unheaded forward-looking paragraph, then boilerplate and contacts (K22)
        False,
        "",
    ),
    "corpus/011_oracle_2014-06-19.htm": (
        "Exhibit 99.1",
        "ORACLE BECOMES THE SECOND LARGEST CLOUD SAAS COMPANY IN THE WORLD",
        "2014-06-19",
        "REDWOOD SHORES, Calif.",
        ("NYSE", "ORCL"),
        [("Ken Bond", "investors"), ("Deborah Hellinger", "media")],
        ["About Oracle"],
        True,
        True,
        "# # #",
    ),
    "corpus/014_adobe_2023-03-15.htm": (
        "Exhibit 99.1",
        "Adobe Reports Record Revenue in Q1 Fiscal 2023",
        "2023-03-15",
        "SAN JOSE, Calif.",
        ("Nasdaq", "ADBE"),
        [("Jonathan Vaas", "investors"), ("Ashley Levine", "media")],
        ["About Adobe"],
        True,
        True,
        "###",
    ),
    "corpus/017_buckle_2024-11-22.htm": (
        "Exhibit 99.1",
        "THE BUCKLE, INC. REPORTS THIRD QUARTER NET INCOME",
        "2024-11-22",
        "KEARNEY, NE",
        ("NYSE", "BKE"),
        [("Thomas B. Heacock", "")],
        ["About Buckle"],
        True,
        True,
        "",
    ),
    "corpus/018_beyond-cancer_2024-12-03.htm": (
        "Exhibit 99.1",
        "Beyond Cancer Announces Approval by the Israeli Ministry of Health",
        "2024-12-03",
        "HAMILTON, BERMUDA",
        ("", ""),
        [("Corey Davis, PhD", ""), ("Matt Johnson", "")],
        ["About Nitric Oxide", "About UNO Therapy for Solid Tumors", "About Beyond Cancer, Ltd."],
        True,
        False,
        "+++++++",
    ),
    "corpus/020_nvidia_2026-02-25.htm": (
        "",
        "NVIDIA Announces Financial Results for Fourth Quarter and Fiscal 2026",
        "2026-02-25",
        "SANTA CLARA, Calif.",
        ("NASDAQ", "NVDA"),
        [("Toshiya Hari", "investors"), ("Mylene Mangalindan", "media")],
        ["About NVIDIA"],
        True,
        False,
        "###",
    ),
}


@needs_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_key_fields_match_expectations(name: str) -> None:
    label, headline, date, city, ticker, contacts, abouts, safe, fir, end = EXPECTED[name]
    path = SHARED / name
    # Sears' dateline has no year ("July 22"); the site passes --date for such files.
    default = datetime.date(2004, 7, 22) if "sears" in name else None
    started = time.perf_counter()
    doc = parse_exhibit(path.read_bytes(), filename=path.name, default_date=default)
    assert time.perf_counter() - started < 3.0
    assert doc.exhibit_label == label
    assert doc.headline.startswith(headline)
    assert doc.date == datetime.date.fromisoformat(date)
    assert doc.dateline_city == city
    assert (doc.exchange, doc.ticker) == ticker
    assert [(c.name, c.audience) for c in doc.contacts] == contacts
    assert [a.heading for a in doc.abouts] == abouts
    assert (doc.safe_harbor is not None) == safe
    assert doc.for_immediate_release == fir
    assert doc.end_mark == end
    assert "<PAGE>" not in doc.body_html
    assert doc.to_dict()["date"] == date


@needs_corpus
def test_every_corpus_file_is_covered_by_the_expectations() -> None:
    files = {
        f"corpus/{p.name}" for p in (SHARED / "corpus").iterdir() if p.suffix in (".txt", ".htm")
    }
    assert files <= set(EXPECTED)


@needs_corpus
def test_sears_year_less_dateline_takes_the_year_of_the_wire_trailer_date() -> None:
    sears = (SHARED / "corpus/005_sears_2004-07-22.txt").read_bytes()
    doc = parse_exhibit(sears)
    assert (doc.date.isoformat(), doc.date_source) == ("2004-07-22", "document")
    with pytest.raises(ExhibitError, match="no year"):
        parse_exhibit(sears.replace(b"07/22/2004", b""))


@needs_corpus
def test_buckle_letterhead_and_release_date() -> None:
    doc = parse_exhibit((SHARED / "corpus/017_buckle_2024-11-22.htm").read_bytes())
    assert doc.company_name == "The Buckle, Inc."
    assert doc.address_lines == [
        "2407 W. 24th St. Kearney, NE 68845",
        "P.O. Box 1480 Kearney, NE 68848-1480",
    ]
    assert (doc.telephone, doc.fax, doc.website) == (
        "308-236-8491",
        "308-236-4493",
        "www.buckle.com",
    )
    assert doc.date_source == "document" and doc.wire_tag == "(BUSINESS WIRE)"


@needs_corpus
def test_seed_contact_details_and_safe_harbor_heading() -> None:
    doc = parse_exhibit((SHARED / "seed/ex99-1-immunogen-2003-01-24.txt").read_bytes())
    carol, pete = doc.contacts
    assert carol.title == "Senior Director, Investor Relations and Corporate Communications"
    assert (carol.telephone, carol.email) == ("(617) 995-2500", "info@immunogen.com")
    assert (pete.organization, pete.telephone) == ("Rx Communications Group, LLC", "(917) 322-2164")
    assert doc.safe_harbor is not None and doc.safe_harbor.heading == "FOR IMMUNOGEN, INC."
    assert doc.company_name == "IMMUNOGEN, INC."


def test_inline_contact_lines_at_the_end_give_name_phone_email_and_audience() -> None:
    doc = parse_exhibit(
        b"<html><body><h1>Acme Announces Deal</h1><h2>Deal expands reach</h2>"
        b"<p>WASHINGTON, Jan. 25, 2005 (GLOBE NEWSWIRE) -- Acme Corp. (NYSE:ACME) today "
        b"announced a deal.</p>"
        b"<p>Media Contact: Jane Doe, (555) 555-1234, jane@acme.com</p>"
        b"<p>Investor Contact: John Roe, (555) 555-9999, john@acme.com</p></body></html>",
        filename="x.htm",
    )
    assert doc.wire_tag == "(GLOBE NEWSWIRE)" and doc.subheadlines == ["Deal expands reach"]
    assert [(c.name, c.telephone, c.email, c.audience) for c in doc.contacts] == [
        ("Jane Doe", "(555) 555-1234", "jane@acme.com", "media"),
        ("John Roe", "(555) 555-9999", "john@acme.com", "investors"),
    ]


def test_run_in_about_heading_followed_by_line_break_opens_an_about_section() -> None:
    doc = parse_exhibit(
        b"<html><body><p align=center><b>Acme Ships Widget 2</b></p>"
        b"<p>SAN JOSE, Calif., Sept. 3, 2019 /PRNewswire/ -- Acme, Inc. today shipped it.</p>"
        b"<p><b>About Acme</b><br>Acme makes widgets.</p></body></html>",
        filename="x.htm",
    )
    assert [(a.heading, a.html) for a in doc.abouts] == [
        ("About Acme", "<p>Acme makes widgets.</p>")
    ]


def test_edgar_sgml_table_tags_in_text_become_a_table_and_caps_headline_ends_contacts() -> None:
    doc = doc_from(
        "Contact: John Smith\n         Acme Corp.\n         (212) 555-1212\n\n"
        "                 ACME REPORTS EARNINGS\n\n"
        "     NEW YORK, NY--March 4, 1998--Acme Corp. (NYSE:ACM) today reported earnings.\n\n"
        "<TABLE>\n<CAPTION>\n                                   1998          1997\n"
        "<S>                              <C>           <C>\n"
        "Revenue                          $100          $90\n</TABLE>\n"
    )
    assert doc.headline == "ACME REPORTS EARNINGS"
    assert [(c.name, c.organization, c.telephone) for c in doc.contacts] == [
        ("John Smith", "Acme Corp.", "(212) 555-1212")
    ]
    assert "<tr><td>Revenue</td><td>$100</td><td>$90</td></tr>" in doc.body_html


# --- layout kinds beyond the invented cases (each a variant of one kind K01..K21) ------------

LEAD = "Acme Widgets Inc. (NYSE: ACW) today reported record sales of widgets for the quarter."


def _text(*lines: str) -> bytes:
    return "\n".join(lines).encode()


def test_dateline_city_with_em_dash_and_no_date_reads_city_and_company():
    doc = parse_exhibit(
        _text("Acme Widgets Reports Sales", "", f"SPRINGFIELD, ILLINOIS — {LEAD}"),
        default_date=datetime.date(2020, 3, 3),
    )
    assert (doc.dateline_city, doc.company_name) == ("SPRINGFIELD, ILLINOIS", "Acme Widgets Inc.")
    with pytest.raises(ExhibitError, match="dateline has no date"):
        parse_exhibit(_text("Acme Widgets Reports Sales", "", f"SPRINGFIELD, ILLINOIS — {LEAD}"))


def test_date_line_with_weekday_above_headline_is_the_release_date():
    doc = parse_exhibit(
        _text(
            "Tuesday, March 3, 2020", "", "Acme Widgets Reports Sales", "", f"SPRINGFIELD - {LEAD}"
        )
    )
    assert (doc.headline, doc.subheadlines, doc.date) == (
        "Acme Widgets Reports Sales",
        [],
        datetime.date(2020, 3, 3),
    )


@pytest.mark.parametrize(
    ("line", "instruction"),
    [
        (
            "EMBARGOED UNTIL 4:05 P.M. ET, MARCH 3, 2020",
            "EMBARGOED UNTIL 4:05 P.M. ET, MARCH 3, 2020",
        ),
        ("For Release: 8:00 a.m. EST", "For Release: 8:00 a.m. EST"),
        ("For Immediate Release", "For Immediate Release"),
    ],
)
def test_release_instructions_are_kept_as_printed_and_never_the_headline(line, instruction):
    doc = parse_exhibit(
        _text(
            line,
            "",
            "Acme Widgets Reports Sales",
            "",
            f"SPRINGFIELD, Ill., March 3, 2020 -- {LEAD}",
        )
    )
    assert (doc.release_instruction, doc.headline) == (instruction, "Acme Widgets Reports Sales")


def test_one_line_company_prefixed_contact_and_alternative_numbers():
    doc = parse_exhibit(
        b"<html><body><p align='center'><b>Acme Widgets Reports Sales</b></p>"
        b"<p>SPRINGFIELD, Ill., March 3, 2020 -- " + LEAD.encode() + b"</p>"
        b"<p>Acme investor relations contact: Jane Roe, 555-123-4567 / 555-123-4568</p>"
        b"</body></html>",
        filename="x.htm",
    )
    assert [(c.name, c.audience, c.telephone) for c in doc.contacts] == [
        ("Jane Roe", "investors", "555-123-4567 (alt. 555-123-4568)")
    ]
    assert "contact" not in doc.body_html


@pytest.mark.parametrize(
    ("lead", "company"),
    [
        ("Acme(R) today announced a new widget line for schools and offices.", "Acme"),
        ("The Acme Board of Directors today declared a quarterly dividend of 5 cents.", "Acme"),
        ("3Bridge Inc. (NASDAQ: TBR) on Monday announced a new widget line.", "3Bridge Inc."),
    ],
)
def test_company_from_the_lead_drops_marks_and_boards(lead, company):
    doc = parse_exhibit(
        _text("Acme Widgets News", "", f"SPRINGFIELD, Ill., March 3, 2020 -- {lead}")
    )
    assert doc.company_name == company


def test_continuation_markers_and_investor_mailbox_after_about():
    doc = parse_exhibit(
        b"<html><body><p align='center'><b>Acme Widgets Reports Sales</b></p>"
        b"<p>SPRINGFIELD, Ill., March 3, 2020 -- " + LEAD.encode() + b"</p>"
        b"<p align='center'>- more -</p><p>Widgets sold well in every region.</p>"
        b"<p><b>About Acme</b></p><p>Acme makes widgets.</p><p>ir@acme.example</p>"
        b"</body></html>",
        filename="x.htm",
    )
    assert "more" not in doc.body_html
    assert [(c.name, c.audience, c.email) for c in doc.contacts] == [
        ("", "investors", "ir@acme.example")
    ]
    assert doc.abouts[0].html == "<p>Acme makes widgets.</p>"


def test_mixed_case_city_with_a_state_is_a_dateline_but_a_company_dash_is_not():
    day = datetime.date(2020, 3, 3)
    doc = parse_exhibit(
        _text("Acme Widgets Reports Sales", "", f"Riverton, Ohio - {LEAD}"), default_date=day
    )
    assert (doc.dateline_city, doc.company_name) == ("Riverton, Ohio", "Acme Widgets Inc.")
    lead = "Acme Widgets - a leader in widgets - today reported record sales in every region."
    doc = parse_exhibit(_text("Acme Widgets Reports Sales", "", lead), default_date=day)
    assert doc.dateline_city == "" and doc.body_html.startswith("<p>Acme Widgets - a leader")


def test_summary_table_above_the_dateline_follows_the_lead_not_the_headline():
    doc = parse_exhibit(
        b"<html><body><p align='center'><b>Brantley Reports Results</b></p>"
        b"<table><tr><td>Sales</td><td>$2.4 billion</td><td>9%</td></tr>"
        b"<tr><td>EPS</td><td>$1.10</td><td>12%</td></tr></table>"
        b"<p>MOLINE, Ill., July 29, 2021 - Brantley Machines Inc. (NYSE: BRM) announced sales.</p>"
        b"<p>Dealers rebuilt inventory.</p></body></html>",
        filename="x.htm",
    )
    assert (doc.headline, doc.subheadlines) == ("Brantley Reports Results", [])
    assert re.match(
        r"<p>Brantley Machines Inc\..*</p><table>.*\$2\.4 billion.*</table><p>Dealers",
        doc.body_html,
    )


# ---------------------------------------------------------------------------------------------
# K20: an unheaded forward-looking paragraph stays where it stands, wherever that is
# ---------------------------------------------------------------------------------------------

FLS_PARAGRAPHS = [
    "This press release contains forward-looking statements including without limitation "
    "those about the Company's estimated revenue. These statements involve risks and "
    "uncertainties, and actual results may differ materially.",
    "Certain statements in this release are forward-looking statements within the meaning of "
    "the Private Securities Litigation Reform Act of 1995 and involve risks and uncertainties.",
]
MAIN_SENTENCES = [
    "Acme Widgets shipped a record number of widgets to schools and hospitals this quarter.",
    "The board declared a quarterly dividend of five cents per share payable in March.",
    "Gross margin was 41 percent, up from 38 percent in the year-ago quarter.",
    "Acme Widgets designs widgets for schools and hospitals around the world.",
]


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(MAIN_SENTENCES), min_size=1, max_size=4),
    st.sampled_from(FLS_PARAGRAPHS),
    st.data(),
    st.booleans(),
    st.booleans(),
)
def test_unheaded_forward_looking_paragraph_followed_by_the_release_stays_where_it_stands(
    after: list[str], fls: str, data: st.DataObject, table: bool, as_html: bool
) -> None:
    before = data.draw(st.lists(st.sampled_from(MAIN_SENTENCES), max_size=3))
    paras = [*before, fls, *after]
    figures = "<table><tr><td></td><td>2012</td><td>2011</td></tr>"
    figures += "<tr><td>Net sales</td><td>$4,210</td><td>$3,870</td></tr></table>"
    lead = "BOSTON, MA, January 20, 2012 -- Acme Widgets, Inc. today reported results."
    if as_html:
        body = "".join(f"<p>{p}</p>" for p in [lead, *paras]) + (figures if table else "")
        source = f'<html><body><p align="center"><b>Acme Reports Results</b></p>{body}'
        doc = parse_exhibit(source.encode(), filename="x.htm")
    else:
        rows = (
            "\n                        2012        2011\nNet sales             $4,210      $3,870\n"
        )
        source = "\n\n".join(["          Acme Reports Results", lead, *paras])
        doc = doc_from(source + ("\n\n" + rows if table else "") + "\n")
    body = text_of(doc.body_html)
    assert doc.safe_harbor is None
    start = body.find(fls)
    positions = [start]
    for p in after:  # each following paragraph after the one before it
        positions.append(body.find(p, positions[-1] + 1))
    assert start >= 0 and -1 not in positions, body
    if table:
        assert body.find(fls) < body.find("Net sales")


def test_a_row_of_bracketed_figures_ending_in_a_word_is_read_in_linear_time() -> None:
    """A text line of 40 "(1)" figures and a closing word took the figure-row pattern
    exponential time to reject (12 figures: 1.1 s; 40 would never finish)."""
    row = "Adjustments" + "  (1)" * 40 + " note"
    text = (
        "      Acme Reports Results\n\nBOSTON, MA, January 20, 2012 -- Acme Widgets, Inc. "
        f"today reported results.\n\n{row}\nNet sales     $4,210     $3,870\n"
    )
    started = time.process_time()
    doc = doc_from(text)
    assert time.process_time() - started < 1.0
    assert "Adjustments" in text_of(doc.body_html)


TICKER_PIECES = ["NYSE", "Nasdaq", "NASDAQ", "lse", "e", " ", "  ", ":", "/", "AB", "XYZ", "(",
                 ")", "OTC", "QB", "Arca", "\t", "\n", "Global", "Select", "Market", "American",
                 "TSX", "-V", "NMS", "/NM", "Euronext", ".", "-", "_", "é"]  # fmt: skip


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.sampled_from(TICKER_PIECES), max_size=16).map("".join))
def test_ticker_found_where_it_can_start_is_the_first_match_of_the_pattern(text: str) -> None:
    from releases.exhibits.patterns import TICKER_RE, first_ticker

    want, got = TICKER_RE.search(text), first_ticker(text)
    assert (got and (got.span(), got.group())) == (want and (want.span(), want.group()))
