"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

User text reaches the documents through Jinja autoescaping; this fetcher is the
second wall: even markup that slipped through could not read a local file or
call out to the network. Only `data:` URIs and files inside the static folder
are handed to the renderer; every other URL fails as if it did not exist.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from config import BASE_DIR

# WeasyPrint lays out in CSS pixels (96 per inch); a PDF measures in points (72 per inch).
POINTS_PER_PX = 0.75
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


@dataclass(frozen=True)
class Placed:
    """A PDF and where one element of it landed: its page (from 0) and its border box
    in PDF points from the page's lower-left corner."""

    pdf: bytes
    page: int
    x1: float
    y1: float
    x2: float
    y2: float


class NotOnLastPage(RuntimeError):
    """The element or its corner marker is missing, split over pages, or on a page before
    the last, or the marker does not lie below and right of the element's top-left."""


def render_pdf_placing(
    html: str, element_id: str, corner_id: str, *, pdf_tags: bool = True, **options
) -> Placed:
    """`render_pdf`, and where the element with id `element_id` landed on the last page.

    The layout is made once: WeasyPrint's `render()` gives the pages, and the same
    document is then written with the same options. Each page's `anchors` give, for
    every element with an id, an (x, y) point in CSS pixels from the page's top-left:
    the element's top-left corner. Its bottom-right corner is the point of `corner_id`,
    an empty element the element holds, absolutely positioned at its bottom-right
    (right: 0; bottom: 0; no size; the element itself `position: relative` and without
    a border, so its padding box, which the marker is placed in, is its border box).
    Refused when either is not whole on the last page.
    """
    source = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher())
    document = source.render(pdf_tags=pdf_tags, **options)
    last = len(document.pages) - 1
    for anchor in (element_id, corner_id):
        pages = [i for i, page in enumerate(document.pages) if anchor in page.anchors]
        if pages != [last]:
            raise NotOnLastPage(f"#{anchor} on pages {pages}, the last is {last}")
    page = document.pages[last]
    # Only the documented (x, y) of each anchor; later items are WeasyPrint's own.
    left, top = page.anchors[element_id][:2]
    right, bottom = page.anchors[corner_id][:2]
    if right <= left or bottom <= top:
        raise NotOnLastPage(f"#{corner_id} is not below and right of #{element_id}'s top-left")
    pdf = document.write_pdf(pdf_tags=pdf_tags, **options)
    return Placed(
        pdf=pdf,
        page=last,
        x1=left * POINTS_PER_PX,
        y1=(page.height - bottom) * POINTS_PER_PX,
        x2=right * POINTS_PER_PX,
        y2=(page.height - top) * POINTS_PER_PX,
    )
