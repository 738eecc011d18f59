"""A process's copies of public pages answered at the WSGI door, before Django runs at all.

`releases.cache.LocalPublicPageMiddleware` answers a repeat from memory but still inside Django:
the request object, the request_started/finished signals (which walk every database
connection), the outer middleware and a new response cost more than the page itself. Here the
same copy, with the status and every header Django sent for it (security headers included), is
answered from the WSGI environ alone.

Only what the middleware itself chose to copy is kept, and only a plain GET is answered: no
session cookie, no conditional header (a 304 is Django's to decide), the same scheme, host,
forwarded headers, path and query as the request that made the copy, so Django could not have
answered it differently. A copy is used only while its go-live has not come and its generation
is the one this process was last pushed, with the count of committed changes read within the
last ``IRSITE_GENERATION_CHECK_SECONDS`` (`releases.cache.local_generation`); otherwise the
request takes the full path, which reads both again. No I/O happens here, so nothing here can
fail a request.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .cache import LOCAL_PAGE_ENVIRON_KEY, CachedResponse, local_generation

# Everything of the environ that Django's answer to a plain anonymous GET can depend on.
_KEY_FIELDS = (
    "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
)  # fmt: skip
# A request carrying any of these goes to Django.
_DECLINE = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_RANGE")


@dataclass(frozen=True)
class WsgiPage:
    generation: str
    entry: CachedResponse
    status: str
    headers: tuple[tuple[str, str], ...]


class LocalPageApplication:
    """Wraps Django's WSGI application (irsite/wsgi.py)."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.pages: OrderedDict[tuple, WsgiPage] = OrderedDict()
        self.lock = threading.Lock()

    def _key(self, environ: dict[str, Any]) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET" or not settings.IRSITE_PAGE_CACHE:
            return None
        if any(name in environ for name in _DECLINE):
            return None
        if f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", ""):
            return None
        return tuple(environ.get(name) for name in _KEY_FIELDS)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = self._key(environ)
        if key is not None:
            with self.lock:
                page = self.pages.get(key)
            if (
                page is not None
                and page.entry.is_fresh(time.time())
                and page.generation == local_generation()
            ):
                start_response(page.status, list(page.headers))
                return [page.entry.content]
        sent: list = []

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        copied = environ.get(LOCAL_PAGE_ENVIRON_KEY)
        if (
            key is not None
            and copied is not None
            and sent
            and sent[0].startswith("200")
            and not any(name.lower() == "set-cookie" for name, _ in sent[1])
        ):
            self._keep(key, WsgiPage(copied[0], copied[1], sent[0], tuple(sent[1])))
        return result

    def _keep(self, key: tuple, page: WsgiPage) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > settings.IRSITE_LOCAL_PAGES:
                self.pages.popitem(last=False)
