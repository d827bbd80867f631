"""Editing the minutes' content: opening, discussion per agenda item, conclusions,
follow-ups and the attendance list. The documents package renders them."""

from flask import Blueprint

bp = Blueprint("minutes", __name__)

from app.minutes import views  # noqa: E402,F401
