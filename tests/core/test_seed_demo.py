from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from cluster_portal.accounts.models import User
from cluster_portal.accounts.permissions import is_programme_admin, is_programme_staff
from partners.models import Organisation, OrganisationMembership
from workstreams.models import Programme, ProgrammePhase, Workstream

pytestmark = pytest.mark.django_db

MODELS = [User, EmailAddress, Organisation, OrganisationMembership, Programme, ProgrammePhase,
          Workstream]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_counts():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first

    assert first["Workstream"] == 10
    assert Workstream.objects.filter(status="active", kind="workstream").count() == 5
    assert Workstream.objects.filter(status="planned", kind="platform").count() == 5
    assert first["Organisation"] == 12
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind)
    assert "cluster-demo-2026" in output.getvalue()


def test_seed_demo_gives_one_person_per_role_who_can_sign_in(client):
    call_command("seed_demo", stdout=StringIO())
    assert is_programme_admin(User.objects.get(email="admin@example.org"))
    staff = User.objects.get(email="staff@example.org")
    assert is_programme_staff(staff) and not is_programme_admin(staff)
    partner_admin = OrganisationMembership.objects.get(person__email="partner.admin@example.org")
    assert partner_admin.role == "admin"
    response = client.post(
        "/accounts/login/", {"login": "trainee@example.org", "password": "cluster-demo-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_seed_demo_refuses_with_debug_off_unless_told(settings):
    settings.TESTING = False
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0
