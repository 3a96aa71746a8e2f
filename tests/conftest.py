import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _isolated_cache():
    # Rate-limit and throttle counters live in the cache; each test starts with none.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(role="programme_staff")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="programme_admin")


def activate_totp(user) -> str:
    """Gives `user` an authenticator app as allauth's own set-up would; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


def current_totp_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def mfa_staff_user(db):
    """Programme staff with an authenticator, as staff pages and actions require."""
    person = UserFactory(role="programme_staff")
    activate_totp(person)
    return person


@pytest.fixture
def mfa_admin_user(db):
    person = UserFactory(role="programme_admin")
    activate_totp(person)
    return person

