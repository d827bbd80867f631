"""Public verification pages."""

from app.verify import bp  # noqa: F401
