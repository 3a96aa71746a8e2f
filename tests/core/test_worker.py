"""A real Celery worker, started as its own process, takes a task from the real Redis broker."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from cluster_portal.celery import app as celery_app
from cluster_portal.core.tasks import echo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue():
    queue = f"test-{uuid.uuid4().hex[:12]}"  # a queue of its own, so no other worker takes it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cluster_portal.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cluster_portal", "worker", "--pool=solo",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output)


@pytest.mark.worker
def test_a_real_worker_completes_a_task(worker_queue):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        result = echo.apply_async(args=["hello from the broker"], queue=worker_queue)
        assert result.get(timeout=60) == "hello from the broker"
        assert result.state == "SUCCESS"
    finally:
        celery_app.conf.task_always_eager = eager
