"""The demo's training: the skills framework from its data file, a dozen courses across the
workstreams, runs past and to come, a full run with the trainee on its waitlist, completions."""

import pytest
from django.core.management import call_command

from cluster_portal.accounts.models import User
from cluster_portal.core.actors import SYSTEM
from talent.models import Course, CourseRun, Enrolment, Skill
from talent.services import skills_framework_load
from talent.services.courses import SKILLS_FRAMEWORK

pytestmark = pytest.mark.django_db


def test_the_skills_framework_loads_from_its_file_once_and_keeps_staff_additions():
    lines = SKILLS_FRAMEWORK.read_text(encoding="utf-8").strip().splitlines()
    Skill.objects.create(code="our-own", name="Our own skill", category="science")
    first = skills_framework_load(actor=SYSTEM)
    assert first == {"added": len(lines) - 1, "changed": 0}
    Skill.objects.filter(code="gmp").update(name="Renamed by hand")
    assert skills_framework_load(actor=SYSTEM) == {"added": 0, "changed": 1}
    assert Skill.objects.get(code="gmp").name == "Good manufacturing practice"
    assert Skill.objects.filter(code="our-own").exists()
    assert set(Skill.objects.values_list("category", flat=True)) <= set(Skill.Category.values)


def test_seed_demo_gives_courses_runs_a_waitlist_and_completions_and_runs_twice_alike():
    call_command("seed_demo")
    counts = (Course.objects.count(), CourseRun.objects.count(), Enrolment.objects.count())
    trainee = User.objects.get(email="trainee@example.org")

    assert counts[0] >= 12
    assert Course.objects.filter(workstreams__isnull=False).distinct().count() == counts[0]
    assert Enrolment.objects.filter(person=trainee, status="waitlisted",
                                    waitlist_position=1).exists()
    assert Enrolment.objects.filter(person=trainee, status="completed").exists()
    assert Enrolment.objects.filter(person=trainee, status="confirmed").count() >= 3
    full = CourseRun.objects.get(course__code="PAT-101", status="scheduled")
    assert full.seats_taken == full.capacity

    call_command("seed_demo")
    assert (Course.objects.count(), CourseRun.objects.count(),
            Enrolment.objects.count()) == counts
