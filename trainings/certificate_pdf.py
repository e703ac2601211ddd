"""The certificate of participation as a PDF (reportlab), in the portal's colours.

A4 landscape: the portal's blue band, the name, the training, its dates, the programme and
the issuing partner, and at the foot the verification address, the code and a QR code of
the address. Texts come from the translation catalogue in the active language, so the
caller picks Dutch or English with ``translation.override``.
"""

import unicodedata
from io import BytesIO
from pathlib import Path

import reportlab
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from . import codes
from .models import Certificate

# static/css/portal.css: --portal-blue, --portal-blue-dark, the muted text and the focus gold.
BLUE = HexColor("#154273")
BLUE_DARK = HexColor("#0e2e50")
MUTED = HexColor("#495057")
GOLD = HexColor("#ffbf47")
QR_SIZE = 32 * mm

# Bitstream Vera, shipped with reportlab and embedded in the PDF: unlike the 14 standard PDF
# fonts (Windows-1252 only) it has Ł, Đ, Ş, İ, Ž and the rest of most names in Latin
# Extended-A. A letter it lacks is printed as its base letter (ő as o), never as a box.
_FONTS = Path(reportlab.__file__).parent / "fonts"
FONT = "PortalVera"
FONT_BOLD = "PortalVera-Bold"
pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS / "VeraBd.ttf")))
_GLYPHS = frozenset(pdfmetrics.getFont(FONT).face.charToGlyph) & frozenset(
    pdfmetrics.getFont(FONT_BOLD).face.charToGlyph
)


def printable(text: str) -> str:
    """``text`` with each character the font lacks replaced by its base letter, or "?"."""
    out = []
    for char in text:
        if ord(char) in _GLYPHS:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[:1]
        out.append(base if base and ord(base) in _GLYPHS else "?")
    return "".join(out)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float, width: float) -> None:
    """One centred line, made smaller until it fits between the margins."""
    text = printable(text)
    while size > 8 and stringWidth(text, font, size) > width - 60 * mm:
        size -= 1
    canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, y, text)


def _period(certificate: Certificate) -> str:
    if certificate.run_starts_on == certificate.run_ends_on:
        return _("op %(date)s") % {"date": _date(certificate.run_starts_on)}
    return _("van %(start)s tot en met %(end)s") % {
        "start": _date(certificate.run_starts_on),
        "end": _date(certificate.run_ends_on),
    }


def render(certificate: Certificate, *, verify_url: str) -> bytes:
    """The PDF of ``certificate``; ``verify_url`` is the absolute address of its page."""
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    title = _("Certificaat van deelname")
    canvas.setTitle(f"{title} — {certificate.training_title}")
    canvas.setAuthor(certificate.issuer_name)
    canvas.setSubject(certificate.programme_name)

    # The portal's header: a blue band with a gold rule under it.
    canvas.setFillColor(BLUE)
    canvas.rect(0, height - 28 * mm, width, 28 * mm, stroke=0, fill=1)
    canvas.setFillColor(GOLD)
    canvas.rect(0, height - 30 * mm, width, 2 * mm, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.setFont(FONT_BOLD, 20)
    canvas.drawString(20 * mm, height - 18 * mm, "Werkend Leren")
    canvas.setFont(FONT, 12)
    canvas.drawRightString(width - 20 * mm, height - 18 * mm, printable(certificate.programme_name))

    canvas.setFillColor(BLUE_DARK)
    _centred(canvas, title, height - 58 * mm, FONT_BOLD, 30, width)
    canvas.setFillColor(MUTED)
    _centred(canvas, _("Hierbij verklaren wij dat"), height - 75 * mm, FONT, 14, width)
    canvas.setFillColor(BLUE)
    _centred(canvas, certificate.participant_name, height - 92 * mm, FONT_BOLD, 28, width)
    canvas.setFillColor(MUTED)
    _centred(canvas, _("heeft deelgenomen aan de training"), height - 106 * mm, FONT, 14, width)
    canvas.setFillColor(BLUE_DARK)
    _centred(canvas, certificate.training_title, height - 120 * mm, FONT_BOLD, 20, width)
    canvas.setFillColor(MUTED)
    _centred(canvas, _period(certificate), height - 131 * mm, FONT, 13, width)
    issued = _("Uitgegeven door %(issuer)s op %(date)s") % {
        "issuer": certificate.issuer_name,
        "date": _date(certificate.issued_at.date()),
    }
    _centred(canvas, issued, height - 143 * mm, FONT, 12, width)

    # The foot: how anyone checks this certificate.
    canvas.setStrokeColor(BLUE)
    canvas.setLineWidth(0.8)
    canvas.line(20 * mm, 48 * mm, width - 20 * mm, 48 * mm)
    canvas.setFillColor(BLUE_DARK)
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(20 * mm, 38 * mm, _("Echt? Controleer dit certificaat:"))
    canvas.setFont(FONT, 11)
    canvas.drawString(20 * mm, 31 * mm, verify_url)
    canvas.drawString(
        20 * mm, 24 * mm, _("Verificatiecode: %(code)s") % {"code": codes.grouped(certificate.code)}
    )
    widget = QrCodeWidget(verify_url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, width - 20 * mm - QR_SIZE, 12 * mm)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
