"""The projects list's rows, built from `.values()` rather than model instances and
`ProjectSerializer` (a page of a hundred projects, each with nested references, costs a
serializer call per field otherwise). Each row is what `ProjectSerializer` presents for the
project at the caller's access level (`with_access_level`, computed in the query), field for
field; a test compares the two at every level."""

from django.db.models import QuerySet

from cluster_portal.core.api.rows import PagedValues, api_date
from cluster_portal.core.nested_rows import nested_rows_of

from ..permissions import Access
from ..selectors import participant_rows
from .serializers import ACCESS_WORDS, ProjectSerializer

# What a row reads: the project's own columns, its references' and the selector's annotations
# (`access_level`, the overdue counts).
PROJECT_VALUES = (
    "pk", "code", "title", "summary", "workstream__slug", "workstream__name",
    "lead_organisation__slug", "lead_organisation__name", "status", "starts_on", "ends_on",
    "trl_start", "trl_current", "trl_target", "access_level", "principal_investigator_id",
    "principal_investigator__full_name", "latest_rag", "latest_update_on",
    "overdue_milestones", "overdue_deliverables", "visibility",
)

# The fields each level shows, in the serializer's order: from its `LEVELS`, never a copy.
FIELDS_SHOWN = {
    level: tuple(name for name in ProjectSerializer.Meta.fields
                 if ProjectSerializer.shows(name, level))
    for level in ACCESS_WORDS
}


def project_values(projects: QuerySet) -> PagedValues:
    """The projects (a selector's queryset, with `with_access_level`) as the values a row
    reads, to paginate, with their participants read in the same query; the selector's
    prefetch is left out. A row shows its participants only at a level that shows them
    (FIELDS_SHOWN), as every other field."""
    return PagedValues(projects.prefetch_related(None), *PROJECT_VALUES,
                       participant_rows=participant_rows())


def _principal_investigator(row: dict) -> dict | None:
    if row["principal_investigator_id"] is None:
        return None
    return {"id": row["principal_investigator_id"],
            "full_name": row["principal_investigator__full_name"]}


def project_rows(rows: list[dict]) -> list[dict]:
    """The page's rows (from `project_values`) as `ProjectSerializer` presents them."""
    presented = []
    for row in rows:
        level = Access(row["access_level"])
        whole = {
            "code": row["code"], "title": row["title"], "summary": row["summary"],
            "workstream": {"slug": row["workstream__slug"], "name": row["workstream__name"]},
            "lead_organisation": {"slug": row["lead_organisation__slug"],
                                  "name": row["lead_organisation__name"]},
            "status": row["status"], "starts_on": api_date(row["starts_on"]),
            "ends_on": api_date(row["ends_on"]), "trl_start": row["trl_start"],
            "trl_current": row["trl_current"], "trl_target": row["trl_target"],
            "access": ACCESS_WORDS[level],
            "participants": nested_rows_of(row["participant_rows"]),
            "principal_investigator": _principal_investigator(row),
            "latest_rag": row["latest_rag"], "latest_update_on": api_date(row["latest_update_on"]),
            "overdue_milestones": row["overdue_milestones"],
            "overdue_deliverables": row["overdue_deliverables"],
            "visibility": row["visibility"],
        }
        # Full access shows every field, in the serializer's order, as `whole` has them.
        presented.append(whole if level == Access.FULL
                         else {name: whole[name] for name in FIELDS_SHOWN[level]})
    return presented
