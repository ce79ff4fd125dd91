"""Loaded only into the Celery workers the integration tests start (tests/worker_settings.py):
slows each claim a worker submits or processes by OPENIMIS_TEST_CLAIM_DELAY seconds, so that a
test can kill the worker while a piece's transaction is open."""

import os
import time

from django.apps import AppConfig


def _pause(**kwargs) -> None:
    time.sleep(float(os.environ.get("OPENIMIS_TEST_CLAIM_DELAY", "0")))


class WorkerHooksConfig(AppConfig):
    name = "tests.workerhooks"
    label = "workerhooks"

    def ready(self) -> None:
        from openimis_claim.signals import claim_processed, claim_submitted

        claim_submitted.connect(_pause, dispatch_uid="workerhooks-submit")
        claim_processed.connect(_pause, dispatch_uid="workerhooks-process")
