"""A person's programme roles and whether they have an authenticator app are read together, in
one query a request, and afresh at the next: a role taken away, or an app set up, counts from
the next request."""

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.services import user_revoke_programme_role
from cluster_portal.core.actors import SYSTEM
from tests.conftest import activate_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reads_of_roles_or_apps(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries
            if '"auth_group"' in query["sql"] or '"mfa_authenticator"' in query["sql"]]


def test_staff_roles_and_app_are_read_in_one_query(client):
    staff = UserFactory(role="programme_admin")
    activate_totp(staff)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        me = client.get("/api/v1/me/").json()
    assert {"programme_staff", "programme_admin"} <= set(me["roles"])
    assert me["mfa_enabled"] is True
    assert len(_reads_of_roles_or_apps(queries)) == 1


def test_a_partner_has_no_programme_role_and_no_app(client):
    person = UserFactory()
    client.force_login(person)
    me = client.get("/api/v1/me/").json()
    assert not {"programme_staff", "programme_admin"} & set(me["roles"])
    assert me["mfa_enabled"] is False


def test_a_role_taken_away_and_an_app_removed_count_from_the_next_request(client):
    staff = UserFactory(role="programme_staff")
    activate_totp(staff)
    client.force_login(staff)
    assert client.get("/api/v1/join-requests/").status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    refused = client.get("/api/v1/join-requests/")
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"
    user_revoke_programme_role(actor=SYSTEM, user=staff, role=ProgrammeRole.STAFF)
    assert "programme_staff" not in client.get("/api/v1/me/").json()["roles"]
