"""`manage.py fhir_deliver_pending`: queue again the notifications still pending whose task was
lost (a broker down when the change committed, a purged queue). Sending is idempotent: a
notification delivered meanwhile is not sent twice."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from api_fhir_r4.delivery import MAX_WAIT_SECONDS
from api_fhir_r4.models import DeliveryStatus, SubscriptionDelivery
from api_fhir_r4.subscriptions import queue_delivery


class Command(BaseCommand):
    help = "Queue pending FHIR notifications whose delivery task was lost."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-minutes", type=int, default=10,
                            help="Only notifications waiting at least this long (default 10).")

    def handle(self, *args, older_than_minutes: int, **options) -> None:
        now = timezone.now()
        quiet_since = now - timedelta(minutes=older_than_minutes)
        # A retry waits at most MAX_WAIT_SECONDS: one quiet for longer lost its task.
        retry_lost = now - timedelta(seconds=MAX_WAIT_SECONDS) - timedelta(
            minutes=older_than_minutes)
        waiting = SubscriptionDelivery.objects.filter(status=DeliveryStatus.PENDING).filter(
            Q(attempts=0, created_at__lt=quiet_since) | Q(last_attempt_at__lt=retry_lost))
        count = 0
        for delivery_id in waiting.values_list("pk", flat=True).order_by("pk"):
            queue_delivery(delivery_id)
            count += 1
        self.stdout.write(f"{count} pending notification(s) queued")
