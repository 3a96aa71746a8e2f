"""Asking before an action that destroys something or can't be undone.

Such an action answers GET at its own address with a page that says what will happen and holds
the form that does it; POST acts, as before, and redirects. The page needs no JavaScript. Links
to the action are drawn with templates/includes/confirm_button.html; static/js/confirm.js
opens the same page, fetched as a fragment, in a modal dialog instead of leaving the list, and
keeps the htmx rows working: the dialog's form posts through htmx into the row the view names.

In a view:

    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Remove {person} from {organisation.name}?",
            consequences=[f"{person} will no longer act for {organisation.name}."],
            confirm_label=f"Remove {person}", cancel_url=people_url(organisation)))
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.forms import Form
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


@dataclass(frozen=True)
class Confirmation:
    question: str  # the heading, a question: "Remove Ann Lee from Acme Pharma?"
    consequences: Sequence[str]  # what will happen, sentence by sentence, in plain words
    confirm_label: str  # the button that acts: "Remove Ann Lee"
    cancel_url: str  # where Cancel goes without JavaScript (with it, the dialog just closes)
    form: Form | None = None  # what the action asks for, such as a reason
    # htmx: the element of the page the dialog opened from that the action's answer replaces,
    # and how. Empty: the form posts as a plain form and the page reloads (PRG).
    swap_target: str = ""
    swap: str = "outerHTML"
    hidden: dict = field(default_factory=dict)
    # The word of the way out; another where "Cancel" would read as the action itself
    # (cancelling a project).
    cancel_label: str = "Cancel"


def _carried(request) -> dict:
    """`next`, where the person came from, goes into the form (views that honour it go back
    there: redirect_back) and is where Cancel leads; only when it points into this site."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return {"next": target}
    return {}


def confirm_page(request, confirmation: Confirmation, *, status: int = 200):
    """The action's GET: a whole page, or (asked by confirm.js, with HX-Request) the fragment
    its dialog shows. The form posts back to the same address."""
    hidden = {**_carried(request), **confirmation.hidden}
    context = {
        "confirmation": confirmation,
        "action": request.path,
        "hidden": hidden,
        "cancel_url": hidden.get("next") or confirmation.cancel_url,
        "in_dialog": bool(request.htmx),
    }
    template = "includes/confirm.html" if request.htmx else "core/confirm_page.html"
    return render(request, template, context, status=status)
