"""Editing the minutes' content: opening, discussion per agenda item, conclusions and
follow-ups; the attendance list is kept at the desk (app/attendance) and shown here.
The documents package renders them."""

from flask import Blueprint

bp = Blueprint("minutes", __name__)

from app.minutes import views  # noqa: E402,F401
