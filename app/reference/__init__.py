"""The admin's reference data: letterhead, regions, agencies, pillars, programs, indicators."""

from flask import Blueprint

bp = Blueprint("reference", __name__)

from app.reference import views  # noqa: E402,F401
