"""Error pages rendered without the database, so they work when it is down."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from .http import mark_private


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: 503 with a short "try again" page when the database is unreachable.

    Django calls it while handling the exception, so `sys.exc_info()` is the error. The
    templates get no request context: the context processors would query the database.
    """
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status, template = (503, "503.html") if unavailable else (500, "500.html")
    response = HttpResponse(loader.get_template(template).render(), status=status)
    if unavailable:
        response["Retry-After"] = "10"
    return mark_private(response)
