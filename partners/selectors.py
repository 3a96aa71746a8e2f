"""Reads of organisations and their people, scoped to the person asking (the access layer).

An organisation that is not approved, or not listed, is invisible to visitors and to other
partners: every list, search, count and detail below starts from `organisation_list_visible`.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cluster_portal.accounts.memo import remembered
from cluster_portal.accounts.permissions import may_act_as_staff
from cluster_portal.core.search import matching_every_word

from . import participation
from .entitlements import entitlements_of
from .models import (
    Agreement,
    Invitation,
    InvitationImport,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    RenewalRequest,
)


def user_organisation_roles(user) -> dict[int, str]:
    """{organisation id: role} for every organisation the person acts for, cached per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    return remembered(user, "_organisation_roles", lambda: dict(
        OrganisationMembership.objects.filter(person=user).values_list("organisation_id", "role")
    ))


def _administered_organisation_ids(user) -> list[int]:
    return [
        pk for pk, role in user_organisation_roles(user).items()
        if role == OrganisationMembership.Role.ADMIN
    ]


def organisation_role_names(user) -> list[str]:
    """`partner_admin` / `partner_member` when the person acts for an approved organisation."""
    roles = set(
        OrganisationMembership.objects.filter(
            person=user, organisation__status=Organisation.Status.APPROVED
        ).values_list("role", flat=True)
    )
    names = []
    if OrganisationMembership.Role.ADMIN in roles:
        names.append("partner_admin")
    if roles:
        names.append("partner_member")
    return names


def public_organisation_filter(prefix: str = "") -> Q:
    """The condition for an organisation anyone may see; `prefix` reaches it through a relation."""
    return Q(**{f"{prefix}status": Organisation.Status.APPROVED, f"{prefix}is_listed": True})


def organisation_list_visible(*, user) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if may_act_as_staff(user):
        return organisations
    own = list(user_organisation_roles(user))
    return organisations.filter(public_organisation_filter() | Q(pk__in=own))


def organisation_directory(
    *, user, search: str = "", kind: str = "", tier: str = "", workstream: str = "",
    country: str = "",
) -> QuerySet[Organisation]:
    """The partner directory: visible organisations, searched and filtered, by name, each with
    `people_count` and its current workstreams prefetched (one query for the whole page).

    The search ignores case and accents and takes the words in any order, in the name or the
    description (cluster_portal.core.search)."""
    return participation.with_current_memberships(
        organisation_directory_rows(user=user, search=search, kind=kind, tier=tier,
                                    workstream=workstream, country=country)
        .annotate(people_count=_people_count())
    )


def organisation_directory_rows(
    *, user, search: str = "", kind: str = "", tier: str = "", workstream: str = "",
    country: str = "",
) -> QuerySet[Organisation]:
    """The directory's organisations alone, by name, for a list that reads what it shows of
    them itself (the API's, as values): no people count, no workstreams prefetched."""
    organisations = organisation_list_visible(user=user)
    if search:
        organisations = matching_every_word(organisations, search, "name", "description")
    if kind:
        organisations = organisations.filter(kind=kind)
    if tier:
        organisations = organisations.filter(tier=tier)
    if country:
        organisations = organisations.filter(country=country.upper())
    if workstream:
        organisations = participation.filter_by_workstream(organisations, workstream)
    return organisations.order_by("name")


def _people_count():
    """How many people act for the organisation (deactivated accounts left out): a subquery,
    so that it neither multiplies rows nor groups the directory's query."""
    return Coalesce(Subquery(
        OrganisationMembership.objects.filter(organisation=OuterRef("pk"), person__is_active=True)
        .order_by().values("organisation").annotate(count=Count("pk")).values("count"),
        output_field=IntegerField(),
    ), 0)


def organisation_directory_countries(*, user) -> list[str]:
    """The countries of the organisations the person may see, for the directory's filter: a
    country is offered only where a visible organisation is, so an unlisted one shows nowhere."""
    return list(
        organisation_list_visible(user=user).order_by("country")
        .values_list("country", flat=True).distinct()
    )


