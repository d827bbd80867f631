"""The minutes: opening, discussion per agenda item, conclusions, follow-ups, attendance."""

from flask import Blueprint

bp = Blueprint("records", __name__)

from app.records import views  # noqa: E402,F401
