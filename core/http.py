"""What every REST endpoint shares: JSON answers for errors, the methods it allows, a checked
query string, and a Content-Disposition header that is safe for any file name.

The GraphQL endpoint has its own door (`core.views.OpenIMISGraphQLView`); the module endpoints
(`/api/core/users/current_user/`, `/api/claim/attach`, the PDF reports) are wrapped in
`rest_endpoint`, so hostile query strings are answered 4xx at the door, the same way everywhere,
and a view only reads parameters that are single, bounded and free of control characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from core.files import safe_filename

# Longest query-string value (or name) an endpoint reads: ids, uuids, dates and codes are far
# shorter; anything longer is refused before it reaches a parser or the database.
MAX_PARAMETER_LENGTH = 200

# C0/C1 controls (NUL, CR, LF, ...): no parameter of ours may carry them, and PostgreSQL refuses
# NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

API_PREFIX = "/api/"


class ParameterError(Exception):
    """A query-string parameter that the endpoint cannot use (answered 400 with the message)."""


def json_error(status: int, detail: str) -> JsonResponse:
    """The body every REST error has: `{"detail": message}`."""
    return JsonResponse({"detail": detail}, status=status)


def _shown(name: str) -> str:
    """A parameter name as an error message may repeat it: short and printable."""
    text = CONTROL_CHARACTERS.sub("?", name[:40])
    return text + ("..." if len(name) > 40 else "")


def check_query_parameters(request: HttpRequest) -> None:
    """Every parameter once, at most MAX_PARAMETER_LENGTH characters, no control characters:
    `ParameterError` naming the first that is not."""
    for name, values in request.GET.lists():
        shown = _shown(name)
        if len(name) > MAX_PARAMETER_LENGTH or CONTROL_CHARACTERS.search(name):
            raise ParameterError(f"Parameter name {shown!r} is not valid")
        if len(values) > 1:
            raise ParameterError(f"{shown} is given {len(values)} times; give it once")
        if len(values[0]) > MAX_PARAMETER_LENGTH:
            raise ParameterError(f"{shown} is longer than {MAX_PARAMETER_LENGTH} characters")
        if CONTROL_CHARACTERS.search(values[0]):
            raise ParameterError(f"{shown} contains control characters")


def rest_endpoint(*methods: str) -> Callable:
    """Wrap a REST view: other methods get 405 (JSON, with `Allow`), a bad query string or a
    `ParameterError` raised by the view gets 400 (JSON)."""
    allowed = tuple(m.upper() for m in methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                response = json_error(
                    405, f"{request.method} is not allowed here; use {', '.join(allowed)}")
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                check_query_parameters(request)
                return view(request, *args, **kwargs)
            except ParameterError as exc:
                return json_error(400, str(exc))

        return wrapped

    return decorate


def content_disposition(filename: str | None, *, inline: bool = False,
                        default: str = "download") -> str:
    """`attachment` (or `inline`) with the file name in a form every client reads and none can
    be tricked by (RFC 6266): control and bidi characters and folders dropped, an ASCII
    `filename="..."` for old clients, and the exact UTF-8 name in `filename*` (RFC 5987) when it
    differs. A stored name with CR/LF can therefore never split the header."""
    name = safe_filename(filename) or default
    # Accents fall off ("Résumé" -> "Resume"); other letters become "_" ("检查.pdf" -> "__.pdf").
    ascii_name = "".join("" if unicodedata.combining(c) else c if c.isascii() else "_"
                         for c in unicodedata.normalize("NFKD", name))
    ascii_name = re.sub(r'["\\%]', "_", ascii_name).strip() or default
    header = f'{"inline" if inline else "attachment"}; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


# Django's error views, answered as JSON under /api/ (HTML pages elsewhere, e.g. the admin):
# a client of the API never has to parse an HTML error page, even for a request Django itself
# refused before any view ran (a malformed multipart body, too many fields, ...).

def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(403, "Forbidden")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(404, "Not found")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(500, "Internal server error.")
    return defaults.server_error(request)
