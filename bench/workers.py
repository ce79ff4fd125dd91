"""Celery workers as separate processes on the database this process uses, for benchmarks and
integration tests of the bulk mutations (core.bulk)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.db import connection

from config.celery import app as celery_app
from core.codes import MutationStatus
from core.models import MutationLog

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


class Worker:
    """A Celery worker process (`celery -A config worker`) on this process's database and the
    queue given; its output goes to a file, read back by `stop()`."""

    def __init__(self, queue: str, delay: float = 0.0, concurrency: int = 2,
                 settings_module: str = "tests.worker_settings") -> None:
        database = connection.settings_dict
        env = {**os.environ,
               "DJANGO_SETTINGS_MODULE": settings_module,
               "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
                               f"{database['PORT']}/{database['NAME']}",
               "CELERY_BROKER_URL": BROKER, "OPENIMIS_TEST_CLAIM_DELAY": str(delay),
               "DB_CONN_MAX_AGE": "60"}
        env.pop("EXPECT_DATABASE_VENDOR", None)
        self.output = tempfile.TemporaryFile()
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
             "--concurrency", str(concurrency), "--pool", "prefork", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--hostname", f"{queue}-{uuid.uuid4().hex[:4]}@%h"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=self.output, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes: no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> str:
        """Stop the worker (warm shutdown) and return the end of what it printed."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.output.seek(0)
        return self.output.read().decode(errors="replace")[-4000:]


def wait_for(log: MutationLog, seconds: float = 300) -> MutationLog:
    """The log once it is no longer "received", polled as a client polls `mutationLogs`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        log.refresh_from_db()
        if log.status != MutationStatus.RECEIVED:
            return log
        time.sleep(0.5)
    raise AssertionError(f"mutation log {log.pk} still received after {seconds} s "
                         f"({log.progress_done}/{log.progress_total})")


def use_broker(broker_url: str | None, **conf) -> None:
    """Point this process's Celery app at `broker_url` (and `conf`), dropping the connections it
    pooled, the producers' pool too, which `close()` leaves: Celery has no public way to switch
    brokers."""
    celery_app.conf.update(broker_url=broker_url, **conf)
    celery_app.close()
    celery_app.amqp._producer_pool = None


def finished(worker: Worker, log: MutationLog, seconds: float = 300) -> tuple[MutationLog, str]:
    """Wait for the log to finish, then stop the worker: the log and what the worker printed
    (in the failure's message when the log does not finish)."""
    try:
        log = wait_for(log, seconds)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{worker.stop()}") from None
    return log, worker.stop()
