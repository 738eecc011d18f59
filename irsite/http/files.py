"""Answering for a stored file (attachment, image, logo, PDF rendition): conditional GET and
byte ranges, once the caller has decided the file may be served at all.

Callers decide first and call `file_response` only for a file that is public: a file that is
not yet public raises Http404 before any request header is read, so a ``Range`` or
``If-None-Match`` request for it answers exactly like one for a name that never existed.
`irsite.http.pagecache.serve_public` then adds the pages' ``Cache-Control`` to whatever this returns
(200, 206, 304, 412 or 416).

Preconditions (If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since) are Django's
`get_conditional_response`, evaluated before the file is opened. Ranges (RFC 9110 §14) are
parsed here: one range gets a 206, several are ignored (a 200 with the whole file, which §14.2
allows), an unsatisfiable one a 416; ``If-Range`` (§13.1.5) that does not match strongly turns
the range off. Neither werkzeug (which refuses a suffix longer than the file, §14.1.3 says to
send the whole file) nor WhiteNoise's internal parser (a one-byte range answers 416, no
If-Range) gets these right, so the grammar is here, tested by hypothesis in tests/test_ranges.py.

Every view that answers with a stored file does so through `serve_file`: when the storage fails
(object storage unreachable or refusing: botocore's errors; a local disk: OSError), wherever in
the view (opening the file, its size, rendering a PDF on demand), the answer is 503 with
``Retry-After`` like a database outage (`irsite.errors`), never a 500, and never cached. A file
a row names but the storage does not have (`irsite.storage.is_missing`: lost in a restore or a
bad sync) is a 404 for that file, logged, as for a name that never existed.
"""

import io
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template import loader
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from irsite.storage import is_missing

from .pagecache import serve_public
from .private import mark_private

logger = logging.getLogger("irsite.http.files")

try:  # object storage (MEDIA_STORAGE=s3): its client's errors, connection and service alike
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - boto3 is in requirements; a local disk needs none
    STORAGE_ERRORS = (OSError,)

# Seconds a client is asked to wait when the storage fails (as for the database: irsite.errors).
STORAGE_RETRY_AFTER = 10
# One log line per this many seconds per process and kind, not one per request of a crowd.
_LOG_EVERY = 5.0
_logged_at = {"failed": float("-inf"), "missing": float("-inf")}


def _log_now(kind: str) -> bool:
    """Whether a line of ``kind`` is due (`_LOG_EVERY`); if so, it is counted as written."""
    now = time.monotonic()
    if now - _logged_at[kind] < _LOG_EVERY:
        return False
    _logged_at[kind] = now
    return True


# RFC 9110 §14.1.1: int-range ("0-499", "500-") or suffix-range ("-500"), digits only.
_RANGE_SPEC = re.compile(r"(?:(\d+)-(\d*)|-(\d+))")


@dataclass(frozen=True)
class StoredFile:
    """A file the caller has decided to serve, with what its headers need."""

    open: Callable[[], IO[bytes]]
    size: int
    content_type: str
    # Quoted strong entity tag; the stored bytes never change under a name.
    etag: str
    last_modified: datetime
    filename: str = ""
    as_attachment: bool = False


def byte_range(header: str, size: int) -> tuple[int, int] | Literal[False] | None:
    """The single satisfiable range ``(start, stop)`` (stop exclusive) a ``Range`` header asks
    of ``size`` bytes; None to send the whole file (not a bytes range, malformed, or several
    ranges); False when the one range asked for is not satisfiable (a 416)."""
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip(" \t").lower() != "bytes":  # OWS: spaces and tabs (§5.6.3)
        return None
    parts = [part.strip(" \t") for part in specs.split(",")]
    parts = [part for part in parts if part]  # a list may carry empty elements (§5.6.1)
    if len(parts) != 1:
        return None
    match = _RANGE_SPEC.fullmatch(parts[0])
    if match is None:
        return None
    first, last, suffix = match.groups()
    if suffix is not None:
        length = int(suffix)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: the header is ignored (§14.1.1)
    if start >= size:
        return False
    stop = size if not last else min(int(last) + 1, size)
    return start, stop


def _if_range_matches(request: HttpRequest, stored: StoredFile) -> bool:
    """No If-Range, or one naming this very file: an entity tag compared strongly, or the exact
    Last-Modified date (RFC 9110 §13.1.5)."""
    value = request.headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return not value.startswith("W/") and parse_etags(value) == [stored.etag]
    date = parse_http_date_safe(value)
    return date is not None and date == int(stored.last_modified.timestamp())


class _Slice(io.RawIOBase):
    """``length`` bytes of an open file from ``start`` on, closing the file when closed."""

    def __init__(self, file: IO[bytes], start: int, length: int) -> None:
        file.seek(start)
        self.file, self.remaining = file, length

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.file.read(size) if size else b""
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.file.close()
        super().close()


def file_response(request: HttpRequest, stored: StoredFile) -> HttpResponseBase:
    """The answer for a public ``stored`` file: 304/412 for a precondition, 206 or 416 for a
    range, else the whole file; every one with its ETag and Last-Modified."""
    headers = HttpResponse()
    headers["ETag"] = stored.etag
    headers["Last-Modified"] = http_date(stored.last_modified.timestamp())
    last_modified = int(stored.last_modified.timestamp())
    decided = get_conditional_response(
        request, etag=stored.etag, last_modified=last_modified, response=headers
    )
    if decided is not headers:
        assert decided is not None  # given a response, it answers one
        return decided

    span = None
    if (
        request.method == "GET"
        and "Range" in request.headers
        and _if_range_matches(request, stored)
    ):
        span = byte_range(request.headers["Range"], stored.size)
    response: HttpResponseBase
    if span is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stored.size}"
    else:
        file = stored.open()
        start, stop = span or (0, stored.size)
        response = FileResponse(
            _Slice(file, start, stop - start) if span else file,
            as_attachment=stored.as_attachment,
            filename=stored.filename,
            content_type=stored.content_type,
        )
        response["Content-Length"] = str(stop - start)
        if span:
            response.status_code = 206
            response["Content-Range"] = f"bytes {start}-{stop - 1}/{stored.size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = headers["ETag"]
    response["Last-Modified"] = headers["Last-Modified"]
    return response


def storage_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with ``Retry-After`` for a file the storage failed to give: private, so that no
    cache keeps it."""
    if _log_now("failed"):
        logger.warning(
            "Storage failed while answering %s (%s: %s); answering 503.",
            request.path,
            type(error).__name__,
            error,
        )
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(STORAGE_RETRY_AFTER)
    return mark_private(response)


def storage_guarded(
    request: HttpRequest, respond: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """``respond()``; a 404 when the storage says the file is missing, a 503 when it fails
    otherwise, anywhere in it: for the staff's file views, which are private (never
    `serve_public`), and inside `serve_file` for the public ones."""
    try:
        return respond()
    except STORAGE_ERRORS as error:
        if is_missing(error):
            _log_missing(request, error)
            raise Http404("No such file.") from None
        return storage_unavailable(request, error)


def _log_missing(request: HttpRequest, error: BaseException) -> None:
    if _log_now("missing"):
        logger.error(
            "A stored file is missing while answering %s (%s: %s); answering 404.",
            request.path,
            type(error).__name__,
            error,
        )


def serve_file(request: HttpRequest, respond: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """`serve_public` for an answer that reads the storage (``respond`` ends in `file_response`
    for a public file): a file missing from storage anywhere in ``respond`` is a 404, any other
    storage failure a 503, never a 500."""

    def guarded() -> HttpResponseBase:
        return storage_guarded(request, respond)

    return serve_public(request, guarded)
