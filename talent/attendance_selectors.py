"""Reads of a run's attendance, for its trainers and programme staff: the run and its sessions,
one session's register, and how much of the run each trainee attended. Each a fixed number of
queries, however many sessions and trainees a run has."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from .models import Attendance, CourseRun, Enrolment, Session
from .permissions import may_manage_courses

# Who is on a register: the confirmed seats, and once the run is completed the outcome of each.
ON_THE_REGISTER = (Enrolment.Status.CONFIRMED, Enrolment.Status.COMPLETED,
                   Enrolment.Status.NO_SHOW)


def _runs_trained_by(user):
    runs = CourseRun.objects.select_related("course")
    if may_manage_courses(user):
        return runs
    if not (user and user.is_authenticated):
        return runs.none()
    return runs.filter(trainers=user)


def course_run_get_for_training(*, user, pk: int) -> CourseRun | None:
    """A run the person trains (any run for programme staff), with its sessions, each with how
    many were marked present and absent."""
    sessions = Session.objects.annotate(
        present=Count("attendance", filter=Q(attendance__present=True)),
        absent=Count("attendance", filter=Q(attendance__present=False)),
    ).order_by("starts_at", "pk")
    return (_runs_trained_by(user).filter(pk=pk)
            .prefetch_related(Prefetch("sessions", queryset=sessions)).first())


def session_get_for_training(*, user, pk: int) -> Session | None:
    return (Session.objects.filter(pk=pk, run__in=_runs_trained_by(user))
            .select_related("run__course").first())


def enrolment_list_for_training(*, user):
    """The enrolments of every run the person trains (of every run, for programme staff): those
    they may name when marking a register, though only the register's own run's are marked."""
    return Enrolment.objects.filter(run__in=_runs_trained_by(user))


def session_of_run(*, run: CourseRun, pk: int) -> Session | None:
    """A session of a run the caller was found to train."""
    return run.sessions.filter(pk=pk).select_related("run__course").first()


def _with_marks(session: Session, enrolments) -> list[Enrolment]:
    """Each enrolment with `mark` at the session: True (present), False (absent) or None (not
    marked yet)."""
    enrolments = list(enrolments.select_related("person").prefetch_related(
        Prefetch("attendance", to_attr="marks",
                 queryset=Attendance.objects.filter(session=session))))
    for enrolment in enrolments:
        enrolment.mark = enrolment.marks[0].present if enrolment.marks else None
    return enrolments


def _on_the_register(session: Session):
    return Enrolment.objects.filter(run_id=session.run_id, status__in=ON_THE_REGISTER)


def session_register(*, session: Session) -> list[Enrolment]:
    """The people on the session's register, by name, each with their `mark`."""
    return _with_marks(session, _on_the_register(session).order_by(
        "person__full_name", "person__email", "pk"))


def register_row(*, session: Session, enrolment_pk: int) -> Enrolment | None:
    """One person of the session's register (its htmx row); None for an enrolment that is not
    on this run's register, as for one that does not exist."""
    rows = _with_marks(session, _on_the_register(session).filter(pk=enrolment_pk))
    return rows[0] if rows else None


def session_counts(*, session: Session) -> dict[str, int]:
    """How many are marked present and absent at the session. One query."""
    counts = Attendance.objects.filter(session=session).aggregate(
        marked_present=Count("pk", filter=Q(present=True)),
        marked_absent=Count("pk", filter=Q(present=False)))
    return {"present": counts["marked_present"], "absent": counts["marked_absent"]}


@dataclass(frozen=True)
class TraineeAttendance:
    enrolment: Enrolment
    attended: int
    sessions: int

    @property
    def percent(self) -> int:
        return self.attended * 100 // self.sessions if self.sessions else 0


def run_attendance_summary(*, run: CourseRun, sessions: int) -> list[TraineeAttendance]:
    """Each person on the run's register with the sessions they attended. One query."""
    enrolments = (Enrolment.objects.filter(run=run, status__in=ON_THE_REGISTER)
                  .select_related("person")
                  .annotate(attended=Count("attendance", filter=Q(
                      attendance__present=True, attendance__session__run=run)))
                  .order_by("person__full_name", "person__email", "pk"))
    return [TraineeAttendance(enrolment=enrolment, attended=enrolment.attended,
                              sessions=sessions) for enrolment in enrolments]
