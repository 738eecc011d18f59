"""Responses that must never be cached or indexed: the admin, staff previews, share links."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from .frontcache import mark_public

# Any response, a streamed file's too; it is returned as it came.
_Response = TypeVar("_Response", bound=HttpResponseBase)


def mark_private(response: _Response) -> _Response:
    """Keep a response out of every shared cache and search index."""
    response.headers.pop("Cache-Control", None)
    response.headers.pop("Surrogate-Key", None)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class PrivateResponseMiddleware:
    """Marks the admin and anything a signed-in user sees as private.

    Views that serve non-public content outside the admin (share-link previews) call
    ``mark_private`` themselves; this middleware is the net under everything else, so that a
    staff user's page never lands in a CDN or a browser's shared cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Look at the user only when a session cookie came in, so anonymous public responses
        # do not touch the session (and stay free of `Vary: Cookie`).
        signed_in = (
            settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        )
        if request.path.startswith(self.admin_prefix) or signed_in:
            mark_private(response)
            patch_vary_headers(response, ["Cookie"])
        elif getattr(response, "irsite_private", False):
            mark_private(response)
        elif (
            response.status_code in {404, 410}
            and request.method in {"GET", "HEAD"}
            and "Cache-Control" not in response
        ):
            # A URL no public view answers is still a public answer: one policy for all.
            mark_public(request, response)
        return response
