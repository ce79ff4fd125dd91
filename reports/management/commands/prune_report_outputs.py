"""Delete the PDFs rendered by `renderReport` whose keeping time (`output_keep_hours`) is over:

    manage.py prune_report_outputs

The twin of the scheduled job `reports.prune_report_outputs`; safe to run at any time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.services import prune_outputs


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{prune_outputs()} rendered reports deleted")
