"""Prometheus metrics: /metrics only for allowed networks or the token (a 404 for anyone else);
GraphQL requests, mutations and tasks counted; the queue depth read from the broker; the
values of several worker processes added up in multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import kombu
import pytest
from celery import Celery
from graphql import parse
from prometheus_client import REGISTRY

from core import metrics

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-0123456789abcdef"

NOTES = "query NotesForMetrics { notes(first: 1) { totalCount } }"
UNNAMED_NOTES = "{ notes(first: 1) { totalCount } }"
BROKEN = "query Broken { notes(first: 1) { noSuchField } }"
CREATE_NOTE = """
mutation CreateNoteForMetrics($cmid: String, $title: String) {
  createNote(input: {clientMutationId: $cmid, title: $title}) { status error }
}
"""


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def writer(make_user):
    return make_user([900001, 900002], username="writer")


# --- Who may read /metrics ----------------------------------------------------------------------


def test_metrics_are_served_to_the_local_address(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"# TYPE openimis_graphql_requests_total counter" in response.content


def test_metrics_are_served_to_ipv6_loopback(client):
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_metrics_are_a_404_from_another_address(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 404
    assert b"openimis" not in response.content
    assert response.content == client.get("/no-such-page", REMOTE_ADDR="203.0.113.9").content


def test_a_configured_network_is_allowed(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_the_token_is_accepted_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                          HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert b"openimis_graphql_requests_total" in response.content


@pytest.mark.parametrize("authorization", [f"Bearer {TOKEN}x", "Bearer wrong", "Bearer ",
                                           f"Basic {TOKEN}", ""])
def test_a_wrong_or_missing_token_is_a_404(client, settings, authorization):
    settings.METRICS_TOKEN = TOKEN

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                          HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 404


def test_no_token_is_accepted_when_none_is_configured(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 404


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client, settings):
    # A local reverse proxy must not make every client local.
    settings.TRUSTED_PROXY_COUNT = 1

    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                         HTTP_X_FORWARDED_FOR="203.0.113.9")
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert (outside.status_code, inside.status_code) == (404, 200)


def test_metrics_refuse_other_methods_as_a_404(client):
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


# --- GraphQL and mutations ----------------------------------------------------------------------


def test_a_named_query_is_counted_and_timed(gql, writer):
    labels = {"operation": "NotesForMetrics", "kind": "query"}
    before = sample("openimis_graphql_requests_total", outcome="ok", **labels)
    timed = sample("openimis_graphql_request_seconds_count", **labels)

    assert gql(NOTES, user=writer).errors == []

    assert sample("openimis_graphql_requests_total", outcome="ok", **labels) == before + 1
    assert sample("openimis_graphql_request_seconds_count", **labels) == timed + 1


def test_an_unnamed_query_is_counted_by_its_first_root_field(gql, writer):
    before = sample("openimis_graphql_requests_total", operation="notes", kind="query",
                    outcome="ok")

    gql(UNNAMED_NOTES, user=writer)

    assert sample("openimis_graphql_requests_total", operation="notes", kind="query",
                  outcome="ok") == before + 1


def test_a_request_with_errors_is_counted_as_an_error(gql, writer):
    labels = {"operation": "Broken", "kind": "query", "outcome": "error"}
    before = sample("openimis_graphql_requests_total", **labels)

    assert gql(BROKEN, user=writer).errors

    assert sample("openimis_graphql_requests_total", **labels) == before + 1


def test_a_mutation_is_counted_as_a_request_and_by_its_log_status(gql, writer):
    request = {"operation": "CreateNoteForMetrics", "kind": "mutation", "outcome": "ok"}
    requests = sample("openimis_graphql_requests_total", **request)
    success = sample("openimis_mutations_total", mutation="CreateNoteMutation", status="success")
    error = sample("openimis_mutations_total", mutation="CreateNoteMutation", status="error")

    gql(CREATE_NOTE, {"cmid": "m-1", "title": "Ward round"}, user=writer)
    gql(CREATE_NOTE, {"cmid": "m-2", "title": " "}, user=writer)  # no title: a business error

    assert sample("openimis_graphql_requests_total", **request) == requests + 2
    assert sample("openimis_mutations_total", mutation="CreateNoteMutation",
                  status="success") == success + 1
    assert sample("openimis_mutations_total", mutation="CreateNoteMutation",
                  status="error") == error + 1


def test_a_replayed_mutation_is_counted_with_its_stored_status(gql, writer):
    gql(CREATE_NOTE, {"cmid": "again", "title": "Ward round"}, user=writer)
    success = sample("openimis_mutations_total", mutation="CreateNoteMutation", status="success")

    gql(CREATE_NOTE, {"cmid": "again", "title": "Ward round"}, user=writer)

    assert sample("openimis_mutations_total", mutation="CreateNoteMutation",
                  status="success") == success + 1


def test_the_counters_are_in_the_scraped_text(client, gql, writer):
    gql(NOTES, user=writer)

    text = client.get("/metrics").content.decode()

    assert 'openimis_graphql_requests_total{kind="query",operation="NotesForMetrics",' \
           'outcome="ok"}' in text


@pytest.mark.parametrize(("document", "labels"), [
    ("query Q { a }", ("Q", "query")),
    ("mutation { createNote { x } }", ("createNote", "mutation")),
    ("{ ... on Query { a } }", ("other", "query")),
    ("query " + "x" * 65 + " { a }", ("other", "query")),
])
def test_operation_labels(document, labels):
    operation = parse(document).definitions[0]

    assert metrics.operation_labels(operation) == labels


def test_an_unparsed_document_is_a_query_named_other():
    assert metrics.operation_labels(None) == ("other", "query")


def test_operation_names_beyond_the_cap_count_as_other(monkeypatch):
    monkeypatch.setattr(metrics, "_operation_labels", {f"Op{i}" for i in range(3)})
    monkeypatch.setattr(metrics, "MAX_OPERATION_LABELS", 3)

    assert metrics._bounded("Op1") == "Op1"
    assert metrics._bounded("Invented") == "other"


# --- Tasks and the queue ------------------------------------------------------------------------


def test_celery_signals_time_tasks_and_count_failures():
    app = Celery("metrics-test", set_as_current=False)

    @app.task(name="claims.adjudicate_batch")
    def adjudicate_batch(fail: bool) -> None:
        if fail:
            raise RuntimeError("the batch failed")

    timed = sample("openimis_task_seconds_count", task="claims.adjudicate_batch")
    failed = sample("openimis_task_failures_total", task="claims.adjudicate_batch")

    adjudicate_batch.apply(args=(False,))
    adjudicate_batch.apply(args=(True,))

    assert sample("openimis_task_seconds_count", task="claims.adjudicate_batch") == timed + 2
    assert sample("openimis_task_failures_total", task="claims.adjudicate_batch") == failed + 1


def test_the_queue_depth_is_read_from_the_broker_at_scrape_time(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_DEFAULT_QUEUE = "metrics-test"
    with kombu.Connection("memory://") as conn:
        queue = kombu.Queue("metrics-test", kombu.Exchange("metrics-test"),
                            routing_key="metrics-test")
        producer = conn.Producer()
        for n in range(3):
            producer.publish({"n": n}, exchange=queue.exchange, routing_key="metrics-test",
                             declare=[queue])

        text = client.get("/metrics").content.decode()

        queue(conn.default_channel).purge()
    assert 'openimis_queue_depth{queue="metrics-test"} 3.0' in text


def test_a_queue_the_broker_does_not_have_is_empty(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_DEFAULT_QUEUE = "never-declared"

    text = client.get("/metrics").content.decode()

    assert 'openimis_queue_depth{queue="never-declared"} 0.0' in text


def test_no_queue_depth_without_a_broker_or_when_it_is_down(client, settings):
    assert b"openimis_queue_depth" not in client.get("/metrics").content

    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"openimis_queue_depth" not in response.content


# --- Several worker processes -------------------------------------------------------------------

MULTIPROCESS_SCRIPT = textwrap.dedent("""
    import os
    import django

    django.setup()
    from core import metrics

    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            metrics.GRAPHQL_REQUESTS.labels("Shared", "query", "ok").inc()
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    print(metrics.render_metrics()[0].decode())
""")


def test_multiprocess_mode_adds_up_the_workers(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "tests.settings"}

    done = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert 'openimis_graphql_requests_total{kind="query",operation="Shared",outcome="ok"} 2.0' \
        in done.stdout
