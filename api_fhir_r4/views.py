"""The FHIR HTTP layer: authentication, rights, CSRF, paging and errors for every resource type;
what a resource means is in `api_fhir_r4.resources`.

Every answer is JSON (`application/fhir+json`); every refusal an OperationOutcome with the
reason in `issue[].details.text`: 400 bad input, 401 no or bad credentials, 403 no right, 404
not the caller's or not there, 405 a method a type does not take, 422 a business rule refused
it (the claim module's error list), never a 500 for anything a client sends.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from api_fhir_r4.auth import basic_user, login_answer
from api_fhir_r4.errors import FhirError, error_response, fhir_response
from api_fhir_r4.paging import PAGE_PARAMS, searchset
from api_fhir_r4.resources.base import (
    OPERATIONS,
    RESOURCES,
    Context,
    FhirResource,
    resource_type,
)
from core.gql.errors import MutationError
from core.gql.policy import csrf_failure
from core.http import ParameterError, check_query_parameters
from core.rights import rights_codes

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5_000_000
JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/api_fhir_r4/")


def _caller(request: HttpRequest):
    user = request.user if request.user.is_authenticated else basic_user(request)
    if user is None or not user.is_active:
        raise FhirError(401, "Authentication required")
    if getattr(request, "auth_via_cookie", False) and request.method != "GET" and \
            csrf_failure(request):
        raise FhirError(403, "CSRF token missing or incorrect")
    return user


def _check_rights(user, needed) -> None:
    for module, key in needed:
        if not user.has_rights(*rights_codes(module, key)):
            raise FhirError(403, "Unauthorized")


def read_body(request: HttpRequest) -> dict[str, Any]:
    content_type = request.content_type or ""
    if content_type and content_type not in JSON_TYPES:
        raise FhirError(415, f"Send FHIR JSON (application/fhir+json), not {content_type[:60]}")
    if len(request.body) > MAX_BODY_BYTES:
        raise FhirError(413, f"The body is larger than {MAX_BODY_BYTES:,} bytes")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise FhirError(400, "The body is not JSON") from None
    if not isinstance(body, dict):
        raise FhirError(400, "The body must be a FHIR resource (a JSON object)")
    where = _control_character(body, "")
    if where is not None:
        raise FhirError(400, f"{where or 'The body'} contains a control character (FHIR strings "
                        f"allow none but tab, CR and LF)", expression=where or None)
    return body


# FHIR strings "SHALL NOT contain Unicode character points below 32, except for u0009 (horizontal
# tab), u000D (carriage return) and u000A (line feed)"; PostgreSQL refuses NUL in text outright.
FORBIDDEN_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _control_character(value: Any, path: str) -> str | None:
    """The element path of the first string (or key) with a forbidden control character."""
    if isinstance(value, str):
        return path if FORBIDDEN_CONTROLS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if FORBIDDEN_CONTROLS.search(str(key)):
                return inner
            found = _control_character(item, inner)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _control_character(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _answer(view) -> Any:
    """Run `view`, turning every refusal into an OperationOutcome with its status."""
    try:
        return view()
    except FhirError as exc:
        return error_response(exc)
    except ParameterError as exc:
        return error_response(FhirError(400, str(exc)))
    except MutationError as exc:
        return error_response(FhirError(422, *[e.get("message") or "Refused"
                                                for e in _flat(exc.errors)]))
    except ValidationError as exc:
        return error_response(FhirError(400, *exc.messages))


def _flat(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The openIMIS error list, bulk entries (`{title, list}`) opened up."""
    flat = []
    for entry in errors or []:
        if "list" in entry:
            flat.extend({**e, "message": f"{entry.get('title')}: {e.get('message')}"}
                        for e in entry["list"])
        else:
            flat.append(entry)
    return flat or [{"message": "Refused"}]


@csrf_exempt
def login(request: HttpRequest) -> HttpResponse:
    """`POST login/` -> `{"token", "exp"}` (openIMIS' FHIR login, the Android apps' first call)."""
    if request.method != "POST":
        return error_response(FhirError(405, "POST username and password"))
    return _answer(lambda: fhir_response(login_answer(request)))


