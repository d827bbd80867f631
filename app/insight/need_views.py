"""Need per kelurahan: the admin's import and a meeting's voice-and-need page."""

from app.insight import bp  # noqa: F401
