"""A person's skills profile as a PDF (A4, portrait), for a CV or an appraisal: their name and
the date, each skill with its category, level and when it was reached, and the courses they
completed. Drawn with the same setup as the certificates (talent/pdf.py)."""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from .models import Skill
from .pdf import BRAND, FACE, INK, MUTED, portal_pdf
from .selectors import HeldSkill

CATEGORY_NAMES = dict(Skill.Category.choices)


def _day(day) -> str:
    return date_format(day, "j F Y") if day else "—"


def skills_profile_pdf(*, person, held: list[HeldSkill], completed: list) -> bytes:
    name = person.get_full_name() or person.email
    pdf = portal_pdf(title=f"Skills profile of {name}")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_text_color(*BRAND)
    pdf.set_font(FACE, "B", 10)
    pdf.cell(width, 6, settings.PORTAL_NAME.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FACE, "B", 20)
    pdf.multi_cell(width, 10, f"Skills profile: {name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FACE, "", 10)
    pdf.cell(width, 6, f"As of {_day(timezone.localdate())}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_text_color(*BRAND)
    pdf.set_font(FACE, "B", 13)
    pdf.cell(width, 8, "Skills", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FACE, "", 10)
    if held:
        with pdf.table(col_widths=(44, 24, 14, 18), text_align="LEFT") as table:
            table.row(["Skill", "Category", "Level", "Reached"])
            for skill in held:
                table.row([skill.name, CATEGORY_NAMES.get(skill.category, skill.category),
                           f"{skill.level} of 6", _day(skill.reached_on)])
    else:
        pdf.multi_cell(width, 6, "No skill yet: skills come from completed courses.",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_text_color(*BRAND)
    pdf.set_font(FACE, "B", 13)
    pdf.cell(width, 8, "Courses completed", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FACE, "", 10)
    if completed:
        with pdf.table(col_widths=(70, 30), text_align="LEFT") as table:
            table.row(["Course", "Completed"])
            for enrolment in completed:
                course = enrolment.run.course
                table.row([f"{course.code} {course.title}",
                           _day(timezone.localtime(enrolment.completed_at).date()
                                if enrolment.completed_at else None)])
    else:
        pdf.multi_cell(width, 6, "No course completed yet.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
