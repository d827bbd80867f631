"""QR codes pointing at a meeting's public form."""

import segno
from flask import current_app, url_for

from app.models import Meeting


def public_meeting_url(meeting: Meeting) -> str:
    """The absolute address of /m/<code>, from RAKOR_PUBLIC_URL when set (behind a proxy)."""
    base = current_app.config.get("RAKOR_PUBLIC_URL")
    if base:
        return f"{base.rstrip('/')}/m/{meeting.code}"
    return url_for("submissions.meeting", code=meeting.code, _external=True)


def qr_svg(data: str, scale: int = 8, border: int = 2) -> str:
    """An inline SVG that scales with CSS (a viewBox, no fixed size); error correction M."""
    return segno.make(data, error="m").svg_inline(
        scale=scale, border=border, dark="#000", omitsize=True
    )


def qr_data_uri(data: str, scale: int = 10, border: int = 2) -> str:
    """The QR as an SVG data: URI, for <img> in PDFs (the renderer accepts data: URIs only)."""
    return segno.make(data, error="m").svg_data_uri(scale=scale, border=border, dark="#000")
