"""Regular expressions shared by the parser and the renderer.

They describe how press releases are printed (datelines, tickers, contact blocks), not any one
company's layout.
"""

from __future__ import annotations

import datetime
import re

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_NAMES = [
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]  # fmt: skip

MONTH = (
    r"(?i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# "January 24, 2003", "Jan. 25, 2005", "July 22" (no year), "24 January 2003"
DATE = (
    rf"(?:(?P<mon>{MONTH})\s*(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:\s*,?\s*(?P<year>\d{{4}})(?!\d))?"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<mon2>{MONTH}),?\s+(?P<year2>\d{{4}}))"
)
DATE_RE = re.compile(DATE, re.IGNORECASE)

_WORD = r"[A-Z][\w.'’&]*(?:-[\w.'’&]+)*"  # hyphens only inside a word: WINSTON-SALEM
_CITY_WORD = rf"(?:{_WORD}|de|du|des|la|le|les|of|the|el|del|am|an|sur|upon|en|di|da|do|y)"
_CITY_SEG = rf"{_WORD}(?:[ \t]+{_CITY_WORD}){{0,5}}"
CITY = rf"(?P<city>{_CITY_SEG}(?:,\s*{_CITY_SEG}){{0,3}}?)"
SEP = r"(?:-{1,3}|[–—―]{1,2}|\.{3}|…|:)"
# A wire's tag: between slashes ("/PRNewswire/", "/ ACCESSWIRE /"), in parentheses naming a
# wire or news service ("(BUSINESS WIRE)", "(AP)", "(Reuters)"), or a wire's bare name
# between separators ("-- PRNewswire --").
WIRE = (
    r"(?P<wire>/ ?[A-Za-z][^/\n]{1,40}/"
    r"|\((?=[^()]*(?i:wire|news|cnw|globe|access|\bpr\b|marketed|canada|\bap\b|reuters"
    r"|dow\s+jones))[^()\n]{2,60}\)"
    r"|(?i:PR\s?Newswire(?:-[A-Za-z]+)?|Business\s?Wire|GlobeNewswire|Marketwire|ACCESSWIRE)"
    r"(?=\s*(?:-{1,3}|[–—―]{1,2})))"
)

# "(BUSINESS WIRE) via First!": the wire's delivery service is part of the tag's line, not the lead.
_VIA = r"(?:\s+via\s+[\w!.&]+)?"
DATELINE_RES = [
    # CITY, DATE [WIRE] SEP lead   (covers "(August 10, 1995) --", "Calif.--Dec. 20, 1996--")
    re.compile(
        rf"^{CITY}\s*,?\s*(?:{SEP}\s*)?\(?{DATE}\)?\s*,?\s*(?:(?:{SEP}\s*)?{WIRE}{_VIA}\s*)?"
        rf"{SEP}\s*",
        re.DOTALL,
    ),
    # CITY, DATE WIRE lead   (no separator after the wire tag)
    re.compile(rf"^{CITY}\s*,?\s*\(?{DATE}\)?\s*,?\s*{WIRE}{_VIA}\s*", re.DOTALL),
    # CITY SEP WIRE SEP [DATE SEP] lead   ("KEARNEY, NE -- (BUSINESS WIRE) --")
    re.compile(
        rf"^{CITY}\s*,?\s*(?:{SEP}\s*)?{WIRE}{_VIA}\s*(?:{SEP}\s*)?(?:\(?{DATE}\)?\s*{SEP}\s*)?",
        re.DOTALL,
    ),
]
# CITY DASH lead, with neither date nor wire ("RIVERTON, Ohio - Halvard Pumps Inc. today"): only
# an upper-case city, or a city followed by a state, qualifies, since "Acme Corp. - " could open
# any sentence.
DATELINE_CITY_ONLY_RE = re.compile(
    rf"^{CITY}\s*,?\s*(?:-{{1,3}}|[–—―]{{1,2}})\s+(?=[A-Z0-9“\"])", re.DOTALL
)
# "-0- 07/22/2004" closing PR Newswire copy: the date the wire carried the release.
WIRE_DATE_RE = re.compile(r"(?:^|\s)-0-\s+(\d{1,2})/(\d{1,2})/(\d{4})\b")
# A dateline printed without a city (what render_* emit when only a date is known).
DATELINE_NO_CITY_RE = re.compile(rf"^\(?{DATE}\)?\s*(?:{WIRE}\s*)?{SEP}\s*", re.DOTALL)
# ", Ohio", ", NJ", ", Calif.", ", N.D.": the state that makes a mixed-case city a city.
STATE_RE = re.compile(
    r",\s*(?:[A-Z]{2}|[A-Z][a-z]{1,4}\.|[A-Z]\.\s?[A-Z]\.|Alabama|Alaska|Arizona|Arkansas|California"
    r"|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas"
    r"|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri"
    r"|Montana|Nebraska|Nevada|New\s+\w+|North\s+\w+|Ohio|Oklahoma|Oregon|Pennsylvania"
    r"|Rhode\s+Island|South\s+\w+|Tennessee|Texas|Utah|Vermont|Virginia|Washington"
    r"|West\s+Virginia|Wisconsin|Wyoming)$"
)
NOT_A_CITY_RE = re.compile(
    r"\b(?:release|contact|exhibit|page|statement|quarter|year|ended|month|week|results|"
    r"announce[sd]?|report(?:s|ed)?|today)\b",
    re.IGNORECASE,
)

