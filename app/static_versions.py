"""Versioned static URLs, so that a browser keeps the CSS and scripts instead of asking again.

`url_for("static", filename="css/app.css")` gives `/static/css/app.css?v=<hash>`, the
hash taken from the file's content. A request whose `v` is the current file's hash is
answered with a year's max-age and `immutable`: the browser never revalidates it, and a
changed file gets a new address. Any other request for a static file (no `v`, or one of
an older version) keeps Flask's default, a conditional request each time. nginx does the
same for the files it serves itself (deploy/nginx/rakor.conf).

The hash is computed once per file and recomputed when the file's size or modification
time changes, so an edited stylesheet gets a new address without a restart.
"""

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
ONE_YEAR = 365 * 24 * 3600
# Hex characters of the SHA-256 of the content: enough to tell versions apart.
VERSION_LENGTH = 12


class StaticVersions:
    """The content hash of each file of one static folder, by its path inside it."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._known: dict[str, tuple[int, int, str]] = {}  # path -> (mtime_ns, size, hash)

    def version(self, filename: str) -> str | None:
        """The file's version, or None when no such file is in the folder."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:VERSION_LENGTH]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


class Rakor(Flask):
    """Flask, with a long cache for static files asked for by their current version."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        if filename and is_current_version(filename):
            return ONE_YEAR
        return super().get_send_file_max_age(filename)


def is_current_version(filename: str) -> bool:
    asked = request.args.get(VERSION_ARG)
    return bool(asked) and asked == static_versions().version(filename)


def static_versions() -> StaticVersions:
    return current_app.extensions["rakor_static_versions"]


def register(app: Flask) -> None:
    if not app.static_folder:
        return
    versions = StaticVersions(app.static_folder)
    app.extensions["rakor_static_versions"] = versions

    @app.url_defaults
    def add_static_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
            return
        version = versions.version(values["filename"])
        if version is not None:
            values[VERSION_ARG] = version

    @app.after_request
    def mark_versioned_static_immutable(response: Response) -> Response:
        if request.endpoint == "static" and response.cache_control.max_age == ONE_YEAR:
            response.cache_control.immutable = True
        return response
