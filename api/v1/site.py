"""Version 1 of the API: one NinjaAPI, a router per noun, and the OpenAPI 3.1 document.

A noun adds a module beside `releases`, `events` and `filings` with its router and schemas,
its place in `NOUNS` below (and `Index`), its query parameters' names in
`params.QUERY_PARAMETERS`, and its module in the api layers contract of pyproject.toml;
caching, errors and the document come with it.
"""

from typing import Any

from django.http import HttpRequest
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Router, Schema
from ninja.renderers import JSONRenderer

from . import errors, events, filings, releases, reports, results
from .responses import public, read

# Each noun's router, mounted at the API's root (its paths name the noun: "/releases").
NOUNS: list[Router] = [
    releases.router,
    results.router,
    reports.router,
    events.router,
    filings.router,
]


class CompactJSON(JSONRenderer):
    # Fewer bytes per answer; UTF-8 as it is (the content type says charset=utf-8).
    json_dumps_params = {"separators": (",", ":"), "ensure_ascii": False}


class PublicAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document with each operation once: HEAD is GET without a body (RFC 9110
        §9.3.2), and a second entry would repeat its operationId, which must be unique."""
        schema = super().get_openapi_schema(**kwargs)
        for path in schema["paths"].values():
            path.pop("head", None)
        return schema


api = PublicAPI(
    title="irsite public API",
    version="1",
    description=(
        "Read-only and anonymous: what the public pages show, as JSON, from the second they "
        "show it. Lists are paged by cursor, newest first, and never counted. Errors are JSON "
        "with the HTTP status (400 for a bad query value, naming the parameter). Answers carry "
        "ETag and Last-Modified: send If-None-Match for a 304."
    ),
    urls_namespace="api-v1",
    renderer=CompactJSON(),
    # The document only; no interactive page (it would load scripts from elsewhere).
    docs_url=None,
    # The document's own view takes any method: GET and HEAD only, as every operation.
    docs_decorator=lambda view: require_safe(public(view)),
)
api.add_decorator(public, mode="view")
errors.install(api)
for noun in NOUNS:
    api.add_router("", noun)


class Index(Schema):
    openapi: str
    releases: str
    results: str
    reports: str
    events: str
    filings: str


index_router = Router(tags=["index"])


@read(index_router, "/", response=Index, operation_id="index", include_in_schema=False)
def index(request: HttpRequest):
    """``/api/v1/``: where the document and each list are."""
    absolute = request.build_absolute_uri
    return {
        "openapi": absolute("openapi.json"),
        "releases": absolute("releases"),
        "results": absolute("results"),
        "reports": absolute("reports"),
        "events": absolute("events"),
        "filings": absolute("filings"),
    }


api.add_router("", index_router)
