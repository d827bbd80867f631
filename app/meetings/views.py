"""The secretariat's meeting screens."""

from flask import render_template

from app.auth.access import READ, role_required
from app.meetings import bp, services


@bp.get("/")
@role_required(*READ)
def index():
    return render_template("meetings/index.html", rows=services.meetings_overview())
