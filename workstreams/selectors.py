"""Reads of programmes and workstreams, scoped to the person asking (the access layer).

Workstreams themselves are public: active ones and the planned platforms alike. What is
members-only about a workstream (its members' area) arrives with the partners issue.
"""

from django.db.models import QuerySet

from .models import Programme, Workstream


def programme_for_home() -> Programme | None:
    return (
        Programme.objects.filter(is_featured=True).prefetch_related("phases").first()
        or Programme.objects.prefetch_related("phases").order_by("pk").first()
    )


def workstream_list_public(*, programme: Programme | None = None) -> QuerySet[Workstream]:
    workstreams = Workstream.objects.select_related("programme", "lead", "parent")
    if programme is not None:
        workstreams = workstreams.filter(programme=programme)
    return workstreams.order_by("status", "display_order", "name")  # active before planned


def workstream_get_public(*, slug: str) -> Workstream:
    return workstream_list_public().prefetch_related("children").get(slug=slug)
