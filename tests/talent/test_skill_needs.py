"""What each workstream needs: set by programme staff (audited), shown on the workstream's page
with a link to the courses that build each skill far enough."""

import pytest
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from talent.models import WorkstreamSkillNeed
from talent.services import workstream_skill_need_remove, workstream_skill_need_set
from tests.factories import UserFactory, WorkstreamFactory
from tests.support.queries import queries_of_get
from tests.support.races import staff_with_mfa
from tests.talent.factories import SkillFactory

pytestmark = pytest.mark.django_db


def test_staff_set_change_and_remove_what_a_workstream_needs_and_each_step_is_audited():
    staff, workstream, skill = staff_with_mfa(), WorkstreamFactory(), SkillFactory()
    need = workstream_skill_need_set(actor=staff, workstream=workstream, skill=skill, level=3)
    workstream_skill_need_set(actor=staff, workstream=workstream, skill=skill, level=3)  # same
    workstream_skill_need_set(actor=staff, workstream=workstream, skill=skill, level=4)
    need.refresh_from_db()
    assert need.level == 4
    workstream_skill_need_remove(actor=staff, need=need)
    assert not WorkstreamSkillNeed.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="workstream_skill_need")
                .order_by("pk").values_list("action", flat=True)) == [
        "workstream_skill_need.set", "workstream_skill_need.set",
        "workstream_skill_need.remove"]


def test_only_staff_set_needs_and_a_level_is_one_to_six():
    workstream, skill = WorkstreamFactory(), SkillFactory()
    with pytest.raises(NotAllowed):
        workstream_skill_need_set(actor=UserFactory(), workstream=workstream, skill=skill,
                                  level=2)
    with pytest.raises(ApplicationError):
        workstream_skill_need_set(actor=staff_with_mfa(), workstream=workstream, skill=skill,
                                  level=7)


def test_the_workstream_page_lists_its_needs_with_links_to_courses(client):
    workstream = WorkstreamFactory(status="active")
    WorkstreamSkillNeed.objects.create(workstream=workstream,
                                       skill=SkillFactory(code="pat", name="PAT"), level=3)
    text = client.get(workstream.get_absolute_url()).content.decode()
    assert "Skills this workstream needs" in text
    assert "PAT, level 3" in text
    assert f'{reverse("talent:catalogue")}?skill=pat&amp;level=3' in text


def test_a_workstream_without_needs_shows_no_such_section_and_needs_cost_no_more_queries(
        client):
    workstream = WorkstreamFactory(status="active")
    assert "Skills this" not in client.get(workstream.get_absolute_url()).content.decode()
    WorkstreamSkillNeed.objects.create(workstream=workstream, skill=SkillFactory(), level=2)
    few = queries_of_get(client, workstream.get_absolute_url())
    for _ in range(5):
        WorkstreamSkillNeed.objects.create(workstream=workstream, skill=SkillFactory(), level=2)
    assert queries_of_get(client, workstream.get_absolute_url()) == few


def test_the_staff_page_sets_a_need_and_removes_it_after_asking(client):
    client.force_login(staff_with_mfa())
    workstream, skill = WorkstreamFactory(status="active"), SkillFactory(name="Biocatalysis")
    address = reverse("talent:manage_skill_needs")
    done = client.post(address, {"workstream": workstream.pk, "skill": skill.pk, "level": "5"},
                       follow=True)
    assert "needs Biocatalysis at level 5" in done.content.decode()
    need = WorkstreamSkillNeed.objects.get()
    remove = reverse("talent:manage_skill_need_remove", args=[need.pk])
    assert "Remove Biocatalysis from what" in client.get(remove).content.decode()
    client.post(remove)
    assert not WorkstreamSkillNeed.objects.exists()


def test_staff_add_a_skill_the_framework_lacks_once(client):
    from talent.models import Skill

    client.force_login(staff_with_mfa())
    address = reverse("talent:manage_skill_create")
    done = client.post(address, {"name": "  Aseptic   processing ", "category": "quality"},
                       follow=True)
    assert "Aseptic processing is in the skills framework" in done.content.decode()
    skill = Skill.objects.get(code="aseptic-processing")
    assert (skill.name, skill.category) == ("Aseptic processing", "quality")
    assert AuditEvent.objects.filter(action="skill.create", target_id=skill.pk).exists()
    again = client.post(address, {"name": "aseptic processing", "category": "quality"},
                        follow=True)
    assert "has this skill already" in again.content.decode()
    assert Skill.objects.filter(code="aseptic-processing").count() == 1


def test_a_trainee_cannot_add_a_skill(client):
    client.force_login(UserFactory())
    response = client.post(reverse("talent:manage_skill_create"),
                           {"name": "Anything", "category": "quality"})
    assert response.status_code == 403
