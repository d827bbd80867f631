"""The two kop: the agency's, and the Wali Kota's, chosen per kind of document.

A long agency name beside the logo comes out on one line, at A4 and at F4 (the page
size is the letterhead's); the contact never breaks inside a phone number or after
"Telepon". A document whose setting says "mayor" prints the lambang and "WALI KOTA
PEKALONGAN" with no agency line. The admin page edits both kop.
"""

import io
from collections import defaultdict

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DocumentSetting, Letterhead
from tests.helpers import build_record, csrf_from, make_pdf, pdf_reader, text

AGENCIES = [
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
]
CONTACT = (
    "Telepon (0285) 421093, Faksimile (0285) 421094, "
    "Pos-el bappeda@pekalongankota.go.id, Laman bappeda.pekalongankota.go.id"
)
CONTACT_PARTS = [part.strip() for part in CONTACT.split(",")]
MEDIABOX = {"A4": (595, 842), "F4": (609, 935)}  # points: 210 x 297 mm, 215 x 330 mm


def png_logo(width: int = 160, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 20, 20)).save(out, "PNG")
    return out.getvalue()


def set_letterhead(app, kind: str, **fields) -> None:
    with app.app_context():
        letterhead = db.session.scalar(select(Letterhead).filter_by(kind=kind))
        for name, value in fields.items():
            setattr(letterhead, name, value)
        db.session.commit()


def first_page_lines(data: bytes) -> list[str]:
    """The first page's text as printed lines, top to bottom: the pieces of text that
    stand on the same baseline, left to right (what a reader sees as one line)."""
    pieces: dict[float, list[tuple[float, str]]] = defaultdict(list)

    def keep(piece, matrix, text_matrix, _font, _size):
        if piece.strip():
            a, b, c, d, e, f = matrix
            x = text_matrix[4] * a + text_matrix[5] * c + e
            y = text_matrix[4] * b + text_matrix[5] * d + f
            pieces[round(y)].append((x, piece))

    pdf_reader(data).pages[0].extract_text(visitor_text=keep)
    lines = []
    for y in sorted(pieces, reverse=True):
        line = "".join(piece for _, piece in sorted(pieces[y]))
        lines.append(" ".join(line.replace("\xa0", " ").split()))
    return lines


@pytest.mark.parametrize("page_size", ["A4", "F4"])
@pytest.mark.parametrize("agency", AGENCIES)
def test_a_long_agency_name_stays_on_one_line_beside_the_logo(
    app, make_meeting, login, page_size, agency
):
    record = build_record(app, make_meeting)
    set_letterhead(
        app,
        "agency",
        agency=agency,
        address="Jalan Sriwijaya Nomor 44 Kota Pekalongan 51111",
        contact=CONTACT,
        page_size=page_size,
        logo=png_logo(),
        logo_mimetype="image/png",
    )
    data = make_pdf(login("secretariat"), f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    reader = pdf_reader(data)
    width, height = (float(value) for value in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == MEDIABOX[page_size]
    assert len(reader.pages[0].images) >= 1, "the logo is on the first page"

    lines = first_page_lines(data)
    assert agency.upper() in lines, lines[:8]
    assert "PEMERINTAH KOTA PEKALONGAN" in lines
    kop = " ".join(lines[: lines.index("NOTULEN RAPAT")])
    for part in CONTACT_PARTS:
        assert part in kop, (part, lines[:8])
        assert any(part in line for line in lines), f"{part!r} is broken across lines"


def test_a_document_set_to_the_mayors_kop_prints_the_lambang_and_the_office(
    app, make_meeting, login
):
    record = build_record(app, make_meeting)
    set_letterhead(app, "agency", logo=png_logo(), logo_mimetype="image/png")
    set_letterhead(app, "mayor", logo=png_logo(200, 200), logo_mimetype="image/png", page_size="F4")
    url = f"/admin/meetings/{record.meeting_id}/minutes.pdf"
    client = login("secretariat")

    agency_lines = first_page_lines(make_pdf(client, url).data)
    assert "BADAN PERENCANAAN PEMBANGUNAN DAERAH" in agency_lines
    assert "WALI KOTA PEKALONGAN" not in agency_lines

    with app.app_context():
        setting = db.session.scalar(select(DocumentSetting).filter_by(kind="minutes"))
        setting.letterhead_kind = "mayor"
        db.session.commit()
    data = make_pdf(client, url).data
    lines = first_page_lines(data)
    kop = lines[: lines.index("NOTULEN RAPAT")]
    assert kop[0] == "WALI KOTA PEKALONGAN", kop
    assert not any("BADAN" in line or "PEMERINTAH" in line for line in kop), kop
    page = pdf_reader(data).pages[0]
    assert len(page.images) >= 1, "the lambang is printed"
    assert round(float(page.mediabox[3])) == MEDIABOX["F4"][1], "the mayor's kop is on F4"


def test_the_admin_edits_each_kop_with_its_own_logo(app, login, staff):
    admin = login("admin")
    page = text(admin.get("/admin/reference/letterhead?kind=mayor"))
    assert "Kop Wali Kota" in page and 'aria-current="page"' in page
    assert 'name="agency"' not in page and 'name="government"' in page
    assert admin.get("/admin/reference/letterhead?kind=camat").status_code == 404

    logo = png_logo(300, 300)
    response = admin.post(
        "/admin/reference/letterhead?kind=mayor",
        data={
            "csrf_token": csrf_from(admin, "/admin/reference/letterhead?kind=mayor"),
            "government": "Wali Kota Batang",
            "address": "Jalan Veteran 1 Batang",
            "contact": "Telepon (0285) 391234",
            "city": "Batang",
            "page_size": "F4",
            "logo": (io.BytesIO(logo), "lambang.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/reference/letterhead?kind=mayor")
    with app.app_context():
        rows = {row.kind: row for row in db.session.scalars(select(Letterhead))}
        assert rows["mayor"].government == "Wali Kota Batang"
        assert rows["mayor"].agency == "" and rows["mayor"].page_size == "F4"
        assert rows["mayor"].logo == logo
        assert rows["agency"].government == "Pemerintah Kota Pekalongan"
        assert rows["agency"].logo is None
        event = db.session.scalar(select(AuditEvent).filter_by(entity_type="Letterhead"))
        assert event.entity_id == rows["mayor"].id
    assert admin.get("/admin/reference/letterhead/logo?kind=mayor").data == logo
    assert admin.get("/admin/reference/letterhead/logo").status_code == 404

    # The agency's kop still needs its agency line.
    response = admin.post(
        "/admin/reference/letterhead",
        data={
            "csrf_token": csrf_from(admin, "/admin/reference/letterhead"),
            "government": "Pemerintah Kota Batang",
            "agency": "",
            "page_size": "A4",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Isi nama instansi." in text(response)

    token = csrf_from(admin, "/admin/reference/letterhead?kind=mayor")
    response = admin.post(
        "/admin/reference/letterhead/logo/remove?kind=mayor", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert admin.get("/admin/reference/letterhead/logo?kind=mayor").status_code == 404
