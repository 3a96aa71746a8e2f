from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Workstream
from .selectors import programme_for_home, workstream_get_public, workstream_list_public


@require_safe
def workstream_list(request):
    workstreams = list(workstream_list_public())
    return render(
        request,
        "workstreams/workstream_list.html",
        {
            "programme": programme_for_home(),
            "active_workstreams": [w for w in workstreams if w.is_active],
            "planned_platforms": [w for w in workstreams if not w.is_active],
        },
    )


@require_safe
def workstream_detail(request, slug: str):
    try:
        workstream = workstream_get_public(slug=slug)
    except Workstream.DoesNotExist:
        raise Http404("No such workstream.") from None
    return render(request, "workstreams/workstream_detail.html", {"workstream": workstream})


def _placeholder(request, *args, **kwargs):
    raise Http404


queue = join_request_approve = join_request_decline = join_request_withdraw = _placeholder
join = activate = members_area = document_download = membership_end = _placeholder
