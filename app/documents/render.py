"""Context -> HTML -> PDF, the same way from a request, the CLI or an RQ worker.

Nothing here needs a request: templates are taken from the app's Jinja
environment (an app context is enough) and rendered in Indonesian. The PDF goes
through `render_pdf`, whose URL fetcher hands WeasyPrint nothing but files
under static/ and `data:` URIs.
"""

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

from flask import current_app
from markupsafe import Markup
from weasyprint import CSS

from app.documents import formatting
from app.documents.agreement import build_agreement_context
from app.documents.attendance import build_attendance_context
from app.documents.context import (
    PAGE_SIZES,
    MeetingView,
    build_minutes_context,
    source_digest,
)
from app.documents.evaluation import build_evaluation_context, evaluation_charts
from app.documents.formatting import document_locale
from app.documents.pdf import Placed, render_pdf, render_pdf_placing
from app.documents.report import build_report_context
from config import BASE_DIR

BUILDERS = {
    "minutes": build_minutes_context,
    "evaluation": build_evaluation_context,
    "attendance": build_attendance_context,
    "berita_acara": build_agreement_context,
    "laporan": build_report_context,
}
TEMPLATES = {
    "minutes": "documents/minutes.html",
    "evaluation": "documents/evaluation.html",
    "attendance": "documents/attendance.html",
    "berita_acara": "documents/berita_acara.html",
    "laporan": "documents/laporan.html",
}
PDF_LAYOUT = "documents/_pdf.html"
# The empty block a final document ends with, where the signatures' stamps go
# (app/signing/area.py); its id marks its top-left corner, and the empty marker it
# holds at its bottom-right carries the second id: from the two the renderer reports
# the block's place (app/documents/pdf.py `render_pdf_placing`).
SIGNATURE_AREA_ID = "tanda-tangan-elektronik"
SIGNATURE_AREA_CORNER_ID = "tanda-tangan-elektronik-sudut"
FRAGMENT_LAYOUT = "documents/_fragment.html"
# Every PDF is tagged for screen readers: headings, paragraphs, tables with their header
# cells, the language (lang="id") and the title shown as the window's title. A draft
# declares PDF/UA-1 (ISO 14289-1, universal accessibility). The final documents are
# archived as PDF/A-3a (ISO 19005-3, level A: the look preserved, as level B, and the
# same tagged structure and Unicode text). A file declares one variant: WeasyPrint
# writes the identification of the one it is given, and PDF/A-3a already requires
# the tags.
DRAFT_VARIANT = "pdf/ua-1"
ARCHIVE_VARIANT = "pdf/a-3a"

# Everything that decides how a context is drawn: a change to any of these files
# changes the digest, so cached drafts are drawn again after an upgrade.
DRAWING_FILES = (
    "templates/documents/_pdf.html",
    "templates/documents/_fragment.html",
    "templates/documents/_parts.html",
    "templates/documents/_attendance.html",
    "templates/documents/minutes.html",
    "templates/documents/evaluation.html",
    "templates/documents/attendance.html",
    "templates/documents/berita_acara.html",
    "templates/documents/laporan.html",
    "templates/documents/_voice.html",
    "static/css/report.css",
    "app/documents/charts.py",
    "app/insight/geo.py",
    "app/documents/formatting.py",
    "app/documents/render.py",
)

ProgressCallback = Callable[[int], None]


@cache
def template_version() -> str:
    digest = hashlib.sha256()
    for name in DRAWING_FILES:
        path = BASE_DIR / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def document_html(
    context: Any, *, digest: str = "", layout: str = PDF_LAYOUT, signature_area_mm: float = 0
) -> str:
    """The document as HTML: a standalone page for the PDF, or a fragment for the preview.

    `signature_area_mm` > 0 ends the page with the empty block of that height where
    the signatures' stamps go: the archived final documents only.
    """
    with document_locale():
        template = current_app.jinja_env.get_template(TEMPLATES[context.kind])
        return template.render(
            doc=context,
            digest=digest,
            layout=layout,
            signature_area_id=SIGNATURE_AREA_ID,
            signature_area_corner_id=SIGNATURE_AREA_CORNER_ID,
            signature_area_mm=signature_area_mm,
            fmt=SimpleNamespace(**formatting.FILTERS),
            charts=evaluation_charts(context) if context.kind == "evaluation" else {},
        )


