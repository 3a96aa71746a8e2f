"""The workstream pages: the public list and detail, asking to join, the staff review queue and
each workstream's members' area. Views parse input, call one selector or service, and present
the answer; what a person may see or do is asked of the permission modules."""

import posixpath
import re
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster_portal.accounts.decorators import programme_admin_required, programme_staff_required
from cluster_portal.accounts.middleware import mfa_setup_redirect
from cluster_portal.accounts.permissions import needs_second_factor_first
from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.csv_export import list_export
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.pages import (
    Refused,
    act_and_redirect,
    form_messages,
    fragment_status,
    paginate,
    redirect_back,
)
from partners.entitlements import entitlements_of
from partners.permissions import (
    may_oversee_organisations,
    may_request_workstreams,
    may_see_membership_terms,
)
from partners.selectors import organisation_has_signed_consortium_agreement, organisations_of
from partners.views.common import LIST_PAGE_SIZE as ORGANISATION_LIST_PAGE_SIZE
from partners.views.common import organisation_for, organisation_tabs

from . import list_exports, services
from .calendars import CONTENT_TYPE as CALENDAR_CONTENT_TYPE
from .calendars import feed_for_token, feed_url, meetings_calendar
from .forms import (
    DocumentShareForm,
    JoinRequestApproveForm,
    JoinRequestDeclineForm,
    JoinRequestForm,
    LeadContactForm,
    MeetingFileForm,
    MembershipEndForm,
)
from .models import (
    JoinRequest,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)
from .page_sections import sections_for as page_sections_for
from .permissions import (
    may_contact_workstream_lead,
    may_manage_members_area,
    may_manage_workstreams,
    may_review_join_requests,
    may_see_members_area,
    may_subscribe_to_meetings,
    may_withdraw_join_request,
    member_organisation_ids,
    members_area_refusal,
)
from .selectors import (
    join_request_list_visible,
    join_request_queue,
    join_requests_recently_decided,
    meeting_calendar_feed_of,
    meetings_of_person,
    organisation_workstream_memberships,
    programme_for_home,
    workstream_documents,
    workstream_get_public,
    workstream_list_public,
    workstream_list_with_member_counts,
    workstream_meeting_files,
    workstream_meetings,
    workstream_member_organisations,
    workstream_membership_list_visible,
)

PAGE_SIZE = 25
GET_AND_POST = ["GET", "HEAD", "POST"]
SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]*")
RECENT_DECISIONS = 20


# --- helpers shared by the views ------------------------------------------------------------

def _workstream_or_404(slug: str) -> Workstream:
    try:
        return workstream_get_public(slug=slug)
    except Workstream.DoesNotExist:
        raise Http404("No such workstream.") from None


def _page(request, items, parameter: str = "page") -> Page:
    return paginate(request, items, per_page=PAGE_SIZE, parameter=parameter)


