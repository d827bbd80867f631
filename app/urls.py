"""URL helpers shared by the blueprints."""

from urllib.parse import urlsplit


def is_local_path(target: str | None) -> bool:
    """True for a path on this site ("/admin/"), false for anything that leaves it."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target:  # some browsers read "/\evil.example" as "//evil.example"
        return False
    parts = urlsplit(target)
    return parts.scheme == "" and parts.netloc == ""


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_local_path(target) else fallback
