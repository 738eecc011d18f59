"""EDGAR's submissions JSON: fetched under the SEC's fair-access rules, and read strictly.

Fair access (https://www.sec.gov/os/accessing-edgar-data): every request declares who sends
it, in ``User-Agent``, with a contact address (``IRSITE_EDGAR_USER_AGENT``, e.g. "Example Corp
investor.relations@example.com"; without one nothing is sent, `user_agent` says so in one
line); at most ``IRSITE_EDGAR_MAX_REQUESTS_PER_SECOND`` (10, the SEC's limit) per process,
spaced evenly; a 429 or 403 is answered by waiting (``Retry-After`` when given, else a growing
back-off: the poller's). Only one worker polls at a time (`filings.poller`), so per process is
per site.

Outbound: the base URL is a setting (``IRSITE_EDGAR_BASE_URL``, ``https://data.sec.gov``);
its host must resolve to public addresses only (a private, loopback or link-local one is
refused, unless named in ``IRSITE_EDGAR_PRIVATE_HOSTS``, which the tests' local server needs);
redirects are not followed, bodies are bounded (``IRSITE_EDGAR_MAX_BYTES``).

Reading: a response is accepted whole or not at all (`BadResponse` says why in one line): the
JSON must parse, carry the CIK asked for, and hold every key irsite reads, in parallel arrays
of one length with values of the documented types. Keys irsite does not read are ignored and
reported (`Submissions.unknown_keys`), never an error: EDGAR adds keys now and then (``core_type``
came in 2023). No Django model here: `filings.actions` stores what this returns.
"""

import http.client
import json
import re
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from django.conf import settings

from irsite import outbound
from irsite.plaintext import single_line

# A contact address in the User-Agent, as the SEC asks ("Sample Company Name
# AdminContact@samplecompany.com").
_CONTACT = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_CIK = re.compile(r"^\d{1,10}$")
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
# A document's name inside the filing's folder; forms 3/4/5 add an XSL folder ("xslF345X05/").
_DOCUMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
_PAGE_NAME = re.compile(r"^CIK\d{10}-submissions-\d{3}\.json$")

# Every key of `filings.recent` (and of an older page) that irsite reads; all required.
REQUIRED_KEYS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)
# Known, not read (its value is not the form: SOURCES.md of the test fixtures).
KNOWN_KEYS = {*REQUIRED_KEYS, "core_type"}
DESCRIPTION_MAX_LENGTH = 500
SEC_MAX_REQUESTS_PER_SECOND = 10.0


class EdgarError(Exception):
    """A request that brought nothing usable; ``retry_after``: seconds EDGAR asked us to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotConfigured(EdgarError):
    """Fair access cannot be met with the settings as they are: nothing is sent."""


class BadResponse(EdgarError):
    """EDGAR answered, but not with a submissions file irsite can trust."""


@dataclass(frozen=True)
class FilingRecord:
    """One filing as EDGAR lists it."""

    accession_number: str
    form: str
    filing_date: date
    report_date: date | None
    accepted_at: datetime | None
    act: str
    file_number: str
    film_number: str
    items: str
    size: int
    is_xbrl: bool
    is_inline_xbrl: bool
    primary_document: str
    description: str


@dataclass
class Submissions:
    """A submissions file: the issuer, its recent filings and the names of its older pages."""

    cik: str
    name: str
    filings: list[FilingRecord]
    pages: list[str]
    unknown_keys: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Answer:
    status: int  # 200 or 304
    body: bytes
    last_modified: str


# --- settings --------------------------------------------------------------------------------


def user_agent() -> str:
    """The declared User-Agent, or `NotConfigured` saying in one line what is missing."""
    value = settings.IRSITE_EDGAR_USER_AGENT.strip()
    if not value:
        raise NotConfigured(
            "EDGAR poller not started: set IRSITE_EDGAR_USER_AGENT to your company's name and "
            "a contact e-mail address (SEC fair access), e.g. "
            '"Example Corp investor.relations@example.com".'
        )
    if not value.isascii() or not value.isprintable() or len(value) > 200:
        raise NotConfigured(
            "EDGAR poller not started: IRSITE_EDGAR_USER_AGENT must be printable ASCII of at "
            "most 200 characters."
        )
    if not _CONTACT.search(value):
        raise NotConfigured(
            "EDGAR poller not started: IRSITE_EDGAR_USER_AGENT has no contact e-mail address "
            f"({value!r}); the SEC asks for one (fair access)."
        )
    return value


def padded_cik(cik: str | int) -> str:
    """ "320193" -> "0000320193", as EDGAR names its files; ValueError for anything else."""
    text = str(cik).strip()
    if not _CIK.match(text) or int(text) == 0:
        raise ValueError(f"a CIK is 1 to 10 digits, not {text!r}")
    return f"{int(text):010d}"


# --- the request -----------------------------------------------------------------------------


class _Throttle:
    """Request starts spaced at least 1/rate seconds apart in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = -1e9

    def wait(self) -> None:
        # Never above the SEC's 10 a second, whatever the setting says.
        gap = 1.0 / min(SEC_MAX_REQUESTS_PER_SECOND, settings.IRSITE_EDGAR_MAX_REQUESTS_PER_SECOND)
        with self.lock:
            delay = self.last + gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.last = time.monotonic()


