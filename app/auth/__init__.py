"""Staff accounts: sign-in, sign-out, roles, and the rules for passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import views  # noqa: E402,F401
