"""Errors as FHIR clients read them: an OperationOutcome with `issue[].details.text`."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

FHIR_JSON = "application/fhir+json"

# FHIR issue types (http://hl7.org/fhir/issue-type) by HTTP status.
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 409: "conflict", 412: "conflict", 413: "too-costly",
               415: "not-supported", 422: "processing", 429: "throttled", 500: "exception",
               503: "transient"}


class FhirError(Exception):
    """A request the server answers with an OperationOutcome: `status` the HTTP status, each
    message one issue (`details.text`), `expression` the element it is about."""

    def __init__(self, status: int, *messages: str, expression: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(messages[0] if messages else "")
        self.status = status
        self.messages = list(messages) or ["Error"]
        self.expression = expression
        self.code = code

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.messages, self.status, self.expression, self.code)


def operation_outcome(messages: list[str], status: int, expression: str | None = None,
                      code: str | None = None, severity: str = "error") -> dict[str, Any]:
    issue_code = code or ISSUE_CODES.get(status, "processing")
    issues = []
    for message in messages:
        issue: dict[str, Any] = {"severity": severity, "code": issue_code,
                                 "details": {"text": message}}
        if expression:
            issue["expression"] = [expression]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def fhir_response(resource: dict[str, Any], status: int = 200,
                  headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(resource, status=status, content_type=FHIR_JSON,
                            json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: FhirError) -> JsonResponse:
    response = fhir_response(error.outcome(), error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="openIMIS", Basic realm="openIMIS"'
    return response
