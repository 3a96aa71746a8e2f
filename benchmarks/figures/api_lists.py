"""Figure 1: the hot API lists at 100 rows a page against the database's own speed for the same
answer (benchmarks/reference.py), over HTTP under the same load, taking turns.

Goal: each list within 2.5× of its reference, in requests a second (the cost of a request) and
in median latency. The last page of the enrolments is timed beside their first, for the record.
"""


from benchmarks.harness import Figure, loads_in_turns, median

GOAL = 2.5
ROUNDS, SECONDS, CONNECTIONS = 5, 4, 4

# Each list, and who asks: visitors for the public ones, a programme admin for the others (who
# sees every row).
LISTS = {
    "organisations": None,
    "courses": None,
    "projects": "admin",
    "enrolments": "admin",
}


def measure(run) -> None:
    for name, asker in LISTS.items():
        cookie = run.cookie(getattr(run.people, asker)) if asker else ""
        portal = f"{run.base_url}/api/v1/{name}/?page_size=100"
        reference = f"{run.base_url}/bench/reference/{name}/"
        taken = loads_in_turns({"portal": portal, "reference": reference}, cookie=cookie,
                               connections=CONNECTIONS, seconds=SECONDS, rounds=ROUNDS)
        failures = sum(load.failures for loads in taken.values() for load in loads)
        rps = {side: median(load.requests_per_second for load in loads)
               for side, loads in taken.items()}
        p50 = {side: median(load.p50_ms for load in loads) for side, loads in taken.items()}
        p95 = {side: median(load.p95_ms for load in loads) for side, loads in taken.items()}
        detail = {"connections": CONNECTIONS, "rounds": ROUNDS, "seconds": SECONDS,
                  "failures": failures, "asker": asker or "visitor",
                  "p95_ms": p95["portal"], "reference_p95_ms": p95["reference"]}
        ratio = rps["reference"] / rps["portal"]
        run.results.add(Figure(
            section="API lists, 100 rows a page", name=f"/api/v1/{name}/ requests/s",
            value=rps["portal"], unit="req/s", reference=rps["reference"],
            reference_name="one SQL query to JSON", ratio=ratio, goal=f"≤ {GOAL}×",
            met=ratio <= GOAL and failures == 0, detail=detail))
        latency_ratio = p50["portal"] / p50["reference"]
        run.results.add(Figure(
            section="API lists, 100 rows a page", name=f"/api/v1/{name}/ p50 latency",
            value=p50["portal"], unit="ms", reference=p50["reference"],
            reference_name="one SQL query to JSON", ratio=latency_ratio, goal=f"≤ {GOAL}×",
            met=latency_ratio <= GOAL and failures == 0, detail=detail))
    _later_page(run)


# The last page of the enrolments at scale 1 (100,000 rows, 100 a page), beside the first.
LATER_PAGE = 1000


def _later_page(run) -> None:
    """How much a page far down the longest list costs beside its first (no goal: recorded so
    a later run shows whether deep pages stay within a few times the first)."""
    cookie = run.cookie(run.people.admin)
    first = f"{run.base_url}/api/v1/enrolments/?page_size=100"
    later = f"{first}&page={LATER_PAGE}"
    taken = loads_in_turns({"later": later, "first": first}, cookie=cookie,
                           connections=CONNECTIONS, seconds=SECONDS, rounds=3)
    p50 = {side: median(load.p50_ms for load in loads) for side, loads in taken.items()}
    failures = sum(load.failures for loads in taken.values() for load in loads)
    run.results.add(Figure(
        section="API lists, 100 rows a page",
        name=f"/api/v1/enrolments/ page {LATER_PAGE} p50 latency", value=p50["later"],
        unit="ms", reference=p50["first"], reference_name="its first page",
        ratio=p50["later"] / p50["first"],
        detail={"failures": failures, "connections": CONNECTIONS, "rounds": 3,
                "seconds": SECONDS}))
