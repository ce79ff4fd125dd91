"""Hostile HTTP against every API endpoint the URL resolver serves: query strings with NUL bytes,
CR/LF, 5,000-digit numbers, huge strings, invalid uuids and repeated parameters; wrong methods;
GraphQL bodies of the wrong shape. Each is answered 4xx with a JSON body, never 500.

The endpoints are read from the resolver, not listed by hand: a module that adds a URL is
covered the day it is added."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from graphql_jwt.shortcuts import get_token

from reports.registry import registered_reports

pytestmark = pytest.mark.django_db

REPORT_NAME = "<str:report_name>"
# FHIR answers OperationOutcome, not `{"detail"}`, and takes writes: its own generated test
# (tests/fhir/test_generated.py) sends it the same query strings.
FHIR = "api/api_fhir_r4/"


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def api_urls() -> list[str]:
    """Every URL under /api/, with each registered report (and an unknown one) for the report
    route's name."""
    urls = []
    for route in _routes(get_resolver().url_patterns):
        if not route.startswith("api/") or route.startswith(FHIR):
            continue
        if REPORT_NAME in route:
            names = [report.name for report in registered_reports()] + ["no_such_report"]
            urls.extend("/" + route.replace(REPORT_NAME, name) for name in names)
        else:
            assert "<" not in route, f"add the values of {route}'s parameters to this test"
            urls.append("/" + route)
    return sorted(urls)


URLS = api_urls()
GRAPHQL_URLS = [url for url in URLS if url.startswith("/api/graphql")]
REST_URLS = [url for url in URLS if url not in GRAPHQL_URLS]

# Every parameter name an endpoint reads; each case gives all of them the same value, so every
# endpoint meets it in the parameter it uses.
NAMES = ("id", "uuid", "dateFrom", "dateTo", "healthFacilityCode", "query", "variables",
         "operationName")
PERIOD = {"dateFrom": "2025-01-01", "dateTo": "2025-01-31"}


def _all(value: str) -> list[tuple[str, str]]:
    return [(name, value) for name in NAMES]


# Refused at the door of every REST endpoint (400 with the reason).
REFUSED = {
    "NUL byte": _all("1\x00"),
    "CR/LF": _all("a\r\nb"),
    "5,000-digit number": _all("9" * 5000),
    "huge string": _all("x" * 20000),
    "repeated parameter": _all("1") + _all("2"),
    "NUL in a name": [("uu\x00id", "1")],
    "overview, NUL in the facility code": [*PERIOD.items(), ("healthFacilityCode", "HF\x00")],
    "overview, CR/LF in the facility code": [*PERIOD.items(), ("healthFacilityCode", "H\r\nF")],
}
# Reach the views: answered 4xx (or the document), never 500.
ODD = {
    "invalid uuid": _all("not-a-uuid"),
    "superscript digit": _all("\u00b2"),
    "negative number": _all("-1"),
    "beyond bigint": _all("9" * 19),
    "200 digits": _all("9" * 200),
    "relay id of 100 digits": _all(base64.b64encode(b"T:" + b"9" * 100).decode()),
    "quotes and SQL": _all("' OR 1=1 --"),
    "empty": _all(""),
    "overview, long facility code": [*PERIOD.items(), ("healthFacilityCode", "H" * 200)],
    "overview, unknown facility": [*PERIOD.items(), ("healthFacilityCode", "\u00e9\u00e8")],
}
WRONG_METHODS = ("post", "put", "patch", "delete", "options")