def organisation_people(*, organisation: Organisation) -> QuerySet[OrganisationMembership]:
    return (
        OrganisationMembership.objects.filter(organisation=organisation)
        # Admins first ("admin" sorts before "member"), then by name; pk makes pages stable.
        .select_related("person").order_by("role", "person__full_name", "person__email", "pk")
    )


def organisation_admins(*, organisation: Organisation):
    return [
        m.person for m in organisation_people(organisation=organisation)
        .filter(role=OrganisationMembership.Role.ADMIN)
    ]


def organisation_open_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.open().filter(organisation=organisation)
        .select_related("invited_by", "email_message").order_by("-created_at")
    )


def organisation_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organisation=organisation)
        .select_related("invited_by", "accepted_by", "email_message").order_by("-created_at")
    )


@dataclass(frozen=True)
class Seats:
    """How many people may act for the organisation on its tier, and how many places are
    taken: by its people, and by open invitations, which count because each may be accepted."""

    limit: int
    people: int
    invited: int

    @property
    def left(self) -> int:
        return max(self.limit - self.people - self.invited, 0)


def organisation_seats(*, organisation: Organisation) -> Seats:
    counts = Organisation.objects.filter(pk=organisation.pk).aggregate(
        people=Count("memberships", distinct=True),
        invited=Count("invitations", distinct=True,
                      filter=Q(invitations__in=Invitation.objects.open())),
    )
    return Seats(limit=entitlements_of(organisation).max_representatives, **counts)


def invitation_import_get_visible(*, user, organisation: Organisation,
                                  pk: int) -> InvitationImport | None:
    """The report of a CSV import, for the person who imported it only (it lists the addresses
    they typed), while it is kept."""
    return InvitationImport.objects.filter(
        pk=pk, organisation=organisation, imported_by=user, expires_at__gt=timezone.now(),
    ).first()


def invitation_list_visible(*, user) -> QuerySet[Invitation]:
    """Invitations of the organisations the person administers (all of them for staff)."""
    invitations = Invitation.objects.select_related("organisation", "invited_by", "accepted_by",
                                                    "email_message")
    if may_act_as_staff(user):
        return invitations
    administered = _administered_organisation_ids(user)
    return invitations.filter(organisation__in=administered)


def invitations_for_person(*, user) -> QuerySet[Invitation]:
    """Open invitations addressed to one of the person's verified e-mail addresses."""
    from allauth.account.models import EmailAddress

    addresses = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(email__iexact=address)
    return (
        Invitation.objects.open().filter(query).select_related("organisation", "invited_by")
    )


def organisation_pending_person_requests(*, organisation: Organisation) -> QuerySet[PersonRequest]:
    return PersonRequest.objects.filter(
        organisation=organisation, status=PersonRequest.Status.PENDING
    ).select_related("person")


def person_request_list_visible(*, user) -> QuerySet[PersonRequest]:
    """A person's own requests, and the requests to the organisations they administer."""
    requests = PersonRequest.objects.select_related("organisation", "person", "decided_by")
    if may_act_as_staff(user):
        return requests
    administered = _administered_organisation_ids(user)
    return requests.filter(Q(person=user) | Q(organisation__in=administered))


def organisation_membership_list_visible(*, user) -> QuerySet[OrganisationMembership]:
    """People of the organisations the person belongs to (everyone's, for staff)."""
    memberships = OrganisationMembership.objects.select_related("organisation", "person")
    if may_act_as_staff(user):
        return memberships
    return memberships.filter(organisation__in=list(user_organisation_roles(user)))


def organisations_of(*, user) -> QuerySet[OrganisationMembership]:
    return (
        OrganisationMembership.objects.filter(person=user)
        .select_related("organisation").order_by("organisation__name")
    )


def organisation_agreements(*, organisation: Organisation) -> QuerySet[Agreement]:
    return Agreement.objects.filter(organisation=organisation).select_related(
        "updated_by", "signed_copy_uploaded_by", "decided_by")


