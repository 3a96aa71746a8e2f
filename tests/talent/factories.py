"""factory_boy factories of the talent app: courses, runs open for enrolment, sessions, skills."""

import datetime

import factory
from django.utils import timezone

from talent.models import Course, CourseRun, CourseSkill, Session, Skill


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")
    category = Skill.Category.PROCESS


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CRS-{n:03d}")
    slug = factory.LazyAttribute(lambda course: course.code.lower())
    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "What the course teaches, in a line."
    hours = 14
    fee = 0


class CourseSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseSkill

    course = factory.SubFactory(CourseFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class CourseRunFactory(factory.django.DjangoModelFactory):
    """A run a month away whose enrolment is open now."""

    class Meta:
        model = CourseRun

    course = factory.SubFactory(CourseFactory)
    starts_on = factory.LazyFunction(lambda: in_days(30))
    ends_on = factory.LazyAttribute(lambda run: run.starts_on + datetime.timedelta(days=1))
    venue = "Biopolis, Singapore"
    capacity = 10
    enrolment_opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=7))
    enrolment_closes_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=20))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    run = factory.SubFactory(CourseRunFactory)
    starts_at = factory.LazyAttribute(lambda session: timezone.make_aware(
        datetime.datetime.combine(session.run.starts_on, datetime.time(9))))
    ends_at = factory.LazyAttribute(
        lambda session: session.starts_at + datetime.timedelta(hours=7))
