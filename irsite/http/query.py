"""The one check every query string passes before any view reads it.

A value the database refuses in any string (a NUL: PostgreSQL answers "text fields cannot
contain NUL" wherever it meets one) reached it through one filter after another (`?category=%00`
on /news/, then the alert sign-up page's ``?category=``), each a 500. No view can forget a check
that runs before every view: a query string holding such a character, in a parameter's name or
value, is a 400 naming the parameter (never the value), for the pages and the API alike, before
the page cache or a view reads it. What else a value may be (a slug, a year, a page) stays each
filter's own rule: ignored on the pages' filter forms, a 400 from the API (`api.v1.params`).
"""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader

from .frontcache import mark_public

# What the database refuses in a string. SQLite stores a NUL; PostgreSQL does not, and the
# rule is the same on both so that a test on either sees it.
REFUSED = "\x00"

# The API answers errors in its own JSON body (`api.v1.errors.Error`); this layer imports no
# app, so it writes the same fields here.
API_PREFIX = "/api/"


def refused_parameter(request: HttpRequest) -> str | None:
    """The name of the first query parameter whose name or a value holds a refused character."""
    for name, values in request.GET.lists():
        if any(c in name for c in REFUSED) or any(c in v for v in values for c in REFUSED):
            return name.replace(REFUSED, "") or "(unnamed)"
    return None


def refusal(request: HttpRequest, parameter: str) -> HttpResponse:
    # "parameter: what it accepts", as the API's own parameters say it (`api.v1.params`).
    message = f"{parameter}: a value without a NUL character (none may be in a query)"
    if request.path.startswith(API_PREFIX):
        body = {"status": 400, "error": "invalid_parameter", "message": message,
                "parameter": parameter}  # fmt: skip
        response = HttpResponse(json.dumps(body), status=400, content_type="application/json")
    else:
        # Rendered without a request context, as the other error pages: nothing can fail again.
        page = loader.get_template("400.html").render({"message": message})
        response = HttpResponse(page, status=400)
    # It depends on the URL alone: cached as any public answer below 500 (as the filings
    # list's own 400s are), so a crawler repeating it does not reach the app.
    return mark_public(request, response)


class QueryTextMiddleware:
    """Answers 400 for a query string holding what the database refuses (`refused_parameter`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if parameter := refused_parameter(request):
            return refusal(request, parameter)
        return self.get_response(request)
