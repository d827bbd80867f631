"""Exports of a meeting's input as XLSX and CSV."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from app.exports import views  # noqa: E402,F401
