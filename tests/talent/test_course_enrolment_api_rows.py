"""The course catalogue and the enrolment list build their rows from values (talent.api.rows),
not with a serializer per row: each answers exactly what its serializer answers for the same
objects, field for field and in the serializer's order."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from talent.api.serializers import CourseSerializer, EnrolmentSerializer
from talent.models import Enrolment
from talent.selectors import course_list_public, enrolment_list_visible
from tests.factories import OrganisationFactory, UserFactory, WorkstreamFactory
from tests.support.api import client_for
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


def _as_json(data):
    return json.loads(JSONRenderer().render(data))


def _listed(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _assert_same(rows: list[dict], expected: list[dict]) -> None:
    assert rows == expected
    # In the serializer's field order too, nested rows included, as clients read the JSON.
    assert json.dumps(rows) == json.dumps(expected)


# --- Courses ----------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """Courses in every shape a row takes: skills, workstreams and prerequisites (published or
    not) in their own orders; a provider or none; runs to come or none; decimals and an
    expiry."""
    provider = OrganisationFactory(name="Helix Bioprocess")
    later = WorkstreamFactory(name="Plant Operations", display_order=5)
    earlier = WorkstreamFactory(name="Biocatalysis", display_order=1)
    basics = CourseFactory(code="CM-101", title="Continuous processing basics")
    hidden = CourseFactory(code="AA-001", is_published=False)
    full = CourseFactory(code="CM-201", provider=provider, mode="blended",
                         hours=Decimal("21.5"), fee=Decimal("450.05"),
                         certificate_valid_months=24, description="Step by step.\nAll day.")
    CourseSkillFactory(course=full, skill=SkillFactory(name="Viral inactivation"), level=3)
    CourseSkillFactory(course=full, skill=SkillFactory(name="Chromatography"), level=5)
    full.workstreams.add(later, earlier)
    full.prerequisites.add(basics, hidden)
    CourseRunFactory(course=full, starts_on=timezone.localdate() + datetime.timedelta(days=40),
                     capacity=12)
    CourseRunFactory(course=full, starts_on=timezone.localdate() + datetime.timedelta(days=10),
                     capacity=8)
    CourseRunFactory(course=basics, starts_on=timezone.localdate() - datetime.timedelta(days=10),
                     ends_on=timezone.localdate() - datetime.timedelta(days=9))
    return full


def test_the_catalogue_answers_what_the_course_serializer_answers(catalogue):
    rows = _listed(client_for(), "/api/v1/courses/?page_size=100")

    courses = course_list_public().prefetch_related("prerequisites")
    _assert_same(rows, _as_json(CourseSerializer(courses, many=True).data))
    by_code = {row["code"]: row for row in rows}
    assert set(by_code) == {"CM-101", "CM-201"}
    full = by_code["CM-201"]
    assert [skill["name"] for skill in full["skills"]] == ["Chromatography", "Viral inactivation"]
    assert full["prerequisites"] == ["AA-001", "CM-101"]
    assert len(full["workstreams"]) == 2
    assert (full["hours"], full["fee"], full["seats_left"]) == ("21.5", "450.05", 20)
    assert full["next_run_on"] == (timezone.localdate()
                                   + datetime.timedelta(days=10)).isoformat()
    basics = by_code["CM-101"]
    assert basics["provider"] is None
    assert (basics["skills"], basics["workstreams"], basics["prerequisites"]) == ([], [], [])
    assert (basics["next_run_on"], basics["seats_left"]) == (None, None)


def test_a_filtered_catalogue_answers_what_the_serializer_answers_for_it(catalogue):
    rows = _listed(client_for(), "/api/v1/courses/?upcoming=true")

    assert [row["code"] for row in rows] == ["CM-201"]
    assert rows == _as_json(CourseSerializer(
        course_list_public().filter(code="CM-201").prefetch_related("prerequisites"),
        many=True).data)


# --- Enrolments -------------------------------------------------------------------------------


@pytest.fixture
def trainee():
    return UserFactory(full_name="Tan Mei Ling")


@pytest.fixture
def enrolments(trainee):
    """Enrolments in every state a row shows: a sponsor or none, a place on the waitlist, an
    offer with its expiry, and every timestamp set somewhere (one a minute before midnight UTC,
    another day in Singapore)."""
    sponsor = OrganisationFactory(name="Helix Bioprocess")
    someone_else = UserFactory()
    now = timezone.now().replace(microsecond=123456)
    states = [
        (trainee, sponsor, {"status": "confirmed", "confirmed_at": now}),
        (trainee, None, {"status": "waitlisted", "waitlist_position": 2}),
        (trainee, sponsor, {"status": "offered", "offer_expires_at": now
                            + datetime.timedelta(hours=48)}),
        (trainee, None, {"status": "cancelled", "cancelled_at": datetime.datetime(
            2026, 3, 1, 23, 59, tzinfo=datetime.UTC)}),
        (trainee, sponsor, {"status": "completed", "confirmed_at": now,
                            "completed_at": now + datetime.timedelta(days=3)}),
        (someone_else, None, {"status": "no_show", "confirmed_at": now}),
    ]
    made = []
    for days, (person, sponsored_by, state) in enumerate(states, start=10):
        run = CourseRunFactory(starts_on=timezone.localdate() + datetime.timedelta(days=days))
        made.append(Enrolment.objects.create(
            person=person, run=run, sponsor=sponsored_by,
            decision_reason="Moved." if state["status"] == "cancelled" else "", **state))
    return made


def test_programme_staff_get_every_enrolment_as_the_serializer_answers(enrolments,
                                                                       mfa_staff_user):
    rows = _listed(client_for(mfa_staff_user), "/api/v1/enrolments/?page_size=100")

    _assert_same(rows, _as_json(EnrolmentSerializer(
        enrolment_list_visible(user=mfa_staff_user), many=True).data))
    assert len(rows) == 6
    assert {row["status"] for row in rows} == {
        "confirmed", "waitlisted", "offered", "cancelled", "completed", "no_show"}
    cancelled = next(row for row in rows if row["status"] == "cancelled")
    assert cancelled["cancelled_at"] == "2026-03-02T07:59:00+08:00"
    assert (cancelled["sponsor"], cancelled["cancellation_reason"]) == (None, "Moved.")


def test_a_trainee_gets_their_own_enrolments_as_the_serializer_answers(enrolments, trainee):
    rows = _listed(client_for(trainee), "/api/v1/enrolments/?page_size=100")

    _assert_same(rows, _as_json(EnrolmentSerializer(
        enrolment_list_visible(user=trainee), many=True).data))
    assert len(rows) == 5
    assert {row["person"]["full_name"] for row in rows} == {"Tan Mei Ling"}
    for field in ("offer_expires_at", "created_at", "confirmed_at", "cancelled_at",
                  "completed_at"):
        assert any(row[field] for row in rows), field


def test_filtered_and_reordered_enrolments_keep_the_serializers_answer(enrolments, trainee):
    client = client_for(trainee)

    rows = _listed(client, "/api/v1/enrolments/?ordering=starts_on&status=confirmed")
    assert rows == _as_json(EnrolmentSerializer(
        enrolment_list_visible(user=trainee).filter(status="confirmed"), many=True).data)
    by_start = _listed(client, "/api/v1/enrolments/?ordering=-starts_on")
    assert [row["id"] for row in by_start] == [enrolment.pk for enrolment in enrolments[4::-1]]