EXCHANGE = (
    r"(?i:NYSE(?:[ \t]+(?:American|MKT|Arca|Amex))?"
    r"|NASDAQ(?:/NMS|/NM|[ \t]*(?:GS|GM|CM|Global[ \t]+Select(?:[ \t]+Market)?|Global[ \t]+Market"
    r"|Capital[ \t]+Market|National[ \t]+Market))?"
    r"|AMEX|TSX(?:-V|V)?|OTC(?:BB|QB|QX)?|LSE|ASX|Euronext)"
)
TICKER_RE = re.compile(
    rf"(?<![\w/])(?P<ex>{EXCHANGE})\s*[:/]\s*(?P<sym>[A-Z][A-Z0-9]{{0,5}}(?:[.\-][A-Z]{{1,2}})?)\b"
)
_TICKER_SEPARATOR_RE = re.compile(r"[:/]")


def first_ticker(text: str) -> re.Match[str] | None:
    """``TICKER_RE.search(text)``, tried only where a match can start: each match holds a ":" or
    "/" after its exchange, whose name (at most four words joined by spaces or tabs) ends where
    the space before that separator begins, and starts after no letter, digit, "_" or "/". A
    plain search tries every position of a long body (its look-behind defeats the quick scan)."""
    for sep in _TICKER_SEPARATOR_RE.finditer(text):
        end = sep.start()
        while end and text[end - 1].isspace():
            end -= 1
        low = end
        for _ in range(4):  # back over the exchange's words
            while low and not text[low - 1].isspace():
                low -= 1
            if not low or text[low - 1] not in " \t":
                break
            while low and text[low - 1] in " \t":
                low -= 1
        for start in range(low, end):
            before = text[start - 1] if start else " "
            if not (before.isalnum() or before in "_/"):
                m = TICKER_RE.match(text, start)
                if m:
                    return m
    return None


SYMBOL_RE = re.compile(
    r"\b(?:on|in)\s+(?:the\s+)?(?P<ex>NASDAQ|Nasdaq(?: Stock Market)?|New York Stock Exchange"
    r"|NYSE|American Stock Exchange|AMEX)[^.;]{0,80}?\bunder\s+the\s+(?:ticker\s+|trading\s+)?"
    r"symbols?\s+[\"“']?(?P<sym>[A-Z]{1,5})\b"
)

