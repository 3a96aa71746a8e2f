"""The person's own page, where signing in leads (/me/, LOGIN_REDIRECT_URL): the organisations
they act for and what waits on them, from every app.

The platform imports no app (docs/architecture.md), so each app contributes its panel: it
registers a `Panel` in its AppConfig.ready() (as workstreams fills partners.participation). A
panel's `read` answers for one person with the context of its template, or None when it has
nothing to show them; it reads a fixed number of queries, however many organisations, requests
or invitations there are, so the page costs everyone the same. A panel shows what is really
there and nothing that is not built yet.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cluster_portal.accounts.permissions import needs_second_factor_first


@dataclass(frozen=True)
class Panel:
    key: str
    # Rendered with `panel` (what `read` answered) in its context.
    template: str
    read: Callable[[object], dict | None]
    # Lower first: the organisations a person acts for come before what they do in them.
    order: int = 100


_panels: dict[str, Panel] = {}


def register(*panels: Panel) -> None:
    for panel in panels:
        _panels[panel.key] = panel


def panels_for(user) -> list[dict]:
    shown = []
    for panel in sorted(_panels.values(), key=lambda panel: (panel.order, panel.key)):
        context = panel.read(user)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown


@login_required
@require_safe
def my_portal(request):
    return render(request, "core/my_portal.html", {
        "panels": panels_for(request.user),
        "needs_second_factor": needs_second_factor_first(request.user),
    })
