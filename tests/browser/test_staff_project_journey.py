"""Journey: a member of programme staff creates a project in a workstream with two
participating organisations, plans two milestones, takes it through its lifecycle (proposed,
approved, active), each move through its confirmation page, and posts its first monthly status
update. A person of a participating organisation then reads the project's page (its title,
timeline and rating), on a phone too; a person of a workstream member that does not take part
finds no such project, exactly as for a project that does not exist."""

import pytest

from projects.models import Project
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import activate_totp
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.projects.factories import in_days

pytestmark = pytest.mark.browser

TITLE = "Continuous crystallisation of a small-molecule API"


def person_of(organisation, *, email: str, full_name: str):
    person = UserFactory(email=email, full_name=full_name)
    OrganisationMembershipFactory(organisation=organisation, person=person, role="member")
    return person


def move_through_confirmation(tab, project: Project, link: str, button: str) -> None:
    """A move's link on the project's page opens its confirmation page; confirming it comes
    back to the project's page."""
    tab.page.get_by_role("link", name=f"{link} {project.code}").click()
    tab.page.wait_for_load_state("networkidle")
    tab.check(f"asked before: {link.lower()}")
    tab.page.get_by_role("button", name=button).click()
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.url.endswith(project.get_absolute_url()), tab.page.url


def test_staff_run_a_project_that_its_participants_see_and_others_do_not(visitor):
    programme = ProgrammeFactory(name="Pharma Innovation Programme Singapore",
                                 short_name="PIPS", slug="pips")
    workstream = WorkstreamFactory(programme=programme, name="Continuous Manufacturing",
                                   slug="continuous-manufacturing", code="CM")
    lead, partner, bystander = (OrganisationFactory(name=name) for name in (
        "Institute of Process Sciences", "Straits Pharma", "Marina Biologics"))
    for organisation in (lead, partner, bystander):
        WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
    investigator = person_of(lead, email="chen.yuting@example.org", full_name="Chen Yu Ting")
    partner_person = person_of(partner, email="arun.pillai@example.org",
                               full_name="Arun Pillai")
    bystander_person = person_of(bystander, email="siti.rahman@example.org",
                                 full_name="Siti Rahman")
    staff = UserFactory(role="programme_staff", email="lim.weijie@example.org",
                        full_name="Lim Wei Jie")
    staff_secret = activate_totp(staff)

    # --- Staff create the project: two organisations take part, the lead and a partner -------
    officer = visitor("staff")
    officer.sign_in(staff.email, totp_secret=staff_secret)
    officer.go("/projects/new/", label="new project")
    form = officer.page.locator("main form")
    form.get_by_label("Workstream", exact=True).select_option(value=str(workstream.pk))
    form.get_by_label("Title", exact=True).fill(TITLE)
    form.get_by_label("Summary", exact=True).fill(
        "A pilot of continuous crystallisation with inline particle sizing.")
    form.get_by_label("Objectives (optional)", exact=True).fill(
        "Halve the solvent used per kilogram of product.")
    form.get_by_label("Lead organisation", exact=True).select_option(value=str(lead.pk))
    form.get_by_role("group", name="Other participating organisations").get_by_label(
        "Straits Pharma").check()
    form.get_by_label("Principal investigator's e-mail address").fill(investigator.email)
    form.get_by_label("Starts on", exact=True).fill(in_days(-40).isoformat())
    form.get_by_label("Ends on", exact=True).fill(in_days(700).isoformat())
    form.get_by_role("group", name="Visibility").get_by_label(
        "Project participants only").check()
    officer.check("the new project filled in")
    officer.submit()
    project = Project.objects.get(title=TITLE)
    assert officer.page.url.endswith(project.get_absolute_url()), officer.page.url
    assert project.code.startswith("PIPS-CM-")
    assert project.status == Project.Status.DRAFT
    assert {o.pk for o in project.participants.all()} == {lead.pk, partner.pk}
    officer.check("the draft project")

    # --- Two milestones -------------------------------------------------------------------
    for title, due in (("Crystalliser commissioned", in_days(60)),
                       ("Inline sizing validated", in_days(200))):
        officer.page.get_by_role("link", name="Add a milestone").first.click()
        officer.page.wait_for_load_state("networkidle")
        officer.page.get_by_label("Title", exact=True).fill(title)
        officer.page.get_by_label("Due on", exact=True).fill(due.isoformat())
        officer.check("a milestone filled in")
        officer.submit()
        assert officer.page.url.split("#")[0].endswith(project.get_absolute_url())
    assert list(project.milestones.values_list("title", flat=True)) == [
        "Crystalliser commissioned", "Inline sizing validated"]

    # --- Proposed, approved, active: each move asked first ---------------------------------
    move_through_confirmation(officer, project, "Propose", "Propose it")
    move_through_confirmation(officer, project, "Approve", "Approve it")
    move_through_confirmation(officer, project, "Start", "Start it")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert list(project.transitions.values_list("to_status", flat=True)) == [
        "proposed", "approved", "active"]
    officer.check("the project active")

    # --- The month's status update ---------------------------------------------------------
    officer.page.get_by_role("link", name="Post a status update").click()
    officer.page.wait_for_load_state("networkidle")
    for rating, word in (("Overall", "Green"), ("Schedule", "Amber"), ("Budget", "Green")):
        officer.page.get_by_role("group", name=rating).get_by_label(word).check()
    officer.page.get_by_label("Narrative", exact=True).fill(
        "The crystalliser ran for three weeks; seed quality held.")
    officer.check("a status update filled in")
    officer.submit()
    assert officer.page.url.endswith(project.get_absolute_url()), officer.page.url
    project.refresh_from_db()
    assert project.latest_rag == "green"
    officer.check("the update posted")

    # --- A person of the participating partner sees the project in full -------------------
    participant = visitor("participant")
    participant.sign_in(partner_person.email)
    participant.go(project.get_absolute_url(), label="the project, as a participant")
    main = participant.page.get_by_role("main")
    assert main.get_by_role("heading", name=TITLE, level=1).is_visible()
    timeline = main.get_by_role("region", name="Timeline")
    assert "Crystalliser commissioned" in timeline.inner_text()
    assert "Inline sizing validated" in timeline.inner_text()
    assert "Status update" in timeline.inner_text()
    assert main.locator(".rag-chip").first.inner_text().strip().endswith("Green")
    assert "The crystalliser ran for three weeks" in main.inner_text()
    # On a phone: the same page, its timeline as a list (`check` above found no control cut
    # off at 375 px, and kept the screenshot).
    participant.page.set_viewport_size(PHONE)
    assert main.get_by_role("heading", name=TITLE, level=1).is_visible()
    assert main.locator(".tl-list").is_visible()
    assert "Crystalliser commissioned" in main.locator(".tl-list").inner_text()
    participant.page.set_viewport_size(DESKTOP)

    # --- A member of the workstream that does not take part finds nothing -----------------
    outsider = visitor("another organisation")
    outsider.sign_in(bystander_person.email)
    hidden = outsider.page.goto(project.get_absolute_url())
    outsider.page.wait_for_load_state("networkidle")
    missing = outsider.page.request.get("/projects/PIPS-CM-1999-999/")
    assert hidden.status == missing.status == 404
    assert TITLE not in outsider.page.content()
    outsider.check("no such project")
    # Chromium reports the not-found page itself on its console: it is what is asked for here.
    outsider.problems[:] = [problem for problem in outsider.problems
                            if "status of 404" not in problem]
