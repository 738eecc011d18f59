"""A local EDGAR for the filings tests: a real HTTP server on a port the OS picks, answering
what each test scripts (recorded submissions files from ../shared/fixtures/edgar, or bodies
made here), and recording every request it got (path, headers, when)."""

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # Declare more bytes than are sent, then close: a body cut off on the way.
    cut_after: int | None = None
    # Sleep this long before answering (the poller's timeout is shorter in the tests).
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


class Edgar:
    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        edgar = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                edgar.requests.append(Seen(self.path, dict(self.headers), time.monotonic()))
                queue = edgar.replies.get(self.path)
                reply = (
                    (queue.pop(0) if len(queue) > 1 else queue[0])
                    if queue
                    else Reply(b"<Error><Code>NoSuchKey</Code></Error>", 404, "application/xml")
                )
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                # The whole body's length, even when only part of it is sent.
                self.send_header("Content-Length", str(len(reply.body)))
                body = reply.body[: reply.cut_after]
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                # The poller may have given up waiting (the timeout test).
                with contextlib.suppress(OSError):
                    self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with ``replies`` in turn, the last one from then on."""
        self.replies[path] = list(replies)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


RECENT_KEYS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "core_type",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)


def filing(number: int, form: str = "8-K", filed: str = "2026-02-26", **extra) -> dict:
    """One filing's values, as a row of `filings.recent` (``number`` makes its accession)."""
    row = {
        "accessionNumber": f"0000855654-26-{number:06d}",
        "filingDate": filed,
        "reportDate": filed,
        "acceptanceDateTime": f"{filed}T12:30:00.000Z",
        "act": "34",
        "form": form,
        "fileNumber": "000-17999",
        "filmNumber": f"2600{number:04d}",
        "items": "2.02,9.01" if form.startswith("8-K") else "",
        "core_type": form,
        "size": 1000 + number,
        "isXBRL": 1,
        "isInlineXBRL": 1 if form in {"10-K", "10-Q", "8-K"} else 0,
        "primaryDocument": f"imgn-{number}.htm",
        "primaryDocDescription": form,
    }
    row.update(extra)
    return row


def columns(rows: list[dict]) -> dict:
    """Rows as EDGAR's parallel arrays."""
    keys = list(rows[0]) if rows else list(RECENT_KEYS)
    return {key: [row[key] for row in rows] for key in keys}


CIK = "0000855654"


def submissions(rows: list[dict], pages: list[str] = (), cik: str = CIK) -> bytes:
    """A main submissions file of ``cik`` with ``rows`` (newest first) and older ``pages``."""
    return json.dumps(
        {
            "cik": cik,
            "entityType": "operating",
            "name": "IMMUNOGEN INC",
            "tickers": ["IMGN"],
            "filings": {
                "recent": columns(rows),
                "files": [
                    {"name": p, "filingCount": 1, "filingFrom": "2001-01-01", "filingTo": "2002"}
                    for p in pages
                ],
            },
        }
    ).encode()
