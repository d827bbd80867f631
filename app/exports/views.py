"""Views of this area (routes are added with the feature)."""

from app.exports import bp  # noqa: F401
