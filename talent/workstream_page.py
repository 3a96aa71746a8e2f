"""The talent app's section of a workstream's page (workstreams.page_sections): the skills the
workstream needs, each at its level, with a link to the courses that build it that far."""

from workstreams.page_sections import Section

from .models import WorkstreamSkillNeed


def read(user, workstream) -> dict | None:
    needs = list(WorkstreamSkillNeed.objects.filter(workstream=workstream)
                 .select_related("skill").order_by("skill__category", "skill__name"))
    return {"needs": needs} if needs else None


SECTION = Section(key="talent-skill-needs", template="talent/partials/workstream_skills.html",
                  read=read)
