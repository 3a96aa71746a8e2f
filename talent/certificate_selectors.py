"""Reads of certificates: a person's own, a completed run's, one to download (its holder and
programme staff), and one to verify by its serial (anyone), with exactly what verification may
show of it: the holder's name and what they earned, never their address or anything else."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import (
    Certificate,
    CertificateBatch,
    CourseRun,
    CourseSkill,
    Enrolment,
    LearningPathStep,
    ProficiencyLevel,
)
from .permissions import may_hold_certificate_copy

VALID, REVOKED, EXPIRED = "valid", "revoked", "expired"


def normalised_serial(text: str) -> str:
    """A serial as typed or read out: any case, with the spaces and dashes of print ignored."""
    return "".join(character for character in (text or "").upper() if character.isalnum())[:24]


def _certificates() -> QuerySet[Certificate]:
    taught = CourseSkill.objects.select_related("skill")
    steps = LearningPathStep.objects.select_related("course").prefetch_related(
        Prefetch("course__skills_taught", queryset=taught)).order_by("order")
    return (Certificate.objects
            .select_related("person", "enrolment__run__course", "learning_path")
            .prefetch_related(Prefetch("enrolment__run__course__skills_taught", queryset=taught),
                              Prefetch("learning_path__steps", queryset=steps)))


def certificate_list_of(*, user) -> QuerySet[Certificate]:
    """The person's own certificates, newest first."""
    if not (user and user.is_authenticated):
        return Certificate.objects.none()
    return _certificates().filter(person=user).order_by("-issued_on", "-pk")


def certificate_get_for_copy(*, user, serial: str) -> Certificate | None:
    """A certificate the person may download (theirs; any, for programme staff)."""
    certificate = _certificates().filter(serial=normalised_serial(serial)).first()
    if certificate is None or not may_hold_certificate_copy(user, certificate):
        return None
    return certificate


def certificate_get_public(*, serial: str) -> Certificate | None:
    return _certificates().filter(serial=normalised_serial(serial)).first()


def run_outcomes(*, run: CourseRun) -> list[Enrolment]:
    """The trainees of a completed run with their outcome and certificate, if issued."""
    return list(Enrolment.objects.filter(
        run=run, status__in=(Enrolment.Status.COMPLETED, Enrolment.Status.NO_SHOW))
        .select_related("person", "certificate")
        .order_by("status", "person__full_name", "person__email", "pk"))


def certificate_batch_latest(*, run: CourseRun) -> CertificateBatch | None:
    return run.certificate_batches.order_by("-created_at", "-pk").first()


def certificate_standing(certificate: Certificate, *, today: datetime.date | None = None) -> str:
    """Revoked, expired (the day after its expiry date), or valid."""
    if certificate.revoked_at is not None:
        return REVOKED
    today = today or timezone.localdate()
    if certificate.expires_on is not None and certificate.expires_on < today:
        return EXPIRED
    return VALID


@dataclass(frozen=True)
class CertifiedSkill:
    code: str
    name: str
    level: int

    @property
    def level_label(self) -> str:
        return ProficiencyLevel(self.level).label


def certificate_skills(certificate: Certificate) -> list[CertifiedSkill]:
    """The skills the certificate attests and the level of each: its course's, or for a
    learning path the highest level its courses build."""
    if certificate.enrolment_id:
        taught = certificate.enrolment.run.course.skills_taught.all()
    else:
        taught = [skill for step in certificate.learning_path.steps.all()
                  for skill in step.course.skills_taught.all()]
    levels: dict[int, CourseSkill] = {}
    for course_skill in taught:
        known = levels.get(course_skill.skill_id)
        if known is None or course_skill.level > known.level:
            levels[course_skill.skill_id] = course_skill
    return sorted((CertifiedSkill(code=taught.skill.code, name=taught.skill.name,
                                  level=taught.level) for taught in levels.values()),
                  key=lambda skill: skill.name)


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone holding the serial may learn of a certificate."""

    serial: str
    standing: str
    holder: str
    title: str
    is_path: bool
    course_code: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    hours: object
    courses: list[str]
    skills: list[CertifiedSkill]
    issued_on: datetime.date
    expires_on: datetime.date | None
    revoked_on: datetime.date | None


def certificate_public(certificate: Certificate, *,
                       today: datetime.date | None = None) -> PublicCertificate:
    revoked_on = (timezone.localtime(certificate.revoked_at).date()
                  if certificate.revoked_at else None)
    common = {"serial": certificate.serial,
              "standing": certificate_standing(certificate, today=today),
              "holder": certificate.person.full_name, "skills": certificate_skills(certificate),
              "issued_on": certificate.issued_on, "expires_on": certificate.expires_on,
              "revoked_on": revoked_on}
    if certificate.enrolment_id:
        run = certificate.enrolment.run
        return PublicCertificate(**common, title=run.course.title, is_path=False,
                                 course_code=run.course.code, starts_on=run.starts_on,
                                 ends_on=run.ends_on, hours=run.course.hours, courses=[])
    steps = certificate.learning_path.steps.all()
    return PublicCertificate(
        **common, title=certificate.learning_path.name, is_path=True, course_code="",
        starts_on=None, ends_on=None, hours=sum(step.course.hours for step in steps),
        courses=[f"{step.course.code} {step.course.title}" for step in steps])
