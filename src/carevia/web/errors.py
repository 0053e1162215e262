"""The one place that turns domain and HTTP errors into responses.

JSON routes get one envelope `{"error": {"code", "message", "fields"}}`; HTML routes get
a page (or, for htmx, the same page's content block).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template
from pymongo.errors import ConnectionFailure, PyMongoError

from carevia.domain.auth.openid import SignInRefused
from carevia.domain.payments.service import PaymentMismatch
from carevia.domain.payments.webhook_events import MalformedEvent, WebhookRejected
from carevia.domain.shared import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from carevia.domain.shared.text import Text
from carevia.web.auth import safe_next
from carevia.web.templating import htmx_details, render

logger = logging.getLogger("carevia.errors")

_DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Invalid: 400,
    Unauthenticated: 401,
    RateLimited: 429,
    SignInRefused: 400,
    WebhookRejected: 400,
    MalformedEvent: 400,
    PaymentMismatch: 422,
}
_TITLES = {
    400: Text("That request did not look right"),
    401: Text("Please log in"),
    403: Text("You do not have access to this page"),
    404: Text("Page not found"),
    405: Text("That action is not allowed here"),
    409: Text("That conflicts with something else"),
    422: Text("Please check your input"),
    429: Text("Too many attempts"),
    503: Text("We are briefly unavailable"),
}
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}


# A handler whose work may have been partly saved when the database went away says so in its
# `opt`, so the 503 page tells people what may have happened and where to look.
UNAVAILABLE_NOTICE_OPT = "unavailable_notice"
UNAVAILABLE_MESSAGE = Text("We cannot reach our database right now. Please try again in a moment.")


class UnavailableNotice(msgspec.Struct, frozen=True, kw_only=True):
    message: str
    href: str
    label: str


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(("/api/", "/webhooks/"))


def error_response(
    request: Request[Any, Any, Any],
    status_code: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    next_step: UnavailableNotice | None = None,
) -> Response[Any] | Template:
    if _wants_json(request):
        return Response(
            {"error": {"code": code, "message": message, "fields": fields or {}}},
            status_code=status_code,
            media_type=MediaType.JSON,
        )
    return render(
        request,
        "errors/error.html",
        block="content",
        status_code=status_code,
        title=_TITLES.get(status_code, Text("Something went wrong")),
        message=message,
        fields=fields or {},
        status=status_code,
        next_step=next_step,
    )


def handle_domain_error(
    request: Request[Any, Any, Any], exc: DomainError
) -> Response[Any] | Template:
    status = next((s for kind, s in _DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)
    fields = exc.fields if isinstance(exc, Invalid) else None
    return error_response(request, status, exc.code, exc.message, fields)


def _login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    """Signed-out visitors of a page are sent to log in and brought back afterwards."""
    htmx = htmx_details(request)
    if htmx:
        current = urlsplit(htmx.current_url or "")
        back = current.path + (f"?{current.query}" if current.query else "")
        target = "/login?" + urlencode({"next": safe_next(back, "/")}, safe="/")
        redirect = ClientRedirect(target)
        redirect.status_code = 401  # the request is refused; htmx still follows the header
        return redirect
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login?" + urlencode({"next": safe_next(back, "/")}, safe="/")
    return Redirect(target, status_code=303)


def handle_http_error(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Any] | Template:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not _wants_json(request):
        return _login_redirect(request)
    if status == 401 and _wants_json(request):
        response = error_response(request, 401, "unauthorized", exc.detail)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc, ValidationException):
        fields = _validation_fields(exc.extra)
        only = next(iter(fields.values())) if len(fields) == 1 else None
        message = only or Text("Some values in the address or form were not valid.")
        return error_response(request, 400, "validation_failed", message, fields)
    if status == 404:
        message = Text("The page you asked for does not exist or has moved.")
    elif isinstance(exc, NotAuthorizedException):
        message = Text("Please log in to continue.")
    else:
        message = exc.detail
    response = error_response(request, status, _CODES.get(status, "error"), message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def handle_database_error(
    request: Request[Any, Any, Any], exc: PyMongoError
) -> Response[Any] | Template:
    if isinstance(exc, ConnectionFailure) or exc.timeout:
        logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        notice = request.route_handler.opt.get(UNAVAILABLE_NOTICE_OPT)
        if isinstance(notice, UnavailableNotice):
            message = Text(
                "%(problem)s %(next_step)s", problem=UNAVAILABLE_MESSAGE, next_step=notice.message
            )
            return error_response(request, 503, "unavailable", message, next_step=notice)
        return error_response(request, 503, "unavailable", UNAVAILABLE_MESSAGE)
    return handle_unexpected_error(request, exc)


def handle_unexpected_error(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[Any] | Template:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request,
        500,
        "internal_error",
        Text("Something went wrong on our side. Please try again shortly."),
    )


# msgspec's own wording ("Expected `int`, got `str`") speaks of types, not of what people
# typed; each shape of message gets a plain sentence about the named field.
_PLAIN_MESSAGES: tuple[tuple[re.Pattern[str], Text], ...] = (
    (re.compile(r"^Expected `int` >= (\d+)"), Text("%(label)s must be %(value)s or more.")),
    (re.compile(r"^Expected `int` <= (\d+)"), Text("%(label)s must be %(value)s or less.")),
    (re.compile(r"^Expected `int`"), Text("%(label)s must be a whole number.")),
    (re.compile(r"^Expected `(?:float|decimal)`"), Text("%(label)s must be a number.")),
    (re.compile(r"^Expected `bool`"), Text("%(label)s must be yes or no.")),
    (
        re.compile(r"^Expected `str` of length <= (\d+)"),
        Text("%(label)s must be at most %(value)s characters."),
    ),
    (
        re.compile(r"^Expected `str` of length >= (\d+)"),
        Text("%(label)s must be at least %(value)s characters."),
    ),
    (re.compile(r"^Expected `str`"), Text("%(label)s must be text.")),
    (re.compile(r"^Expected `array`"), Text("%(label)s must be a list of values.")),
    (re.compile(r"^Invalid enum value"), Text("%(label)s is not one of the choices offered.")),
    (re.compile(r"^Invalid .*date"), Text("%(label)s must be a date such as 2026-12-31.")),
    (re.compile(r"^Object missing required field"), Text("%(label)s is required.")),
    (
        re.compile(r"^Object contains unknown field `([^`]+)`"),
        Text("“%(value)s” is not a field we accept."),
    ),
)
# The names of the fields people meet in addresses and forms, as they read them.
_FIELD_LABELS = {
    "page": Text("Page"),
    "size": Text("Page size"),
    "limit": Text("Limit"),
    "min_rating": Text("Min rating"),
    "division": Text("Division"),
    "district": Text("District"),
    "category": Text("Category"),
    "sort": Text("Sort"),
    "reason": Text("Reason"),
    "status": Text("Status"),
    "date": Text("Date"),
    "email": Text("Email"),
    "password": Text("Password"),
    "name": Text("Name"),
    "message": Text("Message"),
    "topic": Text("Topic"),
    "when": Text("When"),
}


def plain_validation_message(key: str, raw: str) -> str:
    """A framework validation message as a sentence about the field a person filled in."""
    name = key.rsplit(".", 1)[-1]
    label = _FIELD_LABELS.get(name) or name.replace("_", " ").strip().capitalize()
    label = label or Text("This value")
    for pattern, sentence in _PLAIN_MESSAGES:
        if match := pattern.search(raw):
            value = match.group(1) if match.groups() else ""
            return Text(sentence.msgid, label=label, value=value)
    return Text("%(label)s is not valid.", label=label)


def _validation_fields(extra: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, dict) and item.get("key"):
                key = str(item["key"])
                fields[key] = plain_validation_message(key, str(item.get("message", "")))
    return fields


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_error,
    PyMongoError: handle_database_error,
    Exception: handle_unexpected_error,
}
