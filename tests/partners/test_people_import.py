"""The people admin's CSV import of invitations: its limits said before the upload, every row
reported by the line of the file where it starts, a field that runs on said in a sentence on its
own line, addresses of at most 254 characters, and a report kept at its own address, so that
reloading it never sends the invitations again."""

import csv
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cluster_portal.core.exceptions import ApplicationError, Conflict
from cluster_portal.notifications.models import OutgoingEmail
from partners.models import Invitation, InvitationImport
from partners.services import invitation_create, invitations_import_csv
from partners.services.invitations import INVITATIONS_A_DAY_PER_ADDRESS
from tests.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.support.api import assert_error, client_for

pytestmark = pytest.mark.django_db

LONG_ADDRESS = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.{'e' * 51}.org"  # 312 characters


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Meridian Pharma Asia", tier="member")  # 10 people


@pytest.fixture
def admin(organisation):
    return OrganisationMembershipFactory(organisation=organisation, role="admin").person


def upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def lines_of(report: InvitationImport) -> list[tuple[int, str, str]]:
    return [(row["line"], row["email"], row["outcome"]) for row in report.rows]


def imported(admin, organisation, text: str) -> InvitationImport:
    return invitations_import_csv(actor=admin, organisation=organisation, upload=upload(text))


# --- Which line ---------------------------------------------------------------------------------


def test_blank_lines_count_as_lines_of_the_file(admin, organisation):
    report = imported(admin, organisation, "name,email,role\n\nAnn,ann@example.org,member\n"
                                           ",,\n\n\nBo,bo@example.org,admin\n")
    assert lines_of(report) == [(3, "ann@example.org", "invited"), (7, "bo@example.org", "invited")]


def test_a_row_is_reported_on_the_line_where_it_starts(admin, organisation):
    text = ('name,email,role\n'
            '"Tan\nMei Ling",tan@example.org,member\n'  # a name over two lines: refused
            'Bo,not-an-address,member\n'
            '"Lim, Ben",ben@example.org,"mem\nber"\n'
            'Cy,cy@example.org,member\n')
    report = imported(admin, organisation, text)
    assert lines_of(report) == [(2, "tan@example.org", "refused"),
                                (4, "not-an-address", "refused"),
                                (5, "ben@example.org", "refused"),
                                (7, "cy@example.org", "invited")]
    assert "one line of text" in report.rows[0]["message"]


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"])
def test_every_kind_of_line_ending_counts_one_line(admin, organisation, ending):
    text = ending.join(["name,email,role", "Ann,ann@example.org,member", "",
                        "Bo,bo@example.org,member", ""])
    assert [line for line, _, _ in lines_of(imported(admin, organisation, text))] == [2, 4]


@pytest.mark.parametrize("before, line", [
    ("", 2),
    ('"A\nB",a@example.org,member\n\n', 5),
])
def test_a_field_that_runs_on_is_said_in_words_on_the_line_it_starts(
        admin, organisation, before, line):
    text = f'name,email,role\n{before}Cy,"{"y" * 140_000}\n'  # a quote never closed
    with pytest.raises(ApplicationError) as refused:
        imported(admin, organisation, text)
    message = refused.value.fields["file"][0]
    assert message.startswith(f"Line {line}: a field runs on for more than 131,072 characters")
    assert "quote" in message and "field larger than field limit" not in message
    assert not Invitation.objects.exists()


# --- What each row may hold ----------------------------------------------------------------------


def test_an_address_longer_than_254_characters_is_refused_wherever_it_enters(
        client, admin, organisation):
    assert len(LONG_ADDRESS) == 312
    report = imported(admin, organisation, f"name,email,role\nLong,{LONG_ADDRESS},member\n")
    assert report.rows[0]["outcome"] == "refused"
    assert "at most 254 characters; this one has 312" in report.rows[0]["message"]

    with pytest.raises(ApplicationError) as refused:
        invitation_create(actor=admin, organisation=organisation, email=LONG_ADDRESS)
    assert "254" in refused.value.fields["email"][0]

    client.force_login(admin)
    page = client.post(f"/partners/{organisation.slug}/invitations/",
                       {"email": LONG_ADDRESS, "role": "member"})
    assert page.status_code == 400
    assert page.context["invitation_form"].errors["email"] == [
        "An e-mail address has at most 254 characters; this one has 312."]

    body = assert_error(client_for(admin).post("/api/v1/invitations/", {
        "organisation": organisation.slug, "email": LONG_ADDRESS}, format="json"), 400)
    assert "254" in body["fields"]["email"][0]
    assert not Invitation.objects.exists()


def test_a_name_longer_than_an_invitation_holds_is_refused_not_cut(admin, organisation):
    report = imported(admin, organisation, f"name,email,role\n{'N' * 151},n@example.org,member\n")
    assert report.rows[0]["outcome"] == "refused"
    assert "at most 150 characters" in report.rows[0]["message"]


