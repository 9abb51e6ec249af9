"""One error envelope for every 4xx and 5xx the API answers (documented in ``docs/api.md``).

    {"error": {"code": "not_found", "message": "No such event.", "details": []}}

``code`` is one of :data:`ERROR_CODES`; ``message`` is for people; ``details`` lists, for a
validation error, each bad parameter (``location``, ``field``, ``message``, ``type``).

Ninja's exception handlers cover what its operations raise. What ninja or Django answer outside
an operation (a method the path does not allow, a path that does not exist, the API root) is
rewritten into the same envelope by :func:`enveloped`, which wraps every API URL.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from pydantic import Field

logger = logging.getLogger("commonground.api")

ErrorCode = Literal[
    "validation_error",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "server_error",
]

ERROR_CODES: dict[int, ErrorCode] = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
    500: "server_error",
}


class ErrorDetail(Schema):
    """One problem with one input: where it was, which field, and what is wrong."""

    location: str | None = Field(None, description="query, path, body or header")
    field: str | None = Field(None, description="The parameter, or null for the whole input.")
    message: str
    type: str | None = Field(None, description="A stable machine-readable kind of problem.")


class ErrorBody(Schema):
    code: ErrorCode
    message: str
    details: list[ErrorDetail] = []


class ErrorEnvelope(Schema):
    """Every error the API answers, whatever its status."""

    error: ErrorBody


def error_code(status: int) -> ErrorCode:
    if status in ERROR_CODES:
        return ERROR_CODES[status]
    return "server_error" if status >= 500 else "validation_error"


def envelope(
    code: ErrorCode, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(
    status: int, message: str, details: list[dict[str, Any]] | None = None
) -> HttpResponse:
    body = envelope(error_code(status), message, details)
    return HttpResponse(
        json.dumps(body), status=status, content_type="application/json; charset=utf-8"
    )


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's pydantic errors as envelope details: ``("query", "page_size")`` -> location, field.

    Ninja nests a model's fields under the parameter's name; that level says nothing to a caller,
    who typed ``?min_deaths=...``, so it is left out. (Routers name their query models
    ``filters`` and ``paging``; an error of the whole model, such as dates that run backwards,
    has no field.)
    """
    details = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        fields = [part for part in location[1:] if part not in {"filters", "paging"}]
        details.append(
            {
                "location": location[0] if location else None,
                "field": fields[-1] if fields else None,
                "message": str(error.get("msg", "invalid value")),
                "type": str(error.get("type", "")) or None,
            }
        )
    return details


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so every error comes in the envelope."""

    def on_validation(
        request: HttpRequest, exc: ValidationError | type[ValidationError]
    ) -> HttpResponse:
        details = validation_details(exc.errors if isinstance(exc, ValidationError) else [])
        names = ", ".join(sorted({d["field"] for d in details if d["field"]})) or "the input"
        return error_response(422, f"invalid value for {names}", details)

    def on_http_error(request: HttpRequest, exc: HttpError | type[HttpError]) -> HttpResponse:
        if isinstance(exc, HttpError):
            return error_response(exc.status_code, exc.message)
        return error_response(400, "request refused")

    def on_not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        return error_response(404, not_found_message(exc))

    def on_unexpected(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        logger.error("API error on %s %s", request.method, request.path, exc_info=True)
        return error_response(500, "internal error; it has been logged")

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_http_error)
    api.add_exception_handler(AuthorizationError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(Exception, on_unexpected)


def not_found_message(exc: BaseException | type[BaseException]) -> str:
    """The message of a 404 as the view wrote it, or a plain one (never Django's internals)."""
    args = exc.args if isinstance(exc, BaseException) else ()
    text = args[0] if args and isinstance(args[0], str) else ""
    return text if text and not text.startswith("docs_url") else "not found"


# --- Outside ninja's operations -------------------------------------------------------------------

View = Callable[..., HttpResponseBase]


def enveloped(view: View) -> View:
    """Wrap an API URL's view: refuse NUL bytes in input, envelope what ninja answers bare.

    NUL characters are refused here, once for every route, because PostgreSQL cannot store or
    compare text containing them and would fail with a server error (the session cookie is read
    from the database too).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if has_nul(request):
            return error_response(422, "the request contains a NUL character")
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            return error_response(404, not_found_message(exc))
        if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow")
            message = f"method not allowed; use {allowed}" if allowed else "request refused"
            replaced = error_response(response.status_code, message)
            if allowed:
                replaced["Allow"] = allowed
            return replaced
        return response

    return wrapper


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, a query parameter or a cookie holds a NUL character."""
    if "\x00" in request.path:
        return True
    if any("\x00" in key or "\x00" in "".join(values) for key, values in request.GET.lists()):
        return True
    return any("\x00" in key + value for key, value in request.COOKIES.items())


def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, f"no such API path: {request.path}")


def envelope_urls(
    patterns: list[URLResolver | URLPattern],
) -> list[URLResolver | URLPattern]:
    """The API's URLs, each wrapped, and a last one that answers unknown paths in the envelope."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = enveloped(pattern.callback)
    return [*patterns, re_path(r"^(?P<rest>.*)$", enveloped(not_found_view), name="not-found")]
