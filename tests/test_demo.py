"""`flask demo`: a finalised 2024 record a newcomer can read, and a 2025 meeting under way."""

import csv
import json
from collections import Counter
from datetime import date

import pytest

from app.domain import FINAL_KINDS, nip_digits
from app.extensions import db
from app.models import (
    Attendee,
    DocumentNumber,
    FollowUp,
    Meeting,
    MeetingDocument,
    RenderJob,
    Signatory,
    Submission,
    User,
)
from config import BASE_DIR
from tests.helpers import pdf_text

DEMO_DIR = BASE_DIR / "app" / "demo"
RECORD = json.loads((DEMO_DIR / "rakor2024.json").read_text(encoding="utf-8"))
WORKSPACE = json.loads((DEMO_DIR / "rakor2025.json").read_text(encoding="utf-8"))
PEOPLE = json.loads((DEMO_DIR / "people.json").read_text(encoding="utf-8"))
EMPTY_MARKS = ("Belum ada catatan pembahasan", "Belum diisi", "Daftar hadir belum diisi")


def run_demo(runner) -> str:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def meeting_by_code(code: str) -> Meeting:
    return db.session.scalar(db.select(Meeting).filter_by(code=code))


def final_minutes(meeting_id: int) -> MeetingDocument:
    return db.session.scalar(
        db.select(MeetingDocument).filter_by(meeting_id=meeting_id, kind="minutes", is_final=True)
    )


@pytest.fixture
def demo(app, runner) -> str:
    return run_demo(runner)


def test_the_2024_record_is_finalised_with_its_numbers_and_final_pdfs(app, demo):
    assert "Finalised record: Rapat Koordinasi Penanggulangan Kemiskinan" in demo
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        assert meeting.status == "finalised"
        assert db.session.get(User, meeting.finalised_by_id).email == "admin@rakor.test"
        numbers = dict(
            db.session.execute(
                db.select(DocumentNumber.kind, DocumentNumber.number).filter_by(
                    meeting_id=meeting.id
                )
            ).all()
        )
        assert set(numbers) == set(FINAL_KINDS)
        # Numbered in the month the record was finalised: January 2024.
        assert all(number.endswith("/I/2024") for number in numbers.values())
        assert numbers["minutes"] in demo
        archived = db.session.scalars(
            db.select(MeetingDocument.kind).filter_by(meeting_id=meeting.id, is_final=True)
        ).all()
        assert sorted(archived) == sorted(FINAL_KINDS)


def test_the_final_minutes_read_as_a_complete_record(app, demo):
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        text = pdf_text(final_minutes(meeting.id).content)
    for mark in EMPTY_MARKS:
        assert mark not in text
    assert "59 orang" in text
    assert "Selasa, 23 Januari 2024" in text
    for figure in ("7,59", "7,00", "6,81", "6,94", "6,71", "6,50", "6,29"):
        assert figure in text
    assert "Salahudin" in text  # the Wakil Wali Kota's direction
    assert "Achmad Afzan Arslan Djunaid" in text
    assert "NIP. 19850312 201001 2 015" in text  # the note-taker's
    # The Wali Kota is elected, not a civil servant: no NIP line under that name.
    assert text.count("NIP.") == 1
    assert "6. Setiap tindak lanjut" in text  # the conclusions, numbered


def test_every_input_is_reviewed_and_every_follow_up_has_an_agency_and_a_2024_deadline(app, demo):
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        statuses = Counter(
            db.session.scalars(db.select(Submission.status).filter_by(meeting_id=meeting.id))
        )
        assert statuses["received"] == 0
        assert statuses["merged"] >= 2 and statuses["declined"] >= 2
        assert sum(statuses.values()) == len(RECORD["submissions"])
        follow_ups = db.session.scalars(db.select(FollowUp).filter_by(meeting_id=meeting.id)).all()
        assert len(follow_ups) >= 9
        for follow_up in follow_ups:
            assert follow_up.agency is not None, follow_up.action
            assert date(2024, 1, 23) < follow_up.deadline <= date(2024, 12, 31)
        followed = db.session.scalars(
            db.select(Submission).filter_by(meeting_id=meeting.id, status="follow_up")
        ).all()
        assert all(s.responsible_agency_id for s in followed)
        assert all(s.decided_at and s.decided_by_id for s in followed)


def test_the_daftar_hadir_has_59_people_checked_in_on_the_morning(app, demo):
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        people = db.session.scalars(db.select(Attendee).filter_by(meeting_id=meeting.id)).all()
        assert len(people) == 59
        assert Counter(p.sex for p in people) == {"L": 40, "P": 19}
        assert {p.source for p in people} == {"desk"}
        # 08.30-09.15 WIB is 01.30-02.15 UTC on the meeting's day.
        times = [p.checked_in_at for p in people]
        assert all(t.date() == date(2024, 1, 23) for t in times)
        assert min(times).strftime("%H:%M") == "01:30"
        assert max(times).strftime("%H:%M") == "02:15"
        positions = Counter(p.position for p in people)
        assert positions["Lurah"] == 27 and positions["Camat"] == 4
        assert len({p.unit for p in people if p.position == "Lurah"}) == 27
        assert len({p.name for p in people}) == 59


def test_the_berita_acara_has_its_parties_and_the_wali_kota_acknowledges(app, demo):
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        signatories = db.session.scalars(
            db.select(Signatory).filter_by(meeting_id=meeting.id).order_by(Signatory.position)
        ).all()
        parties = [s for s in signatories if not s.acknowledges]
        assert [s.title for s in parties][:3] == [
            "Kepala Bappeda Kota Pekalongan",
            "Kepala Dinsos P2KB Kota Pekalongan",
            "Kepala Dinkes Kota Pekalongan",
        ]
        assert all(nip_digits(s.nip) for s in parties)
        (mayor,) = [s for s in signatories if s.acknowledges]
        assert (mayor.name, mayor.nip) == ("Achmad Afzan Arslan Djunaid", "")
        assert meeting.chair_nip == ""
        assert nip_digits(meeting.notetaker_nip)
        assert "Peraturan Presiden Nomor 96 Tahun 2015" in meeting.report_basis
        assert meeting.report_purpose and meeting.recommendations.startswith("1. ")


def test_running_the_demo_again_changes_nothing(app, runner, demo):
    def state():
        with app.app_context():
            return {
                "documents": db.session.execute(
                    db.select(
                        MeetingDocument.id, MeetingDocument.kind, MeetingDocument.sha256
                    ).order_by(MeetingDocument.id)
                ).all(),
                "numbers": db.session.execute(
                    db.select(DocumentNumber.number).order_by(DocumentNumber.id)
                ).all(),
                "jobs": db.session.scalar(db.select(db.func.count()).select_from(RenderJob)),
                "inputs": db.session.scalar(db.select(db.func.count()).select_from(Submission)),
                "people": db.session.scalar(db.select(db.func.count()).select_from(Attendee)),
                "meetings": db.session.execute(
                    db.select(Meeting.code, Meeting.status, Meeting.finalised_at).order_by(
                        Meeting.id
                    )
                ).all(),
                "users": db.session.scalar(db.select(db.func.count()).select_from(User)),
            }

    before = state()
    again = run_demo(runner)
    assert state() == before
    assert "Finalised record" in again
    assert "Demo login (admin): admin@rakor.test" in again


def test_the_2025_meeting_is_open_mid_meeting_and_takes_input(
    app, demo, submit, valid_submission, client
):
    assert "/m/rakor2025" in demo
    with app.app_context():
        meeting = meeting_by_code("rakor2025")
        assert (meeting.status, meeting.closes_at, meeting.date.year) == ("open", None, 2025)
        assert meeting.conclusions == ""
        statuses = Counter(
            db.session.scalars(db.select(Submission.status).filter_by(meeting_id=meeting.id))
        )
        assert sum(statuses.values()) == len(WORKSPACE["submissions"]) == 12
        assert 0 < statuses["received"] < 12
        assert statuses["follow_up"] == 0
        assert db.session.scalar(db.select(FollowUp.id).filter_by(meeting_id=meeting.id)) is None
        present = db.session.scalar(
            db.select(db.func.count()).select_from(Attendee).filter_by(meeting_id=meeting.id)
        )
        assert 3 <= present <= 10
    page = client.get("/m/rakor2025").get_data(as_text=True)
    assert 'id="input-form"' in page
    response = submit("rakor2025", valid_submission)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/receipt/")
    with app.app_context():
        meeting = meeting_by_code("rakor2025")
        count = db.select(db.func.count()).select_from(Submission)
        assert db.session.scalar(count.filter_by(meeting_id=meeting.id)) == 13


