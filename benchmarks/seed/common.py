"""What every section of the benchmark dataset shares: its size at a scale, the made-up names it
draws from, and bulk writing."""


import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.storage import private_storage
from partners.models import Organisation
from projects import notification_kinds as project_kinds
from projects.models import (
    Project,
    ProjectCodeSequence,
    Rag,
)
from talent import notification_kinds as talent_kinds
from talent.models import (
    Attendance,
    Certificate,
    Course,
    CourseRun,
    Enrolment,
    LearningPath,
)
from workstreams.models import Programme, Workstream

User = get_user_model()

BATCH = 5_000
EMAIL_DOMAIN = "bench.example.org"
PASSWORD = "bench-password"
PROGRAMME_SHORT_NAME = "PIPS"

WORKSTREAMS = [
    ("CM", "Continuous manufacturing"), ("BC", "Biologics and cell therapy"),
    ("DM", "Digital manufacturing"), ("AQ", "Advanced quality"),
    ("GC", "Green chemistry"), ("DS", "Data sharing platform"),
    ("PA", "Process analytics"), ("SC", "Supply chain resilience"),
    ("QA", "Quality by design"), ("EN", "Engineering and automation"),
]
KINDS = list(Organisation.Kind.values)
FIRST_NAMES = ["Aisha", "Ben", "Chen", "Divya", "Elena", "Farid", "Grace", "Hiro", "Ines",
               "Jun", "Kavya", "Liam", "Mei", "Nur", "Omar", "Priya", "Qing", "Rahul", "Siti",
               "Tom", "Uma", "Wei", "Xin", "Yusuf", "Zara"]
LAST_NAMES = ["Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Koh", "Teo", "Ong", "Kumar",
              "Nair", "Rahman", "Ismail", "Smith", "Muller", "Rossi", "Dubois", "Sato", "Kim"]
WORDS = ["Bioprocess", "Continuous", "Digital", "Cell", "Analytics", "Crystallisation",
         "Purification", "Formulation", "Sterile", "Modular", "Predictive", "Green",
         "Automated", "Single-use", "Real-time", "Scalable"]
NOUNS = ["Platform", "Pilot", "Twin", "Line", "Assay", "Study", "Toolkit", "Process", "Sensor",
         "Workflow", "Model", "Facility"]
NOTIFICATION_KINDS = [talent_kinds.ENROLMENT_CONFIRMED, talent_kinds.ENROLMENT_WAITLISTED,
                      talent_kinds.COURSE_COMPLETED, talent_kinds.CERTIFICATE_ISSUED,
                      project_kinds.PROJECT_TEAM_JOINED]
RAGS = [Rag.GREEN, Rag.AMBER, Rag.RED]
# The one file every deliverable past pending points to (a status that requires a file): a
# dataset to measure lists against need not hold thousands of copies.
SAMPLE_PDF = b"%PDF-1.4\n% A deliverable of the benchmark dataset.\n%%EOF\n"


@dataclass(frozen=True)
class BenchCounts:
    organisations: int
    people: int
    staff: int
    workstreams: int
    projects: int
    milestones: int
    status_updates: int
    courses: int
    runs: int
    enrolments: int
    notifications: int
    join_requests_approved: int
    join_requests_pending: int
    join_requests_declined: int
    join_requests_withdrawn: int
    report_jobs: int


def bench_counts(scale: float) -> BenchCounts:
    """How many of each the dataset holds at `scale` (1 is the issue's programme scale)."""
    def scaled(n: int, least: int = 1) -> int:
        return max(least, round(n * scale))
    people = scaled(20_000, least=10)
    return BenchCounts(
        organisations=scaled(500, least=2), people=people, staff=max(2, people // 1000),
        workstreams=min(10, scaled(10, least=2)), projects=scaled(2_000),
        milestones=scaled(20_000), status_updates=scaled(24_000), courses=scaled(300),
        runs=scaled(3_000), enrolments=scaled(100_000), notifications=scaled(200_000),
        join_requests_approved=scaled(250), join_requests_pending=scaled(40),
        join_requests_declined=scaled(60), join_requests_withdrawn=scaled(40),
        report_jobs=scaled(300),
    )


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` spread over `parts` unevenly (each about half to one and a half of the mean),
    summing exactly to `total`."""
    if parts == 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    for index in rng.sample(range(parts), total - sum(counts)):
        counts[index] += 1
    return counts


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def backdate(model, field: str, rows_and_times) -> None:
    """Sets `field` (an auto_now or auto_now_add time, which bulk_create overwrites with now)
    of each saved row to its own time, one UPDATE per batch."""
    pairs = [(row.pk, at) for row, at in rows_and_times]
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), BATCH):
            batch = pairs[start:start + BATCH]
            values = ", ".join(["(%s::bigint, %s::timestamptz)"] * len(batch))
            cursor.execute(
                f'UPDATE "{table}" SET "{column}" = v.at FROM (VALUES {values}) AS v(id, at) '
                f'WHERE "{table}".id = v.id',
                [value for pair in batch for value in pair])


def write_private_file(name: str, content: bytes) -> str:
    """Writes `content` under `name` in private storage (replacing what is there, so the same
    seed names the same file) and returns the name to store."""
    storage = private_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def reset_portal() -> None:
    """Deletes what seed_bench builds: every organisation, programme, course and project (with
    what hangs from them) and the benchmark's people (and, with them, their notifications)."""
    # The projects' history goes with them (audit events name their target by id only).
    project_type = ContentType.objects.get_for_model(Project)
    AuditEvent.objects.filter(target_type=project_type,
                              target_id__in=Project.objects.values("pk")).delete()
    Certificate.objects.all().delete()
    # One DELETE, rather than one per batch of enrolments as their cascade would issue.
    Attendance.objects.all().delete()
    Enrolment.objects.all().delete()
    LearningPath.objects.all().delete()
    CourseRun.objects.all().delete()
    Course.objects.all().delete()
    Project.objects.all().delete()
    ProjectCodeSequence.objects.all().delete()
    Workstream.objects.update(parent=None)
    Workstream.objects.all().delete()
    Programme.objects.all().delete()
    Organisation.objects.all().delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