def consortium_agreements_in_force(*, on=None) -> QuerySet[Agreement]:
    """Signed consortium agreements in force on a date: what joining a workstream requires.
    Lists annotate from it (`Exists(...filter(organisation=OuterRef(...)))`) to stay one query."""
    on = on or timezone.localdate()
    return Agreement.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        kind=Agreement.Kind.CONSORTIUM, status=Agreement.Status.SIGNED, signed_on__lte=on,
    )


def organisation_has_signed_consortium_agreement(*, organisation: Organisation, on=None) -> bool:
    return consortium_agreements_in_force(on=on).filter(organisation=organisation).exists()


def organisations_pending_approval() -> QuerySet[Organisation]:
    """The approvals queue, oldest first. `has_namesake` warns the programme office of another
    organisation of a look-alike name ("Helix Biologics Pte Ltd" and "HELIX BIOLOGICS"), and
    `has_uen_twin` of another with the same UEN: often the same company registered twice."""
    others = Organisation.objects.exclude(pk=OuterRef("pk"))
    return Organisation.objects.filter(status=Organisation.Status.PENDING).select_related(
        "created_by"
    ).annotate(
        has_namesake=Exists(others.filter(name_key=OuterRef("name_key"))),
        has_uen_twin=Exists(others.filter(uen=OuterRef("uen"))),
    ).order_by("created_at")


def agreement_list_visible(*, user) -> QuerySet[Agreement]:
    """Agreements of the organisations the person administers (every one, for staff): the same
    rule as `permissions.may_see_agreements`, as a queryset."""
    agreements = Agreement.objects.select_related("organisation", "updated_by")
    if may_act_as_staff(user):
        return agreements
    administered = _administered_organisation_ids(user)
    return agreements.filter(organisation__in=administered)


# --- Renewals of the programme membership -----------------------------------------------------

# The programme office's renewals page lists the terms ending this many days ahead.
RENEWAL_WINDOW_DAYS = 90


def renewal_request_list_visible(*, user) -> QuerySet[RenewalRequest]:
    """Requests to renew of the organisations the person acts for (every one, for staff): the
    rule of permissions.may_see_membership_terms, as a queryset."""
    requests = RenewalRequest.objects.select_related("organisation", "requested_by", "decided_by")
    if may_act_as_staff(user):
        return requests
    return requests.filter(organisation__in=list(user_organisation_roles(user)))


def _members_with_a_term() -> QuerySet[Organisation]:
    """Approved organisations with a tier whose term ends, each with `pending_renewals` (its
    waiting request to renew, if any: a list of one or none), in one query for a whole page."""
    waiting = RenewalRequest.objects.filter(
        status=RenewalRequest.Status.PENDING).select_related("requested_by")
    return Organisation.objects.filter(
        status=Organisation.Status.APPROVED, tier_ends_on__isnull=False,
    ).exclude(tier="").prefetch_related(
        Prefetch("renewal_requests", queryset=waiting, to_attr="pending_renewals"))


def renewals_due(*, on=None, within_days: int = RENEWAL_WINDOW_DAYS) -> QuerySet[Organisation]:
    """Memberships whose term ends within `within_days` of `on` (today), soonest first."""
    on = on or timezone.localdate()
    return _members_with_a_term().filter(
        tier_ends_on__gte=on, tier_ends_on__lte=on + datetime.timedelta(days=within_days),
    ).order_by("tier_ends_on", "name", "pk")


def renewals_lapsed(*, on=None) -> QuerySet[Organisation]:
    """Memberships whose term has ended (in their grace period, or expired), the most recently
    ended first."""
    on = on or timezone.localdate()
    return _members_with_a_term().filter(tier_ends_on__lt=on).order_by(
        "-tier_ends_on", "name", "pk")


def renewal_requests_waiting() -> QuerySet[RenewalRequest]:
    """Requests to renew still to be decided, oldest first: the programme office's to answer."""
    return RenewalRequest.objects.filter(status=RenewalRequest.Status.PENDING).select_related(
        "organisation", "requested_by").order_by("created_at", "pk")
