"""Views of this area (routes are added with the feature)."""

from app.records import bp  # noqa: F401
