"""The visible stamp of one electronic signature: a QR code and who signed, when.

The same picture serves both ways of signing: pyHanko draws it as the signature
field's appearance (the seal), and the remote signing service receives it as the
signature's image (BSrE's `imageBase64`). It is an RGB PNG with no transparency,
because a PDF/A file may not carry soft masks, drawn at print resolution for the
box it goes into, so it is as sharp on paper as the page around it.

The QR code leads to the document's public verification page; the text is always
Indonesian, like the document it stands on.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_datetime
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from app.documents.formatting import DOCUMENT_LOCALE, document_locale

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
REGULAR_FONT = f"{FONT_DIR}/DejaVuSans.ttf"
BOLD_FONT = f"{FONT_DIR}/DejaVuSans-Bold.ttf"

DPI = 300
INK = (0, 0, 0)
BORDER_GREY = (110, 110, 110)
PAPER = (255, 255, 255)


@dataclass(frozen=True)
class Stamp:
    """What one signature's visible stamp says."""

    signer_name: str
    signer_title: str
    signed_at: datetime  # aware, UTC; printed in the city's time zone
    verify_url: str  # the QR code's target: the document's verification page


def pixels(points: float) -> int:
    return max(1, round(points / 72 * DPI))


def stamp_png(stamp: Stamp, width_pt: float, height_pt: float) -> bytes:
    """The stamp as an RGB PNG for a box of `width_pt` x `height_pt` PDF points.

    QR code on the left, text on the right; long names and titles wrap, and the
    text shrinks until everything fits the box. Needs the app (for the city's
    time zone and its label).
    """
    width, height = pixels(width_pt), pixels(height_pt)
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    border = max(2, pixels(0.6))
    draw.rectangle((0, 0, width - 1, height - 1), outline=BORDER_GREY, width=border)

    padding = max(border * 3, pixels(3))
    qr_side = max(0, min(height - 2 * padding, width // 3))
    if qr_side > 0:
        image.paste(qr_image(stamp.verify_url, qr_side), (padding, (height - qr_side) // 2))

    text_left = padding + qr_side + padding
    text_box = (text_left, padding, width - padding, height - padding)
    draw_text(draw, text_box, stamp_lines(stamp))

    output = io.BytesIO()
    image.save(output, format="PNG", dpi=(DPI, DPI))
    return output.getvalue()


def qr_image(url: str, side: int) -> Image.Image:
    """The QR code (error correction M, quiet zone of two modules), `side` pixels square."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=2))
    modules = len(rows)
    picture = Image.new("L", (modules, modules), 255)
    picture.putdata([0 if dark else 255 for row in rows for dark in row])
    # Whole pixels per module keep the edges sharp; the remainder becomes white margin.
    scale = max(1, side // modules)
    picture = picture.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    square = Image.new("RGB", (side, side), PAPER)
    offset = (side - modules * scale) // 2
    square.paste(picture.convert("RGB"), (offset, offset))
    return square


def stamp_lines(stamp: Stamp) -> list[tuple[str, bool, float]]:
    """(text, bold, relative size) of each paragraph of the stamp, in Indonesian."""
    with document_locale():
        caption = _("Dokumen ini telah ditandatangani secara elektronik oleh")
    lines = [(caption, False, 0.85), (stamp.signer_name, True, 1.0)]
    if stamp.signer_title:
        lines.append((stamp.signer_title, False, 0.9))
    lines.append((signed_at_text(stamp.signed_at), False, 0.85))
    return lines


def signed_at_text(value: datetime) -> str:
    """'23 Januari 2024, 10.15 WIB': the signing time in the city's time zone."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    label = current_app.config["RAKOR_TIMEZONE_LABEL"]
    text = format_datetime(value, "d MMMM y, HH.mm", tzinfo=zone, locale=DOCUMENT_LOCALE)
    return f"{text} {label}".strip()


def draw_text(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], lines) -> None:
    """The paragraphs top-aligned in `box`, at the largest size at which all of them fit."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    if width <= 0 or height <= 0:
        return
    size = max(8, height // 5)
    while True:
        laid_out = lay_out(lines, size, width)
        total = sum(line_height for _text, _font, line_height in laid_out)
        if total <= height or size <= 6:
            break
        size = max(6, int(size * 0.9))
    y = top + max(0, (height - total) // 2)
    for text, font, line_height in laid_out:
        draw.text((left, y), text, font=font, fill=INK)
        y += line_height


def lay_out(lines, size: int, width: int) -> list[tuple[str, ImageFont.FreeTypeFont, int]]:
    """Each paragraph wrapped to `width`: (text of one line, its font, its line height)."""
    laid_out = []
    for text, bold, relative in lines:
        font = ImageFont.truetype(
            BOLD_FONT if bold else REGULAR_FONT, max(6, round(size * relative))
        )
        line_height = round(font.size * 1.22)
        for line in wrap(text, font, width):
            laid_out.append((line, font, line_height))
    return laid_out


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words in lines no wider than `width`; a word wider than that is cut where it must be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines
