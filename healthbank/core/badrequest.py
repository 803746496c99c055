"""Requests the site cannot or will not read: too large, too many fields or files, a broken
multipart or JSON body, text that is not valid UTF-8. Each is answered with a 4xx and a
warning in the log, never a 500 or an error-level traceback: on the APIs' paths their
`{code, message}` (or the API's registered error shape: the FHIR API's OperationOutcome),
elsewhere the error page (400.html, 413.html), in the person's language.

Three entry points, one decision (`refuse`):

- `BadRequestMiddleware` reads the query string on every path, and a posted form on the
  site's pages, before any view (the CSRF check would read it there anyway). API bodies are
  left to the API: it reads them only after checking the caller's credential, and its views
  may stream them.
- `bad_request` is Django's handler400: whatever a view or another middleware raises later.
- `for_api(api)` makes a NinjaAPI parse bodies strictly and answer these refusals itself
  (also under DEBUG, where Django would answer with its debug page).

Text must be valid UTF-8 (or the request's declared charset). Where the raw bytes are at
hand (a query string, a urlencoded body, a JSON body) they are decoded strictly. Django
decodes multipart fields while it streams them, replacing what it cannot read with U+FFFD,
so there the replacement character itself is refused: it only ever means a character was
lost, and a record must not keep it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from healthbank.core.http import API_PREFIXES

if TYPE_CHECKING:
    from ninja import NinjaAPI

LOST = "\ufffd"  # what Django's decoder puts where bytes were not valid text

MESSAGES = {
    "too_large": _(
        "What was sent is too large. Send a smaller file, or less at once, and try again."
    ),
    "too_many_fields": _(
        "The request has too many fields. Reload the page and send the form again."
    ),
    "too_many_files": _("The request has too many files. Send fewer files at once."),
    "malformed": _(
        "The request could not be read: its data is incomplete or malformed. Reload the page "
        "and send it again."
    ),
    "invalid_json": _("The request body is not valid JSON. Send a JSON object in UTF-8."),
    "invalid_encoding": _(
        "The request has characters that are not valid UTF-8, so some text would be lost. "
        "Check the text (type again any characters that were pasted) and send it again."
    ),
    "invalid_request": _("The request is not valid; check the fields sent."),
}
STATUS = {"too_large": 413}  # anything else is 400

# What Django raises while reading a request it cannot or will not read.
UNREADABLE = (SuspiciousOperation, MultiPartParserError, BadRequest, UnreadablePostError)


class Refused(Exception):
    """A request refused before any view used it; `code` is a key of MESSAGES."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def code_for(exc: BaseException | None) -> str:
    if isinstance(exc, Refused):
        return exc.code
    if isinstance(exc, RequestDataTooBig):
        return "too_large"
    if isinstance(exc, TooManyFieldsSent):
        return "too_many_fields"
    if isinstance(exc, TooManyFilesSent):
        return "too_many_files"
    if isinstance(exc, (MultiPartParserError, UnreadablePostError)):
        return "malformed"
    return "invalid_request"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)


# How an API whose errors are not `{code, message}` words them: (status, code, message) to
# the answer, by path prefix. The app serving it registers it when it is ready (fhir:
# OperationOutcomes under /fhir/r4/); core cannot import the apps above it.
ErrorShape = Callable[[int, str, str], HttpResponse]
ERROR_SHAPES: dict[str, ErrorShape] = {}


def error_shape(request: HttpRequest) -> ErrorShape | None:
    """The registered error shape of the API the request is to, if it has one."""
    return next((f for p, f in ERROR_SHAPES.items() if request.path_info.startswith(p)), None)


def api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """An API's error answer: its registered shape, else `{code, message}` JSON."""
    shape = error_shape(request)
    if shape is not None:
        return shape(status, code, message)
    return JsonResponse(
        {"code": code, "message": message},
        status=status,
        content_type="application/json; charset=utf-8",  # as the APIs' other answers
    )


