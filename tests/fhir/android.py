"""The requests of the openIMIS Claims Android app (FHIR era), replayed exactly: a trailing
slash, `Authorization: bearer <token>`, `Content-Type: application/json` even on a GET, and
`page-offset` 1, 2, ... while the Bundle has a `next` link, never `_count`. Every answer goes
through `tests.fhir.client.call`, which validates it as FHIR R4."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.fhir.client import FhirAnswer, call

# The most pages a sync may take before a test calls it a loop.
MAX_PAGES = 50


class AndroidClient:
    """A test client whose GETs carry the app's `Content-Type: application/json`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def get(self, path: str, data: Any = None, **extra: Any):
        return self._client.get(path, data, CONTENT_TYPE="application/json", **extra)


def app_get(client: Client, user, endpoint: str, params: dict[str, str] | None = None
            ) -> FhirAnswer:
    """One GET of `endpoint` (`Practitioner`, `CodeSystem/diagnosis`, ...) as the app sends it."""
    return call(AndroidClient(client), "GET", f"{endpoint}/", user=user, scheme="bearer",
                params=params)


def app_sync(client: Client, user, endpoint: str, params: dict[str, str] | None = None
             ) -> list[dict[str, Any]]:
    """The resources of every page, fetched as `BaseFHIRGetPaginatedRequest` does: it reads
    `entry[i].resource` and goes on while some `link[].relation` is `next`."""
    resources: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        answer = app_get(client, user, endpoint, {**(params or {}), "page-offset": str(page)})
        assert answer.status == 200, answer.body
        resources += [entry["resource"] for entry in answer.body["entry"]]
        if not any(link["relation"] == "next" for link in answer.body["link"]):
            return resources
    raise AssertionError(f"{endpoint}: still a next link after {MAX_PAGES} pages")


def code_of(resource: dict[str, Any]) -> str:
    """`IdentifierDto.getCode()`: the value typed exactly `Code` (each identifier must have
    `type.coding[0].code` and `value`)."""
    found = {ident["type"]["coding"][0]["code"]: ident["value"]
             for ident in resource["identifier"]}
    return found["Code"]


def statements_per_page(client: Client, user, endpoint: str, sizes: tuple[int, ...] = (10, 50),
                        params: dict[str, str] | None = None) -> dict[int, int]:
    """SQL statements of one search page at each `_count`, once a first request has warmed the
    configuration cache: the number must not grow with the page."""
    assert call(client, "GET", f"{endpoint}/", user=user, params=params).status == 200
    counts = {}
    for size in sizes:
        with CaptureQueriesContext(connection) as queries:
            answer = call(client, "GET", f"{endpoint}/", user=user,
                          params={**(params or {}), "_count": str(size)})
        assert answer.status == 200, answer.body
        assert len(answer.body["entry"]) == size
        counts[size] = len(queries)
    return counts
