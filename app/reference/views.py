"""Views of this area (routes are added with the feature)."""

from app.reference import bp  # noqa: F401
