"""The person's own page, where signing in leads (/me/, LOGIN_REDIRECT_URL): the organisations
they act for and what waits on them, from every app.

The platform imports no app (docs/architecture.md), so each app contributes its panel: it
registers a `Panel` in its AppConfig.ready() (as workstreams fills partners.participation). A
panel's `read` answers for one person with the context of its template, or None when it has
nothing to show them; it reads a fixed number of queries, however many organisations, requests
or invitations there are, so the page costs everyone the same. A panel shows what is really
there and nothing that is not built yet.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cluster_portal.accounts.permissions import needs_second_factor_first

from .contributions import Contribution, Contributions

# A panel is a contribution (cluster_portal.core.contributions) rendered with `panel`.
Panel = Contribution
_PANELS = Contributions()
register = _PANELS.register
unregister = _PANELS.unregister
panels_for = _PANELS.shown_to


@login_required
@require_safe
def my_portal(request):
    return render(request, "core/my_portal.html", {
        "panels": panels_for(request.user),
        "needs_second_factor": needs_second_factor_first(request.user),
    })