def _refuse(request, reason: str = ""):
    """Visitors are asked to sign in, staff without a second factor to set one up; anyone else
    signed in is refused, told why when the permission layer gave a reason."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if needs_second_factor_first(request.user):
        return mfa_setup_redirect(request)
    if reason:
        raise Refused(reason)
    raise PermissionDenied


def _join_request_or_404(user, pk: int) -> JoinRequest:
    try:
        return join_request_list_visible(user=user).get(pk=pk)
    except JoinRequest.DoesNotExist:
        raise Http404("No such join request.") from None


def _organisations_user_may_enter(user) -> list:
    """The approved organisations the person administers: those they may ask to join for."""
    if not user.is_authenticated:
        return []
    return [
        membership.organisation for membership in organisations_of(user=user)
        if may_request_workstreams(user, membership.organisation)
    ]


def _with_sub_workstreams(workstreams: list[Workstream]) -> list[Workstream]:
    """Hangs each sub-workstream and theme under its parent (from the same query's rows) and
    returns the top level."""
    by_pk = {workstream.pk: workstream for workstream in workstreams}
    for workstream in workstreams:
        workstream.sub_workstreams = []
    for workstream in workstreams:
        if workstream.parent_id in by_pk:
            by_pk[workstream.parent_id].sub_workstreams.append(workstream)
    return [workstream for workstream in workstreams if workstream.parent_id not in by_pk]


# --- public pages -----------------------------------------------------------------------------

@require_safe
def workstream_list(request):
    # Not paginated: the workstreams are the programme's structure (a few dozen at most), and a
    # page break would split a workstream from its sub-workstreams.
    top_level = _with_sub_workstreams(
        list(workstream_list_with_member_counts(user=request.user))
    )
    return render(
        request,
        "workstreams/workstream_list.html",
        {
            "programme": programme_for_home(),
            "active_workstreams": [w for w in top_level if w.is_active],
            "planned_platforms": [w for w in top_level if not w.is_active],
        },
    )


@require_safe
def workstream_detail(request, slug: str):
    workstream = _workstream_or_404(slug)
    children = list(workstream.children.all())
    members = _page(
        request, workstream_member_organisations(user=request.user, workstream=workstream)
    )
    may_enrol = [
        organisation for organisation in _organisations_user_may_enter(request.user)
        if organisation.pk not in member_organisation_ids(request.user, workstream)
    ]
    pending_ids = set()
    if may_enrol and workstream.is_active:
        # An organisation that has already asked is shown its pending request, not the button.
        pending_ids = set(
            join_request_list_visible(user=request.user)
            .filter(workstream=workstream, status=JoinRequest.Status.PENDING)
            .values_list("organisation_id", flat=True)
        )
    return render(
        request,
        "workstreams/workstream_detail.html",
        {
            "workstream": workstream,
            "sub_workstreams": [c for c in children if c.kind != Workstream.Kind.THEME],
            "themes": [c for c in children if c.kind == Workstream.Kind.THEME],
            "members": members,
            "may_see_members_area": may_see_members_area(request.user, workstream),
            "may_ask_to_join": workstream.is_active and any(
                organisation.pk not in pending_ids for organisation in may_enrol),
            "pending_for": [o for o in may_enrol if o.pk in pending_ids],
            "may_activate": not workstream.is_active and may_manage_workstreams(request.user),
            "sections": page_sections_for(request.user, workstream),
        },
    )


# --- asking to join ---------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request, slug: str):
    workstream = _workstream_or_404(slug)
    organisations = _organisations_user_may_enter(request.user)
    if not organisations:
        return render(request, "workstreams/join_not_allowed.html", {"workstream": workstream},
                      status=403)
    # Every obstacle of every organisation, each naming its organisation: an admin whose
    # organisation has neither a tier nor an agreement learns of both before asking anyone.
    obstacles = {}
    for organisation in organisations:
        found = services.join_request_obstacles(
            organisation=organisation, workstreams=[workstream])[workstream.pk]
        if found:
            obstacles[organisation] = found
    every_obstacle = [obstacle for found in obstacles.values() for obstacle in found]
    if request.method != "POST" and len(obstacles) == len(organisations):
        # Nothing could succeed: say why instead of offering a form that can only refuse.
        return render(request, "workstreams/join.html",
                      {"workstream": workstream, "obstacles": every_obstacle})
    form = JoinRequestForm(request.POST if request.method == "POST" else None,
                           organisations=[o for o in organisations if o not in obstacles]
                           or organisations)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            try:
                services.join_request_create(
                    actor=request.user, organisation=organisation, workstream=workstream,
                    motivation=form.cleaned_data["motivation"],
                    code_of_conduct_acknowledged=form.cleaned_data["code_of_conduct"],
                )
            except ApplicationError as error:
                form.add_service_error(error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    f"{organisation.name} asked to join {workstream.name}. Programme staff "
                    "review the request; you will be notified of their decision.",
                )
                return redirect("organisation_workstreams", slug=organisation.slug)
    return render(request, "workstreams/join.html",
                  {"workstream": workstream, "form": form, "obstacles": every_obstacle},
                  status=status)


@require_http_methods(GET_AND_POST)
@login_required
def join_request_withdraw(request, pk: int):
    join_request = _join_request_or_404(request.user, pk)
    if request.method != "POST":
        if not may_withdraw_join_request(request.user, join_request):
            raise Refused("Only the organisation's admins withdraw its requests.")
        organisation, workstream = join_request.organisation, join_request.workstream
        return confirm_page(request, Confirmation(
            question=f"Withdraw {organisation.name}'s request to join {workstream.name}?",
            consequences=[
                "Programme staff are told it was withdrawn and will no longer review it.",
                f"{organisation.name} can ask to join {workstream.name} again later.",
            ],
            confirm_label="Withdraw the request",
            cancel_url=reverse("organisation_workstreams", kwargs={"slug": organisation.slug})))
    try:
        services.join_request_withdraw(actor=request.user, join_request=join_request)
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        outcome, problem, status = "", error.message, error.status_code
    else:
        outcome, problem, status = (
            f"The request to join {join_request.workstream.name} was withdrawn.", "", 200)
    if request.htmx:
        return render(request, "workstreams/partials/join_request_outcome.html",
                      {"join_request": join_request, "outcome": outcome, "problem": problem},
                      status=status)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, outcome)
    return redirect("organisation_workstreams", slug=join_request.organisation.slug)


# --- the staff review queue -------------------------------------------------------------------

@require_safe
@programme_staff_required
def queue(request):
    workstream_slug = list_exports.queue_workstream(request.GET)
    return render(
        request,
        "workstreams/queue.html",
        {
            "page": _page(request, list_exports.queue_requests(request.GET)),
            "workstreams": workstream_list_public(),
            "selected_workstream": workstream_slug,
            "export_query": urlencode({"workstream": workstream_slug} if workstream_slug
                                      else {}),
            "recently_decided": join_requests_recently_decided(limit=RECENT_DECISIONS),
            "role_choices": WorkstreamMembership.Role.choices,
        },
    )


@require_safe
@programme_staff_required
def queue_csv(request):
    """The queue as it lists pending requests, with its workstream filter: streamed, or, when
    it is too long to stream, a report job the person is sent to follow."""
    workstream_slug = list_exports.queue_workstream(request.GET)
    filters = {"workstream": workstream_slug} if workstream_slug else {}
    list_url = reverse("workstreams:queue") + (f"?{urlencode(filters)}" if filters else "")
    return list_export(
        request, queryset=list_exports.queue_requests(request.GET),
        header=list_exports.QUEUE_HEADER, row=list_exports.queue_row,
        filename=f"join-requests-{timezone.localdate().isoformat()}.csv",
        kind=list_exports.QUEUE_KIND, filters=filters, list_url=list_url)


def _queue_filter_in(queue_url: str) -> str:
    """The workstream the queue at this address is filtered by, if any."""
    workstream_slug = parse_qs(urlsplit(queue_url).query).get("workstream", [""])[0]
    return workstream_slug if SLUG_PATTERN.fullmatch(workstream_slug) else ""


def _queue_answer(request, join_request: JoinRequest, *, outcome: str = "",
                  error: ApplicationError | None = None, form_errors=None):
    """The queue row after a decision (htmx), or back to the queue with a message."""
    if request.htmx:
        if form_errors is not None:
            # The reviewer is asked to fix the row's form: show it again, still pending.
            row = join_request_queue().filter(pk=join_request.pk).first() or join_request
            context = {"join_request": row, "role_choices": WorkstreamMembership.Role.choices,
                       "row_errors": form_errors}
            return render(request, "workstreams/partials/queue_row.html", context, status=400)
        context = {"join_request": join_request, "outcome": outcome,
                   "problem": error.message if error else ""}
        if outcome:  # the pending count and the recent decisions, as they now stand
            workstream_slug = request.POST.get("queue_workstream", "")
            if not SLUG_PATTERN.fullmatch(workstream_slug):
                workstream_slug = ""
            context.update(
                pending_count=join_request_queue(workstream_slug=workstream_slug).count(),
                recently_decided=join_requests_recently_decided(limit=RECENT_DECISIONS),
            )
        return render(request, "workstreams/partials/queue_row.html", context,
                      status=fragment_status(error) if error else 200)
    if form_errors is not None:
        messages.error(request, " ".join(form_errors))
    elif error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, outcome)
    return redirect_back(request, reverse("workstreams:queue"))



@require_POST
@programme_staff_required
def join_request_approve(request, pk: int):
    join_request = _join_request_or_404(request.user, pk)
    form = JoinRequestApproveForm(request.POST)
    if not form.is_valid():
        return _queue_answer(request, join_request, form_errors=form_messages(form))
    try:
        membership = services.join_request_approve(
            actor=request.user, join_request=join_request, role=form.cleaned_data["role"]
        )
    except ApplicationError as error:
        return _queue_answer(request, join_request, error=error)
    return _queue_answer(
        request, join_request,
        outcome=f"{join_request.organisation.name} joined {join_request.workstream.name}: "
                f"approved as {membership.get_role_display().lower()}.",
    )


@require_http_methods(GET_AND_POST)
@programme_staff_required
def join_request_decline(request, pk: int):
    join_request = _join_request_or_404(request.user, pk)
    if request.method != "POST":
        organisation, workstream = join_request.organisation, join_request.workstream
        return confirm_page(request, Confirmation(
            question=f"Decline {organisation.name}'s request to join {workstream.name}?",
            consequences=[
                f"{organisation.name}'s admins are told it was declined, with your reason.",
                f"{organisation.name} will not join {workstream.name}; it may ask again later.",
            ],
            confirm_label=f"Decline {organisation.name}",
            cancel_url=reverse("workstreams:queue"),
            form=JoinRequestDeclineForm(auto_id=f"decline-{join_request.pk}-%s"),
            swap_target=f"#join-request-{join_request.pk}",
            # The queue's counts after the decision are of the queue as it was filtered.
            hidden={"queue_workstream": _queue_filter_in(request.GET.get("next", ""))}))
    form = JoinRequestDeclineForm(request.POST)
    if not form.is_valid():
        return _queue_answer(request, join_request, form_errors=form_messages(form))
    try:
        services.join_request_decline(
            actor=request.user, join_request=join_request, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        return _queue_answer(request, join_request, error=error)
    return _queue_answer(
        request, join_request,
        outcome=f"Declined: {join_request.organisation.name} was told why.",
    )


# --- the members' area ------------------------------------------------------------------------

@require_safe
def members_area(request, slug: str):
    workstream = _workstream_or_404(slug)
    if not may_see_members_area(request.user, workstream):
        return _refuse(request, members_area_refusal(request.user, workstream))
    members = workstream_member_organisations(user=request.user, workstream=workstream)
    # Shown to whoever may have a link, and to whoever still has one (to turn it off).
    feed = meeting_calendar_feed_of(person=request.user)
    return render(
        request,
        "workstreams/members_area.html",
        {
            "workstream": workstream,
            "members": _page(request, members, "members_page"),
            "meetings": _page(request, workstream_meetings(workstream=workstream),
                              "meetings_page"),
            "documents": _page(request, workstream_documents(workstream=workstream),
                               "documents_page"),
            # Projects visible to members arrive with the projects app.
            "member_projects": [],
            "now": timezone.now(),
            "may_end_memberships": may_review_join_requests(request.user),
            "may_manage": may_manage_members_area(request.user, workstream),
            "meeting_file_kinds": WorkstreamMeetingFile.Kind.choices,
            "may_contact_lead": may_contact_workstream_lead(request.user, workstream),
            "may_subscribe": may_subscribe_to_meetings(request.user),
            "calendar_feed_url": feed_url(feed) if feed is not None else "",
        },
    )


@require_safe
@cache_control(private=True)
def document_download(request, slug: str, pk: int):
    workstream = _workstream_or_404(slug)
    if not may_see_members_area(request.user, workstream):
        return _refuse(request, members_area_refusal(request.user, workstream))
    try:
        document = workstream_documents(workstream=workstream).get(pk=pk)
        handle = document.file.open("rb")
    except (WorkstreamDocument.DoesNotExist, ValueError, OSError):
        raise Http404("No such document.") from None
    return FileResponse(handle, as_attachment=True,
                        filename=posixpath.basename(document.file.name))


def _members_area(workstream: Workstream, section: str = "") -> str:
    return reverse("workstreams:members", kwargs={"slug": workstream.slug}) + (
        f"#{section}" if section else "")


def _meeting_or_404(workstream: Workstream, pk: int) -> WorkstreamMeeting:
    try:
        return workstream_meetings(workstream=workstream).get(pk=pk)
    except WorkstreamMeeting.DoesNotExist:
        raise Http404("No such meeting.") from None


def _meeting_file_or_404(workstream: Workstream, pk: int) -> WorkstreamMeetingFile:
    try:
        return workstream_meeting_files(workstream=workstream).get(pk=pk)
    except WorkstreamMeetingFile.DoesNotExist:
        raise Http404("No such file.") from None


@require_POST
def document_share(request, slug: str):
    workstream = _workstream_or_404(slug)
    if not may_manage_members_area(request.user, workstream):
        return _refuse(request)
    form = DocumentShareForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form_messages(form)))
        return redirect(_members_area(workstream, "documents-title"))
    return act_and_redirect(
        request,
        lambda: services.workstream_document_share(
            actor=request.user, workstream=workstream, title=form.cleaned_data["title"],
            file=form.cleaned_data["file"]),
        success=lambda document: f"“{document.title}” is shared; the people of the member "
                                 "organisations are told as each of them chose.",
        to=_members_area(workstream, "documents-title"))


@require_POST
def meeting_file_upload(request, slug: str, pk: int):
    workstream = _workstream_or_404(slug)
    if not may_manage_members_area(request.user, workstream):
        return _refuse(request)
    meeting = _meeting_or_404(workstream, pk)
    form = MeetingFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form_messages(form)))
        return redirect(_members_area(workstream, f"meeting-{meeting.pk}"))
    return act_and_redirect(
        request,
        lambda: services.workstream_meeting_file_attach(
            actor=request.user, meeting=meeting, kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"]),
        success=lambda meeting_file: f"The {meeting_file.get_kind_display().lower()} of "
                                     f"“{meeting.title}” is in the members' area.",
        to=_members_area(workstream, f"meeting-{meeting.pk}"))


@require_http_methods(GET_AND_POST)
def meeting_file_remove(request, slug: str, pk: int):
    workstream = _workstream_or_404(slug)
    if not may_manage_members_area(request.user, workstream):
        return _refuse(request)
    meeting_file = _meeting_file_or_404(workstream, pk)
    if request.method != "POST":
        meeting = meeting_file.meeting
        return confirm_page(request, Confirmation(
            question=f"Remove {meeting_file.filename} from “{meeting.title}”?",
            consequences=[
                f"The {meeting_file.get_kind_display().lower()} is no longer in the members' "
                f"area of {workstream.name}, for anyone.",
                "To share it again, attach the file again.",
            ],
            confirm_label=f"Remove the {meeting_file.get_kind_display().lower()}",
            cancel_url=_members_area(workstream, f"meeting-{meeting.pk}")))
    return act_and_redirect(
        request,
        lambda: services.workstream_meeting_file_remove(actor=request.user,
                                                        meeting_file=meeting_file),
        success=f"{meeting_file.filename} was removed from “{meeting_file.meeting.title}”.",
        to=_members_area(workstream, f"meeting-{meeting_file.meeting_id}"))


@require_safe
@cache_control(private=True)
def meeting_file_download(request, slug: str, pk: int):
    workstream = _workstream_or_404(slug)
    if not may_see_members_area(request.user, workstream):
        return _refuse(request)
    try:
        meeting_file = _meeting_file_or_404(workstream, pk)
        handle = meeting_file.file.open("rb")
    except (ValueError, OSError):
        raise Http404("No such file.") from None
    return FileResponse(handle, as_attachment=True, filename=meeting_file.filename)


def _calendar_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@cache_control(private=True)
def meeting_calendar(request, slug: str, pk: int):
    """One meeting as an .ics file, to add to any calendar."""
    workstream = _workstream_or_404(slug)
    if not may_see_members_area(request.user, workstream):
        return _refuse(request)
    meeting = _meeting_or_404(workstream, pk)
    return _calendar_response(meetings_calendar([meeting], name=workstream.name),
                              filename=f"{workstream.slug}-meeting-{meeting.pk}.ics")


@require_safe
@cache_control(private=True, max_age=900)
def calendar_feed(request, token: str):
    """The person's meetings, for a calendar app that polls this address without signing in:
    the token is the only key, so anything wrong with it is simply not found."""
    feed = feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    response = _calendar_response(
        meetings_calendar(meetings_of_person(person=feed.person), person=feed.person,
                          name=f"{settings.PORTAL_NAME} calendar"),
        filename="workstream-meetings.ics")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _back_to_members_area(request) -> str:
    """Where the calendar link's buttons were pressed: a members' area (never elsewhere)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workstreams:list")


@require_POST
@login_required
def calendar_feed_renew(request):
    had_one = meeting_calendar_feed_of(person=request.user) is not None
    return act_and_redirect(
        request, lambda: services.meeting_calendar_feed_renew(actor=request.user),
        success="Your new calendar link is below; calendars subscribed to the old one no "
                "longer update." if had_one else "Your calendar link is below. Add it to your "
                "calendar app as a subscription.",
        to=_back_to_members_area(request))


@require_http_methods(GET_AND_POST)
@login_required
def calendar_feed_revoke(request):
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question="Turn your calendar link off?",
            consequences=[
                "Calendars subscribed to it stop updating, and its address no longer works.",
                "You can get a new link later; it will have a new address.",
            ],
            confirm_label="Turn the link off", cancel_url=reverse("workstreams:list")))
    return act_and_redirect(
        request, lambda: services.meeting_calendar_feed_revoke(actor=request.user),
        success="Your calendar link is turned off; calendars subscribed to it no longer update.",
        to=_back_to_members_area(request))


