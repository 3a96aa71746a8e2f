"""The database's own speed for the same answer: each hot API list's first page (100 rows, with
its count and nested rows) as one raw SQL query that PostgreSQL turns into JSON itself. The
harness serves these beside the portal, through the same middleware, so that the ratio of the
portal's list to its reference is what the portal's own code costs.

They answer what a programme admin (projects, enrolments) or a visitor (organisations, courses)
sees; they are the benchmark's, never the portal's: no access checks, no filters.
"""

from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

PAGE = 100


def _page(rows_sql: str, count_sql: str, *, path: str, params: dict) -> str:
    """The page as DRF's pagination presents it: count, next, previous, results."""
    return f"""
        WITH page AS ({rows_sql} LIMIT {PAGE})
        SELECT json_build_object(
            'count', ({count_sql}),
            'next', CASE WHEN ({count_sql}) > {PAGE}
                    THEN %(base)s || '{path}?page=2&page_size={PAGE}' END,
            'previous', NULL,
            'results', COALESCE((SELECT json_agg(row_to_json(page)) FROM page), '[]'::json)
        )::text
    """


ORGANISATIONS = """
    SELECT o.slug, o.name, o.kind, o.tier, o.website, o.country, o.description,
           CASE WHEN o.logo = '' THEN NULL
                ELSE %(base)s || '/partners/' || o.slug || '/logo/' END AS logo,
           COALESCE((SELECT json_agg(json_build_object('slug', w.slug, 'name', w.name,
                                                       'role', m.role, 'since', m.since)
                                     ORDER BY w.display_order)
                     FROM workstreams_workstreammembership m
                     JOIN workstreams_workstream w ON w.id = m.workstream_id
                     WHERE m.organisation_id = o.id AND m.until IS NULL), '[]') AS workstreams
    FROM partners_organisation o
    WHERE o.status = 'approved' AND o.is_listed
    ORDER BY o.name
"""
ORGANISATIONS_COUNT = ("SELECT count(*) FROM partners_organisation "
                       "WHERE status = 'approved' AND is_listed")

COURSES = """
    SELECT c.code, c.slug, c.title, c.summary, c.description, p.name AS provider, c.mode,
           c.hours::text AS hours, c.fee::text AS fee, c.certificate_valid_months,
           COALESCE((SELECT json_agg(json_build_object('skill', s.code, 'name', s.name,
                                                       'level', cs.level) ORDER BY cs.id)
                     FROM talent_courseskill cs JOIN talent_skill s ON s.id = cs.skill_id
                     WHERE cs.course_id = c.id), '[]') AS skills,
           COALESCE((SELECT json_agg(w.slug ORDER BY w.id)
                     FROM talent_course_workstreams cw
                     JOIN workstreams_workstream w ON w.id = cw.workstream_id
                     WHERE cw.course_id = c.id), '[]') AS workstreams,
           COALESCE((SELECT json_agg(pre.code ORDER BY pre.id)
                     FROM talent_course_prerequisites cp
                     JOIN talent_course pre ON pre.id = cp.to_course_id
                     WHERE cp.from_course_id = c.id), '[]') AS prerequisites,
           (SELECT min(r.starts_on) FROM talent_courserun r
            WHERE r.course_id = c.id AND r.status = 'scheduled'
              AND r.starts_on >= %(today)s) AS next_run_on,
           (SELECT sum(r.capacity - r.seats_taken) FROM talent_courserun r
            WHERE r.course_id = c.id AND r.status = 'scheduled'
              AND r.starts_on >= %(today)s) AS seats_left
    FROM talent_course c LEFT JOIN partners_organisation p ON p.id = c.provider_id
    WHERE c.is_published
    ORDER BY c.code
"""
COURSES_COUNT = "SELECT count(*) FROM talent_course WHERE is_published"

PROJECTS = """
    SELECT pr.code, pr.title, pr.summary,
           json_build_object('slug', w.slug, 'name', w.name) AS workstream,
           json_build_object('slug', lead.slug, 'name', lead.name) AS lead_organisation,
           pr.status, pr.starts_on, pr.ends_on, pr.trl_start, pr.trl_current, pr.trl_target,
           'full' AS access,
           COALESCE((SELECT json_agg(json_build_object('slug', o.slug, 'name', o.name)
                                     ORDER BY o.name)
                     FROM projects_projectparticipant pp
                     JOIN partners_organisation o ON o.id = pp.organisation_id
                     WHERE pp.project_id = pr.id), '[]') AS participants,
           CASE WHEN pi.id IS NULL THEN NULL
                ELSE json_build_object('id', pi.id, 'full_name', pi.full_name)
           END AS principal_investigator,
           pr.latest_rag, pr.latest_update_on,
           (SELECT count(*) FROM projects_milestone m WHERE m.project_id = pr.id
              AND m.completed_on IS NULL AND m.due_on < %(today)s) AS overdue_milestones,
           (SELECT count(*) FROM projects_deliverable d WHERE d.project_id = pr.id
              AND d.status IN ('pending', 'draft', 'returned')
              AND d.due_on < %(today)s) AS overdue_deliverables,
           pr.visibility
    FROM projects_project pr
    JOIN workstreams_workstream w ON w.id = pr.workstream_id
    JOIN partners_organisation lead ON lead.id = pr.lead_organisation_id
    LEFT JOIN accounts_user pi ON pi.id = pr.principal_investigator_id
    ORDER BY pr.code
"""
PROJECTS_COUNT = "SELECT count(*) FROM projects_project"

ENROLMENTS = """
    SELECT e.id, json_build_object('id', u.id, 'full_name', u.full_name) AS person,
           json_build_object('id', r.id,
                             'course', json_build_object('code', c.code, 'slug', c.slug,
                                                         'title', c.title),
                             'starts_on', r.starts_on, 'ends_on', r.ends_on,
                             'venue', r.venue, 'status', r.status) AS run,
           CASE WHEN sp.id IS NULL THEN NULL
                ELSE json_build_object('slug', sp.slug, 'name', sp.name) END AS sponsor,
           e.status, e.waitlist_position, e.offer_expires_at, e.created_at, e.confirmed_at,
           e.cancelled_at, e.completed_at, e.decision_reason AS cancellation_reason
    FROM talent_enrolment e
    JOIN accounts_user u ON u.id = e.person_id
    JOIN talent_courserun r ON r.id = e.run_id
    JOIN talent_course c ON c.id = r.course_id
    LEFT JOIN partners_organisation sp ON sp.id = e.sponsor_id
    ORDER BY e.created_at DESC, e.id DESC
"""
ENROLMENTS_COUNT = "SELECT count(*) FROM talent_enrolment"

REFERENCES = {
    "organisations": (ORGANISATIONS, ORGANISATIONS_COUNT, "/api/v1/organisations/"),
    "courses": (COURSES, COURSES_COUNT, "/api/v1/courses/"),
    "projects": (PROJECTS, PROJECTS_COUNT, "/api/v1/projects/"),
    "enrolments": (ENROLMENTS, ENROLMENTS_COUNT, "/api/v1/enrolments/"),
}


def reference_list(request, name: str):
    rows_sql, count_sql, path = REFERENCES[name]
    with connection.cursor() as cursor:
        cursor.execute(_page(rows_sql, count_sql, path=path, params={}),
                       {"base": request.build_absolute_uri("/").rstrip("/"),
                        "today": timezone.localdate()})
        body = cursor.fetchone()[0]
    return HttpResponse(body, content_type="application/json")
