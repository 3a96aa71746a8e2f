"""Journey: a visitor browses the workstreams and the partner directory, signs up, confirms the
address from the e-mail, registers an organisation; a programme admin approves it; the new
partner admin invites a colleague and asks to join Continuous Manufacturing; staff approve in
the queue; the partner sees the members' area and the notification."""

import datetime
import re

import pytest

from partners.models import Organisation
from partners.services import agreement_record
from tests.conftest import activate_totp
from tests.factories import ProgrammeFactory, UserFactory, WorkstreamFactory
from tests.support.mailserver import text_part
from workstreams.models import JoinRequest, WorkstreamMembership

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-new-password-42"
# The address to confirm, the office told of the registration, its approval, the invitation,
# the workstream's lead told of the request, and the decision.
EMAILS_ALONG_THE_WAY = 6


def link_in(message, path_prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", text_part(message))
    assert match, text_part(message)
    return match.group(1)


def test_a_new_partner_from_first_visit_to_the_members_area(visitor, mail_server):
    programme = ProgrammeFactory(name="Pharma Innovation Programme", short_name="PIPS",
                                 is_featured=True)
    cm = WorkstreamFactory(programme=programme, name="Continuous Manufacturing", code="CM",
                           slug="continuous-manufacturing", status="active",
                           summary="Flow chemistry and continuous processing.")
    WorkstreamFactory(programme=programme, name="Biocatalysis", code="BC", status="active",
                      summary="Enzymes for greener synthesis.")
    office = UserFactory(role="programme_admin", email="office@example.org",
                         full_name="Programme Office")
    office_secret = activate_totp(office)
    staff = UserFactory(role="programme_staff", email="lead@example.org", full_name="Lim Wei Jie")
    staff_secret = activate_totp(staff)
    cm.lead = staff
    cm.save(update_fields=["lead"])

    # --- A visitor looks around -------------------------------------------------------------
    newcomer = visitor("newcomer")
    newcomer.go("/", label="home")
    newcomer.go("/workstreams/", label="workstreams")
    newcomer.page.get_by_role("link", name="Continuous Manufacturing").first.click()
    newcomer.page.wait_for_load_state("networkidle")
    newcomer.check("a workstream")
    newcomer.go("/partners/", label="partner directory")

    # --- Signs up and confirms the address from the e-mail ------------------------------------
    newcomer.go("/accounts/signup/?next=/partners/register/", label="sign up")
    newcomer.page.fill("input[name=email]", "tan.meiling@helix.example.org")
    newcomer.page.fill("input[name=full_name]", "Tan Mei Ling")
    newcomer.page.fill("input[name=password1]", NEW_PASSWORD)
    newcomer.page.fill("input[name=password2]", NEW_PASSWORD)
    newcomer.submit()
    newcomer.check("check your e-mail")
    [verification] = mail_server.wait_for(1)
    newcomer.go(link_in(verification, "/accounts/confirm-email/"), label="confirm the address")
    newcomer.submit()
    newcomer.check("signed in")

    # --- Registers the organisation -----------------------------------------------------------
    newcomer.go("/partners/register/", label="register")
    newcomer.page.fill("input[name=name]", "Helix Biologics Pte Ltd")
    newcomer.page.fill("input[name=uen]", "202612345K")
    newcomer.page.select_option("select[name=kind]", "biotech")
    newcomer.page.fill("input[name=website]", "https://helix.example.org")
    newcomer.page.fill("textarea[name=description]", "Continuous downstream processing.")
    newcomer.page.check("input[name=is_listed]")
    newcomer.submit()
    newcomer.check("registered, waiting")
    organisation = Organisation.objects.get(uen="202612345K")
    assert organisation.status == "pending"

    # --- The programme office approves it --------------------------------------------------------
    office_tab = visitor("office")
    office_tab.sign_in(office.email, totp_secret=office_secret)
    office_tab.go("/partners/approvals/", label="approvals")
    row = office_tab.page.locator(f"#approval-{organisation.pk}")
    row.locator("select[name=tier]").select_option("core")
    row.get_by_role("button", name=f"Approve {organisation.name}").click()
    office_tab.page.wait_for_load_state("networkidle")
    office_tab.check("approved")
    organisation.refresh_from_db()
    assert organisation.status == "approved" and organisation.tier == "core"
    # The signed consortium agreement, as the programme office records it.
    agreement_record(actor=office, organisation=organisation, kind="consortium", status="signed",
                   signed_on=datetime.date.today() - datetime.timedelta(days=1))

    # --- The new partner admin invites a colleague and asks to join ---------------------------
    newcomer.go(f"/partners/{organisation.slug}/people/", label="people")
    newcomer.page.fill("#invite-email", "rajesh.krishnan@helix.example.org")
    newcomer.page.fill("#invite-full_name", "Rajesh Krishnan")
    newcomer.page.get_by_role("button", name="Send the invitation", exact=True).click()
    newcomer.page.wait_for_load_state("networkidle")
    newcomer.check("invited")
    assert "on its way" in newcomer.page.content()

    newcomer.go(f"/workstreams/{cm.slug}/join/", label="ask to join")
    newcomer.page.fill("textarea[name=motivation]",
                       "We run a pilot plant for continuous downstream processing.")
    newcomer.page.check("input[name=code_of_conduct]")
    newcomer.submit()
    newcomer.check("asked to join")
    request = JoinRequest.objects.get(organisation=organisation, workstream=cm)
    assert request.status == "pending"

    # --- Staff approve it in the queue ----------------------------------------------------------
    staff_tab = visitor("staff")
    staff_tab.sign_in(staff.email, totp_secret=staff_secret)
    staff_tab.go("/workstreams/queue/", label="queue")
    staff_tab.page.locator(f"#join-request-{request.pk}").get_by_role(
        "button", name="Approve").click()
    staff_tab.page.wait_for_load_state("networkidle")
    staff_tab.check("approved in the queue")
    assert WorkstreamMembership.objects.filter(organisation=organisation, workstream=cm,
                                               until__isnull=True).exists()
    assert "0 pending requests" in staff_tab.page.content()

    # --- The partner sees the members' area and the notification -------------------------------
    newcomer.go(f"/workstreams/{cm.slug}/members/", label="members area")
    assert "Helix Biologics" in newcomer.page.content()
    newcomer.go("/notifications/", label="notifications")
    assert "joined Continuous Manufacturing" in newcomer.page.content()

    # What reached people by e-mail along the way.
    subjects = {(message["To"], " ".join(message["Subject"].split()))
                for message in mail_server.wait_for(EMAILS_ALONG_THE_WAY)}
    assert ("tan.meiling@helix.example.org",
            "[Cluster Portal] Helix Biologics Pte Ltd is approved") in subjects
    assert ("rajesh.krishnan@helix.example.org",
            "[Cluster Portal] Helix Biologics Pte Ltd invites you to the Cluster Portal") in \
        subjects
    assert ("tan.meiling@helix.example.org",
            "[Cluster Portal] Helix Biologics Pte Ltd joined Continuous Manufacturing") in subjects
