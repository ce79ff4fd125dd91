"""Request context on every log line: a request id, the user and the tenant, and a JSON format
that a log shipper reads without parsing text.

One request's lines are found together by its id, which the client may send (`X-Request-ID`,
e.g. from the reverse proxy, so the proxy's log and ours share it) and which every answer echoes.
The context lives in a `contextvars` variable: set by `RequestContextMiddleware` (first in
MIDDLEWARE, so even an early refusal carries the id), completed with the user by
`RequestUserMiddleware` (right after the JWT middleware, the first point where the user is
known), cleared when Django closes the response (after it has logged a 4xx or 5xx). A logging
filter copies it onto every record; `JsonFormatter` writes one JSON object per line.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may be: short, and nothing that could forge a log line or a header.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    user: str = ANONYMOUS
    tenant: str | None = None


_context: ContextVar[RequestContext | None] = ContextVar("openimis_request_context", default=None)


def current_context() -> RequestContext | None:
    """The context of the request being answered in this thread, if any."""
    return _context.get()


def request_id_from(header: str | None) -> str:
    """The client's id when it is one we can log and echo safely, else a fresh uuid4 hex: a
    hostile value (too long, CR/LF, quotes) is replaced, never repeated."""
    if header and VALID_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _clear_context(**_kwargs: Any) -> None:
    _context.set(None)


# Cleared when the server closes the response: Django logs a 4xx or 5xx answer after the
# middleware has returned, and that line belongs to the request too. A worker thread serves one
# request after another, so nothing of one request may leak into the next.
request_finished.connect(_clear_context, dispatch_uid="core.logs.clear_context")


class RequestContextMiddleware:
    """First middleware: the request id (taken from `X-Request-ID` when valid), echoed on the
    answer."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        _context.set(RequestContext(request_id=request_id))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestUserMiddleware:
    """After `core.auth.JWTAuthenticationMiddleware`: the user and tenant join the context. The
    tenant is its id, read from the user row without another query."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = _context.get()
        user = getattr(request, "user", None)
        if context is not None and user is not None and user.is_authenticated:
            tenant_id = getattr(user, "tenant_id", None)
            _context.set(replace(context, user=user.get_username(),
                                 tenant=None if tenant_id is None else str(tenant_id)))
        return self.get_response(request)


def context_fields() -> dict[str, str | None]:
    """What every line carries: the request's id, user and tenant (None outside a request)."""
    context = _context.get()
    if context is None:
        return {"request_id": None, "user": None, "tenant": None}
    return {"request_id": context.request_id, "user": context.user, "tenant": context.tenant}


class RequestContextFilter(logging.Filter):
    """Copies the request context onto each record (for the text format's `%(request_id)s` and
    for the JSON format); attached to the handlers, so it sees the records of every logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context_fields().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, the
    exception text when there is one, the request context and any `extra` given to the call.
    The context is read here too when no filter put it on the record, so a handler with this
    formatter alone still writes it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger",
                                            "exc_info": "exception"})
        kwargs.setdefault("timestamp", True)
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord,
                   message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        for name, value in context_fields().items():
            log_record.setdefault(name, value)
        # A `request` given as extra (Django's own loggers do) is an object: its path says it.
        request = log_record.get("request")
        if isinstance(request, HttpRequest):
            log_record["request"] = f"{request.method} {request.path}"

    def process_log_record(self, log_record: dict[str, Any]) -> dict[str, Any]:
        # The timestamp first, as a reader scans a line.
        return {"timestamp": log_record.pop("timestamp", None), **log_record}
