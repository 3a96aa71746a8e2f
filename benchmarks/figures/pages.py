"""Figure 3: the pages people open most, p95 latency under concurrent load, at scales 1 and 5,
each against /health/ (one query and one cache round trip, no page) measured in the same run.

Goals: each page's p95 under 150 ms at scale 1, and growing by less than 1.5× from scale 1 to
scale 5 (benchmarks.run adds that figure once both scales are measured: `growth_goal` in a
figure's detail asks for it).
"""

import http.client
from urllib.parse import urlsplit

from django.db.models import Count

from benchmarks.harness import Figure, loads_in_turns, median
from projects.models import Project
from talent.models import Course
from workstreams.models import Workstream

SECTION = "Pages people open most, p95 under load"
GOAL_MS = 150
GROWTH_GOAL = 1.5
ROUNDS, SECONDS, CONNECTIONS = 3, 3, 4
REFERENCE = "/health/"


def _busiest_workstream_slug() -> str:
    """The active workstream with the most courses: its catalogue page has the most to show."""
    return (Workstream.objects.filter(status=Workstream.Status.ACTIVE)
            .annotate(course_count=Count("courses")).order_by("-course_count", "pk")
            .values_list("slug", flat=True).first())


def _longest_project_code() -> str:
    """The project with the longest plan and reporting: its page reads the most."""
    return (Project.objects.annotate(rows=Count("milestones", distinct=True)
                                     + Count("status_updates", distinct=True))
            .order_by("-rows", "pk").values_list("code", flat=True).first())


def pages(run) -> list[tuple[str, str, str | None]]:
    """Each page as (name, path, who opens it: one of run.people or None for a visitor)."""
    assert Course.objects.exists(), "the dataset has no courses"
    workstream = _busiest_workstream_slug()
    return [
        ("home", "/", None),
        ("course catalogue, filtered", f"/courses/?workstream={workstream}&upcoming=on"
                                       "&seats_left=on", None),
        ("project portfolio (programme admin)", "/projects/", "admin"),
        ("project portfolio (partner member)", "/projects/", "member"),
        ("a project's page (programme admin)", f"/projects/{_longest_project_code()}/", "admin"),
        ("My learning (busiest trainee)", "/courses/mine/", "trainee"),
        ("dashboard (programme admin)", "/dashboard/", "admin"),
    ]


def _status(url: str, cookie: str) -> int:
    """The page's own answer, redirects not followed: wrk counts a 3xx as a success, and a page
    that sends its asker to sign in answers fast and wrongly."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path,
                           headers={"Cookie": cookie} if cookie else {})
        return connection.getresponse().status
    finally:
        connection.close()


def measure(run) -> None:
    reference = f"{run.base_url}{REFERENCE}"
    for name, path, asker in pages(run):
        cookie = run.cookie(getattr(run.people, asker)) if asker else ""
        page = f"{run.base_url}{path}"
        status = _status(page, cookie)
        taken = loads_in_turns({"page": page, "reference": reference}, cookie=cookie,
                               connections=CONNECTIONS, seconds=SECONDS, rounds=ROUNDS)
        # A round in which not one answer came back within its seconds counts as a failure.
        failures = (sum(load.failures + (load.requests == 0)
                        for loads in taken.values() for load in loads)
                    + (status != 200))
        p95 = {side: median(load.p95_ms for load in loads) for side, loads in taken.items()}
        p50 = {side: median(load.p50_ms for load in loads) for side, loads in taken.items()}
        run.results.add(Figure(
            section=SECTION, name=f"{name} p95", value=p95["page"], unit="ms",
            reference=p95["reference"], reference_name=f"{REFERENCE} p95",
            # A side that answered nothing in time has no latency to compare (its failures say so).
            ratio=p95["page"] / p95["reference"] if p95["reference"] else None,
            goal=f"< {GOAL_MS} ms at scale 1",
            met=(p95["page"] < GOAL_MS if run.scale == 1 else None)
            if not failures and p95["page"] else False,
            detail={"path": path, "asker": asker or "visitor", "connections": CONNECTIONS,
                    "rounds": ROUNDS, "seconds": SECONDS, "failures": failures, "status": status,
                    "p50_ms": p50["page"], "reference_p50_ms": p50["reference"],
                    "requests": sum(load.requests for load in taken["page"]),
                    "growth_goal": GROWTH_GOAL}))
