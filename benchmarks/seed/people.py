"""The benchmark dataset: organisations, their people, the workstreams they join (and their
requests to join), and their agreements."""

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from cluster_portal.accounts.roles import ProgrammeRole
from partners.models import Agreement, Organisation, OrganisationMembership
from partners.services.organisations import tier_status_on
from partners.validators import organisation_name_key
from workstreams.models import JoinRequest, Programme, Workstream, WorkstreamMembership

from .common import (
    BATCH,
    EMAIL_DOMAIN,
    FIRST_NAMES,
    KINDS,
    LAST_NAMES,
    NOUNS,
    PASSWORD,
    PROGRAMME_SHORT_NAME,
    WORDS,
    WORKSTREAMS,
    User,
    at_noon,
    backdate,
    bulk,
)


class PeopleSection:
    """A section of BenchSeeder (benchmarks.seed)."""

    # --- partners and people ----------------------------------------------------------------

    @transaction.atomic
    def organisations_and_people(self) -> None:
        rng, counts = self.rng, self.counts
        organisations = []
        for i in range(counts.organisations):
            name = f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {i + 1:04d} Pte Ltd"
            # More than a page (25) of registrations waits in the approvals queue.
            status = (Organisation.Status.APPROVED if i < 2 or i % 25 < 22 else
                      Organisation.Status.PENDING if i % 25 < 24 else
                      Organisation.Status.DECLINED)
            organisation = Organisation(
                name=name, name_key=organisation_name_key(name), slug=f"bench-{i + 1:04d}",
                uen=f"2{i + 1:08d}B", kind=rng.choice(KINDS), status=status,
                website=f"https://bench-{i + 1:04d}.example.org",
                description=f"{name} works on {rng.choice(WORDS).lower()} manufacturing.",
                is_listed=status == Organisation.Status.APPROVED and rng.random() < 0.9,
            )
            if status != Organisation.Status.PENDING:
                organisation.decided_at = at_noon(self.today - datetime.timedelta(
                    days=rng.randint(30, 1500)))
            if organisation.is_approved and rng.random() < 0.8:
                starts = self.today - datetime.timedelta(days=rng.randint(0, 1100))
                organisation.tier = rng.choice(Organisation.Tier.values)
                organisation.tier_starts_on = starts
                organisation.tier_ends_on = starts + datetime.timedelta(days=365 * 2 - 1)
                organisation.tier_status = tier_status_on(organisation, self.today)
            organisations.append(organisation)
        self.organisations = bulk(Organisation, organisations)
        self.approved = [o for o in self.organisations if o.is_approved]

        password = make_password(PASSWORD)  # hashing is slow on purpose: once for everyone
        people = []
        for i in range(counts.people):
            full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            people.append(User(email=f"person{i + 1:06d}@{EMAIL_DOMAIN}", full_name=full_name,
                               password=password, date_joined=self.now))
        people = bulk(User, people)
        self.staff, self.people = people[:counts.staff], people[counts.staff:]
        group = Group.objects.get(name=ProgrammeRole.STAFF.group_name)
        bulk(User.groups.through, [User.groups.through(user_id=p.pk, group_id=group.pk)
                                   for p in self.staff])
        # Everyone else acts for one organisation, the first of each as its admin.
        self.people_of = {o.pk: [] for o in self.organisations}
        memberships = []
        for i, person in enumerate(self.people):
            organisation = self.organisations[i % len(self.organisations)]
            role = (OrganisationMembership.Role.ADMIN if not self.people_of[organisation.pk]
                    else OrganisationMembership.Role.MEMBER)
            self.people_of[organisation.pk].append(person)
            person.organisation = organisation
            memberships.append(OrganisationMembership(
                organisation=organisation, person=person, role=role))
        bulk(OrganisationMembership, memberships)

    # --- workstreams --------------------------------------------------------------------------

    @transaction.atomic
    def workstreams(self) -> None:
        rng = self.rng
        self.programme = Programme.objects.create(
            name="Pharma Innovation Programme Singapore", short_name=PROGRAMME_SHORT_NAME,
            slug="pips", tagline="The benchmark programme.", is_featured=True)
        self.workstream_list = bulk(Workstream, [
            Workstream(programme=self.programme, kind=Workstream.Kind.WORKSTREAM,
                       status=Workstream.Status.ACTIVE, name=name, slug=f"bench-{code.lower()}",
                       code=code, summary=f"{name}, from the lab to the plant.",
                       lead=rng.choice(self.staff), display_order=i)
            for i, (code, name) in enumerate(WORKSTREAMS[:self.counts.workstreams])])
        # Each approved organisation is in one to three workstreams; every workstream has some.
        self.members_of = {w.pk: [] for w in self.workstream_list}
        memberships = []
        for i, organisation in enumerate(self.approved):
            first = self.workstream_list[i % len(self.workstream_list)]
            others = rng.sample(self.workstream_list, rng.randint(0, 2))
            for workstream in {w.pk: w for w in [first, *others]}.values():
                self.members_of[workstream.pk].append(organisation)
                memberships.append(WorkstreamMembership(
                    organisation=organisation, workstream=workstream,
                    role=rng.choice(WorkstreamMembership.Role.values),
                    since=self.today - datetime.timedelta(days=rng.randint(30, 1500))))
        self.workstream_memberships = bulk(WorkstreamMembership, memberships)

    @transaction.atomic
    def join_requests(self) -> None:
        """Requests to join a workstream: the approved ones are those that started some of the
        memberships (linked both ways, the role granted, decided the day the membership began);
        declined and withdrawn ones; and a few dozen still pending, each from an organisation
        not yet in that workstream."""
        rng, counts = self._rng("join_requests"), self.counts
        requests, created = [], []
        approved = rng.sample(self.workstream_memberships,
                              min(counts.join_requests_approved, len(self.workstream_memberships)))
        for membership in approved:
            decided_at = at_noon(membership.since)
            asked_at = decided_at - datetime.timedelta(days=rng.randint(2, 30))
            requests.append(self._join_request(
                membership.organisation, membership.workstream, asked_at,
                status=JoinRequest.Status.APPROVED, granted_role=membership.role,
                decided_by=rng.choice(self.staff), decided_at=decided_at))
            created.append(asked_at)
        # Pending requests: distinct (organisation, workstream) pairs, the organisation not a
        # member (join_request_submit refuses one that is); decided ones may repeat a pair.
        members = {(o.pk, w) for w, organisations in self.members_of.items() for o in organisations}
        outsiders = [(o, w) for o in self.approved for w in self.workstream_list
                     if (o.pk, w.pk) not in members]
        pending = rng.sample(outsiders, min(counts.join_requests_pending, len(outsiders)))
        for organisation, workstream in pending:
            asked_at = self._days_ago(rng, 0, 40)
            requests.append(self._join_request(organisation, workstream, asked_at,
                                               status=JoinRequest.Status.PENDING))
            created.append(asked_at)
        for status, count in ((JoinRequest.Status.DECLINED, counts.join_requests_declined),
                              (JoinRequest.Status.WITHDRAWN, counts.join_requests_withdrawn)):
            for organisation, workstream in rng.choices(outsiders, k=count if outsiders else 0):
                asked_at = self._days_ago(rng, 20, 900)
                decided_at = asked_at + datetime.timedelta(days=rng.randint(1, 15))
                requester = self.people_of[organisation.pk][0]
                declined = status == JoinRequest.Status.DECLINED
                requests.append(self._join_request(
                    organisation, workstream, asked_at, status=status, decided_at=decided_at,
                    decided_by=rng.choice(self.staff) if declined else requester,
                    decision_reason="Its work is closer to another workstream; we suggest "
                                    "joining that one instead." if declined else ""))
                created.append(asked_at)
        requests = bulk(JoinRequest, requests)
        backdate(JoinRequest, "created_at", zip(requests, created, strict=True))
        for membership, join_request in zip(approved, requests[:len(approved)], strict=True):
            membership.join_request = join_request
        WorkstreamMembership.objects.bulk_update(approved, ["join_request"], batch_size=BATCH)
        self.made["join requests"] = len(requests)

    def _join_request(self, organisation, workstream, asked_at, **fields) -> JoinRequest:
        return JoinRequest(
            organisation=organisation, workstream=workstream,
            motivation=f"{organisation.name} would bring its {workstream.name.lower()} work "
                       "to the workstream.",
            code_of_conduct_acknowledged_at=asked_at,
            requested_by=self.people_of[organisation.pk][0], **fields)

    @transaction.atomic
    def agreements(self) -> None:
        """A consortium agreement for every approved organisation (most signed, some still
        out for signature or in draft, a few expired or terminated) and an NDA for about half:
        dates as agreement_record and agreement_confirm allow (signed in the past, expiring
        after signing)."""
        rng, Status, rows = self._rng("agreements"), Agreement.Status, []
        states = [Status.SIGNED, Status.SENT, Status.DRAFT, Status.EXPIRED, Status.TERMINATED]
        for number, organisation in enumerate(self.approved, start=1):
            kinds = [Agreement.Kind.CONSORTIUM] + ([Agreement.Kind.NDA] if rng.random() < 0.5
                                                    else [])
            for kind in kinds:
                status = rng.choices(states, (75, 10, 5, 6, 4))[0]
                agreement = Agreement(
                    organisation=organisation, kind=kind, status=status,
                    reference=f"{PROGRAMME_SHORT_NAME}-{'CA' if kind == 'consortium' else 'NDA'}"
                              f"-{number:04d}", updated_by=rng.choice(self.staff))
                if status in (Status.SIGNED, Status.EXPIRED, Status.TERMINATED):
                    years = 3 if kind == Agreement.Kind.CONSORTIUM else 2
                    signed_on = self.today - datetime.timedelta(
                        days=rng.randint(365 * years + 30, 365 * years + 700)
                        if status == Status.EXPIRED else rng.randint(10, 365 * years - 10))
                    agreement.signed_on = signed_on
                    agreement.expires_on = signed_on + datetime.timedelta(days=365 * years)
                    agreement.decided_by = agreement.updated_by
                    agreement.decided_at = at_noon(signed_on)
                if status == Status.TERMINATED:
                    agreement.notes = "Terminated by mutual consent when the organisation left."
                rows.append(agreement)
        self.made["agreements"] = len(bulk(Agreement, rows))
