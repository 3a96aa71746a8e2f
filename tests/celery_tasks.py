"""Tasks only the tests register (a worker started with --include=tests.celery_tasks)."""

import os
import signal

from celery import shared_task


@shared_task(name="tests.kill_own_worker")
def kill_own_worker(runs_file: str) -> None:
    """Notes that it ran, then kills the process running it, as a poisonous task would."""
    with open(runs_file, "a") as runs:
        runs.write("run\n")
    os.kill(os.getpid(), signal.SIGKILL)
