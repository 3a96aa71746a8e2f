"""The skills profile as a PDF: the person's own skills (category, level, when reached) and the
courses they completed, read back with pypdf; never anyone else's."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from talent.models import Enrolment
from tests.factories import UserFactory
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

PDF_URL = reverse("talent:skills_profile_pdf")


def completed(person, course, *, on):
    completed_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(17)))
    return Enrolment.objects.create(person=person, run=CourseRunFactory(course=course),
                                    status=Enrolment.Status.COMPLETED, completed_at=completed_at)


def text_of(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="skills-profile-')
    reader = PdfReader(io.BytesIO(response.content))
    # Tables wrap long names; compare the words, not the lines.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_lists_the_persons_skills_and_courses_and_nobody_elses(client):
    person = UserFactory(full_name="Wei Ling Tan")
    other = UserFactory(full_name="Someone Else")
    flow = SkillFactory(name="Flow chemistry", category="technical")
    hidden = SkillFactory(name="Lyophilisation")
    course = CourseFactory(code="CM-101", title="Flow basics")
    CourseSkillFactory(course=course, skill=flow, level=3)
    completed(person, course, on=datetime.date(2026, 9, 1))
    # The other person's course and skill must not leak into this person's profile.
    theirs = CourseFactory(code="LY-201", title="Freeze drying")
    CourseSkillFactory(course=theirs, skill=hidden, level=5)
    completed(other, theirs, on=datetime.date(2026, 9, 2))

    client.force_login(person)
    text = text_of(client.get(PDF_URL))

    assert "Wei Ling Tan" in text
    assert "Flow chemistry" in text
    assert flow.get_category_display() in text
    assert "3 of 6" in text
    assert "1 September 2026" in text
    assert "CM-101 Flow basics" in text
    assert "Lyophilisation" not in text
    assert "LY-201" not in text
    assert "Someone Else" not in text


def test_a_person_with_nothing_yet_gets_a_pdf_saying_so(client):
    client.force_login(UserFactory(full_name="Nina Ong"))
    text = text_of(client.get(PDF_URL))
    assert "Nina Ong" in text
    assert "No skill yet" in text
    assert "No course completed yet." in text


def test_the_skills_page_offers_the_download(client):
    client.force_login(UserFactory())
    response = client.get(reverse("talent:skills_profile"))
    assert PDF_URL.encode() in response.content


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(PDF_URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
