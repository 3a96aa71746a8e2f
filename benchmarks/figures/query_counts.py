"""Figure 2: the database queries one request costs, for every list: each API list at 10 and at
100 rows, each paginated page full and holding fewer rows. A list that asks once more per row
shows up here as a count that grows with the rows.

Goal: equal. Measured in-process (the test client, counting the queries of each request), as
the person who sees most rows: a programme admin, or for a personal list the person with the
most of it. Each request is made once before it is counted, so a cache filled on first use is
not taken for a query per row.

A list the dataset holds too few rows of to show a difference (no more rows on the big side
than on the small) is reported without a verdict, saying so, rather than passed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import NoReverseMatch, get_resolver, reverse

from benchmarks.harness import Figure
from cluster_portal.accounts.models import User
from cluster_portal.notifications.models import Notification
from partners.models import Organisation, OrganisationMembership
from projects.models import Project, StatusUpdate
from talent.models import Course, CourseRun, Enrolment
from workstreams.models import Workstream, WorkstreamMembership

API_SECTION = "Queries per request, API lists (10 rows and 100 rows)"
PAGES_SECTION = "Queries per request, list pages (a full page and a shorter one)"
SMALL, BIG = 10, 100
LAST_PAGE = "9999"  # past the end: the paginator answers with the last page


# --- the dataset's objects with the most rows ------------------------------------------------

def _busiest(model, field: str, *, fewest: bool = False, **filters):
    """The id of the `field` value with the most `model` rows (or the fewest, but one at
    least), or None when there are none."""
    return (model.objects.filter(**{f"{field}__isnull": False}, **filters).values(field)
            .annotate(rows=Count("pk")).order_by("rows" if fewest else "-rows", field)
            .values_list(field, flat=True).first())


def _organisation_with_most_people() -> Organisation:
    return Organisation.objects.get(pk=_busiest(OrganisationMembership, "organisation"))


def _organisation_with_most_training() -> Organisation:
    return Organisation.objects.get(pk=_busiest(Enrolment, "sponsor"))


def _workstream_with_most_members() -> Workstream:
    return Workstream.objects.get(
        pk=_busiest(WorkstreamMembership, "workstream", until__isnull=True))


def _project_with_most_updates() -> Project:
    return Project.objects.get(pk=_busiest(StatusUpdate, "project"))


def _course_with_most_runs() -> Course:
    return Course.objects.get(pk=_busiest(CourseRun, "course"))


def _organisation_with_fewest_people() -> Organisation:
    return Organisation.objects.get(
        pk=_busiest(OrganisationMembership, "organisation", fewest=True))


def _run_url(*, fewest: bool = False) -> str:
    """The run with the most enrolments, or the one with the fewest in exactly the same states:
    the same sections of its roster are filled (an empty section asks nothing), fewer rows."""
    busiest = _busiest(Enrolment, "run")
    if fewest:
        states = set(Enrolment.objects.filter(run=busiest).values_list("status", flat=True))
        busiest = (CourseRun.objects.annotate(
            rows=Count("enrolments"),
            states=Count("enrolments__status", distinct=True,
                         filter=Q(enrolments__status__in=states)),
            others=Count("enrolments", filter=~Q(enrolments__status__in=states)),
        ).filter(states=len(states), others=0).order_by("rows", "pk").values_list(
            "pk", flat=True).first())
    return reverse("talent:manage_run", kwargs={"pk": busiest})


def _person_with_most_notifications() -> User:
    return User.objects.get(pk=_busiest(Notification, "recipient"))


def _person_with_fewest_notifications() -> User:
    return User.objects.get(pk=_busiest(Notification, "recipient", fewest=True))


# --- counting --------------------------------------------------------------------------------

@dataclass
class Asked:
    status: int
    queries: int
    rows: int                      # rows the answer lists
    shown: dict[str, str]          # per paginator (pages) or "results" (API): "rows/of total"


def _asked(client: Client, url: str, rows_of: Callable) -> Asked:
    client.get(url)  # once uncounted: caches filled on first use are not per-row queries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows, shown = rows_of(response) if response.status_code == 200 else (0, {})
    return Asked(response.status_code, len(queries), rows, shown)


def _verdict(big: Asked, small: Asked) -> tuple[bool | None, str]:
    if big.status != 200 or small.status != 200:
        return False, f"answered {big.status} and {small.status}, not 200"
    if big.rows <= small.rows:
        return None, (f"not compared: the dataset gives {big.rows} rows on the big side and "
                      f"{small.rows} on the small one")
    if big.queries != small.queries:
        return False, (f"{big.queries - small.queries} more queries for "
                       f"{big.rows - small.rows} more rows: the count grows with the rows")
    return True, ""


def _figure(run, *, section: str, name: str, big: Asked, small: Asked, asker: str,
            reference_name: str, **detail) -> None:
    met, note = _verdict(big, small)
    run.results.add(Figure(
        section=section, name=name, value=big.queries, unit="queries",
        reference=small.queries, reference_name=reference_name,
        ratio=big.queries / small.queries if small.queries else None, goal="equal", met=met,
        detail={"asker": asker, "rows": big.rows, "reference_rows": small.rows,
                "shown": big.shown, "reference_shown": small.shown,
                "status": big.status, "reference_status": small.status,
                **({"note": note} if note else {}), **detail}))


# --- the API ---------------------------------------------------------------------------------

# Lists under an object of the dataset (a URL kwarg) name the object with many rows here; a new
# one is reported as missed until it is given one.
API_OBJECTS: dict[str, Callable[[], dict]] = {}
# Personal lists are asked by the person with the most rows of them; the rest by the admin.
API_ASKERS: dict[str, Callable[[], User]] = {
    "notifications-list": _person_with_most_notifications,
}


def api_list_names() -> list[str]:
    """Every `*-list` URL name of the API, from the resolver, so a new list is measured too."""
    _, api = get_resolver().namespace_dict["api"]
    return sorted(name for name in api.reverse_dict if isinstance(name, str)
                  and name.endswith("-list"))


def _api_rows(response) -> tuple[int, dict]:
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    total = body.get("count", len(results)) if isinstance(body, dict) else len(results)
    return len(results), {"results": f"{len(results)}/{total}"}


def _api_url(name: str) -> str | None:
    try:
        return reverse(f"api:{name}", kwargs=API_OBJECTS[name]() if name in API_OBJECTS else {})
    except NoReverseMatch:
        return None


def _measure_api_list(run, url: str, client: Client, asker: str) -> None:
    big = _asked(client, f"{url}?page_size={BIG}", _api_rows)
    # A list of ten rows or fewer (the workstreams) is compared with its first row alone.
    small_size = SMALL if big.rows > SMALL else 1
    small = _asked(client, f"{url}?page_size={small_size}", _api_rows)
    _figure(run, section=API_SECTION, name=f"{url} ({asker})", big=big, small=small,
            asker=asker, reference_name=f"at {small_size} row{'s' if small_size > 1 else ''}")


def _is_public(url: str) -> bool:
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # the refusals asked on purpose are not warnings
    try:
        return Client().get(f"{url}?page_size={SMALL}").status_code == 200
    finally:
        request_log.setLevel(level)


def measure_api(run) -> None:
    for name in api_list_names():
        url = _api_url(name)
        if url is None:
            run.results.add(Figure(
                section=API_SECTION, name=f"api:{name}", value=0, unit="queries",
                goal="equal", met=False,
                detail={"note": "its URL takes an object: name one in API_OBJECTS"}))
            continue
        if name in API_ASKERS:
            person, asker = API_ASKERS[name](), "the person with the most rows"
        else:
            person, asker = run.people.admin, "admin"
        _measure_api_list(run, url, _client_of(person), asker)
        if _is_public(url):
            _measure_api_list(run, url, Client(), "visitor")


def _client_of(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


# --- the pages -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListPage:
    """A page that paginates, at an object of the dataset with many rows. `fewer` is the query
    that shows fewer rows than the full first page: by default each paginator's last page; a
    search where the last page happens to be full too. Where the dataset fills one page at most,
    the same page of an object with fewer rows (`fewer_url`, asked by `fewer_asker`) stands in."""

    name: str
    url: Callable[[], str]
    fewer: str = ""
    asker: Callable[[], User] | None = None  # None: the admin
    fewer_url: Callable[[], str] | None = None
    fewer_asker: Callable[[], User] | None = None


def _slug_url(name: str, obj: Callable) -> Callable[[], str]:
    return lambda: reverse(name, kwargs={"slug": obj().slug})


LIST_PAGES = [
    ListPage("organisation directory", lambda: reverse("partners:directory"), fewer="q=019"),
    ListPage("organisations awaiting approval", lambda: reverse("partners:approvals")),
    ListPage("renewals", lambda: reverse("partners:renewals")),
    ListPage("an organisation's people",
             _slug_url("partners:people", _organisation_with_most_people),
             fewer_url=_slug_url("partners:people", _organisation_with_fewest_people)),
    ListPage("an organisation's agreements",
             _slug_url("partners:agreements", _organisation_with_most_people)),
    ListPage("an organisation's membership requests",
             _slug_url("partners:membership", _organisation_with_most_people)),
    ListPage("an organisation's workstream requests",
             _slug_url("organisation_workstreams", _organisation_with_most_people)),
    ListPage("an organisation's training record",
             _slug_url("organisation_training", _organisation_with_most_training)),
    ListPage("a workstream's member organisations",
             _slug_url("workstreams:detail", _workstream_with_most_members)),
    ListPage("a workstream's members' area",
             _slug_url("workstreams:members", _workstream_with_most_members)),
    ListPage("join request queue", lambda: reverse("workstreams:queue")),
    ListPage("project portfolio", lambda: reverse("projects:list"), fewer="q=199"),
    ListPage("a project's history", lambda: reverse(
        "projects:history", kwargs={"code": _project_with_most_updates().code})),
    ListPage("a project's contributions", lambda: reverse(
        "projects:contributions", kwargs={"code": _project_with_most_updates().code})),
    ListPage("contribution totals", lambda: reverse("projects:contribution_totals")),
    ListPage("course catalogue", lambda: reverse("talent:catalogue"), fewer="q=BCM-11"),
    ListPage("courses (staff)", lambda: reverse("talent:manage_courses"), fewer="q=BCM-11"),
    ListPage("a course's runs (staff)",
             _slug_url("talent:manage_course", _course_with_most_runs)),
    ListPage("a run's roster (staff)", _run_url,
             fewer_url=lambda: _run_url(fewest=True)),
    ListPage("notifications", lambda: reverse("notifications:list"),
             asker=_person_with_most_notifications,
             fewer_url=lambda: reverse("notifications:list"),
             fewer_asker=_person_with_fewest_notifications),
    ListPage("reports", lambda: reverse("reports:list")),
]


def _pages_in(value, found: dict) -> None:
    if isinstance(value, Page):
        found[id(value)] = value
    elif isinstance(value, (list, tuple)):
        for item in value:
            _pages_in(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _pages_in(item, found)


def _paginators(response) -> list[Page]:
    """The pages a response's templates were given (the roster's sit in a list of sections)."""
    contexts = response.context if isinstance(response.context, list) else [response.context]
    found: dict[int, Page] = {}
    for context in contexts:
        if context is not None:
            _pages_in(context.flatten(), found)
    return list(found.values())


def _page_rows(response) -> tuple[int, dict]:
    pages = _paginators(response)
    return (sum(len(page.object_list) for page in pages),
            {getattr(page, "parameter", "page"): f"{len(page.object_list)}/{page.paginator.count}"
             for page in pages})


def _measure_page(run, page: ListPage) -> None:
    client = _client_of(page.asker() if page.asker else run.people.admin)
    url = page.url()
    full = _asked(client, url, _page_rows)
    if page.fewer_url:
        fewer_url = page.fewer_url()
        if page.fewer_asker:
            client = _client_of(page.fewer_asker())
        shorter = _asked(client, fewer_url, _page_rows)
        reference_name = (f"{fewer_url}, the one with the fewest rows" if fewer_url != url
                          else "asked by the person with the fewest rows")
    else:
        fewer = page.fewer or "&".join(f"{parameter}={LAST_PAGE}" for parameter in full.shown)
        shorter = _asked(client, f"{url}?{fewer}", _page_rows)
        reference_name = f"with ?{fewer}"
    _figure(run, section=PAGES_SECTION, name=f"{url} ({page.name})", big=full, small=shorter,
            asker="the person with the most rows" if page.asker else "admin",
            reference_name=reference_name)


# This process has no collected static files (gunicorn's are in a directory of its own): the
# pages name theirs without the manifest, which asks the database nothing either way.
UNCOLLECTED_STATIC = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def measure(run) -> None:
    # The test environment's instrumented rendering gives each response its template context,
    # where the pages' Page objects say how many rows each page showed.
    setup_test_environment()
    try:
        with override_settings(STORAGES=UNCOLLECTED_STATIC):
            measure_api(run)
            for page in LIST_PAGES:
                _measure_page(run, page)
    finally:
        teardown_test_environment()
