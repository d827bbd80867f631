"""The secretariat's theme pages and the pillar-disagreement queue."""

from app.insight import bp  # noqa: F401
