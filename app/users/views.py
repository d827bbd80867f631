"""Views of this area (routes are added with the feature)."""

from app.users import bp  # noqa: F401
