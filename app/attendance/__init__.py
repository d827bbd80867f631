"""Who was there: the check-in page a participant opens from the room's QR code, and the
secretariat's desk, where people are ticked and added. Routes spell their whole path:
the check-in is public (/m/<code>/hadir), the desk is under /admin/."""

from flask import Blueprint

bp = Blueprint("attendance", __name__)

from app.attendance import invitation_views, views  # noqa: E402,F401
