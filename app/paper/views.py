"""Views of this area (routes are added with the feature)."""

from app.paper import bp  # noqa: F401
