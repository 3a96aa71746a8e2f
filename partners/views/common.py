"""What every partners page shares: finding the organisation in the URL as the person may see
it, its tabs, and turning a service's refusal into an answer."""


from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from ..models import Organisation
from ..permissions import (
    may_edit_profile,
    may_see_agreements,
    may_see_membership_terms,
    may_see_people,
    may_see_training_record,
    may_view_organisation,
)
from ..selectors import (
    organisation_list_visible,
)

DIRECTORY_PAGE_SIZE = 24
MEMBERS_PAGE_SIZE = 50
LIST_PAGE_SIZE = 25
PEOPLE_PREVIEW = 8
GET_AND_POST = ["GET", "HEAD", "POST"]


# --- Finding the organisation ----------------------------------------------------------------


def visible_organisation(request, slug: str) -> Organisation:
    """The organisation named in the URL, if the person may see it. One answer, 404, for "no
    such organisation" and "not yours to see", so a hidden organisation's slug reveals nothing."""
    organisation = organisation_list_visible(user=request.user).filter(slug=slug).first()
    if organisation is None or not may_view_organisation(request.user, organisation):
        raise Http404("No such organisation.")
    return organisation


def organisation_for(request, slug: str, permission) -> Organisation:
    organisation = visible_organisation(request, slug)
    if not permission(request.user, organisation):
        raise PermissionDenied
    return organisation


def people_url(organisation: Organisation) -> str:
    return reverse("partners:people", kwargs={"slug": organisation.slug})


# (key, URL name, label, who sees it). The workstreams and training tabs are pages of the
# workstreams and talent apps; they are named here, not imported (the import order:
# docs/architecture.md).
ORGANISATION_TABS = [
    ("detail", "partners:detail", "Profile", may_view_organisation),
    ("people", "partners:people", "People", may_see_people),
    ("workstreams", "organisation_workstreams", "Workstreams", may_see_membership_terms),
    ("membership", "partners:membership", "Membership", may_see_membership_terms),
    ("agreements", "partners:agreements", "Agreements", may_see_agreements),
    ("training", "organisation_training", "Training", may_see_training_record),
    ("edit", "partners:edit", "Edit profile", may_edit_profile),
]


def organisation_tabs(request, organisation: Organisation, current: str) -> list[dict]:
    """The organisation's pages this person may open; shown only when there is more than one."""
    tabs = [
        {"label": label, "url": reverse(url_name, kwargs={"slug": organisation.slug}),
         "current": key == current}
        for key, url_name, label, permission in ORGANISATION_TABS
        if permission(request.user, organisation)
    ]
    return tabs if len(tabs) > 1 else []


