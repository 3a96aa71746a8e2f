"""A trainee's skills profile: what they hold from the courses they completed, and for each
workstream their organisations take part in, the skills it needs that they lack and the
courses that would close each gap."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ..selectors import courses_completed, workstream_skill_gaps
from ..selectors import skills_profile as skills_profile_of


@login_required
@require_safe
def skills_profile(request):
    held = skills_profile_of(user=request.user)
    return render(request, "talent/skills_profile.html", {
        "held": held, "workstreams": workstream_skill_gaps(user=request.user, held=held),
    })


@login_required
@require_safe
@cache_control(private=True)
def skills_profile_pdf(request):
    """The signed-in person's own profile: the address names nobody, so it shows no one else's."""
    from ..skills_pdf import skills_profile_pdf as render_pdf  # fpdf2 only where a PDF is made

    content = render_pdf(person=request.user, held=skills_profile_of(user=request.user),
                         completed=courses_completed(user=request.user))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="skills-profile-{timezone.localdate():%Y-%m-%d}.pdf"')
    return response
