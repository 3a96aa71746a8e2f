"""The access table (access_table.py) checked against the running site.

- Every URL pattern of the site has a row, and every row a pattern: the resolver is walked
  recursively (namespaces, allauth, the API router, the admin), so an address added without its
  access rows fails here the day it is written.
- For each of the eight roles, one test builds the world once and sends every case of every row
  as that role, each inside a savepoint rolled back afterwards (so an approval or a revocation
  tried by one row never changes what the next row sees), and collects every mismatch into one
  readable list. Beyond the expected status, redirect or rows, every answer is held to:
  no 5xx ever; an API error is the API's JSON error format; staff without MFA are told why
  (code mfa_required); no answer to a role contains a name, slug, UEN or address that role may
  not see (the world's secrets: in lists, counts, search results, error messages alike);
  and an IDOR case's answer, for every role that may not see the object it names, equals the
  answer for an object that does not exist at all (status, redirect, and the error body word for
  word), so no answer tells "hidden" from "missing".
- The size of the table (patterns x roles, cells checked) is printed at the end of the run.
"""

from __future__ import annotations

import json
import os
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.security import access_table as t

pytestmark = pytest.mark.django_db

# Filled by the sweeps, printed by conftest.py at the end of the run.
SWEEP_STATS: dict[str, dict[str, int]] = {}


# --- The URL configuration --------------------------------------------------------------------


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(key, route) for every pattern: the namespace-qualified name, or the full route of an
    unnamed pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), route
            else:
                yield route, route


def _route_takes_arguments(route: str) -> bool:
    return "<" in route or "(?P<" in route


def test_every_url_pattern_has_a_row():
    patterns = dict(url_patterns())
    without_row = sorted(set(patterns) - set(t.TABLE))
    without_pattern = sorted(set(t.TABLE) - set(patterns))
    unregistered = sorted(model._meta.label_lower for model in admin.site._registry
                          if model._meta.label_lower not in t.ADMIN_MODELS)
    assert not without_row, (
        "URL patterns without access rows (add them to tests/security/access_table.py):\n  "
        + "\n  ".join(f"{name}  ({patterns[name]})" for name in without_row)
        + (f"\nadmin models without an ADMIN_MODELS entry: {unregistered}" if unregistered else ""))
    assert not without_pattern, f"rows for patterns that no longer exist: {without_pattern}"


def test_every_row_answers_for_every_role_and_every_address_with_an_object_tries_a_hidden_one():
    """The table's own shape: each case has an answer for each role; each address naming an
    object (not the admin's: programme admins see everything) tries an object some callers may
    not see, or one that does not exist; an IDOR case names an object of VISIBLE_TO, and never
    expects a success from a role that may not see it."""
    problems = []
    routes = dict(url_patterns())
    for name, row in t.TABLE.items():
        if not row.cases:
            problems.append(f"{name}: no case")
        for case in row.cases:
            if set(case.expect) != set(t.ROLES):
                problems.append(f"{case.title(name)}: answers for {sorted(case.expect)}")
            if case.idor:
                ref = (case.kwargs.get(case.idor) if case.idor in case.kwargs
                       else (case.data or {}).get(case.idor))
                if not isinstance(ref, t.Ref) or ref.label not in t.VISIBLE_TO:
                    problems.append(f"{case.title(name)}: idor names no object of VISIBLE_TO")
                    continue
                for role in set(t.ROLES) - t.VISIBLE_TO[ref.label]:
                    if case.absent is None and _is_success(case.expect[role]):
                        problems.append(f"{case.title(name)}: {role} may not see {ref.label} "
                                        f"but is expected to get {case.expect[role]}")
        if name.startswith("admin") or not _route_takes_arguments(routes.get(name, "")):
            continue
        if not any(case.idor or _names_nothing(case) for case in row.cases):
            problems.append(f"{name}: no case with a hidden or missing object")
    assert not problems, "\n".join(problems)


def _names_nothing(case: t.Case) -> bool:
    return any(value in (t.MISSING_ID, t.MISSING_SLUG) or str(value).startswith("not-a-")
               for value in case.kwargs.values())


def _is_success(expected) -> bool:
    return isinstance(expected, frozenset) or (isinstance(expected, int) and expected < 300)


# --- Sending a case ---------------------------------------------------------------------------


