"""The official record: the minutes (notulen) and the evaluation summary, as HTML and PDF."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import views  # noqa: E402,F401
