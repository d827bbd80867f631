"""Placeholder: routes are added here."""

from app.follow_ups import bp  # noqa: F401
