"""The A4 QR poster printed for the meeting room, read back from the PDF."""

import re
from io import BytesIO

import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream

PUBLIC_URL = "http://localhost/m/rakor-uji"
A4_POINTS = (595.28, 841.89)
QR_BORDER = 2  # app.qr draws two quiet modules around the code


def poster(client, meeting_id: int):
    response = client.get(f"/admin/meetings/{meeting_id}/poster.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response


def words(pdf: bytes) -> str:
    """The extracted text with whitespace collapsed (line breaks fall anywhere)."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def drawn_qr_modules(page, reader) -> set[tuple[int, int]]:
    """The dark modules of the vector QR code, read from the page's drawing operations.

    The QR is segno's SVG (app.qr.qr_data_uri); WeasyPrint draws it as horizontal
    strokes through the middle of each module row: "x1 y m  x2 y l" with y = row + 0.5.
    """
    dark = set()
    start = None
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"m":
            start = [float(value) for value in operands]
        elif operator == b"l" and start is not None:
            (x1, y1), (x2, y2) = start, [float(value) for value in operands]
            if y1 == y2 and (y1 * 2) % 2 == 1 and x1.is_integer() and x2.is_integer():
                row = int(y1 - 0.5) - QR_BORDER
                dark.update((row, column - QR_BORDER) for column in range(int(x1), int(x2)))
            start = None
    return dark


def qr_modules(data: str) -> set[tuple[int, int]]:
    code = segno.make(data, error="m")
    return {(r, c) for r, row in enumerate(code.matrix) for c, bit in enumerate(row) if bit}


def test_the_poster_is_one_a4_page_with_the_qr_title_date_venue_code_and_steps(login, make_meeting):
    meeting = make_meeting(access_code="PKL2024")
    response = poster(login("viewer"), meeting.id)
    assert f"poster-{meeting.code}.pdf" in response.headers["Content-Disposition"]
    pdf = response.data

    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - A4_POINTS[0]) <= 1 and abs(height - A4_POINTS[1]) <= 1

    text = words(pdf)
    assert "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in text
    assert "Selasa, 23 Januari 2024" in text
    assert "09.00 WIB" in text
    assert "Ruang Jlamprang Setda Kota Pekalongan" in text
    assert "kode akses" in text.lower()
    assert "PKL2024" in text
    assert "Pindai kode QR ini dengan kamera HP" in text
    assert "Isi formulir masukan" in text
    assert "Simpan kode tanda terima" in text
    assert PUBLIC_URL in text

    # The QR drawn on the page is exactly the code of the public address.
    assert drawn_qr_modules(page, reader) == qr_modules(PUBLIC_URL) | qr_modules(
        PUBLIC_URL + "/hadir"
    )


def test_the_poster_follows_the_configured_public_address(app, login, make_meeting):
    app.config["RAKOR_PUBLIC_URL"] = "https://rakor.pekalongankota.go.id/"
    meeting = make_meeting(code="rakor-2025")
    pdf = poster(login("secretariat"), meeting.id).data
    reader = PdfReader(BytesIO(pdf))
    address = "https://rakor.pekalongankota.go.id/m/rakor-2025"
    assert address in words(pdf)
    assert drawn_qr_modules(reader.pages[0], reader) == qr_modules(address) | qr_modules(
        address + "/hadir"
    )


def test_without_an_access_code_the_poster_does_not_mention_one(login, make_meeting):
    meeting = make_meeting(access_code=None)
    text = words(poster(login("secretariat"), meeting.id).data)
    assert "kode akses" not in text.lower()
    assert "Pindai kode QR ini dengan kamera HP" in text


def test_a_hostile_title_is_printed_as_text_and_fetches_nothing(login, make_meeting):
    hostile = '<img src="file:///etc/passwd">'
    meeting = make_meeting(
        title=hostile,
        venue='<link rel="attachment" href="file:///etc/passwd">Aula',
        access_code="AMAN1",
    )
    pdf = poster(login("secretariat"), meeting.id).data
    text = words(pdf)
    assert hostile in text
    assert "file:///etc/passwd" in text  # the venue too, as literal text
    assert b"/EmbeddedFile" not in pdf
    assert b"root:x:0:0" not in pdf
    assert len(PdfReader(BytesIO(pdf)).pages) == 1


def test_the_longest_title_still_fits_on_one_page(login, make_meeting):
    title = ("Rapat Koordinasi Evaluasi dan Perencanaan Penanggulangan Kemiskinan " * 5)[:300]
    meeting = make_meeting(
        title=title, access_code="PANJANG20242025ABCDE", venue=("Aula Gedung " * 25)[:300]
    )
    pdf = poster(login("secretariat"), meeting.id).data
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    text = words(pdf)
    assert re.sub(r"\s+", "", title) in re.sub(r"\s+", "", text)
    assert "PANJANG20242025ABCDE" in text
    assert "Simpan kode tanda terima" in text
    assert drawn_qr_modules(reader.pages[0], reader) == qr_modules(PUBLIC_URL) | qr_modules(
        PUBLIC_URL + "/hadir"
    )
