"""The next meeting's notulen evaluate the follow-ups of the meetings it follows.

Each follow-up still open on the new meeting's date is listed as it stood that day:
a report made afterwards does not change the record, and one done before it is not
carried over. The PDF and the DOCX say the same.
"""

from datetime import date
from io import BytesIO

import docx
import pytest

from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.models import Agency, FollowUp, Meeting
from tests.helpers import make_pdf, pdf_text

EARLIER_TITLE = "Rakor Kemiskinan Tahun 2024"
NEW_DATE = date(2025, 1, 21)
SUMMARY = (
    f"Dari 5 tindak lanjut {EARLIER_TITLE}, 1 selesai, 2 sedang berjalan, 1 belum dimulai, "
    "1 dibatalkan pada tanggal rapat."
)

# action: (agency, deadline, [(day, status, percent)])
FOLLOW_UPS = {
    # In progress on the meeting's day, done only afterwards: listed as in progress.
    "Verifikasi DTKS triwulanan di Krapyak": (
        "Dinsos P2KB",
        date(2024, 12, 31),
        [(date(2024, 6, 1), "in_progress", 40), (date(2025, 3, 1), "done", 100)],
    ),
    # Done before the meeting: not carried over.
    "Perbaikan tanggul tambak Bandengan": (
        "DKP",
        date(2024, 8, 31),
        [(date(2024, 5, 2), "in_progress", 50), (date(2024, 10, 1), "done", 100)],
    ),
    # Never reported, past its deadline on the meeting's day.
    "Daftar peserta PBI JKN nonaktif per kelurahan": ("Dinkes", date(2024, 4, 30), []),
    # Cancelled before the meeting: not carried over.
    "Pengadaan perahu untuk nelayan": (
        "DKP",
        date(2024, 6, 30),
        [(date(2024, 5, 1), "cancelled", 0)],
    ),
    # In progress, deadline still ahead.
    "Pemadanan DTKS dengan P3KE": (
        "Bappeda",
        date(2025, 6, 30),
        [(date(2024, 12, 1), "in_progress", 70)],
    ),
}


def add_follow_ups(app, meeting_id: int) -> None:
    with app.app_context():
        for number, (action, (agency, deadline, reports)) in enumerate(FOLLOW_UPS.items()):
            found = db.session.scalar(db.select(Agency).filter_by(abbreviation=agency))
            if found is None:
                found = Agency(abbreviation=agency, name=agency)
                db.session.add(found)
                db.session.flush()
            follow_up = FollowUp(
                meeting_id=meeting_id, action=action, agency_id=found.id, deadline=deadline
            )
            db.session.add(follow_up)
            db.session.flush()
            for day, status, percent in reports:
                report = ProgressReport(
                    status=status, percent=percent, note="", reported_on=day,
                    idempotency_key=f"uji-{number}-{day.isoformat()}",
                )  # fmt: skip
                assert add_entry(follow_up, report, actor=None, channel="staff") is not None
        db.session.commit()


@pytest.fixture
def meetings(app, make_meeting) -> tuple[int, int]:
    """(earlier, new): the new meeting of 21 January 2025 follows the 2024 one."""
    earlier = make_meeting(code="rakor2024", title=EARLIER_TITLE, status="finalised")
    new = make_meeting(code="rakor2025", title="Rakor Kemiskinan Tahun 2025", date=NEW_DATE)
    add_follow_ups(app, earlier.id)
    with app.app_context():
        meeting = db.session.get(Meeting, new.id)
        meeting.predecessors = [db.session.get(Meeting, earlier.id)]
        db.session.commit()
    return earlier.id, new.id


def minutes_pdf_text(login, meeting_id: int) -> str:
    response = make_pdf(login("secretariat"), f"/admin/meetings/{meeting_id}/minutes.pdf")
    return pdf_text(response.data)