class Sender:
    """Sends cases as one role: a fresh client per request carrying the role's session, so a
    request that signs out (or in) never changes the next one."""

    def __init__(self, world: t.World, role: str):
        self.world, self.role = world, role
        self.cookie = None
        person = world.people[role]
        if person is not None:
            client = Client()
            client.force_login(person)
            self.cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    def client(self) -> Client:
        client = Client(raise_request_exception=False)
        if self.cookie:
            client.cookies = SimpleCookie({settings.SESSION_COOKIE_NAME: self.cookie})
        return client

    def address(self, name: str, case: t.Case, overrides: dict | None = None) -> str:
        kwargs = {key: t.resolved(value, self.world) for key, value in case.kwargs.items()}
        kwargs.update(overrides or {})
        if name.startswith("admin/"):  # an unnamed admin pattern: its route, filled in
            path = "/" + name.replace("<path:object_id>", str(kwargs.get("object_id", "")))
            path = path.replace("(?P<url>.*)$", str(kwargs.get("url", "")))
        else:
            path = reverse(name, kwargs=kwargs)
        query = t.resolved(case.query, self.world)  # may name the world's objects
        return f"{path}?{query}" if query else path

    def payload(self, case: t.Case, overrides: dict | None = None):
        data = t.resolved(case.data, self.world)
        if isinstance(data, dict):
            data = {**data, **(overrides or {})}
        return data

    def send(self, name: str, case: t.Case, *, kwargs: dict | None = None,
             data: dict | None = None):
        path = self.address(name, case, kwargs)
        body = self.payload(case, data)
        options = {"headers": {"HX-Request": "true"}} if case.htmx else {}
        if case.body == "json":
            options.update(data=json.dumps(body if body is not None else {}),
                           content_type="application/json")
        elif body is not None:
            if case.method != "POST":
                options.update(data=urlencode(body, doseq=True),
                               content_type="application/x-www-form-urlencoded")
            else:
                options["data"] = body
        cache.clear()  # rate limits and throttles count per test, not across cases
        response = getattr(self.client(), case.method.lower())(path, **options)
        return path, body, response


# --- Judging an answer ------------------------------------------------------------------------


def _location(response) -> str:
    return response.get("Location", "")


def _view_name(location: str) -> str:
    try:
        return resolve(urlsplit(location).path).view_name
    except Exception:  # a Location outside the site
        return location


def _redirect_matches(world: t.World, expected: t.Redirect, response) -> bool:
    if response.status_code != 302:
        return False
    try:
        match = resolve(urlsplit(_location(response)).path)
    except Exception:  # a Location outside the site is simply no match
        return False
    if match.view_name != expected.name:
        return False
    wanted = {key: str(t.resolved(value, world)) for key, value in expected.kwargs}
    return all(str(match.kwargs.get(key)) == value for key, value in wanted.items())


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False) or not content_type.startswith(
            ("text/", "application/json")):
        return ""
    return response.content.decode(errors="replace")


def _describe(response) -> str:
    where = f" -> {_location(response)}" if _location(response) else ""
    text = _text(response)
    detail = ""
    if response.get("Content-Type", "").startswith("application/json"):
        detail = f" {text[:160]}"
    if getattr(response, "exc_info", None):
        detail += f" ({response.exc_info[0].__name__}: {response.exc_info[1]})"
    return f"{response.status_code}{where}{detail}"


def judge(sender: Sender, name: str, case: t.Case, path: str, body, response) -> list[str]:
    world, role = sender.world, sender.role
    expected = case.expect[role]
    problems = []
    status = response.status_code
    if status >= 500:
        return [f"{status}: a server error ({_describe(response)})"]
    if isinstance(expected, t.Redirect):
        if not _redirect_matches(world, expected, response):
            problems.append(f"expected {expected}, got {_describe(response)}")
    elif isinstance(expected, frozenset):
        if status != 200:
            problems.append(f"expected 200 with rows {sorted(expected)}, got {_describe(response)}")
        else:
            labels, found = case.rows(world, response)
            problems += found
            if labels != expected:
                missing, extra = sorted(expected - labels), sorted(labels - expected)
                problems.append(f"rows differ: missing {missing}, extra {extra}")
    elif status != expected:
        problems.append(f"expected {expected}, got {_describe(response)}")
    if path.startswith("/api/v1/") and status >= 400:
        problems += _api_error_problems(role, path, response)
    if case.check is not None and not problems:
        problems += case.check(world, response, role)
    problems += _secret_problems(world, role, path, body, response,
                                 excused=t.disclosed(world, case, role))
    return problems


