"""Admin screens for staff accounts."""

from flask import Blueprint

bp = Blueprint("users", __name__)

from app.users import views  # noqa: E402,F401
