"""Work reaches Celery only after the transaction commits, and a broker outage fails nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from django.db import transaction

from cluster_portal.core.queue import enqueue_on_commit

ROOT = Path(__file__).resolve().parents[2]

received: list[str] = []


@shared_task(name="tests.record")
def record(value: str) -> None:
    received.append(value)


@pytest.fixture(autouse=True)
def _clear():
    received.clear()


@pytest.mark.django_db(transaction=True)
def test_task_runs_only_after_commit():
    with transaction.atomic():
        enqueue_on_commit(record, "committed")
        assert received == []  # not while the transaction is open
    assert received == ["committed"]


@pytest.mark.django_db(transaction=True)
def test_task_is_not_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(record, "rolled back")
        raise RuntimeError("the service failed")
    assert received == []


OUTAGE_SCRIPT = """
import django
django.setup()
from django.db import transaction
from cluster_portal.core.queue import enqueue_on_commit
from cluster_portal.core.tasks import echo
print("before", flush=True)
with transaction.atomic():
    enqueue_on_commit(echo, "lost")
print("committed", flush=True)
"""


def test_a_broker_outage_does_not_fail_the_request():
    # A process of its own whose broker is a port where nothing listens: the real client fails
    # to connect, and the transaction still commits.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cluster_portal.settings.test",
        "DATABASE_URL": "sqlite:///:memory:",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:9/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["before", "committed"]
    assert "Could not enqueue cluster_portal.core.tasks.echo" in result.stderr
