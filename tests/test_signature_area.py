"""The room for the signatures' stamps on the final documents.

Finalising archives each final document with an empty block at its very end, on its
last page, and records where it landed (`MeetingDocument.signature_area`). Read
back: the area lies inside the last page, below every word printed on it (pypdf's
text positions), and it is blank (pdftoppm's pixels are all white there). Painted
for the test, the block covers exactly the recorded area, edge for edge. Drafts
reserve nothing. The stamps' cells lie inside the area and never overlap.
"""

import itertools
import math
import subprocess
from io import BytesIO

import pytest
from PIL import Image
from weasyprint import CSS

from app.documents.pdf import NotOnLastPage, render_pdf_placing
from app.documents.render import (
    SIGNATURE_AREA_CORNER_ID,
    SIGNATURE_AREA_ID,
    build_context,
    document_html,
    page_size_sheets,
)
from app.domain import FINAL_KINDS
from app.extensions import db
from app.models import MeetingDocument, Signatory
from app.signing.area import (
    POINTS_PER_MM,
    Area,
    area_height_mm,
    area_text,
    cell,
    parse_area,
)
from app.signing.services import signing_plan
from tests.helpers import build_record, finalise, make_pdf, pdf_reader

# The running footer (page number, content digest) is printed in the page's bottom
# margin (report.css: 20 mm), below the area.
BOTTOM_MARGIN = 20 * POINTS_PER_MM


@pytest.fixture
def record(app, make_meeting):
    return build_record(app, make_meeting)


def final_documents(app) -> dict[str, MeetingDocument]:
    with app.app_context():
        rows = db.session.scalars(db.select(MeetingDocument).filter_by(is_final=True)).all()
        db.session.expunge_all()
    return {row.kind: row for row in rows}


def text_baselines(data: bytes, page_index: int) -> list[tuple[float, str]]:
    """(y of the baseline in points from the bottom, text) of every piece on the page."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, _size) -> None:
        # The text matrix within the page's transformation (WeasyPrint flips the y axis).
        if text.strip():
            found.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    pdf_reader(data).pages[page_index].extract_text(visitor_text=visit)
    return found


def page_png(data: bytes, page_index: int, dpi: int = 50) -> Image.Image:
    number = str(page_index + 1)
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", number, "-l", number, "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(BytesIO(png)).convert("RGB")


def assert_blank(data: bytes, area: Area) -> None:
    dpi = 50
    image = page_png(data, area.page, dpi)
    scale = dpi / 72
    width, height = image.size
    box = (
        round(area.x1 * scale),
        round(height - area.y2 * scale),
        round(area.x2 * scale),
        round(height - area.y1 * scale),
    )
    assert 0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height, box
    colours = image.crop(box).getcolors(maxcolors=1_000_000)
    assert colours == [((box[2] - box[0]) * (box[3] - box[1]), (255, 255, 255))], colours[:5]


def colours_in(image: Image.Image, box: tuple[int, int, int, int]) -> set[tuple[int, int, int]]:
    return {colour for _count, colour in image.crop(box).getcolors(maxcolors=1_000_000)}


def assert_painted_exactly(data: bytes, area: Area) -> None:
    """The page's black pixels are the area: black just inside each edge, white just outside."""
    dpi = 144
    image = page_png(data, area.page, dpi)
    scale = dpi / 72
    left, right = area.x1 * scale, area.x2 * scale
    top, bottom = image.size[1] - area.y2 * scale, image.size[1] - area.y1 * scale
    # Two pixels (one point) off each edge, clear of the edge's anti-aliasing.
    inner = (math.ceil(left) + 1, math.ceil(top) + 1, math.floor(right) - 1, math.floor(bottom) - 1)
    assert colours_in(image, inner) == {(0, 0, 0)}
    outside = {
        "left": (inner[0] - 4, inner[1], inner[0] - 2, inner[3]),
        "right": (inner[2] + 2, inner[1], inner[2] + 4, inner[3]),
        "above": (inner[0], inner[1] - 4, inner[2], inner[1] - 2),
        "below": (inner[0], inner[3] + 2, inner[2], inner[3] + 4),
    }
    for side, box in outside.items():
        assert colours_in(image, box) == {(255, 255, 255)}, (side, box)


def test_the_stored_area_is_where_the_block_is_drawn(app, login, record):
    finalise(login("secretariat"), record.meeting_id)
    documents = final_documents(app)
    for kind in ("minutes", "berita_acara"):
        stored = parse_area(documents[kind].signature_area)
        with app.app_context():
            context, digest = build_context(kind, record.meeting_id)
            html = document_html(context, digest=digest, signature_area_mm=area_height_mm(2))
            # The same document with its block painted black: painting moves nothing.
            placed = render_pdf_placing(
                html,
                SIGNATURE_AREA_ID,
                SIGNATURE_AREA_CORNER_ID,
                stylesheets=[
                    *page_size_sheets(context),
                    CSS(string=".esign-area { background: #000 }"),
                ],
            )
        area = Area(placed.page, placed.x1, placed.y1, placed.x2, placed.y2)
        assert area_text(area) == documents[kind].signature_area, kind
        assert_painted_exactly(placed.pdf, stored)


