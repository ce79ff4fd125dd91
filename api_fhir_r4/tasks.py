"""The FHIR module's background work: rest-hook notifications (`api_fhir_r4.delivery`)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from api_fhir_r4 import delivery

# A retry waits for its own time; one still pending this long after it was due lost its task.
LOST_AFTER_MINUTES = 10


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             name="api_fhir_r4.deliver_notification")
def deliver_notification(self, delivery_id: int) -> None:
    """One attempt of a notification, then, on a worker, another after a growing wait while
    attempts are left (the delivery row counts them: a redelivered message does not add one, a
    delivered notification is not sent again). Without a broker the task runs in the request
    that made the change: one attempt only, so that an endpoint that is down never holds that
    request; the next ones are `fhir_deliver_pending`'s."""
    wait = delivery.attempt(delivery_id)
    if wait is not None and not self.request.is_eager:
        raise self.retry(countdown=wait)


@shared_task(name="api_fhir_r4.deliver_pending")
def deliver_pending() -> int:
    """Every 5 minutes: pending notifications whose task was lost, queued again
    (`manage.py fhir_deliver_pending`)."""
    return delivery.deliver_due(timedelta(minutes=LOST_AFTER_MINUTES))