def build_context(kind: str, meeting_id: int) -> tuple[Any, str]:
    """A document's context and its source digest."""
    context = BUILDERS[kind](meeting_id)
    return context, source_digest(context, template_version())


@dataclass(frozen=True)
class Preview:
    kind: str
    title: str
    meeting: MeetingView
    body: Markup
    digest: str


def preview(kind: str, meeting_id: int) -> Preview:
    """The HTML preview: the very markup the PDF is made from, as a fragment."""
    context, digest = build_context(kind, meeting_id)
    # Safe: the output of an autoescaping template, user text escaped.
    body = Markup(document_html(context, digest=digest, layout=FRAGMENT_LAYOUT))  # noqa: S704
    return Preview(kind, context.title, context.meeting, body, digest)


def document_pdf(
    context: Any, *, digest: str, archive: bool = False, progress: ProgressCallback | None = None
) -> bytes:
    html = document_html(context, digest=digest)
    variant = ARCHIVE_VARIANT if archive else DRAFT_VARIANT
    with weasyprint_progress(progress, expected_pages(html)):
        return render_pdf(html, stylesheets=page_size_sheets(context), pdf_variant=variant)


def final_pdf(
    context: Any,
    *,
    digest: str,
    signature_area_mm: float,
    progress: ProgressCallback | None = None,
) -> Placed:
    """The archived final document (PDF/A-3a), ending with the signatures' empty block,
    and where that block landed on the last page."""
    html = document_html(context, digest=digest, signature_area_mm=signature_area_mm)
    with weasyprint_progress(progress, expected_pages(html)):
        return render_pdf_placing(
            html,
            SIGNATURE_AREA_ID,
            SIGNATURE_AREA_CORNER_ID,
            stylesheets=page_size_sheets(context),
            pdf_variant=ARCHIVE_VARIANT,
        )


def page_size_sheets(context: Any) -> list[CSS]:
    # A4 or F4 (215 x 330 mm), chosen on the letterhead; the margins stay in report.css.
    # WeasyPrint treats this extra sheet as the user's: it only wins with !important.
    size = f"@page {{ size: {PAGE_SIZES[context.letterhead.page_size]} !important; }}"
    return [CSS(string=size)]


# --- progress: WeasyPrint reports its steps on the "weasyprint.progress" logger ----

PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
PROGRESS_LOGGER.setLevel(logging.INFO)
# Page-by-page chatter is for the progress bar only, not for the application's log.
PROGRESS_LOGGER.propagate = False
CHARACTERS_PER_PAGE = 9000


def expected_pages(html: str) -> int:
    """A rough page count from the HTML's length, to turn "page 37" into a percentage."""
    return max(len(html) // CHARACTERS_PER_PAGE, 1)


class StepHandler(logging.Handler):
    """Maps WeasyPrint's steps onto 40-95 %, listening to the rendering thread only."""

    def __init__(self, report: ProgressCallback, pages: int, thread: int):
        super().__init__(logging.INFO)
        self.report = report
        self.pages = pages
        self.thread = thread

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith("Step 5") and isinstance(record.args, tuple) and record.args:
            self.report(40 + min(40 * int(record.args[0]) // self.pages, 40))
        elif message.startswith("Step 6"):
            self.report(82)
        elif message.startswith("Step 7"):
            self.report(95)


@contextmanager
def weasyprint_progress(report: ProgressCallback | None, pages: int) -> Iterator[None]:
    if report is None:
        yield
        return
    handler = StepHandler(report, pages, threading.get_ident())
    PROGRESS_LOGGER.addHandler(handler)
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
