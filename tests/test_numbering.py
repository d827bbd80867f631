"""Document numbers: given at finalisation, printed under the title, never reused."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.documents import finalise
from app.documents.numbering import format_number, pattern_problem
from app.extensions import db
from app.models import DocumentNumber, DocumentSetting, Meeting, User
from tests.helpers import build_record, csrf_from, get_pdf, make_pdf, pdf_text

MINUTES_PATTERN = "000.1.4/{seq}/Bappeda/{month_roman}/{year}"
# 23 January 2024, 10.00 WIB.
MEETING_DAY = datetime(2024, 1, 23, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("000.1.4/Bappeda/{year}", "Pola nomor harus memuat {seq}"),
        ("000.1.4/{seq}/{tahun}", "memuat {tahun} yang tidak dikenal"),
        ("000.1.4/{seq/{year}", "Kurung kurawal pada pola nomor tidak berpasangan"),
        ("000.1.4/{seq:03d}/{year}", "tanpa format tambahan"),
        ("x" * 201 + "{seq}", "paling panjang 200 karakter"),
        ("000.1.4/{seq}/Bappeda", "Pola nomor harus memuat {year}"),
    ],
)
def test_a_pattern_that_cannot_number_says_why(app, pattern, words):
    with app.test_request_context(), force_locale("id"):
        assert words in pattern_problem(pattern)


def test_a_good_pattern_has_no_problem_and_formats_its_parts(app):
    with app.test_request_context():
        assert pattern_problem(MINUTES_PATTERN) is None
    assert format_number(MINUTES_PATTERN, 1, MEETING_DAY.date()) == "000.1.4/1/Bappeda/I/2024"
    assert format_number("{seq}/{month}/{year}", 12, datetime(2024, 11, 5).date()) == "12/11/2024"
    assert format_number("{seq}/{month_roman}", 3, datetime(2024, 9, 1).date()) == "3/IX"


def ready_meeting(app, make_meeting, code: str) -> int:
    """A closed meeting with everything finalising requires (no inputs)."""
    meeting = make_meeting(
        code=code,
        status="closed",
        chair_nip="197001011990031001",
        notetaker_name="Dian Permatasari",
        notetaker_nip="198503122010012015",
        conclusions="Rencana aksi disepakati.",
    )
    return meeting.id


def finalise_at(app, meeting_id: int, user_id: int, when: datetime) -> None:
    with app.app_context():
        finalise.finalise_minutes(meeting_id, db.session.get(User, user_id), now=when)


def reopen(app, meeting_id: int, admin_id: int) -> None:
    with app.app_context():
        finalise.reopen_minutes(meeting_id, db.session.get(User, admin_id), "Salah ketik.")


def numbers_of(app, meeting_id: int) -> dict[str, str]:
    with app.app_context():
        query = select(DocumentNumber.kind, DocumentNumber.number).filter_by(meeting_id=meeting_id)
        return dict(db.session.execute(query).all())


def test_two_meetings_take_consecutive_numbers_and_never_the_same(app, make_meeting, staff):
    first = ready_meeting(app, make_meeting, "rakor-a")
    second = ready_meeting(app, make_meeting, "rakor-b")
    finalise_at(app, first, staff["secretariat"], MEETING_DAY)
    finalise_at(app, second, staff["secretariat"], MEETING_DAY)
    assert numbers_of(app, first) == {
        "minutes": "000.1.4/1/Bappeda/I/2024",
        "berita_acara": "000.1.4/1/BA/Bappeda/I/2024",
        "laporan": "000.1.4/1/Lap/Bappeda/I/2024",
    }
    assert numbers_of(app, second)["minutes"] == "000.1.4/2/Bappeda/I/2024"
    with app.app_context():
        all_numbers = db.session.scalars(select(DocumentNumber.number)).all()
    assert len(all_numbers) == len(set(all_numbers)) == 6


def test_a_reopened_meeting_keeps_its_number(app, make_meeting, staff):
    first = ready_meeting(app, make_meeting, "rakor-a")
    second = ready_meeting(app, make_meeting, "rakor-b")
    finalise_at(app, first, staff["secretariat"], MEETING_DAY)
    given = numbers_of(app, first)
    reopen(app, first, staff["admin"])
    finalise_at(app, second, staff["secretariat"], MEETING_DAY)
    # Finalised again a month later: the same numbers, and none given twice.
    finalise_at(app, first, staff["secretariat"], datetime(2024, 2, 20, 3, 0, tzinfo=UTC))
    assert numbers_of(app, first) == given
    assert numbers_of(app, second)["minutes"] == "000.1.4/2/Bappeda/I/2024"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocumentNumber)) == 6


def test_the_date_of_a_number_is_the_citys_day(app, make_meeting, staff):
    meeting_id = ready_meeting(app, make_meeting, "rakor-a")
    # 31 January 18.00 UTC is already 1 February in Pekalongan (WIB, UTC+7).
    finalise_at(app, meeting_id, staff["secretariat"], datetime(2024, 1, 31, 18, 0, tzinfo=UTC))
    assert numbers_of(app, meeting_id)["minutes"] == "000.1.4/1/Bappeda/II/2024"


def test_a_kind_without_a_pattern_gets_no_number(app, make_meeting, staff):
    with app.app_context():
        db.session.scalar(select(DocumentSetting).filter_by(kind="laporan")).number_pattern = ""
        db.session.commit()
    meeting_id = ready_meeting(app, make_meeting, "rakor-a")
    finalise_at(app, meeting_id, staff["secretariat"], MEETING_DAY)
    assert set(numbers_of(app, meeting_id)) == {"minutes", "berita_acara"}


def test_the_number_is_printed_under_the_title_of_the_final_minutes_only(app, make_meeting, login):
    record = build_record(app, make_meeting)
    url = f"/admin/meetings/{record.meeting_id}/minutes.pdf"
    secretariat = login("secretariat")
    draft = pdf_text(make_pdf(secretariat, url).data)
    assert "Nomor:" not in draft

    token = csrf_from(secretariat, f"/admin/meetings/{record.meeting_id}/finalise")
    response = secretariat.post(
        f"/admin/meetings/{record.meeting_id}/finalise", data={"csrf_token": token}
    )
    assert response.status_code == 302
    number = numbers_of(app, record.meeting_id)["minutes"]
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()
    assert number == format_number(MINUTES_PATTERN, 1, today)
    final = pdf_text(get_pdf(secretariat, url).data)
    assert f"NOTULEN RAPAT Nomor: {number} Rapat Koordinasi" in final

    # Reopened, the minutes are a draft again: no number printed, but it stays the meeting's.
    admin = login("admin")
    token = csrf_from(admin, f"/admin/meetings/{record.meeting_id}/minutes")
    admin.post(
        f"/admin/meetings/{record.meeting_id}/reopen",
        data={"csrf_token": token, "reason": "Nama notulis salah ketik."},
    )
    with app.app_context():
        assert db.session.get(Meeting, record.meeting_id).status == "closed"
    again = pdf_text(make_pdf(admin, url).data)
    assert "Nomor:" not in again and "DRAF" in again
    assert numbers_of(app, record.meeting_id)["minutes"] == number
