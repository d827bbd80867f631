"""The picture WhatsApp and other apps show beside a shared meeting link.

GET /m/<code>/preview.jpg   public   a 1200 x 630 JPEG: the meeting's title, date and
                                     time, venue and "Sampaikan masukan"

The public meeting page names it in og:image (templates/submissions/_og_meta.html),
with ?v=<version> so that an app which keeps previews by address fetches a new one
when the title, date or venue changes. The picture is in Indonesian, as the message
of the share buttons: it goes to the meeting's participants. Drafts and unknown codes
answer 404, and only those count against the lookup budget, so guessing codes is as
slow as on the other public addresses while a real meeting's picture always opens.
The same text draws the same bytes: the last pictures drawn are kept in memory, and
a client holding the current ETag is answered 304.
"""

import hashlib
import io
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from app.documents.formatting import document_locale
from app.extensions import limiter
from app.i18n import clock_time, long_date
from app.models import Meeting
from app.qr import public_meeting_url
from app.submissions import bp, services

WIDTH, HEIGHT = 1200, 630
# Bumped when the drawing changes, so that every meeting's picture gets a new version.
DRAWING = "1"
# How long a browser or an app may keep the picture before asking again (with the ETag).
MAX_AGE_S = 3600
KEPT_PICTURES = 32

BRAND = (11, 93, 59)  # --brand of static/css/app.css
BRAND_DARK = (7, 63, 40)
INK = (17, 17, 17)
MUTED = (74, 74, 74)
PAPER = (255, 255, 255)
PALE = (230, 242, 236)  # --info-bg

MARGIN = 64
BAND_HEIGHT = 128
TITLE_SIZES = (60, 52, 46, 40, 34)
DETAIL_SIZE, DETAIL_LINE = 30, 40
# DejaVu, the family the PDFs use (fonts-dejavu-core on Debian and Ubuntu, which CI
# installs); Pillow's own font where it is missing, so the picture is still drawn.
FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)


@dataclass(frozen=True)
class PreviewText:
    """Everything the picture shows, already formatted."""

    eyebrow: str
    title: str
    when: str
    venue: str
    action: str
    address: str

    @property
    def version(self) -> str:
        joined = "\x1f".join((DRAWING, *astuple(self)))
        return hashlib.sha256(joined.encode()).hexdigest()[:16]


def preview_text(meeting: Meeting) -> PreviewText:
    link = urlsplit(public_meeting_url(meeting))
    with document_locale():
        when = long_date(meeting.date)
        if meeting.start_time is not None:
            when = f"{when} · {clock_time(meeting.start_time)}"
        return PreviewText(
            eyebrow=_("Rapat koordinasi"),
            title=meeting.title,
            when=when,
            venue=meeting.venue or "",
            action=_("Sampaikan masukan"),
            address=f"{link.netloc}{link.path}",
        )


def preview_image_url(meeting: Meeting) -> str:
    """The picture's absolute address, with the version of what it shows."""
    return f"{public_meeting_url(meeting)}/preview.jpg?v={preview_text(meeting).version}"


@bp.app_context_processor
def preview_helpers() -> dict:
    return {"preview_image_url": preview_image_url}


# --- the address -------------------------------------------------------------------------


def lookup_rate_limit() -> str:
    return current_app.config["RAKOR_LOOKUP_RATE_LIMIT"]


def is_miss(response) -> bool:
    return response.status_code == 404


@bp.get("/m/<code>/preview.jpg")
@limiter.limit(lookup_rate_limit, deduct_when=is_miss)
def preview(code: str):
    meeting = services.public_meeting(code)
    if meeting is None:
        abort(404)
    text = preview_text(meeting)
    return send_file(
        io.BytesIO(draw_preview(text)),
        mimetype="image/jpeg",
        etag=text.version,
        max_age=MAX_AGE_S,
    )


# --- the drawing -------------------------------------------------------------------------


@lru_cache(maxsize=KEPT_PICTURES)
def draw_preview(text: PreviewText) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    band_top = HEIGHT - BAND_HEIGHT

    draw.rectangle((0, 0, WIDTH, 14), fill=BRAND)
    y = 56
    draw.text((MARGIN, y), text.eyebrow.upper(), font=font(26, bold=True), fill=BRAND)
    y += 50

    # Date and venue take up to two lines each; the title gets the height left above
    # them, at the largest size that fits (cut with "…" at the smallest).
    detail = font(DETAIL_SIZE)
    details = [
        line
        for value in (text.when, text.venue)
        if value
        for line in wrap(draw, value, detail, inner)[:2]
    ]
    details_top = band_top - 24 - len(details) * DETAIL_LINE
    size, lines = fit(draw, text.title, inner, height=details_top - 18 - y)
    title_font = font(size, bold=True)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += line_height(size)

    y = max(y + 18, details_top)
    for line in details:
        draw.text((MARGIN, y), line, font=detail, fill=MUTED)
        y += DETAIL_LINE

    draw.rectangle((0, band_top, WIDTH, HEIGHT), fill=BRAND)
    draw.text((MARGIN, band_top + 22), text.action, font=font(44, bold=True), fill=PAPER)
    address = ellipsize(draw, text.address, font(24), inner)
    draw.text((MARGIN, band_top + 82), address, font=font(24), fill=PALE)

    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85, optimize=True, progressive=True)
    return output.getvalue()


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_FOLDERS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def line_height(size: int) -> int:
    return int(size * 1.2)


def fit(draw: ImageDraw.ImageDraw, value: str, width: int, *, height: int) -> tuple[int, list[str]]:
    """The largest title size at which `value` fits in `height`; cut with "…" at the smallest."""
    for size in TITLE_SIZES:
        lines = wrap(draw, value, font(size, bold=True), width)
        if len(lines) * line_height(size) <= height:
            return size, lines
    smallest = TITLE_SIZES[-1]
    typeface = font(smallest, bold=True)
    room = max(1, height // line_height(smallest))
    lines = wrap(draw, value, typeface, width)
    last = ellipsize(draw, lines[room - 1] + " …", typeface, width)
    return smallest, [*lines[: room - 1], last]


def wrap(draw: ImageDraw.ImageDraw, value: str, typeface, width: int) -> list[str]:
    """Words on lines no wider than `width`; a word longer than a line is cut into pieces."""
    lines: list[str] = []
    current = ""
    for word in " ".join(value.split()).split(" "):
        while draw.textlength(word, font=typeface) > width:
            cut = len(word) - 1
            while cut > 1 and draw.textlength(word[:cut], font=typeface) > width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=typeface) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def ellipsize(draw: ImageDraw.ImageDraw, value: str, typeface, width: int) -> str:
    if draw.textlength(value, font=typeface) <= width:
        return value
    while value and draw.textlength(value + "…", font=typeface) > width:
        value = value[:-1]
    return value.rstrip() + "…"
