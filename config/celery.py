"""The Celery application: background and scheduled work (`make worker`, `make beat`).

Configured from Django's settings (every `CELERY_*` setting, README "Configuration"); tasks are
found in each installed app's `tasks.py`. Without `CELERY_BROKER_URL`, tasks run in the process
that sends them (settings), so nothing here needs a broker to import.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect(dispatch_uid="config.celery.render_children")
def _render_children_allowed(**kwargs) -> None:
    from reports.sandbox import allow_in_worker_pool

    allow_in_worker_pool()
