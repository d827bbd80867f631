"""Long minutes laid out in parts, in processes of their own, and joined into one PDF.

A meeting with a long list starts each strategy after the first on a new page;
the PDF is then cut at those pages (and before the attendance list), the parts
are rendered at the same time and joined (app/reports/parallel.py). A reader
must get exactly the document one process makes: the same pages with the same
text, "Halaman X dari Y" counted over the whole file, the bookmarks, the
metadata and, for the archived minutes, PDF/A.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from test_reports import build_record, pdf_reader

from app import pdf
from app.extensions import db
from app.models import Pillar, Submission
from app.pdf import render_document
from app.reports import parallel
from app.reports.parallel import (
    PartsFailed,
    RenderStats,
    group_segments,
    render_in_parts,
    split_document,
)
from app.reports.render import build_context, document_html, document_pdf

# The demo's words: long enough for a list of many pages.
DESCRIPTION = (
    "Warga miskin di kelurahan ini belum semuanya tercatat di DTKS. Pendataan ulang "
    "perlu dilakukan bersama RT dan RW setiap triwulan, dengan verifikasi lapangan "
    "oleh pendamping PKH dan TKSK agar bantuan tepat sasaran."
)


@pytest.fixture
def app_config() -> dict:
    return {"RAKOR_RENDER_SYNC": True}


@pytest.fixture
def long_meeting(app, make_meeting) -> int:
    """The test record plus 80 inputs over the four strategies: about fifteen pages."""
    record = build_record(app, make_meeting)
    with app.app_context():
        pillars = list(db.session.scalars(select(Pillar).order_by(Pillar.position)))
        db.session.add_all(
            Submission(
                meeting_id=record.meeting_id,
                receipt_code=f"PAN{number:05d}",
                idempotency_key=f"panjang-{number}",
                submitter_name=f"Peserta {number}",
                role="stakeholder",
                organisation="Forum Warga",
                position="Ketua",
                kind="usulan",
                submitted_pillar_id=pillars[number % 4].id,
                pillar_id=pillars[number % 4].id,
                title=f"Usulan pendataan warga miskin nomor {number}",
                description=DESCRIPTION,
                status="accepted",
            )
            for number in range(1, 81)
        )
        db.session.commit()
    return record.meeting_id


def render(app, meeting_id: int, *, processes: int, archive: bool = False):
    app.config["RAKOR_RENDER_PROCESSES"] = processes
    stats = RenderStats()
    with app.app_context():
        context, digest = build_context("minutes", meeting_id)
        pdf = document_pdf(context, digest=digest, archive=archive, stats=stats)
    return pdf, stats


def page_texts(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in pdf_reader(data).pages]


def outline(data: bytes) -> list[tuple[int, str, int, float]]:
    """The bookmarks as (depth, title, page index, top), in order."""
    reader = pdf_reader(data)

    def walk(items: list, depth: int) -> list:
        rows = []
        for item in items:
            if isinstance(item, list):
                rows += walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                rows.append((depth, item.title, page, round(float(item.top), 1)))
        return rows

    return walk(reader.outline, 0)


def test_minutes_in_parts_are_the_minutes_of_one_process(app, long_meeting):
    together, single = render(app, long_meeting, processes=1)
    parted, stats = render(app, long_meeting, processes=2)
    assert single.processes == 1 and not single.parts
    assert stats.processes == 2 and stats.fallback == ""
    assert all(part.pages > 1 for part in stats.parts)

    texts = page_texts(parted)
    assert texts == page_texts(together)
    total = len(texts)
    assert total == sum(part.pages for part in stats.parts)
    for number, text in enumerate(texts, start=1):
        assert f"Halaman {number} dari {total}" in text
    # Each strategy after the first starts a page: its heading is the page's first line.
    starts = [text for text in texts if re.match(r"P[234] · ", text)]
    assert len(starts) == 3
    assert texts[-1].upper().startswith("LAMPIRAN: DAFTAR HADIR")

    bookmarks = outline(parted)
    assert bookmarks == outline(together)
    titles = [title for _, title, _, _ in bookmarks]
    assert titles[0] == "NOTULEN RAPAT" and "III. Masukan Peserta" in titles
    # The strategies sit under "III. Masukan Peserta", each on the page it starts.
    strategies = [row for row in bookmarks if re.match(r"P\d · ", row[1])]
    assert [depth for depth, *_ in strategies] == [2, 2, 2, 2]
    assert [texts[page].startswith(title[:4]) for _, title, page, _ in strategies[1:]] == [True] * 3

    reader, alone = pdf_reader(parted), pdf_reader(together)
    assert reader.metadata.title == alone.metadata.title
    assert reader.metadata.author == "Badan Perencanaan Pembangunan Daerah"
    assert reader.metadata.producer == alone.metadata.producer
    assert reader.trailer["/Root"]["/Lang"] == "id"


def test_archived_minutes_in_parts_stay_pdf_a(app, long_meeting):
    data, stats = render(app, long_meeting, processes=2, archive=True)
    assert stats.processes == 2 and stats.fallback == ""
    reader = pdf_reader(data)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert "/OutputIntents" in root
    assert reader.trailer["/ID"], "PDF/A needs the file identifier"
    # The information dictionary still says what the XMP metadata says.
    assert reader.metadata.producer in xmp and reader.metadata.title in xmp
    # Every font of every page is embedded.
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]


def test_short_minutes_keep_their_strategies_on_one_flow(app, make_meeting):
    record = build_record(app, make_meeting)
    with app.app_context():
        context, digest = build_context("minutes", record.meeting_id)
        assert not context.strategy_pages
        assert "new-page" not in document_html(context, digest=digest)
        app.config["RAKOR_MINUTES_STRATEGY_PAGE_FROM"] = 2
        context, digest = build_context("minutes", record.meeting_id)
        assert context.strategy_pages
        assert document_html(context, digest=digest).count('class="pillar-heading new-page"') == 3


def test_a_part_that_fails_is_reported_and_leaves_no_process(app, long_meeting):
    with app.app_context():
        context, digest = build_context("minutes", long_meeting)
        split = split_document(document_html(context, digest=digest))
    assert split is not None and len(split.segments) == 5  # 4 strategies, the attachment

    parent = os.getpid()

    def broken(html: str, extra_css: str):
        """The part rendered here renders; the parts in forked processes fail."""
        if os.getpid() != parent:
            raise ValueError("no fonts today")
        return render_document(html)

    children = Path(f"/proc/self/task/{os.getpid()}/children")
    # Other children may live on (the browser tests' Playwright driver): only new ones count.
    before = set(children.read_text().split()) if children.exists() else set()
    with pytest.raises(PartsFailed, match="no fonts today"):
        render_in_parts(split, broken, processes=2)
    if children.exists():
        assert set(children.read_text().split()) <= before


def test_parts_are_balanced_runs_of_segments():
    assert group_segments([10, 10, 10, 10], 2) == [range(0, 2), range(2, 4)]
    assert group_segments([40, 5, 5, 5, 5], 2) == [range(0, 1), range(1, 5)]
    assert group_segments([5, 5, 30], 2) == [range(0, 2), range(2, 3)]
    assert group_segments([7], 4) == [range(0, 1)]
    assert group_segments([1, 2, 3], 5) == [range(0, 1), range(1, 2), range(2, 3)]


def test_a_render_in_another_thread_keeps_the_parts_from_forking(app, long_meeting, monkeypatch):
    """A process forked while another thread is inside WeasyPrint could inherit its locks:
    the long minutes then render in one process, the same pages."""
    monkeypatch.setattr(parallel, "FORK_WAIT", 0.2)
    inside, leave = threading.Event(), threading.Event()

    def other_render():
        with pdf.FORK_GUARD.rendering():
            inside.set()
            leave.wait(30)

    other = threading.Thread(target=other_render)
    other.start()
    try:
        inside.wait(5)
        waited, stats = render(app, long_meeting, processes=2)
    finally:
        leave.set()
        other.join()
    assert stats.fallback.startswith("another render kept the fork waiting")
    assert not stats.parts
    parted, parted_stats = render(app, long_meeting, processes=2)
    assert parted_stats.processes == 2 and parted_stats.fallback == ""
    assert page_texts(waited) == page_texts(parted)
