"""A long document laid out in parallel processes and joined into one PDF.

WeasyPrint lays a document out one page after another, in one thread: a long
document keeps one core busy while the others wait. But the minutes have places
where a new page starts whatever comes before: each strategy after the first,
when the list is long, and the attendance list. The pages after such a break do
not depend on the pages before it, so the document can be cut there into parts,
each laid out and drawn at the same time, and the parts' files joined: the same
pages, on two cores in a little more than half the time.

The template marks the cut points, for the PDF only (`seams`): PARTS_MARK after
what every part repeats (the head and the running footer), and SEAM before each
forced page break. Consecutive segments are grouped into as many parts as there
are processes, balanced by the length of their markup. This process renders the
smallest part (it also joins the files); a process forked from it renders each
other part.

Three things must come out as they do from a single render:

- "Halaman X dari Y". Every part lays out its pages first; the forked ones
  report their count and wait; this process, once its own part is paginated,
  collects the counts and sends each part the number of its first page and the
  total; only then are the page margins (the running footer) laid out. WeasyPrint
  70 lays out the margins of every page once the pagination is done, through
  `weasyprint.layout.make_margin_boxes`, which is wrapped here for that
  (`_numbered_margin_boxes`: a render that is not a part goes straight through).
  If a WeasyPrint upgrade stops calling it, no part is numbered, the render says
  so (PartsFailed) and the document is rendered in one process instead.
- The first page's margin. `@page :first` is each part's first page, so every
  part but the first is given the margin of the other pages (CONTINUATION_CSS).
- The document's metadata. The first part's file is the base: title, author,
  language, identifier and, for the archived minutes, the PDF/A output intent and
  XMP metadata. The other parts' pages are appended with pypdf, and the outline
  (the bookmarks of the headings) is built again over all the pages by
  WeasyPrint's own rules.

The forked processes start with this one's imports and caches (fonts loaded,
templates compiled), and their markup needs no pickling. They touch neither the
database nor the app, write to nothing but their pipe, and leave with os._exit.
Anything unexpected (no fork, a part that fails or takes too long) raises
PartsFailed, the other processes are killed, and the caller renders the
document in one process: slower, the same pages.
"""

import contextlib
import gc
import io
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from types import SimpleNamespace
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import Fit, NameObject
from weasyprint.document import Document

from app.pdf import FORK_GUARD

PARTS_MARK = "<!--rakor:parts-->"
SEAM = "<!--rakor:seam-->"
# Every page but the first has this top margin (static/css/report.css: `@page`).
CONTINUATION_CSS = "@page :first { margin-top: 18mm !important; }"
# Below this much markup one process is quicker than starting others (about 4 pages).
MIN_PARALLEL_CHARS = 20_000
# Each process holds its part's pages and copies some of this one's memory.
MAX_PROCESSES = 4
# A part that takes longer than this is given up. 5,000 inputs take seconds in parts
# and well under two minutes in one process, so the one-process fallback that follows
# still ends inside the 10 minutes jobs.py gives a job.
PART_TIMEOUT = 120
# How long a render in another thread may keep the parts from being forked (app/pdf.py).
FORK_WAIT = 2.0
# 0.75 PDF points per CSS pixel, as WeasyPrint writes its outlines.
PDF_SCALE = 0.75


class PartsFailed(RuntimeError):
    """A part did not render as expected; the caller renders in one process."""


@dataclass
class Split:
    """A document cut at its seams: head + segments + tail make the whole."""

    head: str
    segments: list[str]
    tail: str

    def part(self, segments: Sequence[str]) -> str:
        return self.head + "".join(segments) + self.tail


@dataclass
class PartStats:
    pages: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    # Memory this process added to the parent's: its private pages at the end
    # (what it allocated and what it copied on write), or the growth of its
    # resident set, whichever is larger.
    own_mib: float = 0.0


