"""Settings of the Celery workers started by tests/claim/test_bulk_worker.py: the test settings
and a hook that can slow each claim down."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.workerhooks"]
