"""Celery adapters for projects: plain values in, one service call out."""

from celery import shared_task

from .services import project_overdue_reminders_send


@shared_task(ignore_result=True, time_limit=600)
def remind_overdue_project_work() -> int:
    """Weekly: each principal investigator hears of their project's overdue work, once."""
    return project_overdue_reminders_send()