throttle = _Throttle()


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(0.0, (at - datetime.now(UTC)).total_seconds())


def _read(response: http.client.HTTPResponse) -> bytes:
    limit = settings.IRSITE_EDGAR_MAX_BYTES
    try:
        body = response.read(limit + 1)
    except http.client.IncompleteRead as error:
        raise BadResponse(
            f"the answer was cut off after {len(error.partial)} bytes "
            f"(of {response.getheader('Content-Length') or 'an unknown number of'})"
        ) from error
    if len(body) > limit:
        raise BadResponse(f"the answer is larger than {limit} bytes")
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) != len(body):
        raise BadResponse(f"the answer was cut off after {len(body)} bytes (of {declared})")
    if (response.getheader("Content-Encoding") or "").lower() == "gzip":
        inflater = zlib.decompressobj(wbits=31)
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error as error:
            raise BadResponse(f"the compressed answer is damaged: {error}") from error
        if len(body) > limit or not inflater.eof:
            raise BadResponse("the compressed answer is cut off or too large")
    return body


def get(path: str, if_modified_since: str = "") -> Answer:
    """GET ``path`` under ``IRSITE_EDGAR_BASE_URL``: 200 with the body, 304, or `EdgarError`."""
    agent = user_agent()
    base = urllib.parse.urlsplit(settings.IRSITE_EDGAR_BASE_URL)
    if base.scheme not in {"http", "https"} or not base.hostname:
        raise NotConfigured(f"IRSITE_EDGAR_BASE_URL is not an http(s) URL: {base.geturl()!r}")
    timeout = settings.IRSITE_EDGAR_TIMEOUT
    # The poller reaches EDGAR, nothing inside the network it runs in (`irsite.outbound`).
    try:
        target = outbound.split_url(settings.IRSITE_EDGAR_BASE_URL)
        connection = outbound.connect(
            target,
            allow_private=target.host in settings.IRSITE_EDGAR_PRIVATE_HOSTS,
            timeout=timeout,
        )
    except outbound.AddressRefused as error:
        raise EdgarError(str(error)) from error
    headers = {"User-Agent": agent, "Accept-Encoding": "gzip", "Accept": "application/json"}
    if if_modified_since:
        headers["If-Modified-Since"] = if_modified_since
    throttle.wait()
    try:
        connection.request("GET", base.path.rstrip("/") + path, headers=headers)
        response = connection.getresponse()
        status = response.status
        if status == 304:
            return Answer(304, b"", if_modified_since)
        if status in {403, 429}:
            wait = _retry_after(response.getheader("Retry-After"))
            response.read(64 * 1024)
            raise EdgarError(
                f"EDGAR refused the request (HTTP {status} {response.reason})"
                + (f"; it asks to wait {wait:.0f} s" if wait is not None else ""),
                retry_after=wait,
            )
        if status == 404:
            raise BadResponse(f"EDGAR has no such file (HTTP 404): {path}")
        if status != 200:
            raise EdgarError(f"EDGAR answered HTTP {status} {response.reason} for {path}")
        kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise BadResponse(f"EDGAR answered {kind or 'no content type'}, not JSON, for {path}")
        body = _read(response)
        return Answer(200, body, response.getheader("Last-Modified") or "")
    except TimeoutError as error:
        raise EdgarError(f"EDGAR did not answer within {timeout:g} s ({path})") from error
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, EdgarError):
            raise
        raise EdgarError(f"could not reach EDGAR: {type(error).__name__}: {error}") from error
    finally:
        connection.close()


# --- reading ---------------------------------------------------------------------------------


