"""Distribution of final documents: revocable links that open a final PDF without
signing in (/d/<token>), made and revoked by the secretariat under /admin/."""

from flask import Blueprint

bp = Blueprint("share", __name__)

from app.share import views  # noqa: E402,F401