LABEL_RE = re.compile(r"^(?:EXHIBIT|Exhibit|EX-|Ex\.)\s*(\d+(?:\.\d+)?(?:\([a-z]\))?)\s*$")
# Release instructions: "FOR IMMEDIATE RELEASE", "For Release at 4:05 p.m. ET", "EMBARGOED
# UNTIL ...", "Release date: ...". Only the immediate kind is a flag; the rest are kept as printed.
FIR_RE = re.compile(
    r"^(?P<instr>for\s+(?P<immediate>immediate\s+)?(?:release|distribution)|immediate\s+release"
    r"|embargoed\b|release\s+date|not\s+for\s+release\s+(?:before|until))\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# A figure in a table cell: "$4.2", "(1,234)", "12.5%", "$0.89".
FIGURE_RE = re.compile(
    r"^[(\-–]?\s*[$€£]?\s*\d{1,3}(?:,\d{3})*(?:\.\d+)?\s*(?:%|[BMK]|bn|million|billion)?\)?$"
)
# A release date printed on a line of its own (right-aligned or in a masthead).
DATE_LINE_RE = re.compile(
    rf"^(?:(?:date[d]?|release\s+date)\s*:?\s*)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"{DATE}\.?$",
    re.IGNORECASE,
)
COVER_RE = re.compile(
    r"^(?:press|news|media|earnings)\s+releases?$|^news$|^(?:press|news)\s+announcement$",
    re.IGNORECASE,
)

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
PHONE_RE = re.compile(
    r"(?:\+\d{1,3}[\s.-]?)?(?:\(0\)\s*)?(?:\(\d{2,4}\)|\d{1,4})(?:[\s.-]?\d{2,4}){1,3}[\s.-]\d{3,4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?",
    re.IGNORECASE,
)
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\"]+[^\s<>()\".,;:]", re.IGNORECASE)
ADDRESS_RE = re.compile(
    r"\bP\.?\s?O\.?\s+Box\b|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b\d{5}-\d{4}\b"
    r"|^\d+[A-Z]?\s+(?:[NSEW]\.?\s+)?[\w.' -]+?\b(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd"
    r"|Drive|Dr|Way|Lane|Ln|Parkway|Pkwy|Place|Pl|Plaza|Court|Ct|Circle|Highway|Hwy|Suite"
    r"|Floor|Square|Center|Centre)\b\.?",
    re.IGNORECASE,
)
TEL_LINE_RE = re.compile(
    r"\b(?:tel(?:ephone)?|phone|ph|main)\b\.?\s*[:.]?\s*(?P<num>[+(\d][\d\s().+-]{6,}\d)",
    re.IGNORECASE,
)
FAX_LINE_RE = re.compile(
    r"\b(?:fax|facsimile)\b\.?\s*[:.]?\s*(?P<num>[+(\d][\d\s().+-]{6,}\d)", re.IGNORECASE
)
WEB_LINE_RE = re.compile(
    r"^(?:(?:web(?:\s*site)?|internet|url|home\s*page)\s*[:.]?\s*)?(?P<url>(?:https?://|www\.)\S+)$",
    re.IGNORECASE,
)

