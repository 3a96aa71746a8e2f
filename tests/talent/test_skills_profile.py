"""A trainee's skills profile: skills from completed courses (highest level, when), and the
gaps against what their organisations' workstreams need, with courses that close them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.models import User
from talent.models import Enrolment, WorkstreamSkillNeed
from talent.selectors import skills_profile, workstream_skill_gaps
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.queries import queries_of
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


def completed(person, course, *, on):
    completed_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(17)))
    return Enrolment.objects.create(person=person, run=CourseRunFactory(course=course),
                                    status=Enrolment.Status.COMPLETED, completed_at=completed_at)


def test_the_profile_keeps_each_skills_highest_level_and_latest_completion():
    person = UserFactory()
    pat = SkillFactory(name="Process analytical technology")
    basics, advanced = CourseFactory(), CourseFactory()
    CourseSkillFactory(course=basics, skill=pat, level=2)
    CourseSkillFactory(course=advanced, skill=pat, level=4)
    completed(person, basics, on=datetime.date(2026, 3, 1))
    completed(person, advanced, on=datetime.date(2026, 9, 1))
    Enrolment.objects.create(person=person, run=CourseRunFactory(course=CourseFactory()),
                             status=Enrolment.Status.NO_SHOW)
    [held] = skills_profile(user=person)
    assert (held.name, held.level, held.reached_on) == (
        "Process analytical technology", 4, datetime.date(2026, 9, 1))


def test_gaps_name_the_workstreams_needs_and_the_courses_that_close_them():
    person = UserFactory()
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, person=person)
    cm = WorkstreamFactory(name="Continuous Manufacturing")
    WorkstreamMembershipFactory(organisation=organisation, workstream=cm)
    other = WorkstreamFactory(name="Not ours")
    flow, pat, gmp = (SkillFactory(name="Flow"), SkillFactory(name="PAT"),
                      SkillFactory(name="GMP"))
    for skill, level in ((flow, 2), (pat, 3), (gmp, 1)):
        WorkstreamSkillNeed.objects.create(workstream=cm, skill=skill, level=level)
    WorkstreamSkillNeed.objects.create(workstream=other, skill=flow, level=5)
    flow_course = CourseFactory(code="CM-101")
    CourseSkillFactory(course=flow_course, skill=flow, level=2)
    completed(person, flow_course, on=datetime.date(2026, 1, 5))
    pat_basics = CourseFactory(code="PAT-101")
    CourseSkillFactory(course=pat_basics, skill=pat, level=2)
    pat_advanced = CourseFactory(code="PAT-201")
    CourseSkillFactory(course=pat_advanced, skill=pat, level=3)
    hidden = CourseFactory(code="PAT-900", is_published=False)
    CourseSkillFactory(course=hidden, skill=pat, level=5)

    held = skills_profile(user=person)
    [entry] = workstream_skill_gaps(user=person, held=held)
    assert entry["workstream"] == cm
    by_skill = {gap.need.skill.name: gap for gap in entry["gaps"]}
    assert by_skill["Flow"].is_met
    assert not by_skill["PAT"].is_met
    assert [course.code for course in by_skill["PAT"].courses] == ["PAT-201"]
    assert by_skill["GMP"].courses == []  # no course builds it: the page says so


def test_the_gaps_cost_the_same_queries_for_one_workstream_or_many():
    person = UserFactory()
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, person=person)

    def add_workstream():
        workstream = WorkstreamFactory()
        WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
        skill = SkillFactory()
        WorkstreamSkillNeed.objects.create(workstream=workstream, skill=skill, level=2)
        CourseSkillFactory(skill=skill, level=3)

    def gaps():  # as a new request would: the person's roles not yet read
        return workstream_skill_gaps(user=User.objects.get(pk=person.pk), held=[])

    add_workstream()
    few = queries_of(gaps)
    for _ in range(6):
        add_workstream()
    assert queries_of(gaps) == few


def test_the_page_shows_the_profile_and_needs_for_the_person_alone(client):
    person = UserFactory()
    course = CourseFactory()
    CourseSkillFactory(course=course, skill=SkillFactory(name="Biocatalysis"), level=3)
    completed(person, course, on=datetime.date(2026, 5, 5))
    client.force_login(person)
    text = client.get(reverse("talent:skills_profile")).content.decode()
    assert "Biocatalysis" in text and "3 of 6" in text
    client.force_login(UserFactory())
    other = client.get(reverse("talent:skills_profile"))
    assert "Biocatalysis" not in other.content.decode()
