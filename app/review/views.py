"""Views of this area (routes are added with the feature)."""

from app.review import bp  # noqa: F401
