"""Context -> HTML -> PDF, the same way from a request, the CLI, a thread or an RQ worker.

Nothing here needs a request: templates are taken from the app's Jinja
environment (an app context is enough) and rendered in Indonesian. The PDF goes
through `app.pdf.render_pdf`, whose URL fetcher hands WeasyPrint nothing but
files under static/ and `data:` URIs.
"""

import gc
import hashlib
import logging
import os
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

from app import ROOT
from app.pdf import render_document, render_pdf
from app.reports import formatting
from app.reports.evaluation import build_evaluation_context, evaluation_charts
from app.reports.formatting import document_locale
from app.reports.parallel import (
    MAX_PROCESSES,
    MIN_PARALLEL_CHARS,
    PartsFailed,
    RenderStats,
    render_in_parts,
    split_document,
    usable_cpus,
)
from app.reports.services import (
    PAGE_SIZES,
    MeetingView,
    build_minutes_context,
    source_digest,
)

BUILDERS = {"minutes": build_minutes_context, "evaluation": build_evaluation_context}
TEMPLATES = {"minutes": "reports/minutes.html", "evaluation": "reports/evaluation.html"}
PDF_LAYOUT = "reports/_pdf.html"
FRAGMENT_LAYOUT = "reports/_fragment.html"
# The final minutes are archived as PDF/A-3b (ISO 19005-3, level B: the look is preserved).
ARCHIVE_VARIANT = "pdf/a-3b"

# Everything that decides how a context is drawn: a change to any of these files
# changes the digest, so cached drafts are drawn again after an upgrade.
DRAWING_FILES = (
    "templates/reports/_pdf.html",
    "templates/reports/_fragment.html",
    "templates/reports/_parts.html",
    "templates/reports/minutes.html",
    "templates/reports/evaluation.html",
    "static/css/report.css",
    "app/reports/charts.py",
    "app/reports/formatting.py",
    "app/reports/render.py",
    "app/reports/parallel.py",
)

ProgressCallback = Callable[[int], None]
log = logging.getLogger(__name__)


@cache
def template_version() -> str:
    digest = hashlib.sha256()
    for name in DRAWING_FILES:
        path = ROOT / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def formatters() -> SimpleNamespace:
    return SimpleNamespace(**formatting.FILTERS)


def document_html(context: Any, *, digest: str = "", layout: str = PDF_LAYOUT) -> str:
    """The document as HTML: a standalone page for the PDF, or a fragment for the preview.

    The PDF's markup carries the seams where it may be cut into parts (parallel.py).
    """
    with document_locale():
        template = current_app.jinja_env.get_template(TEMPLATES[context.kind])
        return template.render(
            doc=context,
            digest=digest,
            layout=layout,
            seams=layout == PDF_LAYOUT,
            fmt=formatters(),
            charts=charts_for(context),
        )


def document_fragment(context: Any, *, digest: str = "") -> Markup:
    """The preview's body. Safe: the output of an autoescaping template, user text escaped."""
    return Markup(document_html(context, digest=digest, layout=FRAGMENT_LAYOUT))  # noqa: S704


def charts_for(context: Any) -> dict[str, Any]:
    return evaluation_charts(context) if context.kind == "evaluation" else {}


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
    return Preview(
        kind=kind,
        title=context.title,
        meeting=context.meeting,
        body=document_fragment(context, digest=digest),
        digest=digest,
    )


def document_pdf(
    context: Any,
    *,
    digest: str,
    archive: bool = False,
    progress: ProgressCallback | None = None,
    stats: RenderStats | None = None,
) -> bytes:
    """The document's PDF; a long one is laid out in parts on every core (parallel.py)."""
    html = document_html(context, digest=digest)
    if progress:
        progress(35)
    # A4 or F4 (215 x 330 mm), chosen on the letterhead; the margins stay in report.css.
    # WeasyPrint treats this extra sheet as the user's: it only wins with !important.
    page_size = PAGE_SIZES[context.letterhead.page_size]
    size = f"@page {{ size: {page_size} !important; }}"
    options: dict[str, Any] = {}
    if archive:
        options["pdf_variant"] = ARCHIVE_VARIANT
    this_process = os.getpid()

    def render_part(part: str, extra_css: str) -> tuple[Any, bytes]:
        sheets = [CSS(string=size + extra_css)]
        if os.getpid() != this_process:  # a forked part: no progress bar, no database
            return render_document(part, stylesheets=sheets, **options)
        with weasyprint_progress(progress, expected_pages(part)):
            return render_document(part, stylesheets=sheets, **options)

    with gc_paused():
        processes = render_processes(html)
        split = split_document(html) if processes > 1 else None
        if split is not None:
            try:
                return render_in_parts(
                    split, render_part, processes=processes, progress=progress, stats=stats
                )
            except PartsFailed as error:
                log.warning("rendering in one process: %s", error)
                if stats is not None:
                    stats.fallback = str(error)
        with weasyprint_progress(progress, expected_pages(html)):
            return render_pdf(html, stylesheets=[CSS(string=size)], **options)


def render_processes(html: str) -> int:
    """How many processes lay out this document: one for a short one, else one per core.

    RAKOR_RENDER_PROCESSES sets it (1: always one process; default: the cores this
    process may use, at most MAX_PROCESSES); RAKOR_RENDER_PARALLEL_MIN_CHARS is the
    length of markup below which one process is quicker than starting others.
    """
    config = current_app.config
    if len(html) < config.get("RAKOR_RENDER_PARALLEL_MIN_CHARS", MIN_PARALLEL_CHARS):
        return 1
    wanted = config.get("RAKOR_RENDER_PROCESSES") or MAX_PROCESSES
    return max(1, min(int(wanted), usable_cpus()))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while WeasyPrint lays out a document.

    A long document builds millions of small objects; every automatic full
    collection walks all of them, which made 5,000 inputs take more than twice
    as long. Reference counting still frees almost everything as usual; the few
    cycles the render leaves go with the collector's next ordinary run (an
    explicit full collection here would cost a tenth of the render).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- progress: WeasyPrint reports its steps on the "weasyprint.progress" logger ----

PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
PROGRESS_LOGGER.setLevel(logging.INFO)
# Page-by-page chatter is for the progress bar only, not for the application's log.
PROGRESS_LOGGER.propagate = False
CHARACTERS_PER_PAGE = 9000


def expected_pages(html: str) -> int:
    """A rough page count from the HTML's length, to turn "page 37" into a percentage."""
    return max(len(html) // CHARACTERS_PER_PAGE, 1)


class _StepHandler(logging.Handler):
    """Maps WeasyPrint's steps onto 35-95 %, listening to the rendering thread only."""

    def __init__(self, report: ProgressCallback, pages: int):
        super().__init__(logging.INFO)
        self.report = report
        self.pages = pages
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith("Step 5") and record.args:
            page = int(record.args[0]) if isinstance(record.args, tuple) else 0
            self.report(40 + min(40 * page // self.pages, 40))
        elif message.startswith("Step 6"):
            self.report(82)
        elif message.startswith("Step 7"):
            self.report(95)


@contextmanager
def weasyprint_progress(report: ProgressCallback | None, pages: int) -> Iterator[None]:
    if report is None:
        yield
        return
    handler = _StepHandler(report, pages)
    PROGRESS_LOGGER.addHandler(handler)
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
