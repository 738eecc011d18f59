"""``/api/``: each version's URLs, then a JSON 404 for any other path under it."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path

from irsite.http import cache_publicly

from .v1.errors import Error, not_found
from .v1.responses import CORS_HEADERS
from .v1.site import api as v1


def no_such_path(request: HttpRequest, rest: str) -> HttpResponse:
    """A path under ``/api/`` no version answers: 404 in the API's own JSON, not the site's
    HTML page (an API client reads the body)."""
    body = not_found("API path").body
    response = v1.create_response(request, body.model_dump(), status=404)
    for name, value in CORS_HEADERS.items():
        response.headers[name] = value
    return response


def json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja answers a method no operation takes (POST, OPTIONS) in plain text, before any
    operation runs: the same answer in the API's JSON, with its ``Allow``."""

    @wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        allowed = response.headers.get("Allow", "")
        body = Error(status=405, error="method_not_allowed", message=f"Allowed: {allowed}.")
        refused = v1.create_response(request, body.model_dump(), status=405)
        refused.headers["Allow"] = allowed
        return refused

    return answer


def _version(urls: tuple[list, str, str]) -> tuple[list, str, str]:
    patterns, app_name, namespace = urls
    answered = [
        path(str(p.pattern), json_405(p.callback), p.default_args, name=p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return answered, app_name, namespace


urlpatterns = [
    path("v1/", _version(v1.urls)),
    path("<path:rest>", cache_publicly(no_such_path), name="api-no-such-path"),
]