def _api_error_problems(role: str, path: str, response) -> list[str]:
    try:
        error = response.json()
    except ValueError:
        return [f"an API error that is not JSON: {_text(response)[:80]!r}"]
    if not (isinstance(error, dict) and {"code", "message", "fields"} <= set(error)):
        return [f"an API error outside the error format: {error}"]
    if (role == "staff_without_mfa" and response.status_code == 403
            and path.startswith("/api/v1/") and error["code"] != "mfa_required"):
        return [f"staff without MFA refused without saying why: {error}"]
    return []


def _secret_problems(world: t.World, role: str, path: str, body, response,
                     excused: set[str] = frozenset()) -> list[str]:
    """Text the role may not see, in the answer, unless the request itself carried it or the
    case says this answer may show it to this role."""
    text = _text(response)
    if not text:
        return []
    asked = path + json.dumps(body, default=str)
    return [f"the answer shows {secret!r}, which {role} may not see"
            for secret, allowed in world.secrets.items()
            if role not in allowed and secret not in asked and secret not in excused
            and secret in text]


def idor_problems(sender: Sender, name: str, case: t.Case, response) -> list[str]:
    """The answer about a hidden object must be the answer about no object at all."""
    if case.idor in case.kwargs:
        ref, where = case.kwargs[case.idor], "kwargs"
    else:
        ref, where = case.data[case.idor], "data"
    if sender.role in t.VISIBLE_TO[ref.label]:
        return []
    value = t.resolved(ref, sender.world)
    missing = case.absent if case.absent is not None else (
        t.MISSING_ID if isinstance(value, int) else t.MISSING_SLUG)
    with transaction.atomic():
        _, _, other = sender.send(name, case, **{where: {case.idor: missing}})
        transaction.set_rollback(True)
    told = [f"tells {ref.label} from a missing one: {_describe(response)} for it, "
            f"{_describe(other)} for {missing}"]
    if response.status_code != other.status_code:
        return told
    if response.status_code in (301, 302):
        # The same page, with the same arguments once the value asked about is swapped (a
        # registration's new address is random, so a created object is compared by its page).
        hidden_to = _location(response).replace(str(value), str(missing))
        if hidden_to != _location(other) and _view_name(hidden_to) != _view_name(
                _location(other)):
            return told
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
            "application/json") and (
            _text(response) != _text(other).replace(str(missing), str(value))):
        return [f"tells {ref.label} from a missing one: {_text(response)[:160]} for it, "
                f"{_text(other)[:160]} for {missing}"]
    return []


# --- The sweeps: one per role -----------------------------------------------------------------


# ACCESS_TABLE_ROWS=projects:,api:projects sweeps only the rows whose names start so (while
# working on one app's rows); the table as a whole is what `make test` checks.
ONLY_ROWS = tuple(prefix for prefix in os.environ.get("ACCESS_TABLE_ROWS", "").split(",")
                  if prefix)


def sweep(role: str) -> tuple[list[str], dict[str, int]]:
    world = t.build_world()
    sender = Sender(world, role)
    problems, stats = [], {"cells": 0, "idor": 0}
    for name, row in t.TABLE.items():
        if ONLY_ROWS and not name.startswith(ONLY_ROWS):
            continue
        for case in row.cases:
            stats["cells"] += 1
            with transaction.atomic():
                path, body, response = sender.send(name, case)
                found = judge(sender, name, case, path, body, response)
                transaction.set_rollback(True)
            if case.idor:
                stats["idor"] += 1
                found += idor_problems(sender, name, case, response)
            problems += [f"{case.title(name)} [{path}]: {problem}" for problem in found]
    return problems, stats


@pytest.mark.parametrize("role", t.ROLES)
def test_every_row_as(role):
    problems, stats = sweep(role)
    SWEEP_STATS[role] = stats
    assert not problems, (f"{len(problems)} answer(s) to {role} differ from the access table:\n"
                          + "\n".join(problems))