# Bodies of the wrong shape for the GraphQL endpoint: each a 400 with a GraphQL error.
BAD_BODIES = {
    "query is a number": ('{"query": 123}', "application/json"),
    "query is an object": ('{"query": {"query": "{ __typename }"}}', "application/json"),
    "query is a list": ('{"query": ["{ __typename }"]}', "application/json"),
    "query is null": ('{"query": null}', "application/json"),
    "variables are not JSON": ('{"query": "{ __typename }", "variables": "x"}',
                               "application/json"),
    "variables are a list": ('{"query": "{ __typename }", "variables": [1]}', "application/json"),
    "variables are a number": ('{"query": "{ __typename }", "variables": 5}', "application/json"),
    "variables are a JSON list": ('{"query": "{ __typename }", "variables": "[1]"}',
                                  "application/json"),
    "operationName is a number": ('{"query": "{ __typename }", "operationName": 5}',
                                  "application/json"),
    "operationName is a list": ('{"query": "{ __typename }", "operationName": ["a"]}',
                                "application/json"),
    "body is a list": ('[{"query": "{ __typename }"}]', "application/json"),
    "body is a number": ("5", "application/json"),
    "body is a string": ('"{ __typename }"', "application/json"),
    "body is null": ("null", "application/json"),
    "body is not JSON": ("{query", "application/json"),
    "JSON not UTF-8": (b'{"query": "\xff"}', "application/json"),
    "GraphQL not UTF-8": (b"{ \xff }", "application/graphql"),
    "NUL in the document": ('{"query": "{ __typename \\u0000 }"}', "application/json"),
    "empty body": ("", "application/json"),
}


@pytest.fixture(params=["anonymous", "superuser"])
def headers(request, make_user) -> dict[str, str]:
    """No login, or a superuser of the tenant, who holds every right and reaches every view."""
    if request.param == "anonymous":
        return {}
    return {"HTTP_AUTHORIZATION": f"JWT {get_token(make_user(superuser=True))}"}


@pytest.fixture
def client() -> Client:
    """A client that answers what the server answers, 500 included, instead of raising."""
    return Client(raise_request_exception=False)


def json_body(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), (
        response.status_code, response["Content-Type"], response.content[:200])
    return json.loads(response.content)


def test_the_endpoints_are_found():
    assert {"/api/graphql", "/api/core/users/current_user/", "/api/claim/attach",
            "/api/approval/document", "/api/claim/print/", "/api/approval/print/",
            "/api/report/claim_print/pdf/", "/api/report/claims_overview/pdf/"} <= set(URLS)


# What a page of another site can post without a CORS preflight: refused whatever it holds.
FORM_BODIES = {
    "text/plain": ('{"query": "{ __typename }"}', "text/plain"),
    "multipart without boundary": ("--x\r\nbad", "multipart/form-data"),
    "form without query": ("variables=%7B%7D", "application/x-www-form-urlencoded"),
}


def answers(client, headers, url, cases, send) -> dict[str, tuple[int, str, bytes]]:
    """Each case sent: its status, content type and the start of its body."""
    found = {}
    for case in cases:
        response = send(client, url, case, headers)
        found[case] = (response.status_code, response["Content-Type"], response.content[:300])
    return found


def get(query: dict[str, list[tuple[str, str]]]):
    return lambda client, url, case, headers: client.get(f"{url}?{urlencode(query[case])}",
                                                         **headers)


def is_json(content_type: str, body: bytes, key: str) -> bool:
    if not content_type.startswith("application/json"):
        return False
    decoded = json.loads(body)
    return bool(decoded["detail"] if key == "detail" else decoded["errors"][0]["message"])


@pytest.mark.parametrize("url", REST_URLS)
def test_a_hostile_query_string_is_refused_with_a_reason(client, headers, url):
    found = answers(client, headers, url, REFUSED, get(REFUSED))

    assert {case: answer for case, answer in found.items()
            if answer[0] != 400 or not is_json(answer[1], answer[2], "detail")} == {}


@pytest.mark.parametrize("url", REST_URLS)
def test_odd_parameters_are_answered_without_a_server_error(client, headers, url):
    found = answers(client, headers, url, ODD, get(ODD))

    assert {case: answer for case, answer in found.items()
            if answer[0] != 200 and not (400 <= answer[0] < 500
                                         and is_json(answer[1], answer[2], "detail"))} == {}


@pytest.mark.parametrize("url", GRAPHQL_URLS)
def test_a_hostile_query_string_to_graphql_is_a_graphql_error(client, headers, url):
    cases = {**REFUSED, **ODD}

    found = answers(client, headers, url, cases, get(cases))

    assert {case: answer for case, answer in found.items()
            if answer[0] != 400 or not is_json(answer[1], answer[2], "errors")} == {}