def _json(body: bytes, what: str) -> object:
    try:
        return json.loads(body)
    except UnicodeDecodeError as error:
        raise BadResponse(f"{what} is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        shown = "HTML" if body.lstrip()[:1] == b"<" else "not JSON"
        raise BadResponse(
            f"{what} is {shown} or cut off (line {error.lineno}, column {error.colno})"
        ) from error


def _text(value: object, key: str, row: int, max_length: int) -> str:
    if not isinstance(value, str):
        raise BadResponse(f"{key}[{row}] is {type(value).__name__}, not text")
    text = single_line(value)
    if len(text) > max_length:
        raise BadResponse(f"{key}[{row}] is longer than {max_length} characters")
    return text


def _date(value: object, key: str, row: int, *, optional: bool) -> date | None:
    text = _text(value, key, row, 10)
    if not text and optional:
        return None
    try:
        if len(text) != 10:  # fromisoformat also takes "20260226"
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadResponse(f"{key}[{row}] is not a date: {text!r}") from error


def _datetime(value: object, key: str, row: int) -> datetime | None:
    text = _text(value, key, row, 40)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadResponse(f"{key}[{row}] is not a time: {text!r}") from error
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _flag(value: object, key: str, row: int) -> bool:
    if type(value) is not int or value not in (0, 1):
        raise BadResponse(f"{key}[{row}] is {value!r}, not 0 or 1")
    return bool(value)


def _size(value: object, row: int) -> int:
    if type(value) is not int or value < 0:
        raise BadResponse(f"size[{row}] is {value!r}, not a number of bytes")
    return value


def records(columns: object, where: str) -> tuple[list[FilingRecord], set[str]]:
    """The filings of a parallel-array object (``filings.recent``, or an older page), newest
    first, and the keys it has that irsite does not read."""
    if not isinstance(columns, dict):
        raise BadResponse(f"{where} is not an object")
    missing = [key for key in REQUIRED_KEYS if key not in columns]
    if missing:
        raise BadResponse(f"{where} has no {', '.join(missing)}")
    for key in REQUIRED_KEYS:
        if not isinstance(columns[key], list):
            raise BadResponse(f"{where}.{key} is not a list")
    lengths = {len(columns[key]) for key in REQUIRED_KEYS}
    if len(lengths) != 1:
        raise BadResponse(f"{where}'s lists differ in length ({sorted(lengths)})")
    found: list[FilingRecord] = []
    seen: set[str] = set()
    for row, values in enumerate(zip(*(columns[key] for key in REQUIRED_KEYS), strict=True)):
        v = dict(zip(REQUIRED_KEYS, values, strict=True))
        accession = _text(v["accessionNumber"], "accessionNumber", row, 20)
        if not _ACCESSION.match(accession):
            raise BadResponse(f"accessionNumber[{row}] is not an accession number: {accession!r}")
        if accession in seen:
            raise BadResponse(f"accessionNumber {accession} is listed twice")
        seen.add(accession)
        form = _text(v["form"], "form", row, 30)
        if not form:
            raise BadResponse(f"form[{row}] is empty")
        document = _text(v["primaryDocument"], "primaryDocument", row, 300)
        # Each part starts with a letter or digit, so no part is "." or ".." (real names do hold
        # "..": "tesla.motors.inc..txt").
        if document and not _DOCUMENT.match(document):
            raise BadResponse(f"primaryDocument[{row}] is not a document name: {document!r}")
        description = _text(v["primaryDocDescription"], "primaryDocDescription", row, 10_000)
        if len(description) > DESCRIPTION_MAX_LENGTH:
            # EDGAR's free text, shown as a title: cut with a mark, not refused with the list.
            description = description[: DESCRIPTION_MAX_LENGTH - 1] + "…"
        filing_date = _date(v["filingDate"], "filingDate", row, optional=False)
        assert filing_date is not None
        found.append(
            FilingRecord(
                accession_number=accession,
                form=form,
                filing_date=filing_date,
                report_date=_date(v["reportDate"], "reportDate", row, optional=True),
                accepted_at=_datetime(v["acceptanceDateTime"], "acceptanceDateTime", row),
                act=_text(v["act"], "act", row, 10),
                file_number=_text(v["fileNumber"], "fileNumber", row, 40),
                film_number=_text(v["filmNumber"], "filmNumber", row, 40),
                items=_text(v["items"], "items", row, 200),
                size=_size(v["size"], row),
                is_xbrl=_flag(v["isXBRL"], "isXBRL", row),
                is_inline_xbrl=_flag(v["isInlineXBRL"], "isInlineXBRL", row),
                primary_document=document,
                description=description,
            )
        )
    return found, {key for key in columns if key not in KNOWN_KEYS}


def parse_submissions(body: bytes, cik: str) -> Submissions:
    """The main submissions file of ``cik`` (padded), or `BadResponse`."""
    data = _json(body, "the submissions file")
    if not isinstance(data, dict):
        raise BadResponse("the submissions file is not an object")
    for key in ("cik", "name", "filings"):
        if key not in data:
            raise BadResponse(f"the submissions file has no {key}")
    try:
        answered = padded_cik(data["cik"])
    except ValueError as error:
        raise BadResponse(f"the submissions file's cik is {data['cik']!r}") from error
    if answered != cik:
        raise BadResponse(f"EDGAR answered for CIK {answered}, not {cik}")
    if not isinstance(data["name"], str):
        raise BadResponse("the submissions file's name is not text")
    filings = data["filings"]
    if not isinstance(filings, dict) or "recent" not in filings or "files" not in filings:
        raise BadResponse("the submissions file's filings has no recent or no files")
    found, unknown = records(filings["recent"], "filings.recent")
    pages = filings["files"]
    if not isinstance(pages, list):
        raise BadResponse("filings.files is not a list")
    names = []
    for number, page in enumerate(pages):
        name = page.get("name") if isinstance(page, dict) else None
        if not isinstance(name, str) or not _PAGE_NAME.match(name):
            raise BadResponse(f"filings.files[{number}] names no submissions page: {page!r}"[:200])
        names.append(name)
    return Submissions(
        cik=cik,
        name=single_line(data["name"])[:200],
        filings=found,
        pages=names,
        unknown_keys=unknown,
    )


def parse_page(body: bytes, name: str) -> tuple[list[FilingRecord], set[str]]:
    """An older page (``CIK##########-submissions-NNN.json``): the parallel arrays alone."""
    return records(_json(body, name), name)
