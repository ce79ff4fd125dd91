"""Prometheus metrics: GraphQL requests, mutation outcomes, background tasks and the queue.

The metrics are prometheus_client's, on its default registry, fed where the thing happens: the
GraphQL view times each request (`observe_graphql_request`, one call per request, nothing per
field), the mutation base counts each finished or replayed mutation log (`count_mutation`),
Celery's signals time each task. The queue depth is read from the broker when Prometheus scrapes
(`QueueDepthCollector`), so an idle worker needs no timer.

Gunicorn runs several worker processes, each with its own counters: with
`PROMETHEUS_MULTIPROC_DIR` set (before the workers start, to an empty folder), every process
writes its values there and `/metrics` adds them up (prometheus_client's multiprocess mode).

Who may read `/metrics` (`metrics_allowed`): a client in `METRICS_ALLOWED_NETWORKS`, or one
sending `Authorization: Bearer <METRICS_TOKEN>`. Labels never hold what a client chose freely
beyond a bounded set: an operation name must look like a GraphQL name and at most
`MAX_OPERATION_LABELS` distinct ones are kept per process, the rest count as "other".
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from typing import Any

import kombu
from celery import signals as celery_signals
from django.conf import settings
from django.http import HttpRequest
from graphql import ExecutionResult, FieldNode, OperationDefinitionNode, OperationType
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from core.codes import MutationStatus
from core.throttle import client_ip

logger = logging.getLogger(__name__)

OTHER = "other"
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_LABELS = 300
MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"

GRAPHQL_REQUESTS = Counter(
    "openimis_graphql_requests", "GraphQL requests answered, by operation, kind and outcome "
    "(error: the answer holds GraphQL errors).", ["operation", "kind", "outcome"])
GRAPHQL_SECONDS = Histogram(
    "openimis_graphql_request_seconds", "Time to parse, validate and run a GraphQL request.",
    ["operation", "kind"])
MUTATIONS = Counter(
    "openimis_mutations", "Module mutations by their mutation log's status (success, error, "
    "received: a retry answered while the first call runs).", ["mutation", "status"])
TASK_SECONDS = Histogram(
    "openimis_task_seconds", "Run time of background tasks.", ["task"],
    buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, float("inf")))
TASK_FAILURES = Counter(
    "openimis_task_failures", "Background tasks that raised.", ["task"])


# --- GraphQL ------------------------------------------------------------------------------------

_operation_labels: set[str] = set()
_operation_labels_lock = threading.Lock()


def _bounded(name: str | None) -> str:
    """`name` as a label value, or "other": not a GraphQL-like name, or one more than the
    MAX_OPERATION_LABELS this process already counts (a client may invent names)."""
    if not name or not OPERATION_NAME.fullmatch(name):
        return OTHER
    if name in _operation_labels:
        return name
    with _operation_labels_lock:
        if len(_operation_labels) >= MAX_OPERATION_LABELS:
            return OTHER
        _operation_labels.add(name)
    return name


def operation_labels(operation: OperationDefinitionNode | None) -> tuple[str, str]:
    """(operation, kind) of a request: its operation name, or the first root field's when it has
    none; kind "mutation" or "query" (what could not be parsed counts as a query "other")."""
    if operation is None:
        return OTHER, "query"
    kind = "mutation" if operation.operation == OperationType.MUTATION else "query"
    if operation.name is not None:
        return _bounded(operation.name.value), kind
    first = operation.selection_set.selections[0] if operation.selection_set.selections else None
    return _bounded(first.name.value if isinstance(first, FieldNode) else None), kind


def observe_graphql_request(operation: OperationDefinitionNode | None,
                            result: ExecutionResult, seconds: float) -> None:
    """One GraphQL request answered: counted by outcome, and timed."""
    name, kind = operation_labels(operation)
    GRAPHQL_REQUESTS.labels(name, kind, "error" if result.errors else "ok").inc()
    GRAPHQL_SECONDS.labels(name, kind).observe(seconds)


# --- Mutations ----------------------------------------------------------------------------------

def count_mutation(log: Any) -> None:
    """A mutation log finished (or answered again to a retry), counted by its status."""
    MUTATIONS.labels(log.mutation, MutationStatus(log.status).label).inc()


# --- Background tasks (Celery signals) ----------------------------------------------------------

_task_started: dict[str, float] = {}


def _task_name(task: Any, sender: Any = None) -> str:
    return getattr(task, "name", None) or getattr(sender, "name", None) or OTHER


@celery_signals.task_prerun.connect(dispatch_uid="core.metrics.task_prerun")
def _task_prerun(task_id: str | None = None, **_kwargs: Any) -> None:
    if task_id is not None:
        _task_started[task_id] = time.perf_counter()


@celery_signals.task_postrun.connect(dispatch_uid="core.metrics.task_postrun")
def _task_postrun(task_id: str | None = None, task: Any = None, sender: Any = None,
                  **_kwargs: Any) -> None:
    started = _task_started.pop(task_id, None) if task_id is not None else None
    if started is not None:
        TASK_SECONDS.labels(_task_name(task, sender)).observe(time.perf_counter() - started)


@celery_signals.task_failure.connect(dispatch_uid="core.metrics.task_failure")
def _task_failure(sender: Any = None, **_kwargs: Any) -> None:
    TASK_FAILURES.labels(_task_name(sender)).inc()


# --- Queue depth, read at scrape time -----------------------------------------------------------

class QueueDepthCollector(Collector):
    """`openimis_queue_depth{queue}`: messages waiting in Celery's default queue, asked of the
    broker when Prometheus scrapes. Nothing without a broker or when it cannot be asked (logged
    at debug: the readiness probe is where an unreachable broker is reported); 0 for a queue
    the broker does not have yet (Redis drops an empty one)."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        url = getattr(settings, "CELERY_BROKER_URL", None)
        if not url:
            return []
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"
        timeout = settings.HEALTH_CHECK_TIMEOUT
        try:
            depth = _queue_depth(url, queue, timeout)
        except Exception as exc:
            logger.debug("Queue depth of %s not read: %s", queue, type(exc).__name__)
            return []
        gauge = GaugeMetricFamily("openimis_queue_depth", "Messages waiting in a task queue.",
                                  labels=["queue"])
        gauge.add_metric([queue], depth)
        return [gauge]


