"""The documents as Word files, read back with python-docx the way an editor opens them."""

import io
import re
from datetime import UTC, datetime
from io import BytesIO

import docx
import pytest
from PIL import Image

from app.extensions import db
from app.models import Attendee, DocumentSetting, Letterhead, Meeting, Signatory
from tests.helpers import add_submission, build_record, text

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE = "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024"


def cell_texts(table) -> list[str]:
    texts = []
    for row in table.rows:
        texts.append(" | ".join(cell.text for cell in row.cells))
        for cell in row.cells:
            for inner in cell.tables:
                texts.extend(cell_texts(inner))
    return texts


def docx_lines(data: bytes) -> list[str]:
    """Every paragraph and every table row of the body, in document order."""
    document = docx.Document(BytesIO(data))
    lines = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            lines.append(docx.text.paragraph.Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            lines.extend(cell_texts(docx.table.Table(child, document)))
    return [line for line in lines if line.strip()]


def get_docx(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, text(response)[:500]
    assert response.mimetype == DOCX_MIMETYPE
    return response.data


def line_with(lines: list[str], *words: str) -> str:
    found = [line for line in lines if all(word in line for word in words)]
    assert found, f"no line with {words}"
    return found[0]


def index_of(lines: list[str], words: str) -> int:
    for number, line in enumerate(lines):
        if words in line:
            return number
    raise AssertionError(f"{words!r} not in the document")


@pytest.fixture
def record(app, make_meeting):
    return build_record(app, make_meeting)


def test_minutes_docx_holds_the_record(app, login, record):
    response = login("viewer").get(f"/admin/meetings/{record.meeting_id}/minutes.docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX_MIMETYPE
    assert "filename=notulen-rakor-uji.docx" in response.headers["Content-Disposition"]
    lines = docx_lines(response.data)
    whole = "\n".join(lines)

    assert "PEMERINTAH KOTA PEKALONGAN" in whole
    assert "NOTULEN RAPAT" in whole
    assert "Acara | : | " + TITLE in lines
    assert "Hari/Tanggal | : | Selasa, 23 Januari 2024" in lines
    assert "Waktu | : | 09.00 WIB s.d. selesai" in lines
    assert "Achmad Afzan Arslan Djunaid (Wali Kota Pekalongan)" in whole
    assert "Dian Permatasari (Analis Kebijakan Bappeda)" in whole
    # The signature block: both names, and the NIPs in their usual grouping.
    assert line_with(lines, "Dian Permatasari", "Achmad Afzan Arslan Djunaid")
    assert "NIP. 19850312 201001 2 015 | NIP. 19700101 199003 1 001" in lines

    # Inputs by pillar: each under its own strategy's heading, merged proposers named.
    p1, p2, p3 = (index_of(lines, f"{code} · ") for code in ("P1", "P2", "P3"))
    p1_heading = index_of(lines[p1 + 1 :], "P1 · ") + p1 + 1  # after the recap table
    dtks = index_of(lines, record.titles["dtks"] + " [Usulan]")
    batik = index_of(lines, record.titles["batik"])
    assert p1 < p2 < p3
    assert p1_heading < dtks < batik
    assert "3 masukan" in lines[p1_heading]
    dtks_row = lines[dtks]
    assert "Agus Priyanto (Lurah Krapyak)" in dtks_row
    assert "Rina Kurniasari (Lurah Medono)" in dtks_row
    assert "Penanggung jawab: Dinsos P2KB" in dtks_row

    # Follow-ups with their agency and deadline, on one row.
    assert line_with(lines, "Perluas sasaran PMT ke ibu hamil KEK", "Dinkes", "30 Juni 2024")
    assert "Lampiran: Daftar Hadir" in whole


def test_minutes_docx_escapes_typed_text(app, login, meeting):
    add_submission(app, meeting.id, title='Tikus & <kucing> "sawah"\x07 di RW 05')
    data = get_docx(login("secretariat"), f"/admin/meetings/{meeting.id}/minutes.docx")
    assert 'Tikus & <kucing> "sawah" di RW 05 [Usulan]' in "\n".join(docx_lines(data))


def test_evaluation_docx_holds_the_indicators_and_counts(app, login, record):
    add_submission(app, record.meeting_id, minute=30, title="Bedah rumah", cost=75_000_000)
    url = f"/admin/meetings/{record.meeting_id}/evaluation.docx"
    response = login("viewer").get(url)
    assert "filename=evaluasi-rakor-uji.docx" in response.headers["Content-Disposition"]
    lines = docx_lines(get_docx(login("viewer"), url))
    assert "RINGKASAN EVALUASI" in lines
    assert "Hari/Tanggal | : | Selasa, 23 Januari 2024" in lines
    assert "2021 | 6,94 | 7,59 | +0,65 | " in "\n".join(lines)
    assert line_with(lines, "P1 · ", "Lurah 3", "| 4")
    # By area, every input on one line, adding up to the total.
    assert "Kec. Pekalongan Utara | 2" in lines
    assert "\tKrapyak | 2" in lines
    assert "Jumlah | 6" in lines
    assert line_with(lines, "1 dari 6 masukan mencantumkan perkiraan biaya", "Rp 75.000.000")
    assert (
        "P1 · Pengurangan beban pengeluaran masyarakat berbasis keluarga | 1 | Rp 75.000.000"
        in (lines)
    )


def test_berita_acara_docx_states_the_date_in_words_and_the_signers(app, login, record):
    with app.app_context():
        parties = [
            ("Ir. Anita Heru Kusumorini", "Kepala Bappeda", "Bappeda", "196805121994032008", False),
            ("Dr. Slamet Budiyanto", "Kepala Dinsos P2KB", "Dinsos P2KB", "", False),
            ("H. Achmad Afzan Arslan", "Wali Kota Pekalongan", "", "", True),
        ]
        for position, (name, title, agency, nip, acknowledges) in enumerate(parties, start=1):
            db.session.add(
                Signatory(
                    meeting_id=record.meeting_id,
                    position=position,
                    name=name,
                    title=title,
                    agency=agency,
                    nip=nip,
                    acknowledges=acknowledges,
                )
            )
        db.session.commit()
    response = login("viewer").get(f"/admin/meetings/{record.meeting_id}/berita-acara.docx")
    assert "filename=berita-acara-rakor-uji.docx" in response.headers["Content-Disposition"]
    lines = docx_lines(
        get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/berita-acara.docx")
    )
    whole = "\n".join(lines)
    assert "BERITA ACARA KESEPAKATAN" in whole
    assert (
        "Pada hari ini Selasa tanggal dua puluh tiga bulan Januari tahun dua ribu dua puluh "
        "empat, bertempat di Ruang Jlamprang Setda Kota Pekalongan"
    ) in whole
    assert "1. | Nama | : | Ir. Anita Heru Kusumorini" in lines
    assert " | NIP | : | 19680512 199403 2 008" in lines
    assert "2. | Nama | : | Dr. Slamet Budiyanto" in lines
    signatures = line_with(lines, "Ir. Anita Heru Kusumorini", "Dr. Slamet Budiyanto")
    assert " | " in signatures  # side by side
    assert "Mengetahui," in lines
    assert (
        index_of(lines, "Mengetahui,")
        < index_of(lines[-4:], "H. Achmad Afzan Arslan") + len(lines) - 4
    )
    assert line_with(lines, "Perluas sasaran PMT ke ibu hamil KEK", "Dinkes", "30 Juni 2024")


def test_laporan_docx_has_its_five_parts(app, login, record):
    lines = docx_lines(
        get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/laporan.docx")
    )
    parts = [
        "I. Pendahuluan",
        "II. Pelaksanaan",
        "III. Hasil",
        "IV. Simpulan dan Saran",
        "V. Penutup",
    ]
    positions = [lines.index(part) for part in parts]
    assert positions == sorted(positions)
    whole = "\n".join(lines)
    assert "Yth. Ketua Tim Koordinasi Penanggulangan Kemiskinan (TKPK) Kota Pekalongan" in whole
    assert "Hari/Tanggal | : | Selasa, 23 Januari 2024" in lines
    assert "1. DTKS dimutakhirkan tiap triwulan." in lines
    assert line_with(lines, "Usulan utama", record.titles["dtks"])
    assert line_with(lines, "Kendala utama", record.titles["umkm"])
    assert line_with(lines, "Untuk mencapai target 5,89 persen pada 2026")
    assert "2023 | 6,50 | 6,81 | +0,31" in lines


def test_the_kop_logo_is_in_the_docx(app, login, record):
    image = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 30, 30)).save(image, format="PNG")
    with app.app_context():
        letterhead = db.session.scalar(db.select(Letterhead).filter_by(kind="agency"))
        letterhead.logo, letterhead.logo_mimetype = image.getvalue(), "image/png"
        db.session.commit()
    data = get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/minutes.docx")
    assert len(docx.Document(BytesIO(data)).inline_shapes) == 1


def test_a_template_that_no_longer_fits_sends_back_with_the_reason(app, login, record):
    """A template stored before the document changed shape: the reader is told, not a 500."""
    template = docx.Document()
    template.add_paragraph("{{ meeting.nama_lama }}")
    content = BytesIO()
    template.save(content)
    with app.app_context():
        setting = db.session.scalar(db.select(DocumentSetting).filter_by(kind="minutes"))
        setting.docx_template, setting.docx_filename = content.getvalue(), "lama.docx"
        db.session.commit()
    client = login("viewer")
    url = f"/admin/meetings/{record.meeting_id}/minutes.docx"
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/meetings/{record.meeting_id}/minutes")
    page = text(client.get(response.headers["Location"]))
    assert "Isian {{ nama_lama }} tidak dikenal." in page
    assert "Pengaturan dokumen" in page


def test_docx_of_a_missing_meeting_is_404(login):
    assert login("viewer").get("/admin/meetings/999/minutes.docx").status_code == 404


def test_number_printed_once_given(app, login, record):
    from datetime import date

    from app.documents.numbering import issue_numbers

    with app.app_context():
        issue_numbers(record.meeting_id, None, date(2024, 1, 23))
        db.session.get(Meeting, record.meeting_id).status = "finalised"
        db.session.commit()
    lines = docx_lines(
        get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/minutes.docx")
    )
    assert "Nomor: 000.1.4/1/Bappeda/I/2024" in lines
    lines = docx_lines(
        get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/berita-acara.docx")
    )
    assert "Nomor: 000.1.4/1/BA/Bappeda/I/2024" in lines
    assert re.search(r"Nomor: …", "\n".join(lines)) is None


def check_in(app, meeting_id: int, *names: str) -> None:
    """These people present, in the order named; everyone else on the list not."""
    with app.app_context():
        for attendee in db.session.scalars(db.select(Attendee).filter_by(meeting_id=meeting_id)):
            attendee.checked_in_at = None
            if attendee.name in names:
                minute = 5 + names.index(attendee.name)
                attendee.checked_in_at = datetime(2024, 1, 23, 2, minute, tzinfo=UTC)
        db.session.commit()


def test_the_minutes_count_and_attach_those_present(app, login, record):
    check_in(app, record.meeting_id, "Agus Priyanto", "Siti Aminah")
    lines = docx_lines(
        get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/minutes.docx")
    )
    peserta = line_with(lines, "Peserta | : | ")
    assert "2 orang: L 1, P 1" in peserta
    assert "daftar hadir terlampir" in peserta
    attachment = lines.index("Lampiran: Daftar Hadir")
    assert "1 | Agus Priyanto | Lurah | Krapyak | L | 1." in lines[attachment:]
    assert "2 | Siti Aminah | Staf | Bappeda | P | \t\t2." in lines[attachment:]
    assert not any("Hendra Wijaya" in line for line in lines[attachment:])


def test_attendance_docx_lists_present_then_invited_then_blank_rows(app, login, record):
    check_in(app, record.meeting_id, "Siti Aminah")
    response = login("viewer").get(f"/admin/meetings/{record.meeting_id}/attendance.docx")
    assert "filename=daftar-hadir-rakor-uji.docx" in response.headers["Content-Disposition"]
    lines = docx_lines(
        get_docx(login("viewer"), f"/admin/meetings/{record.meeting_id}/attendance.docx")
    )
    assert "DAFTAR HADIR" in lines
    assert "Hari/Tanggal | : | Selasa, 23 Januari 2024" in lines
    header = lines.index("No | Nama | Jabatan | Instansi | L/P | Tanda Tangan")
    assert lines[header + 1] == "1 | Siti Aminah | Staf | Bappeda | P | 1."
    assert lines[header + 2].startswith("2 | Agus Priyanto | Lurah | Krapyak | L | ")
    assert " |  |  |  |  | " in lines[-1]  # numbered blank rows to fill by hand


def test_the_default_template_takes_the_kops_paper_size(app, login, record):
    url = f"/admin/meetings/{record.meeting_id}/minutes.docx"
    section = docx.Document(BytesIO(get_docx(login("viewer"), url))).sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    with app.app_context():
        for letterhead in db.session.scalars(db.select(Letterhead)):
            letterhead.page_size = "F4"
        db.session.commit()
    section = docx.Document(BytesIO(get_docx(login("viewer"), url))).sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((215, 330), abs=0.1)
