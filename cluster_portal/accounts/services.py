"""Writes about people: creating accounts and granting programme roles."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.validators import single_line, validate_single_line

from .memo import forget
from .models import User
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
def user_grant_programme_role(*, user: User, role: ProgrammeRole) -> User:
    group, _ = Group.objects.get_or_create(name=role.group_name)
    user.groups.add(group)
    if role is ProgrammeRole.ADMIN and not user.is_staff:
        # The admin site admits only is_staff accounts; programme admins are its users.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget(user, "_programme_roles")
    return user


@transaction.atomic
def user_revoke_programme_role(*, user: User, role: ProgrammeRole) -> User:
    user.groups.remove(*Group.objects.filter(name=role.group_name))
    if role is ProgrammeRole.ADMIN and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    forget(user, "_programme_roles")
    return user


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