def _queue_depth(url: str, queue: str, timeout: float) -> int:
    with kombu.Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        channel = conn.channel()
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        except Exception as exc:
            # No such queue (404; a string from kombu's virtual transports): nothing waits there.
            if str(getattr(exc, "reply_code", "")) == "404":
                return 0
            raise


QUEUE_DEPTH = QueueDepthCollector()
REGISTRY.register(QUEUE_DEPTH)


# --- The /metrics endpoint ----------------------------------------------------------------------

def metrics_allowed(request: HttpRequest) -> bool:
    """From an address in METRICS_ALLOWED_NETWORKS (`core.throttle.client_ip`: a proxy in front
    counts only with TRUSTED_PROXY_COUNT), or with the bearer token METRICS_TOKEN (also seen as
    `JWT <token>`: `core.auth.JunkHeaderMiddleware` rewrites `Bearer`)."""
    token = settings.METRICS_TOKEN
    if token:
        parts = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(parts) == 2 and parts[0].lower() in ("bearer", "jwt") and \
                hmac.compare_digest(parts[1].encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    addresses = [address] if address.version == 4 or address.ipv4_mapped is None else \
        [address, address.ipv4_mapped]
    return any(candidate in network for network in allowed_networks()
               for candidate in addresses)


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """METRICS_ALLOWED_NETWORKS as networks (settings refused an invalid entry at start-up)."""
    return [ipaddress.ip_network(network, strict=False)
            for network in settings.METRICS_ALLOWED_NETWORKS]


def render_metrics() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format and its content type: this process's registry,
    or every process's values added up when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get(MULTIPROC_DIR_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(QUEUE_DEPTH)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
