"""Views of this area (routes are added with the feature)."""

from app.reports import bp  # noqa: F401
