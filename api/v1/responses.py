"""How every API answer leaves: through the site's page cache, like a page.

`public` wraps each operation (the NinjaAPI applies it to every router: a noun module added
later is cached without saying so): the page cache keeps the JSON until the next change or
go-live, with a strong ETag from its bytes and conditional GET (304), and the one public
caching policy and surrogate keys (`irsite.http`). No API URL is an "item view"
(``IRSITE_EDGE_ITEM_VIEWS``), so every answer carries the ``list`` key and every release's
go-live, correction and withdrawal purges it from the front cache, as it purges the lists.

`read` registers an operation for GET and HEAD (HEAD as GET, as Django's views answer it).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router

from irsite.http import cache_publicly

from .params import QUERY_PARAMETERS

# The API is anonymous and public: any site may read it from a browser (the company's own site
# on another host embeds the latest releases). No credentials are ever involved.
CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}


def public(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An operation answered through `irsite.http.cache_publicly`."""

    @wraps(run)
    def respond(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        for name, value in CORS_HEADERS.items():
            response.headers[name] = value
        return response

    return cache_publicly(respond, reads=QUERY_PARAMETERS)


def read(router: Router, path: str, **options: Any) -> Callable[[Callable], Callable]:
    """``@read(router, "/releases", response=...)``: a GET operation that HEAD answers too (one
    operation, so one URL pattern; `site.PublicAPI` keeps HEAD out of the document)."""
    return router.api_operation(["GET", "HEAD"], path, **options)
