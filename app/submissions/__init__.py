"""The participant's side: open meetings, the input form, the receipt and the status lookup."""

from flask import Blueprint

bp = Blueprint("submissions", __name__)

from app.submissions import correction, offline, preview, views  # noqa: E402,F401
