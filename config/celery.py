"""The Celery application: background and scheduled work (`make worker`, `make beat`).

Configured from Django's settings (every `CELERY_*` setting, README "Configuration"); tasks are
found in each installed app's `tasks.py`. Without `CELERY_BROKER_URL`, tasks run in the process
that sends them (settings), so nothing here needs a broker to import.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
