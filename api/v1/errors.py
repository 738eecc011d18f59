"""What the API answers when it cannot answer with data: one JSON body for every error.

A bad query value (an unknown category, a year that is not one, a cursor that was not made
here) is the client's to fix: 400, saying which parameter and why, never a 500 and never the
value back (the body depends only on the parameter, so it tells nothing about the data). An id
that names nothing public is 404, the same for a release that is scheduled as for one that
never existed; a withdrawn one is 410, as its page is.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError


class Error(Schema):
    """The body of every error answer."""

    status: int
    # A stable word to branch on: invalid_parameter, not_found, withdrawn.
    error: str
    message: str
    # The query or path parameter at fault (400 only).
    parameter: str | None = None


class ApiError(Exception):
    """Raised by a view to answer with `Error` (the API's exception handler renders it)."""

    def __init__(self, status: int, error: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.body = Error(status=status, error=error, message=message, parameter=parameter)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


# What pydantic puts before the message of a ValueError raised by a parameter's parser.
_VALUE_ERROR = "Value error, "


def install(api: NinjaAPI) -> None:
    """The API's exception handlers: `ApiError` and ninja's parameter validation as `Error`
    (400, not ninja's 422), anything else raised on to Django (a 500 or, with the database
    down, `irsite.errors`'s 503), never a traceback in a body."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return api.create_response(request, exc.body.model_dump(), status=exc.body.status)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first: dict[str, Any] = exc.errors[0]
        parameter = str(first["loc"][-1]) if first.get("loc") else None
        # Each parameter's parser says what it accepts (`params`); pydantic's own messages
        # (a missing value) are kept as they are.
        reason = first.get("ctx", {}).get("error") or first.get("msg", "")
        message = str(reason).removeprefix(_VALUE_ERROR)
        body = Error(status=400, error="invalid_parameter", message=message, parameter=parameter)
        return api.create_response(request, body.model_dump(), status=400)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        raise exc
