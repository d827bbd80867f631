"""Agency update links: an agency without accounts reports progress on its own
follow-ups from a phone, through a secret, expiring, revocable link (public pages
under /tl/, the secretariat's under /admin/agency-links)."""

from flask import Blueprint

bp = Blueprint("agency_links", __name__)

from app.agency_links import views  # noqa: E402,F401
