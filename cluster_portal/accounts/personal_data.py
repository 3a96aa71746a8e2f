"""What the portal holds about a person, gathered from every app for that person's own eyes: the
profile page lists the organisations they act for, and "Download your data" hands them all of
it as one JSON file.

The platform imports no app (docs/architecture.md), so each app registers, in its
AppConfig.ready(), how to read what it holds about a person (as workstreams fills
partners.participation). A section holds the person's own rows only, and adds nothing of other
people: not who decided or who invited, only what was decided. (Notices keep the words the
person was sent.)
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from cluster_portal.notifications.models import Notification, NotificationPreference

from .selectors import api_tokens_of, user_programme_roles


@dataclass(frozen=True)
class Affiliation:
    """An organisation (or the like) the person acts for, as their profile lists it."""

    name: str
    role: str
    url: str


def _no_affiliations(person) -> list[Affiliation]:
    return []


@dataclass(frozen=True)
class PersonalData:
    """What one app holds about a person."""

    # {section name: reader(person) -> rows of plain values}, for the download.
    sections: dict[str, Callable[[object], list[dict]]] = field(default_factory=dict)
    # The organisations the person acts for, for the profile page.
    affiliations: Callable[[object], list[Affiliation]] = _no_affiliations
    # (label, URL) of the app's own page about them, such as "My organisations".
    page: tuple[str, str] | None = None


_registered: dict[str, PersonalData] = {}


def register(app_label: str, data: PersonalData) -> None:
    _registered[app_label] = data


def affiliations_of(person) -> list[Affiliation]:
    return [affiliation for data in _registered.values()
            for affiliation in data.affiliations(person)]


def pages_about(person) -> list[tuple[str, str]]:
    return [data.page for data in _registered.values() if data.page]


# --- What the platform itself holds -------------------------------------------------------------


def _profile(person) -> dict:
    return {
        "email": person.email, "full_name": person.full_name, "job_title": person.job_title,
        "phone": person.phone, "date_joined": person.date_joined, "last_login": person.last_login,
        "programme_roles": sorted(role.value for role in user_programme_roles(person)),
    }


def _email_addresses(person) -> list[dict]:
    return list(EmailAddress.objects.filter(user=person).order_by("-primary", "email")
                .values("email", "verified", "primary"))


def _second_factors(person) -> list[dict]:
    # When and what kind, never the secret or the recovery codes' seed.
    return [{"type": authenticator.type, "created_at": authenticator.created_at,
             "last_used_at": authenticator.last_used_at}
            for authenticator in Authenticator.objects.filter(user=person).order_by("pk")]


def _api_tokens(person) -> list[dict]:
    return list(api_tokens_of(person=person).values(
        "name", "prefix", "with_staff_rights", "created_at", "expires_at", "last_used_at",
        "revoked_at"))


def _notifications(person) -> list[dict]:
    return list(Notification.objects.filter(recipient=person).order_by("-created_at", "-pk")
                .values("kind", "message", "url", "created_at", "read_at"))


def _notification_preferences(person) -> list[dict]:
    return list(NotificationPreference.objects.filter(person=person).order_by("kind")
                .values("kind", "delivery", "updated_at"))


def personal_data_of(person) -> dict:
    """Everything the portal holds about `person`, section by section, for their download."""
    data = {
        "exported_at": timezone.now(),
        "profile": _profile(person),
        "email_addresses": _email_addresses(person),
        "two_factor_authentication": _second_factors(person),
        "api_tokens": _api_tokens(person),
        "notifications": _notifications(person),
        "notification_preferences": _notification_preferences(person),
    }
    for app_data in _registered.values():
        for name, read in app_data.sections.items():
            data[name] = read(person)
    return data
