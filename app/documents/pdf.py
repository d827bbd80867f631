"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

User text reaches the documents through Jinja autoescaping; this fetcher is the
second wall: even markup that slipped through could not read a local file or
call out to the network. Only `data:` URIs and files inside the static folder
are handed to the renderer; every other URL fails as if it did not exist.
"""

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app import ROOT

STATIC_DIR = (ROOT / "static").resolve()
# Relative links in document templates ("css/print.css") resolve inside static/.
STATIC_BASE_URL = STATIC_DIR.as_uri() + "/"

MIME_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class BlockedFetch(ValueError):
    """Any URL outside the allow-list; WeasyPrint logs it and renders without it."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        target = static_file_for(url)
        if target is None:
            raise BlockedFetch(f"blocked fetch of {url[:200]!r}")
        content_type = MIME_TYPES.get(target.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})


def static_file_for(url: str) -> Path | None:
    """The file inside static/ that `url` names, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    target = Path(unquote(parts.path)).resolve()
    if not target.is_relative_to(STATIC_DIR) or not target.is_file():
        return None
    if target.suffix.lower() not in MIME_TYPES:
        return None
    return target


def render_pdf(html: str, **options) -> bytes:
    return render_document(html, **options)[1]


def render_document(html: str, **options) -> tuple[Document, bytes]:
    """The laid-out document (its pages, their bookmarks) and its PDF."""
    with FORK_GUARD.rendering():
        source = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher())
        document = source.render(font_config=font_config(), **options)
        return document, document.write_pdf(**options)


class _Zlib:
    """zlib for pydyf (WeasyPrint's PDF writer), compressing at the default level.

    pydyf compresses every stream at level 9. On the minutes' pages that takes
    eight times as long as level 6 (about a seventh of a render) for streams 7 %
    smaller; level 6 is what most PDF writers use.
    """

    LEVEL = 6

    def __getattr__(self, name: str):
        return getattr(zlib, name)

    def compressobj(self, level: int = -1, *args, **kwargs):
        return zlib.compressobj(self.LEVEL, *args, **kwargs)


pydyf.zlib = _Zlib()


class ForkGuard:
    """Renders share it; forking a process for a part of a long document takes it alone.

    A forked process has only the thread that forked, and any lock another thread
    held at that moment stays locked in it for ever. WeasyPrint's libraries
    (fontconfig, Pango, GLib, cffi) have such locks, so no other thread may be
    inside a render while the parts' processes are forked (app/reports/parallel.py).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._renders = 0
        self._forking = False

    @contextmanager
    def rendering(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._forking)
            self._renders += 1
        try:
            yield
        finally:
            with self._condition:
                self._renders -= 1
                self._condition.notify_all()

    @contextmanager
    def forking(self, timeout: float) -> Iterator[bool]:
        """True once no render runs in another thread (new ones wait); False after `timeout`."""
        with self._condition:
            free = self._condition.wait_for(
                lambda: self._renders == 0 and not self._forking, timeout
            )
            if free:
                self._forking = True
        try:
            yield free
        finally:
            if free:
                with self._condition:
                    self._forking = False
                    self._condition.notify_all()

    def in_forked_child(self) -> None:
        """The forked copy of a guard taken for forking: free for the child's own render."""
        self._condition = threading.Condition(threading.Lock())
        self._renders = 0
        self._forking = False


FORK_GUARD = ForkGuard()


_thread = threading.local()


def font_config() -> FontConfiguration:
    """This thread's font configuration, kept from one render to the next.

    Pango keeps the fonts it has loaded in it: a later render (and a process
    forked for a part of a long document) does not load them again. The
    documents declare no @font-face, so nothing else is carried over. A font
    configuration is not made to be shared between threads: one per thread.
    """
    config = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config
