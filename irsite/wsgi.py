"""The WSGI application every app server runs (granian by default, gunicorn on request)."""

import os
from collections.abc import Callable, Iterable

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")

# What PEP 3333 and CGI (RFC 3875 4.1) put in a request's environ; anything else named like a
# variable of this process's environment came from the process, not from the request.
_REQUEST_KEYS = frozenset({
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE",
    "CONTENT_LENGTH", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR",
    "REMOTE_HOST", "REMOTE_PORT", "REMOTE_USER", "AUTH_TYPE", "GATEWAY_INTERFACE",
    "SERVER_SOFTWARE", "RAW_URI", "REQUEST_URI", "wsgi.url_scheme",
})  # fmt: skip


class WithoutProcessEnvironment:
    """Removes the process's environment variables from each request's environ.

    granian copies the whole process environment (SECRET_KEY, DATABASE_URL with its password)
    into every request's environ, and Django keeps the environ as ``request.META``, which error
    reports and debug pages print. Variables a request carries (``HTTP_*``, PEP 3333's) stay.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.process_only = frozenset(
            key for key in os.environ if key not in _REQUEST_KEYS and not key.startswith("HTTP_")
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        for key in self.process_only & environ.keys():
            del environ[key]
        return self.app(environ, start_response)


application = WithoutProcessEnvironment(get_wsgi_application())
