"""The check-in page and the attendance desk."""
