"""How every API answer leaves: through the site's page cache, like a page.

`public` wraps each operation (the NinjaAPI applies it to every router: a noun module added
later is cached without saying so): the page cache keeps the JSON until the next change or
go-live, with a strong ETag from its bytes and conditional GET (304), and the one public
caching policy and surrogate keys (`irsite.http`). No API URL is an "item view"
(``IRSITE_EDGE_ITEM_VIEWS``), so every answer carries the ``list`` key and every release's
go-live, correction and withdrawal purges it from the front cache, as it purges the lists.

`read` registers an operation for GET and HEAD (HEAD as GET, as Django's views answer it).
"""

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, get_args, get_type_hints

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router, Schema

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

    return cache_publicly(respond, reads=reads_of(run))


def reads_of(run: Callable[..., Any]) -> tuple[str, ...]:
    """The query parameters an operation reads: those of `QUERY_PARAMETERS` its ``Query[...]``
    schema declares. The events' ``when`` on the releases' list is then dropped like any
    unknown parameter, and makes no cache entry of its own."""
    declared: set[str] = set()
    # Ninja hands a "view" decorator its `Operation.run`; the operation's function is its
    # ``view_func``. The document's view (a partial) reads no query parameter.
    function = getattr(getattr(run, "__self__", None), "view_func", run)
    if not inspect.isfunction(function):
        return ()
    # A filter declared as a plain argument (``year: int | None = None``), or in a schema.
    declared |= set(inspect.signature(function).parameters)
    for hint in get_type_hints(function, include_extras=True).values():
        for part in get_args(hint):
            if isinstance(part, type) and issubclass(part, Schema):
                declared |= set(part.model_fields)
    return tuple(name for name in QUERY_PARAMETERS if name in declared)


def read(router: Router, path: str, **options: Any) -> Callable[[Callable], Callable]:
    """``@read(router, "/releases", response=...)``: a GET operation that HEAD answers too (one
    operation, so one URL pattern; `site.PublicAPI` keeps HEAD out of the document)."""
    return router.api_operation(["GET", "HEAD"], path, **options)