@require_http_methods(["GET", "HEAD", "POST"])
def contact_lead(request, slug: str):
    """A member writes to the workstream's lead (or the programme office when it has none).
    The page names who will read the message, never their address."""
    workstream = _workstream_or_404(slug)
    if not may_contact_workstream_lead(request.user, workstream):
        return _refuse(request)
    readers = services.workstream_lead_of(workstream)
    to_lead = [person.pk for person in readers] == [workstream.lead_id]
    form = LeadContactForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.workstream_lead_contact(
                    actor=request.user, workstream=workstream,
                    subject=form.cleaned_data["subject"], message=form.cleaned_data["message"])
            except NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ApplicationError as error:
                form.add_service_error(error)
                status = error.status_code
            else:
                messages.success(
                    request, "Your message is on its way. The answer will come to your e-mail "
                             f"address, {request.user.email}.")
                return redirect(_members_area(workstream))
    return render(request, "workstreams/contact_lead.html", {
        "workstream": workstream, "form": form,
        "reader_name": (workstream.lead.full_name or "the workstream's lead") if to_lead
        else "the programme office",
    }, status=status)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def membership_end(request, slug: str, pk: int):
    workstream = _workstream_or_404(slug)
    try:
        membership = workstream_membership_list_visible(user=request.user).get(
            pk=pk, workstream=workstream)
    except WorkstreamMembership.DoesNotExist:
        raise Http404("No such membership.") from None
    if request.method != "POST":
        organisation = membership.organisation
        return confirm_page(request, Confirmation(
            question=f"End {organisation.name}'s membership of {workstream.name}?",
            consequences=[
                f"{organisation.name} leaves {workstream.name}: its people no longer see the "
                "members' area, its meetings and documents.",
                f"{organisation.name}'s admins are told, with your reason. To come back, it "
                "asks to join again.",
            ],
            confirm_label="End the membership",
            cancel_url=reverse("workstreams:members", kwargs={"slug": workstream.slug}),
            form=MembershipEndForm(auto_id=f"end-{membership.pk}-%s")))
    form = MembershipEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form_messages(form)))
        return redirect("workstreams:members", slug=workstream.slug)
    return act_and_redirect(
        request,
        lambda: services.workstream_membership_end(
            actor=request.user, membership=membership, reason=form.cleaned_data["reason"]),
        success=f"{membership.organisation.name}'s membership of {workstream.name} has ended; "
                "its admins were told.",
        to=reverse("workstreams:members", kwargs={"slug": workstream.slug}))


