"""The FHIR module's background work: rest-hook notifications (`api_fhir_r4.delivery`)."""

from __future__ import annotations

from celery import shared_task

from api_fhir_r4 import delivery


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             name="api_fhir_r4.deliver_notification")
def deliver_notification(self, delivery_id: int) -> None:
    """One attempt of a notification, then another after a growing wait while attempts are
    left (the delivery row counts them: a redelivered message does not add one, a delivered
    notification is not sent again)."""
    wait = delivery.attempt(delivery_id)
    while wait is not None and self.request.is_eager:
        # Without a broker the next attempt is made at once, as Celery retries an eager task
        # (its retry would reach the caller as an error where eager errors propagate).
        wait = delivery.attempt(delivery_id)
    if wait is not None:
        raise self.retry(countdown=wait)
