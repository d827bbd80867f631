"""Paper input: the printable blank form, the XLSX template and its import."""

from flask import Blueprint

bp = Blueprint("paper", __name__)

from app.paper import views  # noqa: E402,F401