def test_inviting_an_address_again_says_its_earlier_link_is_dead(admin, organisation):
    first = imported(admin, organisation, "name,email,role\nAnn,ann@example.org,member\n")
    assert "no longer works" not in first.rows[0]["message"]
    again = imported(admin, organisation, "name,email,role\nAnn,ann@example.org,admin\n")
    assert "its link no longer works" in again.rows[0]["message"]
    assert Invitation.objects.filter(email="ann@example.org", revoked_at__isnull=False).count() == 1


def test_an_address_gets_at_most_five_invitations_a_day(admin, organisation):
    for _ in range(INVITATIONS_A_DAY_PER_ADDRESS):
        invitation_create(actor=admin, organisation=organisation, email="ann@example.org")
    with pytest.raises(Conflict) as refused:
        invitation_create(actor=admin, organisation=organisation, email="ANN@example.org")
    assert refused.value.code == "invitation_rate_limited"
    assert "5 invitations" in refused.value.message
    # A day later the address may be invited again.
    Invitation.objects.update(created_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    invitation_create(actor=admin, organisation=organisation, email="ann@example.org")


# --- Post, redirect, get -------------------------------------------------------------------------


def test_the_upload_redirects_to_its_report_and_reloading_it_sends_nothing(
        client, admin, organisation):
    client.force_login(admin)
    posted = client.post(f"/partners/{organisation.slug}/invitations/import/", {
        "file": upload("name,email,role\nAnn,ann@example.org,member\nBo,bo@example.org,admin\n"
                       "Cy,not-an-address,member\n", name="colleagues.csv")})
    assert posted.status_code == 302
    report = InvitationImport.objects.get()
    assert posted["Location"] == f"/partners/{organisation.slug}/invitations/import/{report.pk}/"
    sent = OutgoingEmail.objects.filter(kind="invitation")
    assert sent.count() == 2

    for _ in range(3):  # the person reloads the report
        page = client.get(posted["Location"])
        assert page.status_code == 200
    assert sent.count() == 2 and not sent.filter(status=OutgoingEmail.Status.CANCELLED).exists()
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 2

    html = page.content.decode()
    assert "2 invited, 1 refused" in html and "colleagues.csv" in html
    # The results lead the page; the form to import another file comes after them.
    assert html.index("2 invited, 1 refused") < html.index("not-an-address") < html.index(
        'name="file"')


def test_the_report_is_the_importers_alone_and_only_for_a_while(
        client, admin, organisation, mfa_admin_user):
    report = imported(admin, organisation, "name,email,role\nAnn,ann@example.org,member\n")
    address = f"/partners/{organisation.slug}/invitations/import/{report.pk}/"
    colleague = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    for person, status in ((admin, 200), (colleague, 404), (mfa_admin_user, 404)):
        client.force_login(person)
        assert client.get(address).status_code == status

    elsewhere = OrganisationFactory()
    OrganisationMembershipFactory(organisation=elsewhere, person=admin, role="admin")
    client.force_login(admin)
    assert client.get(f"/partners/{elsewhere.slug}/invitations/import/{report.pk}/"
                      ).status_code == 404

    InvitationImport.objects.update(expires_at=timezone.now())
    assert client.get(address).status_code == 404


def test_reports_past_their_time_go_when_a_new_one_is_kept(admin, organisation):
    old = imported(admin, organisation, "name,email,role\nAnn,ann@example.org,member\n")
    InvitationImport.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    new = imported(admin, organisation, "name,email,role\nBo,bo@example.org,member\n")
    assert list(InvitationImport.objects.values_list("pk", flat=True)) == [new.pk]
    assert new.expires_at > timezone.now() + datetime.timedelta(days=6)


def test_a_file_refused_whole_is_said_at_the_top_of_the_people_page(
        client, admin, organisation):
    client.force_login(admin)
    response = client.post(f"/partners/{organisation.slug}/invitations/import/",
                           {"file": upload("just,some\nwords,here\n")})
    assert response.status_code == 400
    html = response.content.decode()
    alert = html.index("The file was not imported, and nobody was invited")
    assert alert < html.index('id="members-title"')
    assert "Missing a header line with name, email and role." in html[alert:alert + 300]
    assert not InvitationImport.objects.exists()


# --- Said before the upload ---------------------------------------------------------------------


def test_the_form_says_the_row_limit_and_the_places_left_before_the_upload(
        client, admin, organisation):
    invitation_create(actor=admin, organisation=organisation, email="ann@example.org")
    client.force_login(admin)
    html = client.get(f"/partners/{organisation.slug}/people/").content.decode()
    assert "At most 500 rows and 512 KB a file." in html
    # Member tier: 10 people; one admin and one open invitation take two places.
    assert ("8 places are left of the 10 your tier allows, so the file can invite 8 people at "
            "most; rows beyond are refused.") in html


def test_the_template_is_offered_and_is_what_the_import_reads(client, admin, organisation):
    client.force_login(admin)
    html = client.get(f"/partners/{organisation.slug}/people/").content.decode()
    assert 'href="/static/partners/invite-colleagues.csv" download' in html
    with open("static/partners/invite-colleagues.csv", encoding="utf-8-sig") as template:
        header = next(csv.reader(template))
    assert header == ["name", "email", "role"]
    report = imported(admin, organisation, ",".join(header) + "\nAnn,ann@example.org,member\n")
    assert report.invited == 1
