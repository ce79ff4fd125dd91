"""`manage.py fhir_deliver_pending [--older-than-minutes N]`: send the FHIR notifications still
pending: never tried, or whose next attempt is due for N minutes (default 10: with workers a
retry is on its way, and only a lost task is caught). Without a broker (`make demo`) failed
notifications are retried only this way: run it with `--older-than-minutes 0`, e.g. from cron.
The twin of the scheduled job `api_fhir_r4.deliver_pending`. Sending is idempotent: a
notification delivered meanwhile is not sent twice."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from api_fhir_r4.delivery import deliver_due
from api_fhir_r4.tasks import LOST_AFTER_MINUTES


class Command(BaseCommand):
    help = "Send pending FHIR notifications that are due (their task lost, or no broker)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-minutes", type=int, default=LOST_AFTER_MINUTES,
                            help=f"Only notifications due at least this long (default "
                                 f"{LOST_AFTER_MINUTES}).")

    def handle(self, *args, older_than_minutes: int, **options) -> None:
        count = deliver_due(timedelta(minutes=max(0, older_than_minutes)))
        self.stdout.write(f"{count} pending notification(s) queued")
