"""Calling the FHIR API as its clients do, and checking every resource it answers against the
FHIR R4 models of fhir.resources (R4B, pydantic 2): a resource we emit that the models refuse
fails the test that received it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from fhir.resources.R4B import get_fhir_model_class
from graphql_jwt.shortcuts import get_token

BASE = "/api/api_fhir_r4/"


def validate(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource, once the R4 model of its type accepts it (a Bundle's entries too)."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)
    return resource


@dataclass
class FhirAnswer:
    status: int
    body: Any
    headers: Any

    @property
    def issues(self) -> list[str]:
        assert self.body["resourceType"] == "OperationOutcome", self.body
        return [issue["details"]["text"] for issue in self.body["issue"]]


def call(client: Client, method: str, path: str, body: Any = None, *, user=None,
         basic: tuple[str, str] | None = None, scheme: str = "Bearer",
         params: dict | None = None, content_type: str = "application/fhir+json") -> FhirAnswer:
    """`path` under the FHIR base; `user` signs in with a token (`scheme` as the client spells
    it: the Android apps send `bearer`), `basic` with HTTP Basic as the mediators do."""
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"{scheme} {get_token(user)}"
    if basic is not None:
        pair = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        headers["HTTP_AUTHORIZATION"] = f"Basic {pair}"
    url = path if path.startswith("/") else BASE + path
    if method == "GET":
        response = client.get(url, params or {}, **headers)
    else:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        response = client.generic(method, url, data, content_type=content_type, **headers)
    content = response.content
    parsed = json.loads(content) if content else None
    assert response.status_code != 500, parsed
    if isinstance(parsed, dict) and "resourceType" in parsed:
        validate(parsed)
    return FhirAnswer(response.status_code, parsed, response)