@pytest.mark.parametrize("url", GRAPHQL_URLS)
def test_a_body_of_the_wrong_shape_is_a_400_graphql_error(client, headers, url):
    def post(client, url, case, headers):
        body, content_type = BAD_BODIES[case]
        return client.generic("POST", url, body, content_type=content_type, **headers)

    found = answers(client, headers, url, BAD_BODIES, post)

    assert {case: answer for case, answer in found.items()
            if answer[0] != 400 or not is_json(answer[1], answer[2], "errors")} == {}


@pytest.mark.parametrize("url", REST_URLS)
def test_a_wrong_method_is_405_with_a_json_reason(client, headers, url):
    for method in WRONG_METHODS:
        response = getattr(client, method)(url, **headers)

        assert (response.status_code, response["Allow"]) == (405, "GET")
        assert json_body(response) == {
            "detail": f"{method.upper()} is not allowed here; use GET"}


@pytest.mark.parametrize("url", GRAPHQL_URLS)
def test_a_wrong_method_to_graphql_is_405_with_a_graphql_error(client, url):
    for method in ("put", "patch", "delete", "options"):
        response = getattr(client, method)(url)

        assert response.status_code == 405
        assert json_body(response)["errors"][0]["message"]


@pytest.mark.parametrize("body", ['{"query": 123}', '{"query": {"a": 1}}'])
def test_a_query_that_is_not_a_string_is_named(client, body):
    response = client.post("/api/graphql", body, content_type="application/json")

    assert (response.status_code, json_body(response)) == (
        400, {"errors": [{"message": "query must be a string: the GraphQL document."}]})


def test_variables_that_are_not_an_object_are_named(client):
    response = client.post("/api/graphql", '{"query": "{ __typename }", "variables": [1]}',
                           content_type="application/json")

    assert json_body(response) == {"errors": [
        {"message": "variables must be a JSON object of variable names and values."}]}


def test_a_valid_request_still_passes(client):
    response = client.post("/api/graphql", '{"query": "{ __typename }", "variables": {}, '
                           '"operationName": null}', content_type="application/json")

    assert (response.status_code, json_body(response)) == (200, {"data": {"__typename": "Query"}})


def test_the_overview_names_the_parameter_with_a_nul_byte(client, make_user):
    token = get_token(make_user(superuser=True))
    query = urlencode({**PERIOD, "healthFacilityCode": "HF1\x00"})

    response = client.get(f"/api/report/claims_overview/pdf/?{query}",
                          HTTP_AUTHORIZATION=f"JWT {token}")

    assert (response.status_code, json_body(response)) == (
        400, {"detail": "healthFacilityCode contains control characters"})


def test_a_5000_digit_attachment_id_is_refused(client, make_user):
    token = get_token(make_user(superuser=True))

    response = client.get(f"/api/claim/attach?id={'9' * 5000}", HTTP_AUTHORIZATION=f"JWT {token}")

    assert (response.status_code, json_body(response)) == (
        400, {"detail": "id is longer than 200 characters"})


def test_a_repeated_parameter_is_refused(client, make_user):
    token = get_token(make_user(superuser=True))

    response = client.get("/api/claim/print/?uuid=a&uuid=b", HTTP_AUTHORIZATION=f"JWT {token}")

    assert (response.status_code, json_body(response)) == (
        400, {"detail": "uuid is given 2 times; give it once"})


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/no/such/thing")

    assert (response.status_code, json_body(response)) == (404, {"detail": "Not found"})


@pytest.mark.parametrize("url", GRAPHQL_URLS)
def test_a_form_or_plain_text_body_is_a_415_graphql_error(client, headers, url):
    def post(client, url, case, headers):
        body, content_type = FORM_BODIES[case]
        return client.generic("POST", url, body, content_type=content_type, **headers)

    found = answers(client, headers, url, FORM_BODIES, post)

    assert {case: answer for case, answer in found.items()
            if answer[0] != 415 or not is_json(answer[1], answer[2], "errors")} == {}
