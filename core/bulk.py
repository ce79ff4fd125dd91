"""Bulk mutations on workers: a month's submit, process or valuation returns at once and runs in
pieces on any number of Celery workers.

With a broker configured (`CELERY_BROKER_URL`), a bulk mutation (`OpenIMISMutation.bulk`) is
validated and its before-signal sent in the request, as any mutation; then, in the same
transaction, its rows are split into pieces (`BULK_CHUNK_SIZE` rows each, one
`MutationChunk` per piece) and a task is queued per piece. The log answers "received" (status
0) with `progressTotal`; if the broker cannot take the tasks, nothing of it is kept and the log
says why (`broker_unavailable`).

A worker runs a piece in one transaction: it locks the piece, does nothing if the piece is done
already (a redelivered task), re-checks that the user is active, still holds the rights and is
still of the tenant the mutation was asked in, calls the mutation's own `perform` with the
piece's rows, and marks the piece done with its errors, in the same transaction as its changes.
A transient database error rolls the piece back and the task retries with backoff; a worker
killed in the middle leaves the piece undone and the broker delivers it again (`acks_late`).
Whichever piece finishes last finishes the log, under the log's row lock, once: the
after-signal, the errors of every piece, status 2 or 1.

Without a broker, bulk mutations run in the request as before (`make demo` is one process).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from core.codes import MutationStatus
from core.gql.errors import MutationError, error_entry
from core.gql.outcomes import INTERNAL_ERROR, MutationOutcome, mutation_class, validation_errors
from core.models import MutationChunk, MutationLog

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 200
TRANSIENT = (OperationalError, InterfaceError)


class ChunkNotReady(Exception):
    """The task arrived before the transaction that queued it committed: try again shortly."""


def queued() -> bool:
    """Whether bulk mutations go to workers: a broker is configured and tasks are not run
    eagerly in-process."""
    return bool(getattr(settings, "CELERY_BROKER_URL", None)) and \
        not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)


def chunk_size() -> int:
    return max(1, int(getattr(settings, "BULK_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)))


def pieces(groups: list[list[str]] | None,
           data: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """The inputs of the pieces: `data` with its rows (`uuids`) packed into pieces of about
    `BULK_CHUNK_SIZE`, a group never cut (rows whose outcomes depend on each other, such as the
    claims of one family sharing its policy's ceilings, are decided in one piece, in order), or
    `data` whole when the mutation does not act on a list of rows (a period's valuation)."""
    if groups is None:
        return [(data, 0)]
    size = chunk_size()
    packed: list[list[str]] = []
    for group in groups:
        if not packed or (packed[-1] and len(packed[-1]) + len(group) > size):
            packed.append([])
        packed[-1].extend(group)
    return [({**data, "uuids": rows}, len(rows)) for rows in packed] or [({**data, "uuids": []},
                                                                           0)]


def enqueue(mutation, log: MutationLog, user, data: dict[str, Any]) -> None:
    """Split the mutation into pieces and queue a task per piece, inside the caller's
    transaction: a broker that cannot take them rolls everything back."""
    planned = pieces(mutation.bulk_rows(user, data), data)
    MutationChunk.objects.bulk_create(
        MutationChunk(log=log, index=index, data={**piece, "_tenant_id": user.tenant_id},
                      size=size)
        for index, (piece, size) in enumerate(planned))
    log.progress_done = 0
    log.progress_total = sum(size for _piece, size in planned)
    log.save(update_fields=["progress_done", "progress_total"])
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None)
    try:
        for index in range(len(planned)):
            run_mutation_chunk.apply_async((str(log.pk), index), retry=False, queue=queue)
    except Exception as exc:  # kombu's errors differ by transport; any refusal is the same
        logger.warning("Broker refused bulk mutation %s: %s", log.pk, exc)
        raise MutationError("The background queue cannot be reached; nothing was changed. "
                            "Try again later.", code="broker_unavailable") from exc


def refusal(mutation, user, tenant_id: int | None,
            data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Why the user may no longer run the mutation, when they may not (re-checked by the
    worker: a user disabled, stripped of the right or moved since the request)."""
    from core.gql.policy import holds_rights

    if user is None or not user.is_active:
        return [error_entry("The user who asked for this can no longer act", code="forbidden")]
    if user.tenant_id != tenant_id:
        return [error_entry("The user who asked for this moved to another scheme",
                            code="forbidden")]
    if not holds_rights(mutation.policy(), user, data):
        return [error_entry("The user who asked for this no longer holds the right",
                            code="forbidden")]
    return None


def run_chunk(log_id: str, index: int) -> bool:
    """Run one piece, once. True when it ran now, False when it was done already."""
    with transaction.atomic():
        chunk = MutationChunk.objects.select_for_update(of=("self",)) \
            .select_related("log__user") \
            .filter(log_id=log_id, index=index).first()
        if chunk is None:
            if MutationLog.objects.filter(pk=log_id).exclude(
                    status=MutationStatus.RECEIVED).exists():
                return False  # queued by a transaction that was rolled back: nothing to do
            raise ChunkNotReady(f"{log_id} #{index}")
        if chunk.done:
            return False
        log = chunk.log
        mutation = mutation_class(log.module, log.mutation)
        data = {k: v for k, v in chunk.data.items() if k != "_tenant_id"}
        errors = refusal(mutation, log.user, chunk.data.get("_tenant_id"), data)
        uuids: list[str] = []
        if errors is None:
            try:
                with transaction.atomic():
                    outcome = mutation.perform(log.user, data) or MutationOutcome()
                errors, uuids = outcome.errors, [str(u) for u in outcome.uuids]
            except MutationError as exc:
                errors = exc.errors
            except TRANSIENT:
                raise
            except Exception as exc:  # a fault of this piece: reported in the log
                if isinstance(exc, ValidationError):
                    errors = validation_errors(exc)
                else:
                    logger.exception("Bulk mutation %s piece %s failed", log_id, index)
                    errors = [error_entry("Unexpected error", code=INTERNAL_ERROR)]
        chunk.errors, chunk.uuids, chunk.done = errors, uuids, True
        chunk.attempts += 1
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["errors", "uuids", "done", "attempts", "finished_at"])
        MutationLog.objects.filter(pk=log_id).update(
            progress_done=F("progress_done") + chunk.size)
    return True


def finish_if_done(log_id: str) -> bool:
    """Finish the log when every piece is done, once (the log's row lock decides between
    pieces finishing together): after-signal, errors, status. True when it finished it now."""
    from core.signals import mutation_signals

    with transaction.atomic():
        log = MutationLog.objects.select_for_update(of=("self",)).select_related("user") \
            .get(pk=log_id)
        if log.status != MutationStatus.RECEIVED:
            return False
        chunks = list(log.chunks.order_by("index"))
        if not chunks or not all(chunk.done for chunk in chunks):
            return False
        mutation = mutation_class(log.module, log.mutation)
        errors = [entry for chunk in chunks for entry in chunk.errors or []]
        outcome = MutationOutcome(uuids=[u for chunk in chunks for u in chunk.uuids],
                                  errors=errors)
        mutation_signals(mutation.module_name).after_mutation.send(
            sender=mutation, user=log.user, data=log.json_content, mutation_log=log,
            outcome=outcome)
        mutation.finish(log, errors, outcome)
    return True


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8,
             name="core.bulk.run_mutation_chunk")
def run_mutation_chunk(self, log_id: str, index: int) -> None:
    """One piece of a bulk mutation, then the log if it was the last."""
    try:
        run_chunk(log_id, index)
        finish_if_done(log_id)
    except (ChunkNotReady, *TRANSIENT) as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** self.request.retries)) from exc
