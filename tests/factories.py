"""factory_boy factories for every app's models. Objects are built through the services where
a service exists, so tests start from the states the portal itself produces."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from cluster_portal.accounts.models import User
from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.services import user_grant_programme_role
from cluster_portal.core.actors import SYSTEM
from partners.models import Agreement, Organisation, OrganisationMembership
from partners.validators import organisation_name_key
from workstreams.models import JoinRequest, Programme, Workstream, WorkstreamMembership

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        # Mandatory e-mail verification: an account made for a test can sign in unless told not to.
        if create:
            EmailAddress.objects.create(
                user=user, email=user.email, primary=True, verified=extracted is not False
            )

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            user_grant_programme_role(actor=SYSTEM, user=user, role=ProgrammeRole(extracted))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    slug = factory.LazyAttribute(lambda p: p.short_name.lower())
    is_featured = False


class WorkstreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workstream

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Workstream {n}")
    slug = factory.Sequence(lambda n: f"workstream-{n}")
    code = factory.Sequence(lambda n: f"W{n}")
    summary = "What this workstream does."
    status = Workstream.Status.ACTIVE


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    name_key = factory.LazyAttribute(lambda o: organisation_name_key(o.name))
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    uen = factory.Sequence(lambda n: f"2026{n:05d}X")
    kind = Organisation.Kind.SME
    tier = Organisation.Tier.MEMBER
    status = Organisation.Status.APPROVED
    is_listed = True
    # A current term by default, so the tier's entitlements hold.
    tier_starts_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=200))
    tier_ends_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=365))
    tier_status = Organisation.TierStatus.CURRENT

    class Params:
        # OrganisationFactory(ready_to_join=True): approved, current tier, signed consortium
        # agreement: everything join_request_create asks for.
        ready_to_join = factory.Trait(
            consortium_agreement=factory.RelatedFactory(
                "tests.factories.AgreementFactory", factory_related_name="organisation"
            )
        )


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(UserFactory)
    role = OrganisationMembership.Role.MEMBER


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Agreement.Kind.CONSORTIUM
    status = Agreement.Status.SIGNED
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    organisation = factory.SubFactory(OrganisationFactory, ready_to_join=True)
    workstream = factory.SubFactory(WorkstreamFactory)
    motivation = "We bring process analytical technology and pilot-plant time."
    code_of_conduct_acknowledged_at = factory.LazyFunction(timezone.now)
    requested_by = factory.SubFactory(UserFactory)


class WorkstreamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkstreamMembership

    organisation = factory.SubFactory(OrganisationFactory)
    workstream = factory.SubFactory(WorkstreamFactory)
    role = WorkstreamMembership.Role.CORE
    since = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
