"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

User text reaches the documents through Jinja autoescaping; this fetcher is the
second wall: even markup that slipped through could not read a local file or
call out to the network. Only `data:` URIs and files inside the static folder
are handed to the renderer; every other URL fails as if it did not exist.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from config import BASE_DIR

STATIC_DIR = (BASE_DIR / "static").resolve()
# Relative links in document templates ("css/report.css") resolve inside static/.
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


def render_pdf(html: str, *, pdf_tags: bool = True, **options) -> bytes:
    """The PDF of a standalone HTML page; `options` go to WeasyPrint's `write_pdf`.

    Tagged by default (a structure tree that screen readers follow, the page's
    lang and <title> in the catalog), whatever the variant: WeasyPrint turns tags
    on for the tagged variants (PDF/UA, PDF/A level A), and asking for them
    explicitly keeps every other PDF (the poster, the paper form) accessible too.
    """
    source = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher())
    return source.write_pdf(pdf_tags=pdf_tags, **options)
