"""The people a benchmark acts as, taken from the seeded dataset, and their session cookies.

Run inside a Django process on the bench settings. Programme staff get an authenticator app as
allauth's own set-up gives one (staff pages and the API refuse staff without it); the first of
them is also a programme admin, for the dashboard and the reports.
"""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db.models import Count
from django.test import Client

from benchmarks.seed import EMAIL_DOMAIN
from cluster_portal.accounts.models import User
from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import user_programme_roles
from cluster_portal.accounts.services import user_grant_programme_role
from cluster_portal.core.actors import SYSTEM
from partners.models import OrganisationMembership
from talent.models import Enrolment


@dataclass(frozen=True)
class BenchPeople:
    admin: User      # programme admin with MFA
    staff: User      # programme staff with MFA
    trainee: User    # the person with the most enrolments
    member: User     # a partner member (not its admin)


def _with_authenticator(person: User) -> User:
    if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person, generate_totp_secret())
    return person


def bench_people() -> BenchPeople:
    admin = User.objects.get(email=f"person000001@{EMAIL_DOMAIN}")
    if ProgrammeRole.ADMIN not in user_programme_roles(admin):
        user_grant_programme_role(actor=SYSTEM, user=admin, role=ProgrammeRole.ADMIN)
    staff = User.objects.get(email=f"person000002@{EMAIL_DOMAIN}")
    trainee_id = (Enrolment.objects.values("person").annotate(n=Count("pk"))
                  .order_by("-n", "person").values_list("person", flat=True).first())
    member_id = (OrganisationMembership.objects
                 .filter(role=OrganisationMembership.Role.MEMBER,
                         organisation__status="approved")
                 .order_by("pk").values_list("person", flat=True).first())
    return BenchPeople(admin=_with_authenticator(admin), staff=_with_authenticator(staff),
                       trainee=User.objects.get(pk=trainee_id),
                       member=User.objects.get(pk=member_id))


def session_cookie(person: User | None) -> str:
    """A `Cookie:` header value for a session of `person` (as signing in makes one), or ""."""
    if person is None:
        return ""
    client = Client()
    client.force_login(person)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