def test_the_demo_inputs_are_varied_and_match_their_files(app, demo):
    with app.app_context():
        record = meeting_by_code("rakor2024")
        rows = db.session.scalars(db.select(Submission).filter_by(meeting_id=record.id)).all()
        assert sorted(r.title for r in rows) == sorted(i["title"] for i in RECORD["submissions"])
        assert [item.title for item in record.agenda_items] == RECORD["meeting"]["agenda"]
        assert all(item.discussion.strip() for item in record.agenda_items)
        assert {r.role for r in rows} == {"lurah", "camat", "opd", "stakeholder"}
        assert {r.kind for r in rows} == {"usulan", "evaluasi", "kendala"}
        assert {r.pillar.code for r in rows} == {"P1", "P2", "P3", "P4"}
        assert all(r.program_id for r in rows if r.kind == "evaluasi")
        every = db.session.scalars(db.select(Submission.receipt_code)).all()
        assert len(set(every)) == len(every)
        user = db.session.scalar(db.select(User).filter_by(email="sekretariat@rakor.test"))
        assert user.role == "secretariat"
        assert user.check_password("sekretariat-demo-2024")


def test_a_record_finalising_refuses_is_left_closed_and_the_demo_goes_on(app, runner, make_meeting):
    # A rakor2024 someone made earlier with a NIP of the wrong length: the demo keeps
    # what is there, so finalising refuses, and says so.
    make_meeting(
        code="rakor2024",
        title=RECORD["meeting"]["title"],
        notetaker_name="Dian Permatasari, S.E., M.Si.",
        notetaker_nip="1985031220100120",
    )
    output = run_demo(runner)
    assert "left closed, not finalised" in output
    assert "NIP notulis" in output
    assert "/m/rakor2025" in output
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        assert meeting.status == "closed"
        assert db.session.scalar(db.select(DocumentNumber.id)) is None


def test_the_demo_files_agree_with_the_reference_data():
    meeting = RECORD["meeting"]
    officials = PEOPLE["officials"]
    discussion = " ".join(" ".join(part) for part in meeting["discussions"])
    # The figures the meeting discussed are the seeded indicator's, decimal comma.
    with open(BASE_DIR / "app" / "reference_data" / "indicators.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for value in (row["target"], row["actual"]):
                if value:
                    assert f"{value.replace('.', ',')} persen" in discussion, value
    assert "Achmad Afzan Arslan Djunaid" in discussion and "Salahudin" in discussion
    assert (meeting["chair_name"], meeting["chair_nip"]) == (
        officials["wali_kota"]["name"],
        officials["wali_kota"]["nip"],
    )
    assert (meeting["notetaker_name"], meeting["notetaker_nip"]) == (
        officials["notulis"]["name"],
        officials["notulis"]["nip"],
    )
    agencies = {a["abbreviation"] for a in RECORD["agencies"]}
    specs = [i["follow_up"] for i in RECORD["submissions"] if "follow_up" in i]
    for spec in specs + RECORD["follow_ups"]:
        assert spec["agency"] in agencies
        assert spec["deadline"].startswith("2024-")
    # An official's NIP: 18 digits whose sex digit agrees with L/P; the Wali Kota has none.
    for key, official in officials.items():
        if key == "wali_kota":
            assert official["nip"] == ""
        else:
            digits = nip_digits(official["nip"])
            assert digits and digits[14] == {"L": "1", "P": "2"}[official["sex"]]
