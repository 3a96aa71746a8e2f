"""Two people acting at the same moment: each call runs in its own thread with its own database
connection, and all start their transaction together (a barrier), so the services' row locks and
constraints are what decides, as between two web workers. A deadlock or any other database
error is not swallowed: it is the call's outcome, and the tests expect none."""

import threading

from celery._state import _set_task_join_will_block
from django.db import connection

from cluster_portal.accounts.models import User
from cluster_portal.core.exceptions import ApplicationError, Conflict
from tests.conftest import activate_totp
from tests.factories import UserFactory


def race(*calls) -> list:
    """Run each call in its own thread and connection, released together; return what each
    returned or raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # ApplicationError expected; anything else fails the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    # Tasks run eagerly in the tests, each inside Celery's "a task is running" flag, which is
    # one for the whole process and saved and restored without a lock: threads finishing
    # their tasks out of order can leave it set, and a later test's result.get() would then be
    # refused as if called from inside a task.
    _set_task_join_will_block(False)
    return outcomes


def fresh(model, pk):
    """Each thread loads its own copy, as each request would (no shared cached roles)."""
    return model.objects.get(pk=pk)


def staff_with_mfa(role: str = "programme_staff") -> User:
    person = UserFactory(role=role)
    activate_totp(person)
    return person


def conflicts(outcomes) -> list[Conflict]:
    return [outcome for outcome in outcomes if isinstance(outcome, Conflict)]


def unexpected(outcomes) -> list[Exception]:
    """What no service should ever raise to its caller: a deadlock, a database error."""
    return [outcome for outcome in outcomes
            if isinstance(outcome, Exception) and not isinstance(outcome, ApplicationError)]
