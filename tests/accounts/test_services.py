import pytest

from cluster_portal.accounts.permissions import is_programme_admin, is_programme_staff
from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.services import (
    user_grant_programme_role,
    user_revoke_programme_role,
    user_update_profile,
)
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_empty_name_is_refused_with_a_field_message():
    person = UserFactory(full_name="Daniel Koh")
    with pytest.raises(ApplicationError) as refused:
        user_update_profile(actor=person, user=person, full_name="   ")
    assert refused.value.fields == {"full_name": ["Enter your full name."]}
    person.refresh_from_db()
    assert person.full_name == "Daniel Koh"


def test_programme_admin_role_is_staff_too_and_opens_the_admin_site():
    person = UserFactory()
    user_grant_programme_role(actor=SYSTEM, user=person, role=ProgrammeRole.ADMIN)
    person.refresh_from_db()
    assert person.is_staff
    assert is_programme_admin(person)
    assert is_programme_staff(person)
    assert person.has_perm("partners.change_organisation")

    user_revoke_programme_role(actor=SYSTEM, user=person, role=ProgrammeRole.ADMIN)
    person = type(person).objects.get(pk=person.pk)
    assert not person.is_staff
    assert not is_programme_admin(person)
    assert not person.has_perm("partners.change_organisation")


def test_staff_role_does_not_grant_model_permissions():
    person = UserFactory(role="programme_staff")
    assert is_programme_staff(person)
    assert not is_programme_admin(person)
    assert not person.has_perm("accounts.change_user")


def test_email_addresses_are_unique_whatever_their_case():
    from django.db import IntegrityError

    from cluster_portal.accounts.models import User

    UserFactory(email="one@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="ONE@example.org", full_name="Copy")
