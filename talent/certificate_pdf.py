"""A certificate as a one-page PDF (A4, landscape): the holder's name, what they completed, when
and for how many hours, the skills and levels it attests, its serial and dates, and a QR code of
the public page that verifies it. fpdf2 draws it in pure Python with DejaVu Sans (shipped in
talent/fonts/, for names beyond Latin-1); segno draws the QR code.
"""

import io

import segno
from django.conf import settings
from django.utils.formats import date_format
from fpdf import FPDF

from .certificate_selectors import REVOKED, PublicCertificate
from .models import Certificate
from .pdf import BRAND, FACE, INK, MUTED, portal_pdf

DANGER = (176, 42, 55)
# At most this many skills are listed; a learning path building more says how many others.
SKILLS_LISTED = 10


def _day(day) -> str:
    return date_format(day, "j F Y")


def _qr_png(url: str) -> io.BytesIO:
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=8, border=2)
    image.seek(0)
    return image


def _hours(hours) -> str:
    return f"{float(hours):g} hour{'' if hours == 1 else 's'}"


def _what_and_when(facts: PublicCertificate) -> tuple[str, str, str]:
    if facts.is_path:
        return ("has completed every course of the learning path", facts.title,
                f"{len(facts.courses)} courses, {_hours(facts.hours)} of training")
    dates = _day(facts.starts_on)
    if facts.ends_on != facts.starts_on:
        dates = f"{dates} to {_day(facts.ends_on)}"
    return ("has completed the course", f"{facts.course_code} {facts.title}",
            f"{dates} · {_hours(facts.hours)}")


def certificate_pdf(certificate: Certificate, facts: PublicCertificate,
                    verification_url: str) -> bytes:
    pdf = portal_pdf(title=f"Certificate {facts.serial}: {facts.title}", orientation="L")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    pdf.set_text_color(*BRAND)
    pdf.set_font(FACE, "B", 12)
    pdf.cell(width, 8, settings.PORTAL_NAME.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FACE, "B", 26)
    pdf.cell(width, 14, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_text_color(*MUTED)
    pdf.set_font(FACE, "", 12)
    pdf.cell(width, 7, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FACE, "B", 22)
    pdf.multi_cell(width, 11, facts.holder, align="C", new_x="LMARGIN", new_y="NEXT")
    completed, title, when = _what_and_when(facts)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FACE, "", 12)
    pdf.cell(width, 7, completed, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FACE, "B", 16)
    pdf.multi_cell(width, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FACE, "", 11)
    pdf.cell(width, 7, when, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    _skills(pdf, facts, width)
    _footer(pdf, facts, verification_url)
    return bytes(pdf.output())


def _skills(pdf: FPDF, facts: PublicCertificate, width: float) -> None:
    if not facts.skills:
        return
    pdf.set_text_color(*BRAND)
    pdf.set_font(FACE, "B", 11)
    pdf.cell(width, 7, "Skills and levels attested", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FACE, "", 10)
    column = 150
    left = pdf.l_margin + (width - column) / 2
    for skill in facts.skills[:SKILLS_LISTED]:
        pdf.set_x(left)
        pdf.cell(column * 0.62, 5.5, skill.name)
        pdf.cell(column * 0.38, 5.5, f"Level {skill.level_label}", align="R",
                 new_x="LMARGIN", new_y="NEXT")
    others = len(facts.skills) - SKILLS_LISTED
    if others > 0:
        pdf.set_x(left)
        pdf.set_text_color(*MUTED)
        pdf.cell(column, 5.5, f"and {others} more, listed on the verification page",
                 new_x="LMARGIN", new_y="NEXT")


def _footer(pdf: FPDF, facts: PublicCertificate, verification_url: str) -> None:
    qr_size, bottom = 34, pdf.h - 18
    top = bottom - qr_size
    pdf.image(_qr_png(verification_url), x=pdf.w - pdf.r_margin - qr_size, y=top,
              w=qr_size, h=qr_size)
    lines = [("Serial number", facts.serial), ("Issued on", _day(facts.issued_on)),
             ("Valid until", _day(facts.expires_on) if facts.expires_on else "Does not expire")]
    pdf.set_xy(pdf.l_margin, top)
    for label, value in lines:
        pdf.set_text_color(*MUTED)
        pdf.set_font(FACE, "", 9)
        pdf.cell(32, 5.5, label)
        pdf.set_text_color(*INK)
        pdf.set_font(FACE, "B", 10)
        pdf.cell(80, 5.5, value, new_x="LMARGIN", new_y="NEXT")
    if facts.standing == REVOKED:
        pdf.set_text_color(*DANGER)
        pdf.set_font(FACE, "B", 11)
        pdf.cell(120, 6, f"Revoked on {_day(facts.revoked_on)}: no longer valid.",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FACE, "", 8)
    pdf.set_xy(pdf.l_margin, bottom - 9)
    pdf.multi_cell(pdf.w - pdf.l_margin - pdf.r_margin - qr_size - 6, 4,
                   f"Check that this certificate is genuine and still valid: scan the code or "
                   f"open {verification_url}", new_x="LMARGIN", new_y="NEXT")
