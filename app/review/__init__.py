"""Reviewing input: the queue, an input's page, decisions, duplicates and merges, audit."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from app.review import views  # noqa: E402,F401
