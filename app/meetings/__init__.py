"""Preparing and running a meeting: create, edit, open, close, QR poster, live intake."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from app.meetings import views  # noqa: E402,F401
