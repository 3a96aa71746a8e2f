"""Demo people, one per role. Used by `manage.py seed_demo` only."""

from allauth.account.models import EmailAddress

from cluster_portal.core.actors import SYSTEM

from .models import User
from .roles import ProgrammeRole
from .services import user_create, user_grant_programme_role

DEMO_PASSWORD = "cluster-demo-2026"

# (e-mail, full name, programme role or None, what the person demonstrates)
DEMO_PEOPLE = [
    ("admin@example.org", "Aisha Rahman", ProgrammeRole.ADMIN, "programme admin"),
    ("staff@example.org", "Lim Wei Jie", ProgrammeRole.STAFF, "programme staff"),
    ("partner.admin@example.org", "Priya Nair", None, "partner admin, Meridian Pharma Asia"),
    ("partner.member@example.org", "Daniel Koh", None, "partner member, Meridian Pharma Asia"),
    ("trainee@example.org", "Nur Hidayah", None, "trainee"),
]


def seed_demo_people() -> dict[str, User]:
    people = {}
    for email, full_name, role, _ in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email, full_name=full_name, password=DEMO_PASSWORD, email_verified=True
            )
        elif not EmailAddress.objects.filter(user=user, verified=True).exists():
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        if role is not None:
            user_grant_programme_role(actor=SYSTEM, user=user, role=role)
        people[email] = user
    return people