@dataclass
class RenderStats:
    """What a render did, for the benchmark and the log."""

    processes: int = 1
    parts: list[PartStats] = field(default_factory=list)
    fallback: str = ""


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def split_document(html: str) -> Split | None:
    """The document cut at its seams, or None when it has none."""
    head, found, rest = html.partition(PARTS_MARK)
    if not found or SEAM not in rest:
        return None
    body_end = rest.rfind("</body>")
    if body_end < 0:
        return None
    return Split(head, rest[:body_end].split(SEAM), rest[body_end:])


def group_segments(sizes: Sequence[int], count: int) -> list[range]:
    """At most `count` runs of consecutive segments, the largest run as small as can be."""
    count = max(1, min(count, len(sizes)))
    ends = [0]
    for size in sizes:
        ends.append(ends[-1] + size)
    # best[k][i]: the largest run when the first i segments make k runs; cut[k][i]: its last cut.
    n = len(sizes)
    best = [[float("inf")] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                largest = max(best[k - 1][j], ends[i] - ends[j])
                if largest < best[k][i]:
                    best[k][i], cut[k][i] = largest, j
    runs = []
    i = n
    for k in range(count, 0, -1):
        runs.append(range(cut[k][i], i))
        i = cut[k][i]
    return runs[::-1]


PartRenderer = Callable[[str, str], tuple[Any, bytes]]


def render_in_parts(
    split: Split,
    render_part: PartRenderer,
    *,
    processes: int,
    progress: Callable[[int], None] | None = None,
    stats: RenderStats | None = None,
) -> bytes:
    """The whole document's PDF, its parts rendered at the same time.

    This process renders the smallest part, since it also joins the files, and
    forks one process for each other part. `render_part(html, extra_css)`
    renders one part with WeasyPrint and returns its Document and PDF;
    `extra_css` is CONTINUATION_CSS for every part but the first. Raises
    PartsFailed when the parts could not be rendered.
    """
    if not hasattr(os, "fork"):
        raise PartsFailed("no fork on this system")
    sizes = [len(segment) for segment in split.segments]
    runs = group_segments(sizes, processes)
    mine = min(range(len(runs)), key=lambda index: sum(sizes[i] for i in runs[index]))
    htmls = [split.part(split.segments[run.start : run.stop]) for run in runs]
    _install_numbering()
    children: dict[int, tuple[int, Connection]] = {}
    finished = False
    try:
        with FORK_GUARD.forking(timeout=FORK_WAIT) as free:
            if not free:
                raise PartsFailed(f"another render kept the fork waiting {FORK_WAIT} s")
            for index, html in enumerate(htmls):
                if index == mine:
                    continue
                try:
                    parent_end, child_end = Pipe()
                    pid = os.fork()
                except OSError as error:  # out of processes or memory
                    raise PartsFailed(f"could not start a part's process: {error}") from error
                if pid == 0:  # pragma: no cover - the child leaves with os._exit
                    try:
                        FORK_GUARD.in_forked_child()
                        parent_end.close()
                        for _, other in children.values():
                            other.close()
                        _child(child_end, html, continuation(index), render_part)
                    finally:
                        os._exit(1)  # never back into the parent's code
                child_end.close()
                children[index] = (pid, parent_end)
        own_html = htmls[mine]
        del htmls
        pdf = _render_own_and_join(
            own_html, mine, len(runs), render_part, children, progress, stats
        )
        finished = True
    finally:
        for pid, connection in children.values():
            connection.close()
            _reap(pid, kill=not finished)
    if stats is not None:
        stats.processes = len(runs)
    return pdf


def continuation(index: int) -> str:
    return CONTINUATION_CSS if index else ""


# --- this process: its part, the page numbers, the joining ---------------------------------


def _render_own_and_join(
    html: str,
    mine: int,
    count: int,
    render_part: PartRenderer,
    children: dict[int, tuple[int, Connection]],
    progress: Callable[[int], None] | None,
    stats: RenderStats | None,
) -> bytes:
    connections = {index: connection for index, (_, connection) in children.items()}
    deadline = time.monotonic() + PART_TIMEOUT
    started, cpu_started = time.perf_counter(), time.process_time()
    numbering = _Numbering(mine, connections, deadline, progress)
    _local.numbering = numbering
    try:
        document, pdf = render_part(html, continuation(mine))
    finally:
        _local.numbering = None
    if numbering.total is None:
        # This WeasyPrint never laid out the margins apart: the parts cannot be numbered.
        raise PartsFailed("the page margins were not laid out after the pagination")
    pdfs: list[bytes] = [b""] * count
    marks: list[list] = [[]] * count
    parts: list[PartStats] = [PartStats()] * count
    pdfs[mine] = pdf
    marks[mine] = [(page.height, page.bookmarks) for page in document.pages]
    parts[mine] = PartStats(
        pages=len(document.pages),
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=round(time.process_time() - cpu_started, 3),
    )
    # The laid-out pages are no longer needed: their memory goes to the joining. While
    # the other parts finish, collect the cycles the layout left (the garbage collector
    # is paused during a render, gc_paused): this process would collect them afterwards.
    del document, pdf
    gc.collect(0)
    for index, connection in connections.items():
        pdfs[index], marks[index], parts[index] = _expect(connection, "done", deadline)
    if progress:
        progress(90)
    if stats is not None:
        stats.parts = parts
    return join_parts(pdfs, marks)


class _Numbering:
    """Once this process's part is paginated: collect every part's count, hand out numbers."""

    def __init__(
        self,
        mine: int,
        connections: dict[int, Connection],
        deadline: float,
        progress: Callable[[int], None] | None,
    ):
        self.mine = mine
        self.connections = connections
        self.deadline = deadline
        self.progress = progress
        self.first_page = 0
        self.total: int | None = None

    def numbers(self, own_pages: int) -> tuple[int, int]:
        if self.total is None:
            counts = {self.mine: own_pages}
            for index, connection in self.connections.items():
                counts[index] = _expect(connection, "pages", self.deadline)[0]
            self.total = sum(counts.values())
            first_page = 0
            for index in sorted(counts):
                if index == self.mine:
                    self.first_page = first_page
                else:
                    self.connections[index].send((first_page, self.total))
                first_page += counts[index]
            if self.progress:
                self.progress(70)
        return self.first_page, self.total


def _expect(connection: Connection, kind: str, deadline: float) -> tuple:
    left = deadline - time.monotonic()
    if left <= 0 or not wait([connection], timeout=left):
        raise PartsFailed(f"a part took longer than {PART_TIMEOUT} s")
    try:
        message = connection.recv()
    except EOFError as error:
        raise PartsFailed("a part's process ended without an answer") from error
    if message[0] == "error":
        raise PartsFailed(f"a part failed: {message[1]}")
    if message[0] != kind:
        raise PartsFailed(f"a part answered {message[0]!r} instead of {kind!r}")
    return message[1:]


_reapers: set[threading.Thread] = set()


def _reap(pid: int, *, kill: bool) -> None:
    """Collect a part's process once it ends; when the render was given up, end it first.

    A process that sent its part may still be handing its memory back to the
    system: a thread waits for it, so the joined file goes back at once.
    """
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        if kill:
            os.kill(pid, signal.SIGKILL)
        elif os.waitpid(pid, os.WNOHANG)[0] == 0:
            reaper = threading.Thread(target=_wait, args=(pid,), name="rakor-reap", daemon=True)
            _reapers.add(reaper)
            reaper.start()
            return
        else:
            return  # reaped just now: waiting again could wait for a reused pid
        os.waitpid(pid, 0)


def _wait(pid: int) -> None:
    try:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    finally:
        _reapers.discard(threading.current_thread())


def wait_for_ended_parts(timeout: float = 10) -> None:
    """Until every part's process has been collected (for CPU accounting: RUSAGE_CHILDREN)."""
    for reaper in list(_reapers):
        reaper.join(timeout)


def join_parts(pdfs: Sequence[bytes], marks: Sequence[list]) -> bytes:
    """One file: the first part with its metadata, the others' pages, a new outline."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfs[0])))
    for pdf in pdfs[1:]:
        writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
    # The outline over every page, as WeasyPrint builds it for one document.
    root = writer._root_object
    if NameObject("/Outlines") in root:
        del root[NameObject("/Outlines")]
    pages = [
        SimpleNamespace(height=height, bookmarks=bookmarks)
        for part in marks
        for height, bookmarks in part
    ]
    tree = Document.make_bookmark_tree(SimpleNamespace(pages=pages), PDF_SCALE, True)

    def add(items: list, parent: Any) -> None:
        for title, (page, x, y), children, state in items:
            item = writer.add_outline_item(
                title, page, parent=parent, fit=Fit.xyz(x, y, 0), is_open=state != "closed"
            )
            add(children, item)

    add(tree, None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- a part's process ---------------------------------------------------------------------


def _child(
    connection: Connection, html: str, extra_css: str, render_part: PartRenderer
) -> None:  # pragma: no cover - runs in the forked process, checked by its results
    code = 0
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        resident_at_start = _resident_kib()
        gc.disable()
        # The parent's progress handler writes to the database: not from here. And
        # nothing is written to the inherited stdout or stderr: another thread of the
        # parent may have held their locks at the fork, which would hang this process.
        logging.disable(logging.CRITICAL)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (until os._exit)
        _local.numbering = _ChildNumbering(connection)
        document, pdf = render_part(html, extra_css)
        marks = [(page.height, page.bookmarks) for page in document.pages]
        import resource

        growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - resident_at_start
        stats = PartStats(
            pages=len(document.pages),
            seconds=round(time.perf_counter() - started, 3),
            cpu_seconds=round(time.process_time() - cpu_started, 3),
            own_mib=round(max(_private_kib(), growth) / 1024, 1),
        )
        connection.send(("done", pdf, marks, stats))
    except BaseException:
        code = 1
        with contextlib.suppress(Exception):  # the parent is gone: nobody to tell
            connection.send(("error", traceback.format_exc(limit=8)[-2000:]))
    finally:
        os._exit(code)


class _ChildNumbering:
    """Report this part's count to the parent, and wait for its first page number and total."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.answer: tuple[int, int] | None = None

    def numbers(self, own_pages: int) -> tuple[int, int]:
        if self.answer is None:
            self.connection.send(("pages", own_pages))
            self.answer = self.connection.recv()
        return self.answer


# --- numbering the pages across parts ---------------------------------------------------------

_local = threading.local()
_install_lock = threading.Lock()
_original_margin_boxes: Callable | None = None


def _install_numbering() -> None:
    """Route WeasyPrint's margin layout through `_numbered_margin_boxes` (once per process).

    Nothing changes for a render that is not a part: its thread has no numbering.
    """
    global _original_margin_boxes
    from weasyprint import layout

    with _install_lock:
        if _original_margin_boxes is None:
            _original_margin_boxes = layout.make_margin_boxes
            layout.make_margin_boxes = _numbered_margin_boxes


def _numbered_margin_boxes(context: Any, page: Any, state: Any) -> Any:
    """The page's margins with its number in the whole document and the total.

    WeasyPrint calls this for every page once the pagination is over, with the
    page's counters: "page" counts within the part, "pages" is the part's count.
    """
    numbering = getattr(_local, "numbering", None)
    if numbering is None:
        return _original_margin_boxes(context, page, state)
    quote_depth, counters, scopes, groups = state
    first_page, total = numbering.numbers(counters["pages"][-1])
    counters = dict(counters)
    *outer, number = counters["page"]
    counters["page"] = [*outer, number + first_page]
    counters["pages"] = [total]
    return _original_margin_boxes(
        context, page, type(state)((quote_depth, counters, scopes, groups))
    )


def _resident_kib() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


def _private_kib() -> int:
    """Pages of this process alone (Private_Clean + Private_Dirty), Linux only."""
    try:
        with open("/proc/self/smaps_rollup") as rollup:
            return sum(int(line.split()[1]) for line in rollup if line.startswith("Private_"))
    except OSError:
        return 0
