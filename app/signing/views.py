"""Staff pages of signing."""

from app.signing import bp  # noqa: F401
