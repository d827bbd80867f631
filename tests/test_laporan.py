"""The laporan hasil rakor to the head of the TKPK: its five parts read back from the PDF,
and its own texts typed on the parties page."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Attendee, AuditEvent, DocumentNumber, Letterhead, Meeting, Signatory
from tests.helpers import build_record, csrf_from, make_pdf, pdf_text, squeeze, text

SECTIONS = (
    "I. PENDAHULUAN",
    "II. PELAKSANAAN",
    "III. HASIL",
    "IV. SIMPULAN DAN SARAN",
    "V. PENUTUP",
)


def url(meeting_id: int, suffix: str = "") -> str:
    return f"/admin/meetings/{meeting_id}/{suffix}"


def check_in(app, meeting_id: int, *names: str) -> None:
    """These attendees present, as the check-in page or the desk does; the others not."""
    with app.app_context():
        for attendee in db.session.scalars(db.select(Attendee).filter_by(meeting_id=meeting_id)):
            present = attendee.name in names
            attendee.checked_in_at = datetime(2024, 1, 23, 1, 45, tzinfo=UTC) if present else None
        db.session.commit()


def add_signatory(app, meeting_id: int, position: int, name: str, title: str, nip: str = "",
                  acknowledges: bool = False) -> None:  # fmt: skip
    with app.app_context():
        db.session.add(
            Signatory(
                meeting_id=meeting_id,
                position=position,
                name=name,
                title=title,
                nip=nip,
                acknowledges=acknowledges,
            )
        )
        db.session.commit()


def laporan_text(client, meeting_id: int) -> str:
    return pdf_text(make_pdf(client, url(meeting_id, "laporan.pdf")).data)


def test_the_report_has_its_five_parts_built_from_the_record(app, login, make_meeting):
    record = build_record(app, make_meeting)
    check_in(app, record.meeting_id, "Agus Priyanto", "Siti Aminah")  # Hendra did not come
    # The Wali Kota acknowledges the berita acara; the Kepala Bappeda signs the report.
    add_signatory(app, record.meeting_id, 1, "Achmad Afzan", "Wali Kota", acknowledges=True)
    add_signatory(app, record.meeting_id, 2, "Anita Heru", "Kepala Bappeda", "196805121994032007")
    words = laporan_text(login("secretariat"), record.meeting_id)

    positions = [words.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "Kepada Yth. Ketua Tim Koordinasi Penanggulangan Kemiskinan (TKPK) Kota Pekalongan" in (
        words
    )
    assert "LAPORAN HASIL RAPAT KOORDINASI PENANGGULANGAN KEMISKINAN TAHUN 2024" in words
    assert "Nomor: ……" in words
    # I. The default dasar and maksud dan tujuan while none was typed.
    assert "A. Dasar" in words and "B. Maksud dan Tujuan" in words
    assert "3. Peraturan Presiden Nomor 96 Tahun 2015" in words
    assert "Keputusan Wali Kota Pekalongan tentang Tim Koordinasi" in words
    # II. When, where, who: those who checked in, by sex.
    assert "Selasa, 23 Januari 2024" in words
    assert "Ruang Jlamprang Setda Kota Pekalongan" in words
    assert "2 orang hadir: 1 laki-laki dan 1 perempuan" in words
    assert "Achmad Afzan Arslan Djunaid, Wali Kota Pekalongan" in words  # pimpinan rapat
    # III. By strategy: the proposals taken up, the obstacles raised; others left out.
    assert "P1 · Pengurangan beban pengeluaran" in words
    assert "P4 · Penurunan jumlah kantong kemiskinan" in words
    p1 = words[words.index("P1 ·") : words.index("P2 ·")]
    assert "Jumlahmasukan:3" in squeeze(p1)  # the merged input counts under its pillar
    assert squeeze("Usulan utama: 1. Pemutakhiran DTKS setiap triwulan") in squeeze(p1)
    # Feedback on a running program (evaluasi) is no proposal, however it was decided.
    assert "PMT lokal" not in p1
    assert "Verifikasi DTKS berkala" not in words  # merged: named once, by its original
    p2 = words[words.index("P2 ·") : words.index("P3 ·")]
    assert "Pelatihan membatik bagi pemuda" not in p2  # not decided yet: not a main proposal
    p3 = words[words.index("P3 ·") : words.index("P4 ·")]
    assert squeeze("Kendala utama: 1. Modal usaha mikro sulit diakses") in squeeze(p3)
    assert "Persentase penduduk miskin" in words
    assert "2021 6,94 7,59 +0,65" in words
    indicators = words[words.index("B. Capaian indikator") : words.index("C. Kesepakatan")]
    assert "0,92" in indicators  # the decrease still needed, in the evaluation's own words
    assert "Perluas sasaran PMT ke ibu hamil KEK" in words
    # IV and V.
    assert "1. DTKS dimutakhirkan tiap triwulan." in words
    assert "B. Saran Belum diisi." in words
    assert "Demikian laporan hasil rapat koordinasi ini kami sampaikan" in words
    # Signed by the first signatory who does not acknowledge.
    closing = words[words.index("V. PENUTUP") :]
    assert "Kepala Bappeda" in closing and "Anita Heru" in closing
    assert "NIP. 19680512 199403 2 007" in closing
    assert "Achmad Afzan" not in closing


def test_without_signatories_the_chair_signs_and_nobody_present_is_said(app, login, make_meeting):
    record = build_record(app, make_meeting)
    check_in(app, record.meeting_id)  # nobody
    words = laporan_text(login("secretariat"), record.meeting_id)
    assert "Belum ada peserta yang tercatat hadir." in words
    closing = words[words.index("V. PENUTUP") :]
    assert "Achmad Afzan Arslan Djunaid" in closing
    assert "NIP. 19700101 199003 1 001" in closing


def test_a_final_report_carries_its_number_and_date(app, login, make_meeting):
    record = build_record(app, make_meeting)
    with app.app_context():
        meeting = db.session.get(Meeting, record.meeting_id)
        meeting.status = "finalised"
        meeting.finalised_at = datetime(2024, 1, 25, 3, 0, tzinfo=UTC)
        db.session.add(
            DocumentNumber(
                meeting_id=record.meeting_id,
                kind="laporan",
                year=2024,
                sequence=3,
                number="000.1.4/3/Lap/Bappeda/I/2024",
            )
        )
        db.session.commit()
    words = laporan_text(login("secretariat"), record.meeting_id)
    assert "Nomor: 000.1.4/3/Lap/Bappeda/I/2024" in words
    assert "Pekalongan, 25 Januari 2024" in words
    assert "……" not in words


# --- the report's own texts, typed on the parties page ---------------------------------------

# Typed with its own numbers, which the report does not print twice.
BASIS = (
    "1. Peraturan Wali Kota Pekalongan Nomor 12 Tahun 2023 tentang TKPK;\n2) Surat Undangan Sekda."
)
PURPOSE = "Menyampaikan hasil rakor kepada Ketua TKPK."
ADVICE = "Perangkat daerah memutakhirkan data penerima bantuan setiap triwulan."


def post_texts(client, meeting_id: int, **fields):
    token = csrf_from(client, url(meeting_id, "parties"))
    return client.post(url(meeting_id, "parties/texts"), data={"csrf_token": token, **fields})


def test_typed_texts_replace_the_defaults_and_are_audited(app, login, make_meeting):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    response = post_texts(
        client, record.meeting_id, report_basis=BASIS, report_purpose=PURPOSE,
        recommendations=ADVICE,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(record.meeting_id, "parties#teks-laporan"))
    with app.app_context():
        meeting = db.session.get(Meeting, record.meeting_id)
        assert (meeting.report_basis, meeting.report_purpose) == (BASIS, PURPOSE)
        assert meeting.recommendations == ADVICE
        (line,) = db.session.scalars(
            db.select(AuditEvent).filter_by(entity_type="Meeting", action="update")
        ).all()
        assert line.after == {
            "report_basis": BASIS,
            "report_purpose": PURPOSE,
            "recommendations": ADVICE,
        }
        assert line.before == {"report_basis": "", "report_purpose": "", "recommendations": ""}

    page = text(client.get(url(record.meeting_id, "parties")))
    assert "Peraturan Wali Kota Pekalongan Nomor 12 Tahun 2023" in page

    words = laporan_text(client, record.meeting_id)
    assert "1. Peraturan Wali Kota Pekalongan Nomor 12 Tahun 2023 tentang TKPK;" in words
    assert "2. Surat Undangan Sekda." in words
    assert "1. 1." not in words and "2) Surat" not in words
    assert "Peraturan Presiden Nomor 96 Tahun 2015" not in words
    assert PURPOSE in words and "Maksud laporan ini" not in words
    assert f"B. Saran {ADVICE}" in words


def test_an_overlong_text_comes_back_with_everything_typed(app, login, meeting):
    client = login("secretariat")
    response = post_texts(
        client, meeting.id, report_basis=BASIS, report_purpose="x" * 20_001,
        recommendations=ADVICE,
    )  # fmt: skip
    assert response.status_code == 422
    page = text(response)
    assert "Paling panjang 20000 karakter." in page
    assert "Peraturan Wali Kota Pekalongan Nomor 12 Tahun 2023" in page
    assert ADVICE in page
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).report_basis == ""


def test_the_texts_of_a_final_record_cannot_change_and_viewers_cannot_post(app, login, meeting):
    viewer = login("viewer")
    response = viewer.post(
        url(meeting.id, "parties/texts"),
        data={"csrf_token": csrf_from(viewer, "/admin/"), "recommendations": ADVICE},
    )
    assert response.status_code == 403
    client = login("secretariat")
    token = csrf_from(client, url(meeting.id, "parties"))
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "finalised"
        db.session.commit()
    response = client.post(
        url(meeting.id, "parties/texts"), data={"csrf_token": token, "recommendations": ADVICE}
    )
    assert response.status_code == 409
    assert "sudah final" in text(response)
    assert ADVICE in text(response)
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).recommendations == ""
        assert (
            db.session.scalars(db.select(AuditEvent).filter_by(entity_type="Meeting")).all() == []
        )


def test_finalising_the_record_archives_the_report_with_its_number(app, login, make_meeting):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    response = client.post(
        url(record.meeting_id, "finalise"),
        data={"csrf_token": csrf_from(client, url(record.meeting_id, "minutes"))},
    )
    assert response.status_code in (302, 303), text(response)[:500]
    with app.app_context():
        number = db.session.scalar(
            db.select(DocumentNumber.number).filter_by(meeting_id=record.meeting_id, kind="laporan")
        )
    assert "/Lap/" in number
    response = client.get(url(record.meeting_id, "laporan.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = pdf_text(response.data)
    assert f"Nomor: {number}" in words
    assert "V. PENUTUP" in words and "……" not in words


@pytest.mark.parametrize(
    "government", ["Pemerintah Kabupaten Batang", "PEMERINTAH KABUPATEN BATANG"]
)
def test_the_addressee_and_the_basis_follow_the_kop_of_another_region(
    app, login, meeting, government
):
    with app.app_context():
        letterhead = db.session.scalar(db.select(Letterhead).filter_by(kind="agency"))
        letterhead.government = government
        letterhead.city = "Batang"
        db.session.commit()
    page = text(login("viewer").get(url(meeting.id, "laporan")))
    assert "LAPORAN HASIL" in page
    assert "Ketua Tim Koordinasi Penanggulangan Kemiskinan (TKPK) Kabupaten Batang" in page
    assert "Keputusan Bupati Batang tentang Tim Koordinasi" in page
    assert "Pekalongan" not in page.split("Kepada", 1)[1].split("LAPORAN HASIL", 1)[0]
