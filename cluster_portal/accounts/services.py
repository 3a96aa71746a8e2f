"""Writes about people: creating accounts and granting programme roles."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.validators import single_line, validate_single_line
from cluster_portal.notifications.services import notify

from .memo import forget
from .models import User
from .notification_kinds import SECOND_FACTOR_CHANGED
from .permissions import may_use_admin_site
from .roles import ProgrammeRole


@transaction.atomic
def user_create(
    *, email: str, full_name: str, password: str | None = None, email_verified: bool = False
) -> User:
    """An account as sign-up would leave it; `email_verified` marks the address confirmed."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def user_grant_programme_role(*, user: User, role: ProgrammeRole, actor=None) -> User:
    """Make `user` programme staff or admin. From the admin, only a programme admin may (the
    demo data and tests grant without an actor)."""
    if actor is not None and not may_use_admin_site(actor):
        raise NotAllowed("Only programme admins grant programme roles.")
    group, _ = Group.objects.get_or_create(name=role.group_name)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        audit_record(actor=actor, action="user.grant_role", target=user, changes={"role": role})
    if role is ProgrammeRole.ADMIN and not user.is_staff:
        # The admin site admits only is_staff accounts; programme admins are its users.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget(user, "_programme_roles")
    return user


@transaction.atomic
def user_revoke_programme_role(*, user: User, role: ProgrammeRole, actor=None) -> User:
    if actor is not None and not may_use_admin_site(actor):
        raise NotAllowed("Only programme admins remove programme roles.")
    held = user.groups.filter(name=role.group_name)
    if held.exists():
        user.groups.remove(*held)
        audit_record(actor=actor, action="user.revoke_role", target=user, changes={"role": role})
    if role is ProgrammeRole.ADMIN and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    forget(user, "_programme_roles")
    return user


@transaction.atomic
def authenticators_reset(*, actor, person: User) -> int:
    """A programme admin removes a person's second factor (a lost phone). Staff then set it up
    again at their next staff page; the person is told at once, and the trail keeps who did it."""
    if not may_use_admin_site(actor):
        raise NotAllowed("Only programme admins reset a person's two-factor authentication.")
    removed, _ = Authenticator.objects.filter(user=person).delete()
    if not removed:
        raise Conflict(f"{person} has no two-factor authentication to reset.")
    forget(person, "_has_mfa")
    audit_record(actor=actor, action="mfa.reset", target=person, changes={"removed": removed})
    notify(recipients=[person], kind=SECOND_FACTOR_CHANGED, url=reverse("mfa_index"),
           message="A programme admin reset the two-factor authentication of your account. Set "
                   "up your authenticator app again.")
    return removed


@transaction.atomic
def user_update_profile(*, user: User, full_name: str) -> User:
    try:
        validate_single_line(full_name)
    except ValidationError as error:
        raise ApplicationError("Your full name is one line of text.",
                               fields={"full_name": error.messages}) from error
    full_name = single_line(full_name)
    if not full_name:
        raise ApplicationError("Your full name can't be empty.",
                               fields={"full_name": "Enter your full name."})
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user
