"""Writes about people: accounts, programme roles, second factors and personal API tokens."""

import datetime
import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from cluster_portal.core.validators import single_line, validate_single_line
from cluster_portal.notifications.services import notify

from .memo import forget
from .models import ApiToken, User, api_token_digest
from .notification_kinds import ACCOUNT_CHANGED, SECOND_FACTOR_CHANGED
from .permissions import may_act_as_staff, may_use_admin_site
from .roles import ProgrammeRole
from .validators import FULL_NAME_MAX_LENGTH, JOB_TITLE_MAX_LENGTH, phone_number


@transaction.atomic
def user_create(
    *, email: str, full_name: str, password: str | None = None, email_verified: bool = False
) -> User:
    """An account as sign-up would leave it; `email_verified` marks the address confirmed."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def user_grant_programme_role(*, actor, user: User, role: ProgrammeRole) -> User:
    """Make `user` programme staff or admin. From the admin, only a programme admin may (the
    demo data and tests grant without an actor)."""
    if not (is_system(actor) or may_use_admin_site(actor)):
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
def user_revoke_programme_role(*, actor, user: User, role: ProgrammeRole) -> User:
    if not (is_system(actor) or may_use_admin_site(actor)):
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


# What a person may change about themselves; e-mail addresses and passwords are allauth's pages.
PROFILE_FIELDS = ("full_name", "job_title", "phone")


def _checked_profile(changes: dict) -> dict:
    """The changes as they are kept, or ApplicationError with a message per field."""
    checked, errors = {}, {}
    for name, value in changes.items():
        try:
            if name == "phone":
                checked[name] = phone_number(value or "")
                continue
            validate_single_line(value or "")
            checked[name] = single_line(value)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        limit = FULL_NAME_MAX_LENGTH if name == "full_name" else JOB_TITLE_MAX_LENGTH
        if len(checked[name]) > limit:
            errors[name] = f"Write it in at most {limit} characters."
    if "full_name" in checked and not checked["full_name"] and "full_name" not in errors:
        errors["full_name"] = "Enter your full name."
    if len(errors) == 1:
        [messages] = errors.values()
        raise ApplicationError(messages if isinstance(messages, str) else messages[0],
                               fields=errors)
    if errors:
        raise ApplicationError("Some fields are not valid.", fields=errors)
    return checked


@transaction.atomic
def user_update_profile(*, actor, user: User, **changes) -> User:
    """A person changes their own name, job title or phone number (PROFILE_FIELDS; what is left
    out stays as it is). Recorded in the audit trail with what changed."""
    if not (is_system(actor) or getattr(actor, "pk", None) == user.pk):
        raise NotAllowed("People change only their own profile.")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(f"These fields can't be changed here: {', '.join(sorted(unknown))}.")
    checked = _checked_profile(changes)
    changed = {name: [getattr(user, name), value] for name, value in checked.items()
               if getattr(user, name) != value}
    if not changed:
        return user
    for name, (_before, value) in changed.items():
        setattr(user, name, value)
    user.save(update_fields=list(changed))
    audit_record(actor=actor, action="user.update_profile", target=user, changes=changed)
    return user


# --- Personal API tokens -----------------------------------------------------------------------

API_TOKEN_VALID_DAYS = (30, 90, 365)
MAX_API_TOKENS = 10
# last_used_at is written at most this often, not on every call.
API_TOKEN_TOUCH_EVERY = datetime.timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, actor: User, name: str, valid_days: int = 90,
                     with_staff_rights: bool = False) -> tuple[ApiToken, str]:
    """A named key for `actor`, valid for 30, 90 or 365 days. Returns the token and the key,
    which exists only in this answer: the database keeps its digest."""
    errors = {}
    try:
        validate_single_line(name)
    except ValidationError as error:
        errors["name"] = error.messages
    name = single_line(name)
    if not name and "name" not in errors:
        errors["name"] = "Name the token after what uses it, such as “reporting script”."
    if valid_days not in API_TOKEN_VALID_DAYS:
        errors["valid_days"] = f"Choose {', '.join(map(str, API_TOKEN_VALID_DAYS))} days."
    if errors:
        raise ApplicationError("Some fields are not valid.", fields=errors)
    if with_staff_rights and not may_act_as_staff(actor):
        raise NotAllowed("Only programme staff with two-factor authentication make tokens with "
                         "staff rights.", code="staff_rights_need_mfa")
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one limit check at a time
    now = timezone.now()
    active = ApiToken.objects.filter(person=actor, revoked_at__isnull=True, expires_at__gt=now)
    if active.count() >= MAX_API_TOKENS:
        raise Conflict(f"You have {MAX_API_TOKENS} tokens in use; revoke one first.",
                       code="too_many_tokens")
    prefix = f"cp_{secrets.token_hex(4)}"
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        person=actor, name=name[:100], prefix=prefix, digest=api_token_digest(key),
        with_staff_rights=with_staff_rights, expires_at=now + datetime.timedelta(days=valid_days),
    )
    audit_record(actor=actor, action="api_token.create", target=token,
                 changes={"name": token.name, "valid_days": valid_days,
                          "with_staff_rights": with_staff_rights})
    notify(recipients=[actor], kind=ACCOUNT_CHANGED, url=reverse("account_api_tokens"),
           message=f"An API token “{token.name}” ({prefix}…) was made for your account.")
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """The token's person revokes it, or a programme admin does (a leaked key)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.person_id != actor.pk and not may_use_admin_site(actor):
        raise NotFound("No such token.")
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.", code="already_revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", target=token,
                 changes={"name": token.name})
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Note that the token was used, at most once a minute (a conditional UPDATE, no lock)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= API_TOKEN_TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