# Contact block headers: "CONTACTS:", "Investor Relations Contacts:",
# "[Press Information Contact:]", "For further information, contact:", "Media Inquiries:".
# ... also prefixed by the company it speaks for: "Kestrel Investor Contact", "Acme investor
# relations contact: Name, phone" (the prefix, up to five words with its legal form, must be
# followed by an audience word).
CONTACT_HEADER_RE = re.compile(
    r"^\[?\s*(?:for\s+(?:further|more|additional)\s+information,?\s*(?:please\s+)?)?"
    r"(?:(?P<org>[A-Z0-9][\w&.'’-]*(?:\s+[A-Z0-9][\w&.'’-]*){0,4})\s+"
    r"(?=(?:investors?|ir|media|press|news|public|corporate|financial|analyst|shareholder)\s))?"
    r"(?P<label>(?:(?:investors?|ir|media|press|news|public|corporate|financial|analyst|company|"
    r"shareholder|stockholder|agency|relations|communications|information|general|business|trade|"
    r"editorial|industry)\s+)*(?:contacts?|inquiries|enquiries))"
    r"\s*(?:information|details)?\s*(?::|-|–|\])?\s*\]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# The longer labels come first: the first alternative that fits is taken, and "Investor" of
# "Investor Relations: Name, phone" left "Relations: Name" as the entry, which has no name.
AUDIENCE_LABEL_RE = re.compile(
    r"^\[?\s*(?P<label>investors?\s+and\s+analysts|investor\s+relations|investors?|ir|"
    r"media\s+relations|media|press|public\s+relations|corporate\s+communications|news\s+media|"
    r"analysts?|general|other|financial\s+community|shareholders?)(?=[\s:\]]|$)\s*(?::|\])?\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
INVESTOR_WORDS_RE = re.compile(
    r"\binvestors?\b|\bir\b|\bshareholders?\b|\bstockholders?\b|\banalysts?\b|financial\s+community",
    re.IGNORECASE,
)
MEDIA_WORDS_RE = re.compile(
    r"\bmedia\b|\bpress\b|\bpublic\s+relations\b|\bpr\b|\bcommunications\b|\bnews\b|\bjournalists?\b",
    re.IGNORECASE,
)
# Team mailboxes name their audience: ir@, investors@ / press@, media@, pr@.
MAILBOX_INVESTORS_RE = re.compile(
    r"^(?:ir|investors?|investor[._-]?relations|shareholders?|stockholders?)\b", re.IGNORECASE
)
MAILBOX_MEDIA_RE = re.compile(
    r"^(?:press|media|pr|news|newsroom|communications|comms|corpcomm)\b", re.IGNORECASE
)
ORG_RE = re.compile(
    r"\b(?:Inc|Incorporated|Corp|Corporation|Company|Co|LLC|L\.L\.C|Ltd|Limited|LLP|LP|L\.P|plc"
    r"|PLC|GmbH|AG|S\.A|N\.V|Group|Partners|Associates|Advisors|Advisers|Agency|Holdings|Bank"
    r"|Trust|University)\b\.?"
)
TITLE_RE = re.compile(
    r"\b(?:President|Vice|VP|SVP|EVP|Chief|Officer|CEO|CFO|COO|CTO|Director|Manager|Head|"
    r"Chair(?:man|woman|person)?|Relations|Communications|Investor|Investors|Media|Public|Press|"
    r"Marketing|Finance|Financial|Treasurer|Secretary|Counsel|Partner|Principal|Associate|"
    r"Analyst|Specialist|Coordinator|Executive|Senior|Sr\.|Spokes(?:man|woman|person)|Founder|"
    r"Controller|Affairs|Development|Strategy|Lead|Consultant|Representative|Administrator|"
    r"Officer|Leader|Contact|Department|Dept\.?|Office)\b",
    re.IGNORECASE,
)
NAME_SUFFIX = r"(?:Ph\.?\s?D\.?|M\.?D\.?|Jr\.?|Sr\.?|II|III|IV|CFA|CPA|Esq\.?|MBA|J\.D\.)"
NAME_RE = re.compile(
    rf"^(?:(?:Dr|Mr|Mrs|Ms)\.?\s+)?[A-Z][\w'’-]*\.?(?:\s+(?:[A-Z][\w'’-]*\.?|[A-Z]\.|de|van|von"
    rf"|der|da|di|le|la|del|bin|al)){{1,4}}(?:,?\s+{NAME_SUFFIX})*$"
)

FLS_HEADING_RE = re.compile(
    r"forward[\s-]+looking|safe[\s-]+harbou?r|private\s+securities\s+litigation|"
    r"cautionary\s+(?:statement|note|language)",
    re.IGNORECASE,
)
FLS_PARA_RE = re.compile(
    r"forward[\s-]+looking\s+(?:statement|information)|safe[\s-]+harbou?r|"
    r"private\s+securities\s+litigation\s+reform",
    re.IGNORECASE,
)
# How an unheaded safe harbor opens: "This press release contains forward-looking ...".
FLS_OPENER_RE = re.compile(
    r"^(?:this|certain|statements|except|the|all|any|some|information)\b", re.IGNORECASE
)
# A run-in heading ending in a colon within its first 200 characters ("SAFE HARBOR: All ...").
RUN_IN_HEADING_RE = re.compile(r"^(?P<h>[^:]{6,200}:)\s+(?P<rest>\S.+)$")
ABOUT_RE = re.compile(r"^about\s+\S", re.IGNORECASE)
# End marks. Hash marks close a release however many are set ("#", "# #", "###", "- # -"): a
# paragraph of hashes alone is never text (K25). Asterisks and pluses need three, since one or
# two of those alone are footnote and bullet marks.
END_MARK_RE = re.compile(
    r"^(?:-?\s*#(?:\s*#)*\s*-?|\*\s*\*\s*\*(?:\s*\*)*|\+\s*\+\s*\+(?:\s*\+)*|-\s*0\s*-|-\s*30\s*-"
    r"|(?:[–—-]\s*)?(?:end|xxx)(?:\s*[–—-])?)$",
    re.IGNORECASE,
)
# Page-continuation markers of printed releases: "(more)", "- more -", "(continued)".
CONTINUED_RE = re.compile(r"^[\s(\[\-–—]*(?:more|continued|cont'?d\.?)[\s)\]\-–—]*$", re.IGNORECASE)
NOTE_RE = re.compile(
    r"^(?:©|copyright\b|note\s+to\s+editors|notes?\s+to\s+editors|note:|editor'?s\s+note|"
    r"trademarks?\b\s*:?$)"
    r"|\b(?:are|is)\s+(?:either\s+)?(?:the\s+)?(?:registered\s+)?trademarks?\b"
    r"|\btrademarks?\s+(?:or\s+registered\s+trademarks?\s+)?of\b"
    r"|\bhome\s+page\b|\bnews\s+releases\s+and\s+other\s+information\b"
    r"|^(?:https?://|www\.)\S+$",
    re.IGNORECASE,
)
# Every alternative of NOTE_RE and FLS_PARA_RE holds one of a few words (or one of NOTE_RE's
# anchored openings): a substring test rules most paragraphs out before the expression runs.
_NOTE_OPENINGS = ("©", "copyright", "note", "editor", "trademark", "http", "www.")


def is_note(text: str) -> bool:
    """A notice closing a release (NOTE_RE): trademarks, copyright, NOTE TO EDITORS, a URL."""
    low = text.lower()
    # "home" and "news" alone are common in prose ("home office"): their alternatives need a
    # second word too, and the expression costs some 30 µs on a long paragraph.
    if not (
        "trademark" in low
        or ("home" in low and "page" in low)  # home page
        or ("news" in low and "other" in low)  # news releases and other information
        or low.startswith(_NOTE_OPENINGS)
    ):
        return False
    return bool(NOTE_RE.search(text))


def has_fls_words(text: str) -> bool:
    """Whether the text speaks of forward-looking statements or a safe harbor (FLS_PARA_RE)."""
    low = text.lower()
    return ("forward" in low or "safe" in low or "private" in low) and bool(
        FLS_PARA_RE.search(text)
    )


CONNECTOR_START_RE = re.compile(
    r"^(?:and|or|of|for|to|in|with|on|by|at|from|as|into|after|amid|while|&)\b", re.IGNORECASE
)


def parse_date_match(m: re.Match[str]) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from a DATE match; year is None when the dateline omits it."""
    mon = m.group("mon") or m.group("mon2")
    day = m.group("day") or m.group("day2")
    year = m.group("year") or m.group("year2")
    month = MONTHS.get(mon[:3].lower()) if mon else None
    return (int(year) if year else None, month, int(day) if day else None)


def make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


# --- EDGAR submissions and sniffing -------------------------------------------------------

HTML_SNIFF_RE = re.compile(
    r"<(?:html|body|p|div|font|br|td|tr|span|b|i|center|h[1-6]|table\s+[a-z]|!doctype)\b[^>]*>",
    re.IGNORECASE,
)
SUBMISSION_SNIFF_RE = re.compile(
    rb"<(?:SEC-DOCUMENT|SEC-HEADER|IMS-HEADER)>|<DOCUMENT>\s*<TYPE>", re.IGNORECASE
)

DOC_RE = re.compile(rb"<DOCUMENT>(.*?)(?:</DOCUMENT>|\Z)", re.DOTALL | re.IGNORECASE)
TYPE_RE = re.compile(rb"<TYPE>\s*([^\s<]+)", re.IGNORECASE)
TEXT_RE = re.compile(rb"<TEXT>\s*?\r?\n?(.*?)(?:</TEXT>|\Z)", re.DOTALL | re.IGNORECASE)
FILED_RES = [
    re.compile(rb"FILED\s+AS\s+OF\s+DATE:\s*(\d{8})", re.IGNORECASE),
    re.compile(rb"<FILING-DATE>\s*(\d{4}-?\d{2}-?\d{2})", re.IGNORECASE),
    re.compile(rb"CONFORMED\s+PERIOD\s+OF\s+REPORT:\s*(\d{8})", re.IGNORECASE),
    re.compile(rb"<PERIOD>\s*(\d{8})", re.IGNORECASE),
]


# --- contacts ------------------------------------------------------------------------------

NAME_SUFFIX_ONLY_RE = re.compile(
    r"^(?:Ph\.?\s?D\.?|M\.?D\.?|Jr\.?|Sr\.?|II|III|IV|CFA|CPA|Esq\.?|MBA)$"
)
TITLE_CONTINUES_RE = re.compile(r"(?:\band|&|\bof|\bfor|\bto|,|-|/)$", re.IGNORECASE)
TRAILER_CONTACT_RE = re.compile(r"/\s*CONTACT:\s*(?P<body>.+?)/\s*(?=/|\(|$|[A-Z]{2}:)", re.DOTALL)

# --- body ----------------------------------------------------------------------------------

ABBREV_END_RE = re.compile(
    r"\b(?:Inc|Ltd|Co|Corp|Corporation|plc|L\.P|N\.V|S\.A|LLC|Jr|U\.S|Ph\.D|A\.G)\.$", re.IGNORECASE
)
WIRE_CODES_RE = re.compile(
    r"^/?\s*(?:CO|ST|IN|SU|SOURCE|Web\s*site|Photo|PRN\s+Photo\s+Desk|AP\s+Archive)\s*:",
    re.IGNORECASE,
)

# The company opening the lead: "Acme Inc. (NYSE: ACM) today ...", "4Front ... Tuesday announced".
LEAD_COMPANY_RE = re.compile(
    r"^(?P<co>[A-Z0-9][\w&.,'’®™\- ]{1,70}?)(?:\s*\([^)]{0,60}\)){0,3},?\s+"
    r"(?:today|yesterday|tonight|(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day|announced"
    r"|reported|said|has|have|will|is|a|an|the|—|--|–)\b",
    re.IGNORECASE,
)
# An introductory phrase set before the lead's subject and closed by a comma ("Buoyed by a
# strong harvest, Acme Co. today ...", "Citing higher demand, ..."), K23: it ends at one of
# these commas, the first that a named subject follows (the phrase may hold commas of its own:
# "Citing demand, prices and a record harvest, Acme ..."). A comma before a company's legal
# form ("Buckle, Inc.") ends no phrase, and is the only comma a company name holds; whether the
# words are a phrase or a name is decided by ``INTRO_WORD_RE`` and the words' case
# (body.company_from_lead).
LEGAL_FORM_COMMA_RE = re.compile(
    r",\s+(?=(?:Inc|Ltd|LLC|L\.?L\.?C|Corp|Co|plc|L\.?P|N\.V|S\.A|AG|GmbH|SE|SA|LP|Limited"
    r"|Incorporated|Corporation|Company)\b)"
)
# Words that open an adverbial phrase, never a company name.
INTRO_WORD_RE = re.compile(
    r"^(?:in|on|at|for|after|before|following|with|without|despite|amid|amidst|as|during|"
    r"since|by|through|while|when|citing|buoyed|driven|led|helped|fueled|fuelled|boosted|"
    r"spurred|continuing|building|reflecting|marking|responding|according|under|against|"
    r"once|again|earlier|later|last|this|yesterday|today)\b",
    re.IGNORECASE,
)
# Lower-case words a company name may hold ("Bank of America", "Banco de Chile").
NAME_CONNECTORS = frozenset(
    {
        "of",
        "and",
        "the",
        "de",
        "du",
        "des",
        "la",
        "le",
        "del",
        "der",
        "van",
        "von",
        "for",
        "&",
        "y",
        "e",
        "et",
        "und",
        "di",
        "da",
    }
)
# Trademark symbols as printed or spelled out by filing agents ("Zephyr-Registered Trademark-").
MARK_RE = re.compile(
    r"[®™℠]|\((?:R|TM|SM)\)|-?\s*(?:Registered\s+)?(?:Trademark|Service\s+Mark)\s*-",
    re.IGNORECASE,
)
# "The Zephyr Board of Directors today ...": the board speaks for the company it names.
BOARD_RE = re.compile(r"^(?:The\s+)?(?P<co>.+?)(?:'s|’s)?\s+Board(?:\s+of\s+Directors)?$")