def test_each_final_document_keeps_a_blank_area_below_its_last_text(app, login, record):
    finalise(login("secretariat"), record.meeting_id)
    documents = final_documents(app)
    assert set(documents) == set(FINAL_KINDS)
    for kind, document in documents.items():
        area = parse_area(document.signature_area)
        assert area is not None, (kind, document.signature_area)
        reader = pdf_reader(document.content)
        assert area.page == len(reader.pages) - 1, kind
        page = reader.pages[area.page]
        left, bottom, right, top = (float(v) for v in page.mediabox)
        assert left <= area.x1 < area.x2 <= right and bottom <= area.y1 < area.y2 <= top, kind
        # Two columns across the text's width, the rows the signers need.
        assert area.x2 - area.x1 > 2 * 75 * POINTS_PER_MM, kind
        count = {"minutes": 2, "berita_acara": 2, "laporan": 1}[kind]
        expected = area_height_mm(count) * POINTS_PER_MM
        assert area.y2 - area.y1 == pytest.approx(expected, abs=0.1), kind

        lines = text_baselines(document.content, area.page)
        body = [(y, text) for y, text in lines if y > BOTTOM_MARGIN]
        assert body, kind
        assert min(y for y, _ in body) > area.y2, (kind, min(body))
        footer = [text for y, text in lines if y <= BOTTOM_MARGIN]
        assert "Halaman" in " ".join(footer) and area.y1 > BOTTOM_MARGIN, kind
        assert_blank(document.content, area)


def test_the_area_has_a_cell_for_each_signer_of_the_default_order(app, login, record):
    finalise(login("secretariat"), record.meeting_id)
    with app.app_context():
        for document in db.session.scalars(db.select(MeetingDocument).filter_by(is_final=True)):
            count = len(signing_plan(document))
            area = parse_area(document.signature_area)
            assert area.y2 - area.y1 == pytest.approx(
                area_height_mm(count) * POINTS_PER_MM, abs=0.1
            )


def test_the_notulen_area_follows_the_daftar_hadir(app, login, record):
    finalise(login("secretariat"), record.meeting_id)
    minutes = final_documents(app)["minutes"]
    area = parse_area(minutes.signature_area)
    lines = text_baselines(minutes.content, area.page)
    assert any("DAFTAR HADIR" in text for _, text in lines)
    # The last line of the daftar hadir (its third attendee), then the area.
    last_attendee = [y for y, text in lines if "Siti Aminah" in text]
    assert last_attendee and min(last_attendee) > area.y2


def test_the_berita_acara_reserves_a_row_per_two_signers(app, login, record):
    with app.app_context():
        for position, (name, acknowledges) in enumerate(
            [("Pihak Satu", False), ("Pihak Dua", False), ("Pihak Tiga", False), ("Wali", True)],
            start=1,
        ):
            db.session.add(
                Signatory(
                    meeting_id=record.meeting_id,
                    position=position,
                    name=name,
                    title="Kepala",
                    agency="Bappeda",
                    acknowledges=acknowledges,
                )
            )
        db.session.commit()
    finalise(login("secretariat"), record.meeting_id)
    document = final_documents(app)["berita_acara"]
    area = parse_area(document.signature_area)
    assert area.y2 - area.y1 == pytest.approx(area_height_mm(4) * POINTS_PER_MM, abs=0.1)
    with app.app_context():
        document = db.session.get(MeetingDocument, document.id)
        assert [signer.name for signer in signing_plan(document)] == [
            "Pihak Satu",
            "Pihak Dua",
            "Pihak Tiga",
            "Wali",
        ]
    assert area_height_mm(4) > area_height_mm(2) > 0


def test_drafts_reserve_no_area(app, login, record):
    client = login("secretariat")
    for path in ("minutes.pdf", "berita-acara.pdf", "laporan.pdf"):
        make_pdf(client, f"/admin/meetings/{record.meeting_id}/{path}")
    with app.app_context():
        drafts = db.session.scalars(db.select(MeetingDocument)).all()
        assert {draft.kind for draft in drafts} == set(FINAL_KINDS)
        assert all(not draft.is_final and draft.signature_area == "" for draft in drafts)


def test_the_preview_of_a_final_document_has_no_area(login, record):
    client = login("secretariat")
    finalise(client, record.meeting_id)
    page = client.get(f"/admin/meetings/{record.meeting_id}/minutes")
    assert page.status_code == 200
    assert "tanda-tangan-elektronik" not in page.get_data(as_text=True)