def metadata(request: HttpRequest) -> HttpResponse:
    """`GET metadata`: the CapabilityStatement, what a FHIR client reads first (no login, as
    the specification expects): every type with its interactions, search parameters and
    operations, generated from the registry so that it never drifts from what is served."""
    if request.method != "GET":
        return error_response(FhirError(405, "GET the CapabilityStatement"))
    return fhir_response(capability_statement(base_url(request)))


def capability_statement(base: str) -> dict[str, Any]:
    resources = []
    for type_name in sorted(RESOURCES):
        handler = RESOURCES[type_name]
        cls = type(handler)
        interactions = (["read", "search-type"] if handler.searchable else []) + [
            name for name, method in (("create", "create"), ("update", "update"),
                                      ("delete", "delete"))
            if getattr(cls, method) is not getattr(FhirResource, method)]
        entry: dict[str, Any] = {
            "type": type_name,
            "interaction": [{"code": code} for code in interactions],
            "searchParam": [{"name": name, "type": "token"}
                            for name in sorted(handler.search_params)],
        }
        operations = [name for (owner, name) in sorted(OPERATIONS) if owner == type_name]
        if operations:
            entry["operation"] = [
                {"name": name.lstrip("$"),
                 "definition": f"{base}OperationDefinition/{type_name}-{name.lstrip('$')}"}
                for name in operations]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().isoformat(timespec="seconds"),
        "kind": "instance",
        "software": {"name": "openIMIS claims and pre-authorization backend"},
        "implementation": {"description": "openIMIS FHIR R4", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {"service": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                "code": "Basic"}]}],
                "description": "POST login/ {username, password} -> {token, exp}; then "
                               "Authorization: Bearer <token>. HTTP Basic is accepted too."},
            "resource": resources,
        }],
    }


@csrf_exempt
def resource(request: HttpRequest, type_name: str, resource_id: str | None = None) -> \
        HttpResponse:
    """Every path of a type: `Type/` search or create, `Type/<id>` read, update or delete,
    `Type/$operation`."""
    return _answer(lambda: _dispatch(request, resource_type(type_name), resource_id))


def _dispatch(request: HttpRequest, handler: FhirResource,
              resource_id: str | None) -> HttpResponse:
    check_query_parameters(request)
    user = _caller(request)
    params = {name: value for name, value in request.GET.items()}
    ctx = Context(request, user, base_url(request),
                  {k: v for k, v in params.items() if k not in PAGE_PARAMS and k})
    method = request.method
    if resource_id is not None and resource_id.startswith("$"):
        operation = OPERATIONS.get((handler.type_name, resource_id))
        if operation is None:
            raise FhirError(404, f"{handler.type_name} has no operation {resource_id[:40]}")
        if method != "POST":
            raise FhirError(405, f"{resource_id} takes POST")
        _check_rights(user, operation.rights)
        return _write(lambda: operation.run(ctx, read_body(request)))
    if method == "GET":
        _check_rights(user, handler.read_rights)
        if resource_id is None:
            unknown = sorted(set(ctx.params) - handler.search_params - {"resourceType"})
            if unknown:
                raise FhirError(400, f"Unknown search parameter {unknown[0][:40]!r}; known: "
                                f"{', '.join(sorted(handler.search_params)) or 'none'}")
            return fhir_response(searchset(handler, handler.rows(ctx), ctx, params))
        return fhir_response(handler.render_page([handler.find(ctx, resource_id)], ctx)[0])
    if method == "POST" and resource_id is None:
        _check_rights(user, handler.write_rights)
        return _write(lambda: handler.create(ctx, read_body(request)), created=handler)
    if method == "PUT" and resource_id is not None:
        _check_rights(user, handler.write_rights)
        return _write(lambda: handler.update(ctx, resource_id, read_body(request)))
    if method == "DELETE" and resource_id is not None:
        _check_rights(user, handler.write_rights)
        with transaction.atomic():
            handler.delete(ctx, resource_id)
        return HttpResponse(status=204)
    allowed = "GET, POST" if resource_id is None else "GET, PUT, DELETE"
    error = error_response(FhirError(405, f"{method} is not allowed here; use {allowed}"))
    error["Allow"] = allowed
    return error


def _write(run, created: FhirResource | None = None) -> HttpResponse:
    status, body = run()
    headers = {}
    if created is not None and status == 201 and body.get("id"):
        headers["Location"] = f"{created.type_name}/{body['id']}"
    return fhir_response(body, status, headers)