# --- the programme office ---------------------------------------------------------------------

@require_http_methods(GET_AND_POST)
@programme_admin_required
def activate(request, slug: str):
    workstream = _workstream_or_404(slug)
    if request.method != "POST":
        kind = workstream.get_kind_display().lower()
        return confirm_page(request, Confirmation(
            question=f"Activate {workstream.name}?",
            consequences=[
                f"The {kind} shows as active to everyone, and partner admins can ask to join "
                "it from now on.",
                "This can't be undone on the portal: an active workstream does not go back to "
                "planned.",
            ],
            confirm_label=f"Activate {workstream.name}",
            cancel_url=workstream.get_absolute_url()))
    try:
        services.workstream_activate(actor=request.user, workstream=workstream)
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request,
                         f"{workstream.name} is active: partners can ask to join it now.")
    return redirect(workstream)


# --- An organisation's workstreams (a tab of the partners pages) ------------------------------


@login_required
@require_safe
def organisation_workstreams(request, slug: str):
    """An organisation's workstreams tab (/partners/<slug>/workstreams/, among the partners
    pages' tabs): its memberships, its requests to join more, and what its tier and agreements
    allow, so an admin can see beforehand why a request would be refused."""
    organisation = organisation_for(request, slug, may_see_membership_terms)
    user = request.user
    memberships = list(organisation_workstream_memberships(organisation=organisation))
    entitlements = entitlements_of(organisation)
    may_request = may_request_workstreams(user, organisation)
    context = {
        "organisation": organisation,
        "tabs": organisation_tabs(request, organisation, "workstreams"),
        "memberships": memberships,
        "entitlements": entitlements,
        "entitled_kinds": [label for value, label in Workstream.Kind.choices
                           if value in entitlements.workstream_kinds],
        "has_consortium_agreement": organisation_has_signed_consortium_agreement(
            organisation=organisation),
        "may_request": may_request,
        "sees_requests": may_request or may_oversee_organisations(user),
    }
    if context["sees_requests"]:
        requests = join_request_list_visible(user=user).filter(organisation=organisation)
        page = paginate(request, requests, per_page=ORGANISATION_LIST_PAGE_SIZE)
        context["requests_page"] = page
        context["withdrawable"] = {
            join_request.pk for join_request in page
            if join_request.is_pending and may_withdraw_join_request(user, join_request)
        }
    if context["may_request"]:
        context["open_workstreams"] = _open_workstreams_for(organisation)
    return render(request, "workstreams/organisation_workstreams.html", context)


# How the tab shows each refusal join_request_obstacles can give; no refusal is "open".
OBSTACLE_STATES = {
    "already_member": "member",
    "already_requested": "requested",
    "not_entitled": "not_covered",
    "no_consortium_agreement": "no_agreement",
}
# The tab's words for an obstacle that comes after the first (the first has its state).
OBSTACLE_ALSO = {"no_consortium_agreement": "Needs a signed consortium agreement too."}


def _open_workstreams_for(organisation) -> list[dict]:
    """Each active workstream with what stands between the organisation and joining it, as the
    service that would refuse the request says."""
    workstreams = list(workstream_list_public().filter(status=Workstream.Status.ACTIVE))
    obstacles = services.join_request_obstacles(organisation=organisation,
                                                workstreams=workstreams)
    rows = []
    for workstream in workstreams:
        first, *others = obstacles[workstream.pk] or [None]
        state = "open" if first is None else OBSTACLE_STATES.get(first.code, "refused")
        rows.append({"workstream": workstream, "state": state, "obstacle": first,
                     # What else stands in the way: no obstacle goes unnamed.
                     "also": [OBSTACLE_ALSO.get(obstacle.code, obstacle.message)
                              for obstacle in others]})
    return rows