def refuse(request: HttpRequest, exc: BaseException | None) -> HttpResponse:
    """The answer to a request refused for `exc`, logged once at warning level."""
    code = code_for(exc)
    status = STATUS.get(code, 400)
    message = MESSAGES[code]
    name = type(exc).__name__ if exc is not None else "BadRequest"
    # django.security.* for Django's suspicious operations, as Django names them.
    logger = logging.getLogger(
        f"django.security.{name}" if isinstance(exc, SuspiciousOperation) else "django.request"
    )
    logger.warning("Refused %s %s: %s (%s)", request.method, request.path, code, name)
    if is_api(request):
        response = api_error(request, status, code, str(message))
    else:
        template = "413.html" if status == 413 else "400.html"
        response = render(request, template, {"message": message}, status=status)
    # Django would log it again, at error level; its private flag is not in the stubs.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """handler400: every SuspiciousOperation, BadRequest and unreadable multipart body."""
    return refuse(request, exception)


# --- reading text --------------------------------------------------------------------------


def _encoding(request: HttpRequest) -> str:
    return request.encoding or settings.DEFAULT_CHARSET


def _check_bytes(raw: bytes, encoding: str) -> None:
    """Percent-decoded form or query bytes must be text in `encoding`."""
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Refused("invalid_encoding") from exc


def check_query(request: HttpRequest) -> None:
    raw = request.META.get("QUERY_STRING", "")
    if raw:
        # WSGI hands the query string over as bytes decoded as ISO-8859-1.
        _check_bytes(
            raw.encode("iso-8859-1", "replace") if isinstance(raw, str) else raw, _encoding(request)
        )
    request.GET  # noqa: B018  (too many fields raises here)


def check_form(request: HttpRequest) -> None:
    """A posted form's text, read once as Django reads it (the errors it raises included)."""
    content_type = request.content_type
    if content_type == "application/x-www-form-urlencoded":
        _check_bytes(request.body, _encoding(request))
    post, files = request.POST, request.FILES
    if content_type == "multipart/form-data":
        for key, values in post.lists():
            if LOST in key or any(LOST in value for value in values):
                raise Refused("invalid_encoding")
        for key, uploads in files.lists():
            if LOST in key or any(LOST in (upload.name or "") for upload in uploads):
                raise Refused("invalid_encoding")


class BadRequestMiddleware:
    """Refuses unreadable query strings everywhere and unreadable forms on the site's pages,
    before any view or the CSRF check reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_query(request)
            if request.method == "POST" and not is_api(request):
                check_form(request)
        except (Refused, *UNREADABLE) as exc:
            return refuse(request, exc)
        return self.get_response(request)


# --- the APIs -------------------------------------------------------------------------------


def for_api(api: NinjaAPI) -> None:
    """The API parses JSON strictly and answers every refusal above with `{code, message}`."""
    from ninja.errors import HttpError
    from ninja.parser import Parser

    class StrictParser(Parser):
        def parse_body(self, request: HttpRequest) -> Any:
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Refused("invalid_encoding") from exc
            try:
                return json.loads(text)
            except ValueError as exc:
                raise Refused("invalid_json") from exc

        def parse_querydict(self, data, list_fields, request: HttpRequest):
            if data is not request.GET:  # the query string was checked by the middleware
                check_form(request)
            return super().parse_querydict(data, list_fields, request)

    def unparsed(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja's only HttpError: "Cannot parse request body", raised from the parser's error.
        cause = exc.__cause__
        return refuse(request, cause if isinstance(cause, Refused) else Refused("invalid_json"))

    api.parser = StrictParser()
    # ninja's signature says a handler gets the exception or its class; it gets the exception.
    api.add_exception_handler(HttpError, unparsed)  # type: ignore[arg-type]
    for exc_class in (Refused, *UNREADABLE):
        api.add_exception_handler(exc_class, refuse)  # type: ignore[arg-type]
