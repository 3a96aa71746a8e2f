"""May this person do this to that, for training: one function per question."""

from cluster_portal.accounts.permissions import may_act_as_staff

# Who sees an organisation's training record is answered by partners, whose tab list asks it
# too; talent's pages ask it here like every other talent question.
from partners.permissions import may_see_training_record  # noqa: F401
from partners.selectors import user_organisation_roles

from .models import CourseRun, Enrolment


def may_manage_courses(user) -> bool:
    """Create and change courses, runs and sessions; waive prerequisites; complete runs."""
    return may_act_as_staff(user)


def may_enrol(user, person) -> bool:
    """A signed-in person enrols themself; programme staff enrol anyone."""
    if not (user and user.is_authenticated and person and person.is_active):
        return False
    return user.pk == person.pk or may_manage_courses(user)


def may_sponsor(user, organisation) -> bool:
    """A person sends themself on a course on behalf of an approved organisation they act for;
    staff record any sponsorship."""
    if organisation is None:
        return True
    if may_manage_courses(user):
        return True
    return organisation.is_approved and organisation.pk in user_organisation_roles(user)


def may_cancel_enrolment(user, enrolment: Enrolment) -> bool:
    return bool(user and user.is_authenticated) and (
        enrolment.person_id == user.pk or may_manage_courses(user))


def may_answer_offer(user, enrolment: Enrolment) -> bool:
    return bool(user and user.is_authenticated) and enrolment.person_id == user.pk


def may_train(user, run: CourseRun) -> bool:
    """Mark attendance of a run: its trainers and programme staff."""
    if not (user and user.is_authenticated):
        return False
    return may_manage_courses(user) or run.trainers.filter(pk=user.pk).exists()


def may_hold_certificate_copy(user, certificate) -> bool:
    """Download a certificate (its PDF, its Open Badges credential): the person it names and
    programme staff. Anyone may verify one by its serial, which shows far less."""
    if not (user and user.is_authenticated):
        return False
    return certificate.person_id == user.pk or may_manage_courses(user)