def docx_lines(data: bytes) -> list[str]:
    """Every paragraph and every table row of the body, in document order."""
    document = docx.Document(BytesIO(data))
    lines = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            lines.append(docx.text.paragraph.Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            table = docx.table.Table(child, document)
            lines.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return [" ".join(line.split()) for line in lines if line.strip()]


def test_the_minutes_list_what_was_open_on_the_meeting_day_as_it_stood_then(app, login, meetings):
    _earlier, new = meetings
    text = minutes_pdf_text(login, new)

    # (The PDF prints headings in capitals.)
    start = text.index("IV. EVALUASI TINDAK LANJUT RAPAT SEBELUMNYA")
    assert text.index("III. MASUKAN PESERTA") < start < text.index("V. KESIMPULAN")
    assert text.index("V. KESIMPULAN") < text.index("VI. TINDAK LANJUT")
    section = text[start : text.index("V. KESIMPULAN")]
    assert SUMMARY in section

    # Done in March 2025, after the meeting: still "in progress, 40%" in its record.
    assert "Verifikasi DTKS triwulanan di Krapyak" in section
    assert "Sedang berjalan, 40%" in section
    assert "Selesai" not in section
    assert "Pemadanan DTKS dengan P3KE" in section
    assert "Sedang berjalan, 70%" in section
    # Never reported and past its deadline of 30 April 2024 on the meeting's day.
    assert "Daftar peserta PBI JKN nonaktif per kelurahan" in section
    assert "Belum dimulai" in section
    # Both past their deadline and not done on the meeting's day; the other one not yet due.
    assert section.count("Terlambat") == 2
    # Done or cancelled before the meeting: not carried over.
    assert "Perbaikan tanggul tambak Bandengan" not in section
    assert "Pengadaan perahu untuk nelayan" not in section


def test_the_docx_minutes_carry_the_same_lines(app, login, meetings):
    _earlier, new = meetings
    response = login("secretariat").get(f"/admin/meetings/{new}/minutes.docx")
    assert response.status_code == 200
    lines = docx_lines(response.data)
    start = lines.index("IV. Evaluasi Tindak Lanjut Rapat Sebelumnya")
    end = lines.index("V. Kesimpulan")
    assert lines.index("III. Masukan Peserta") < start < end < lines.index("VI. Tindak Lanjut")
    section = lines[start:end]
    assert SUMMARY in section
    rows = [line for line in section if " | " in line][1:]  # under the heading row
    assert rows == [
        "1 | Daftar peserta PBI JKN nonaktif per kelurahan | Dinkes | 30 April 2024 Terlambat "
        "| Belum dimulai",
        "2 | Verifikasi DTKS triwulanan di Krapyak | Dinsos P2KB | 31 Desember 2024 Terlambat "
        "| Sedang berjalan, 40%",
        "3 | Pemadanan DTKS dengan P3KE | Bappeda | 30 Juni 2025 | Sedang berjalan, 70%",
    ]


def test_a_meeting_that_follows_none_keeps_its_sections(app, login, make_meeting):
    meeting = make_meeting()
    text = minutes_pdf_text(login, meeting.id)
    assert "EVALUASI TINDAK LANJUT RAPAT SEBELUMNYA" not in text
    assert text.index("IV. KESIMPULAN") < text.index("V. TINDAK LANJUT")


def test_when_everything_was_done_the_section_says_so(app, login, make_meeting):
    earlier = make_meeting(code="rakor2024", title=EARLIER_TITLE)
    new = make_meeting(code="rakor2025", date=NEW_DATE)
    with app.app_context():
        follow_up = FollowUp(meeting_id=earlier.id, action="Rencana aksi TKPK")
        db.session.add(follow_up)
        db.session.flush()
        report = ProgressReport("done", 100, reported_on=date(2024, 3, 1))
        add_entry(follow_up, report, actor=None, channel="staff")
        meeting = db.session.get(Meeting, new.id)
        meeting.predecessors = [db.session.get(Meeting, earlier.id)]
        db.session.commit()
    text = minutes_pdf_text(login, new.id)
    assert f"Dari 1 tindak lanjut {EARLIER_TITLE}, 1 selesai, 0 sedang berjalan" in text
    assert "Semua tindak lanjut rapat sebelumnya sudah selesai atau dibatalkan" in text
    assert "Rencana aksi TKPK" not in text