@pytest.mark.parametrize("count", range(1, 7))
def test_the_cells_lie_inside_the_area_and_never_overlap(count):
    # The notulen's area on A4: the text's width, the rows `count` signers need.
    top = 300.0
    area = Area(2, 70.87, top - area_height_mm(count) * POINTS_PER_MM, 544.25, top)
    cells = [cell(area, index, count) for index in range(count)]
    for page, x1, y1, x2, y2 in cells:
        assert page == 2
        assert area.x1 <= x1 < x2 <= area.x2 and area.y1 <= y1 < y2 <= area.y2
        # A stamp about 85 by 24 mm: its QR code stays readable.
        assert x2 - x1 > 75 * POINTS_PER_MM and y2 - y1 == pytest.approx(24 * POINTS_PER_MM)
    for one, other in itertools.combinations(cells, 2):
        apart = one[3] <= other[1] or other[3] <= one[1] or one[4] <= other[2] or other[4] <= one[2]
        assert apart, (one, other)
    # The signing order reads like the text: left to right, then the next row down.
    for one, other in itertools.pairwise(cells):
        assert one[4] > other[4] or (one[4] == other[4] and one[1] < other[1])


def test_a_smaller_area_shrinks_the_cells_to_fit():
    area = Area(0, 100, 100, 400, 150)
    cells = [cell(area, index, 4) for index in range(4)]
    assert all(area.y1 <= c[2] < c[4] <= area.y2 for c in cells)
    with pytest.raises(ValueError):
        cell(area, 4, 4)
    # Many signers: the area stays within a page, the cells share it.
    assert area_height_mm(40) == area_height_mm(16) < 250
    tall = Area(0, 70, 100, 540, 100 + area_height_mm(40) * POINTS_PER_MM)
    boxes = [cell(tall, index, 40) for index in range(40)]
    assert all(tall.y1 - 0.01 <= box[2] < box[4] <= tall.y2 for box in boxes)


def test_the_area_reads_back_from_its_text():
    area = Area(3, 70.866, 412.5, 544.251, 548.0)
    assert area_text(area) == "3 70.87 412.50 544.25 548.00"
    again = parse_area(area_text(area))
    assert again.page == 3 and again.x1 >= area.x1 and again.x2 <= area.x2
    for text in ("", "3 1 2 3", "a 1 2 3 4", "0 5 5 1 1", "-1 1 2 3 4", "0 nan 1 2 3"):
        assert parse_area(text) is None, text


CORNER = '<i id="sudut" style="position: absolute; right: 0; bottom: 0; width: 0; height: 0"></i>'


def block(style: str = "", corner: str = CORNER) -> str:
    return f'<div id="room" style="position: relative; height: 20mm; {style}">{corner}</div>'


def test_rendering_places_a_block_by_its_two_corners():
    # An A4 page, a block 30 mm in from each side: the area is the block, edge for edge.
    page = "<style>@page { size: A4; margin: 0 } body { margin: 0 }</style>"
    margin = "margin: 40mm 30mm 0; background: #000"
    placed = render_pdf_placing(f"{page}{block(margin)}", "room", "sudut")
    area = Area(placed.page, placed.x1, placed.y1, placed.x2, placed.y2)
    height = 297 * POINTS_PER_MM
    assert (area.x1, area.y1, area.x2, area.y2) == pytest.approx(
        (
            30 * POINTS_PER_MM,
            height - 60 * POINTS_PER_MM,
            180 * POINTS_PER_MM,
            height - 40 * POINTS_PER_MM,
        )
    )
    assert_painted_exactly(placed.pdf, area)


def test_rendering_refuses_a_block_that_is_not_on_the_last_page():
    after = '<p style="break-before: page">Halaman berikutnya.</p>'
    placed = render_pdf_placing(f"<p>Teks.</p>{block()}", "room", "sudut")
    assert placed.page == 0 and placed.y2 - placed.y1 == pytest.approx(20 * POINTS_PER_MM)
    with pytest.raises(NotOnLastPage):
        render_pdf_placing(f"<p>Teks.</p>{block()}{after}", "room", "sudut")
    with pytest.raises(NotOnLastPage):
        render_pdf_placing("<p>Teks.</p>", "room", "sudut")
    # Without its corner marker, or with one left at the block's top-left, no area.
    with pytest.raises(NotOnLastPage):
        render_pdf_placing(f"<p>Teks.</p>{block(corner='')}", "room", "sudut")
    with pytest.raises(NotOnLastPage):
        render_pdf_placing(f"<p>Teks.</p>{block(corner='<i id=sudut></i>')}", "room", "sudut")
