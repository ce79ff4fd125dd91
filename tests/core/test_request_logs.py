"""Structured logs: every line logged while a request is answered carries its request id, user
and tenant; the id comes from a valid `X-Request-ID` or is made, and is echoed on the answer."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.conf import settings

from core.logs import JsonFormatter, RequestContextFilter, current_context
from tests.sampleapp import services

pytestmark = pytest.mark.django_db

GENERATED_ID = re.compile(r"[0-9a-f]{32}")

CREATE_NOTE = """
mutation { createNote(input: {clientMutationId: "log-1", title: "Ward round"}) { status } }
"""


@pytest.fixture
def json_lines():
    """What the root logger writes through a handler with the JSON formatter, one dict a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_line_logged_in_a_request_carries_its_id_user_and_tenant(
        gql, make_user, tenant, json_lines, monkeypatch):
    def failing(user, title, fail_after_write=False):
        raise RuntimeError("the ward register is locked")

    monkeypatch.setattr(services, "create_note", failing)
    writer = make_user([900002], username="writer")

    response = gql(CREATE_NOTE, user=writer, headers={"HTTP_X_REQUEST_ID": "req-42.a_b"})

    [line] = [line for line in json_lines() if line["logger"] == "core.gql.mutations"]
    assert line["request_id"] == "req-42.a_b"
    assert (line["user"], line["tenant"]) == ("writer", str(tenant.id))
    assert line["level"] == "ERROR"
    assert line["message"].startswith("Mutation CreateNoteMutation failed")
    assert "RuntimeError: the ward register is locked" in line["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["timestamp"])
    assert next(iter(line)) == "timestamp"
    assert response.response["X-Request-ID"] == "req-42.a_b"


def test_an_anonymous_request_logs_as_anonymous_without_tenant(client, json_lines):
    client.get("/api/no-such-endpoint", HTTP_X_REQUEST_ID="anon-1")

    # Django logs the 404 after the middleware has returned: still the request's line.
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert (line["request_id"], line["user"], line["tenant"]) == ("anon-1", "anonymous", None)
    assert line["request"] == "GET /api/no-such-endpoint"


def test_a_request_without_an_id_gets_a_fresh_one(client):
    first = client.get("/api/health/live")["X-Request-ID"]
    second = client.get("/api/health/live")["X-Request-ID"]

    assert GENERATED_ID.fullmatch(first)
    assert GENERATED_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("hostile", [
    "x" * 65, "id with spaces", "id\r\nSet-Cookie: a=b", "<script>", "id;drop", "é", "",
])
def test_a_hostile_request_id_is_replaced(client, hostile):
    response = client.get("/api/health/live", HTTP_X_REQUEST_ID=hostile)

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_the_longest_valid_request_id_is_kept(client):
    request_id = "a" * 64

    assert client.get("/api/health/live", HTTP_X_REQUEST_ID=request_id)[
        "X-Request-ID"] == request_id


def test_the_context_ends_with_the_response(client):
    client.get("/api/health/live")

    assert current_context() is None


def test_a_line_outside_a_request_has_an_empty_context():
    record = logging.LogRecord("batch", logging.INFO, __file__, 1, "done %s", ("x",), None)

    line = json.loads(JsonFormatter().format(record))

    assert {key: line[key] for key in ("level", "logger", "message", "request_id", "user",
                                       "tenant")} == {
        "level": "INFO", "logger": "batch", "message": "done x", "request_id": None,
        "user": None, "tenant": None}


def test_the_text_format_names_the_request(client, make_user, monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["text"]["format"]))
    logging.getLogger().addHandler(handler)
    try:
        client.get("/api/nothing-here", HTTP_X_REQUEST_ID="text-1")
    finally:
        logging.getLogger().removeHandler(handler)

    assert "WARNING django.request [text-1 anonymous None] Not Found: /api/nothing-here" in \
        stream.getvalue()


def test_logs_are_json_unless_debug():
    assert settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
