"""Platform housekeeping tasks. Each is an adapter: plain values in, one call out."""

from celery import shared_task
from django.core import management


@shared_task(name="cluster_portal.core.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(name="cluster_portal.core.tasks.echo", ignore_result=False)
def echo(value: str) -> str:
    """Returns its argument: lets operators and tests see a worker complete a round trip."""
    return value
