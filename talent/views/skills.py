"""A trainee's skills profile: what they hold from the courses they completed, and for each
workstream their organisations take part in, the skills it needs that they lack and the
courses that would close each gap."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..selectors import skills_profile as skills_profile_of
from ..selectors import workstream_skill_gaps


@login_required
@require_safe
def skills_profile(request):
    held = skills_profile_of(user=request.user)
    return render(request, "talent/skills_profile.html", {
        "held": held, "workstreams": workstream_skill_gaps(user=request.user, held=held),
    })
