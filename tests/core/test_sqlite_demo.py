"""`make run`'s SQLite takes several people writing at once, as PostgreSQL does: three
simultaneous "Ask to join" posts once answered one of them with a 500 "database is locked"."""

import json
import subprocess
import sys

from tests.support.processes import ROOT, child_env


def run_on_sqlite(script: str, tmp_path, *, timeout: int) -> dict:
    """`script` run in a process of its own on a fresh SQLite database, as `make run` has it
    (local settings, no Redis); the JSON its last line prints."""
    env = child_env(DJANGO_SETTINGS_MODULE="cluster_portal.settings.local",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", REDIS_URL="",
                    MEDIA_ROOT=tmp_path / "media", PRIVATE_MEDIA_ROOT=tmp_path / "private")
    finished = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])

# Each thread reads, then writes, in one transaction: the pattern of a service that checks
# before it changes something. On SQLite's default (deferred) transactions a second writer
# fails at once with "database is locked" instead of waiting.
WRITERS = """
import json, threading, time
import django
django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE seat (id integer PRIMARY KEY, seen integer)")
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
errors = []
start = threading.Barrier(6)

def write():
    try:
        start.wait()
        for _ in range(15):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM seat")
                seen = cursor.fetchone()[0]
                time.sleep(0.002)
                cursor.execute("INSERT INTO seat (seen) VALUES (%s)", [seen])
    except Exception as error:
        errors.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=write) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*), count(DISTINCT seen) FROM seat")
    rows, distinct = cursor.fetchone()
print(json.dumps({"errors": errors, "rows": rows, "distinct": distinct, "journal": journal}))
"""


def test_the_demo_database_serialises_concurrent_writers_instead_of_failing(tmp_path):
    result = run_on_sqlite(WRITERS, tmp_path, timeout=120)

    assert result["errors"] == []
    assert result["journal"] == "wal"
    assert result["rows"] == 90
    # Each writer saw every row written before it: the writes happened one after another.
    assert result["distinct"] == 90


SEED_TWICE = """
import json
import django
django.setup()
from io import StringIO
from django.core.management import call_command
from projects.models import Deliverable, Project, StatusUpdate

call_command("migrate", verbosity=0, interactive=False)
counts = []
for _ in range(2):
    call_command("seed_demo", stdout=StringIO())
    counts.append([Project.objects.count(), Deliverable.objects.count(),
                   StatusUpdate.objects.count()])
states = sorted(set(Project.objects.values_list("status", flat=True)))
print(json.dumps({"counts": counts, "states": states}))
"""


def test_make_runs_sqlite_takes_the_demo_twice_with_its_projects(tmp_path):
    """`make run` seeds a fresh SQLite database: the projects' locks and counters work there
    too, and a second seed adds nothing."""
    result = run_on_sqlite(SEED_TWICE, tmp_path, timeout=300)

    first, second = result["counts"]
    assert first == second and first[0] == 10
    assert result["states"] == sorted(["draft", "proposed", "approved", "active", "on_hold",
                                       "completed", "cancelled"])


NESTED_LISTS = """
import json
import django
django.setup()
from io import StringIO
from django.core.management import call_command
from django.test import Client
from partners.api.serializers import OrganisationPublicSerializer
from partners.selectors import organisation_directory
from talent.api.serializers import CourseSerializer
from talent.selectors import course_list_public
from django.contrib.auth.models import AnonymousUser

call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", stdout=StringIO())
client = Client(HTTP_HOST="127.0.0.1")
organisations = client.get("/api/v1/organisations/?page_size=100").json()["results"]
courses = client.get("/api/v1/courses/?page_size=100").json()["results"]
expected_workstreams = {
    organisation.slug: json.loads(json.dumps(OrganisationPublicSerializer(
        organisation, context={"request": None}).data["workstreams"]))
    for organisation in organisation_directory(user=AnonymousUser())}
expected_courses = {course.slug: CourseSerializer(course).data
                    for course in course_list_public().prefetch_related("prerequisites")}
print(json.dumps({
    "organisations": [[o["slug"], o["workstreams"], expected_workstreams[o["slug"]]]
                      for o in organisations],
    "courses": [[c["slug"], [c["skills"], c["workstreams"], c["prerequisites"]],
                 json.loads(json.dumps([expected_courses[c["slug"]][name] for name in
                                        ("skills", "workstreams", "prerequisites")]))]
                for c in courses],
}))
"""


def test_make_runs_sqlite_reads_the_api_lists_nested_rows_as_the_serializers_do(tmp_path):
    """The hot API lists read their nested rows in the page's query, written for SQLite as for
    PostgreSQL (core.nested_rows): `make run`'s lists answer what the serializers would."""
    result = run_on_sqlite(NESTED_LISTS, tmp_path, timeout=300)

    assert any(len(listed) > 1 for _slug, listed, _expected in result["organisations"])
    for slug, listed, expected in result["organisations"]:
        assert listed == expected, slug
    assert any(listed[0] for _slug, listed, _expected in result["courses"])  # skills taught
    for slug, listed, expected in result["courses"]:
        assert listed == expected, slug
