"""The reports module's scheduled job (celery beat; `SCHEDULED_JOBS` in settings)."""

from __future__ import annotations

import logging

from celery import shared_task

from reports.services import prune_outputs

logger = logging.getLogger(__name__)


@shared_task(name="reports.prune_report_outputs")
def prune_report_outputs() -> int:
    """Hourly: PDFs rendered by `renderReport` deleted once their keeping time is over
    (`manage.py prune_report_outputs`); idempotent, it only deletes what is due."""
    deleted = prune_outputs()
    logger.info("%d rendered reports deleted", deleted)
    return deleted
