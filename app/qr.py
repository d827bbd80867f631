"""QR codes pointing at a meeting's public pages: the input form and the check-in."""

import io

import segno
from flask import current_app, url_for

from app.models import Meeting


def public_meeting_url(meeting: Meeting) -> str:
    """The absolute address of /m/<code>, from RAKOR_PUBLIC_URL when set (behind a proxy)."""
    base = current_app.config.get("RAKOR_PUBLIC_URL")
    if base:
        return f"{base.rstrip('/')}/m/{meeting.code}"
    return url_for("submissions.meeting", code=meeting.code, _external=True)


def checkin_url(meeting: Meeting) -> str:
    """The absolute address of /m/<code>/hadir, the daftar hadir a participant fills in."""
    base = current_app.config.get("RAKOR_PUBLIC_URL")
    if base:
        return f"{base.rstrip('/')}/m/{meeting.code}/hadir"
    return url_for("attendance.checkin", code=meeting.code, _external=True)


def qr_svg(data: str, scale: int = 8, border: int = 2) -> str:
    """An inline SVG that scales with CSS (a viewBox, no fixed size); error correction M."""
    return segno.make(data, error="m").svg_inline(
        scale=scale, border=border, dark="#000", omitsize=True
    )


def qr_data_uri(data: str, scale: int = 10, border: int = 2) -> str:
    """The QR as an SVG data: URI, for <img> in PDFs (the renderer accepts data: URIs only)."""
    return segno.make(data, error="m").svg_data_uri(scale=scale, border=border, dark="#000")


def qr_svg_file(data: str, scale: int = 10, border: int = 4) -> bytes:
    """The QR as a standalone SVG file (with its XML declaration), to download."""
    output = io.BytesIO()
    segno.make(data, error="m").save(output, kind="svg", scale=scale, border=border, dark="#000")
    return output.getvalue()
