"""The talent app's PDF documents share one setup: fpdf2 with DejaVu Sans (shipped in
talent/fonts/, for names beyond Latin-1) and the portal named as author and creator."""

from pathlib import Path

from django.conf import settings
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FACE = "DejaVu"
INK = (33, 37, 41)
BRAND = (8, 63, 72)
MUTED = (95, 104, 112)


def portal_pdf(*, title: str, orientation: str = "P") -> FPDF:
    """An A4 document with the portal's fonts registered and its metadata set."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FACE, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FACE, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_author(settings.PORTAL_NAME)
    pdf.set_creator(settings.PORTAL_NAME)
    return pdf
