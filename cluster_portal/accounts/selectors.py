"""Reads about people: which programme roles a person holds, and their API tokens."""

from django.db.models import QuerySet
from django.utils import timezone

from .memo import remembered
from .models import ApiToken, User, api_token_digest
from .roles import PROGRAMME_ROLE_GROUPS, ProgrammeRole

_ROLE_BY_GROUP = {group: role for role, group in PROGRAMME_ROLE_GROUPS.items()}


def user_programme_roles(user) -> frozenset[ProgrammeRole]:
    """The programme roles `user` holds, read once per request object and kept on it.

    A superuser counts as a programme admin; a programme admin is also programme staff.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    token = getattr(user, "api_token", None)
    if token is not None and not token.with_staff_rights:
        return frozenset()  # a key for a script acts without the person's programme roles

    def read() -> frozenset[ProgrammeRole]:
        group_names = user.groups.values_list("name", flat=True)
        roles = {_ROLE_BY_GROUP[name] for name in group_names if name in _ROLE_BY_GROUP}
        if user.is_superuser:
            roles.add(ProgrammeRole.ADMIN)
        if ProgrammeRole.ADMIN in roles:
            roles.add(ProgrammeRole.STAFF)
        return frozenset(roles)

    return remembered(user, "_programme_roles", read)


def user_list_in_role(*, role: ProgrammeRole):
    return User.objects.filter(groups__name=role.group_name, is_active=True).distinct()


def staff_who_may_act(*, role: ProgrammeRole):
    """People in the role who have set up MFA: only they may see what staff see, so only they
    are told of confidential things (a registration, a join request). A programme admin holds
    the staff role too."""
    from allauth.mfa.models import Authenticator

    groups = [role.group_name]
    if role is ProgrammeRole.STAFF:
        groups.append(ProgrammeRole.ADMIN.group_name)
    return User.objects.filter(
        groups__name__in=groups, is_active=True,
        authenticator__type=Authenticator.Type.TOTP,
    ).distinct()


def api_tokens_of(*, person) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(person=person).order_by("-created_at", "-pk")


def api_token_for_key(key: str) -> ApiToken | None:
    """The usable token this key opens (not revoked, not expired, its person active), if any."""
    return ApiToken.objects.select_related("person").filter(
        digest=api_token_digest(key), revoked_at__isnull=True, expires_at__gt=timezone.now(),
        person__is_active=True,
    ).first()
