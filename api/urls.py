"""``/api/``: each version's URLs, then a JSON 404 for any other path under it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from irsite.http import cache_publicly

from .v1.errors import not_found
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


urlpatterns = [
    path("v1/", v1.urls),
    path("<path:rest>", cache_publicly(no_such_path), name="api-no-such-path"),
]
