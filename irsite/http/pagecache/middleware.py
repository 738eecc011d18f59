"""The page cache consulted early, before sessions, CSRF and URL resolution. See
`irsite.http.pagecache`."""

import math
from collections.abc import Callable
from dataclasses import asdict, replace

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from irsite import clock, replicas

from .entries import BODY_HEADERS, NOT_STORED, CachedResponse, finish, look_up
from .generation import page_cache


class PublicPageCacheMiddleware:
    """Answers an anonymous GET of a public page whose copy is current from the shared page
    cache before sessions, CSRF, authentication, messages and URL resolution run: the same
    copy, under the same checks, that `serve_public` answers with further in (one cache layer,
    consulted early, as Django's own cache middleware is). Anything else (a miss, a copy from
    another generation or past its go-live, a request with a session cookie, which may be
    a signed-in user's and must be marked private) takes the full path, where `serve_public`
    renders once per page and generation.

    Sits inside the Content-Security-Policy and X-Frame-Options middleware, so an early answer
    leaves with the same headers as one from the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            settings.IRSITE_PAGE_CACHE
            and request.method in {"GET", "HEAD"}
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not replicas.aliases()  # a replica's pages are kept apart, by snapshot
        ):
            # No copy (a URL no public view answers, /healthz): nothing else is asked.
            _, _, entry = look_up(request, only_a_stored_page=True)
            if entry is not None and entry.whole and entry.is_fresh(clock.epoch()):
                answer = finish(request, entry.response(), entry.etag, entry.last_modified)
                if answer.status_code == 304:
                    # Django's 304 keeps only the validators and caching headers; the
                    # full path's carries what the view's decorators added (a frame's
                    # X-Frame-Options), which the middleware outside would otherwise
                    # replace with its default and block the revalidated frame.
                    for name, value in entry.headers:
                        if name.lower() not in BODY_HEADERS and name not in answer:
                            answer.headers[name] = value
                return answer
        response = self.get_response(request)
        if stored_now := getattr(response, "irsite_stored", None):
            self._keep_whole(response, *stored_now)
        return response

    @staticmethod
    def _keep_whole(response: HttpResponseBase, key: str, entry: "CachedResponse") -> None:
        """The copy just stored, with the headers the response has here (once per render)."""
        if response.status_code != 200:
            return  # a 304 to this request: its own headers are not the page's
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in NOT_STORED
        )
        whole = replace(entry, headers=headers, whole=True)
        if (left := math.ceil(entry.expires_at - clock.epoch())) > 0:
            page_cache().set(key, asdict(whole), timeout=left)
