"""`flask demo`: a finalised 2024 record a newcomer can read, and a 2025 meeting under way."""

import csv
import json
from collections import Counter
from datetime import date

import pytest

from app.documents.context import build_minutes_context
from app.documents.finalise import reopen_minutes
from app.domain import FINAL_KINDS, nip_digits
from app.extensions import db
from app.insight import services as insight
from app.models import (
    Agency,
    AgencyLink,
    AgendaItem,
    Attendee,
    DocumentNumber,
    FollowUp,
    FollowUpProgress,
    Meeting,
    MeetingDocument,
    RenderJob,
    Signatory,
    Submission,
    Theme,
    User,
)
from config import BASE_DIR
from tests.helpers import hidden_value, pdf_text

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


@pytest.fixture
def demo(app, runner) -> str:
    return run_demo(runner)


def final_text(meeting_id: int, kind: str) -> str:
    document = db.session.scalar(
        db.select(MeetingDocument).filter_by(meeting_id=meeting_id, kind=kind, is_final=True)
    )
    assert document is not None, f"no final {kind}"
    return pdf_text(document.content)


def test_the_2024_record_is_finalised_numbered_and_its_final_pdfs_read_complete(app, demo):
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
        minutes = final_text(meeting.id, "minutes")
        agreement = final_text(meeting.id, "berita_acara")
        report = final_text(meeting.id, "laporan")

    for mark in EMPTY_MARKS:
        assert mark not in minutes
    assert "59 orang" in minutes
    assert "Selasa, 23 Januari 2024" in minutes
    for figure in ("7,59", "7,00", "6,81", "6,94", "6,71", "6,50", "6,29"):
        assert figure in minutes
    assert "Salahudin" in minutes  # the Wakil Wali Kota's direction
    assert "Achmad Afzan Arslan Djunaid" in minutes
    assert "NIP. 19850312 201001 2 015" in minutes  # the note-taker's
    # The Wali Kota is elected, not a civil servant: no NIP line under that name.
    assert minutes.count("NIP.") == 1
    assert "6. Setiap tindak lanjut" in minutes  # the conclusions, numbered
    assert numbers["minutes"] in minutes

    assert "Ir. Hari Wibisono, M.T." in agreement and "Mengetahui" in agreement
    assert "NIP. 19690422 199403 2 007" in agreement
    acknowledged = agreement.split("Mengetahui")[-1]
    assert "Achmad Afzan Arslan Djunaid" in acknowledged and "NIP" not in acknowledged
    assert "Peraturan Presiden Nomor 96 Tahun 2015" in report
    assert "1. 1." not in report


def test_the_record_has_every_input_reviewed_its_follow_ups_people_and_signatories(app, demo):
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        rows = db.session.scalars(db.select(Submission).filter_by(meeting_id=meeting.id)).all()
        assert sorted(r.title for r in rows) == sorted(i["title"] for i in RECORD["submissions"])
        assert [item.title for item in meeting.agenda_items] == RECORD["meeting"]["agenda"]
        assert all(item.discussion.strip() for item in meeting.agenda_items)
        assert {r.role for r in rows} == {"lurah", "camat", "opd", "stakeholder"}
        assert {r.kind for r in rows} == {"usulan", "evaluasi", "kendala"}
        assert {r.pillar.code for r in rows} == {"P1", "P2", "P3", "P4"}
        assert all(r.program_id for r in rows if r.kind == "evaluasi")
        every = db.session.scalars(db.select(Submission.receipt_code)).all()
        assert len(set(every)) == len(every)

        statuses = Counter(r.status for r in rows)
        assert statuses["received"] == 0
        assert statuses["merged"] >= 2 and statuses["declined"] >= 2
        assert all(r.merged_into_id for r in rows if r.status == "merged")
        followed = [r for r in rows if r.status == "follow_up"]
        assert all(r.responsible_agency_id and r.decided_at and r.decided_by_id for r in followed)
        follow_ups = db.session.scalars(db.select(FollowUp).filter_by(meeting_id=meeting.id)).all()
        assert len(follow_ups) >= len(followed) >= 9
        for follow_up in follow_ups:
            assert follow_up.agency is not None, follow_up.action
            assert date(2024, 1, 23) < follow_up.deadline <= date(2024, 12, 31)

        people = db.session.scalars(db.select(Attendee).filter_by(meeting_id=meeting.id)).all()
        assert len(people) == len({p.name for p in people}) == 59
        assert Counter(p.sex for p in people) == {"L": 40, "P": 19}
        assert {p.source for p in people} == {"desk"}
        # 08.30-09.15 WIB is 01.30-02.15 UTC on the meeting's day.
        times = [p.checked_in_at for p in people]
        assert all(t.date() == date(2024, 1, 23) for t in times)
        assert (min(times).strftime("%H:%M"), max(times).strftime("%H:%M")) == ("01:30", "02:15")
        positions = Counter(p.position for p in people)
        assert positions["Lurah"] == 27 and positions["Camat"] == 4
        assert len({p.unit for p in people if p.position == "Lurah"}) == 27

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
        assert meeting.report_purpose and meeting.recommendations.startswith("1. ")

        user = db.session.scalar(db.select(User).filter_by(email="sekretariat@rakor.test"))
        assert user.role == "secretariat"
        assert user.check_password("sekretariat-demo-2024")


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
                "progress": db.session.scalar(
                    db.select(db.func.count()).select_from(FollowUpProgress)
                ),
                "links": db.session.execute(
                    db.select(AgencyLink.id, AgencyLink.token, AgencyLink.revoked_at)
                ).all(),
                "agenda": db.session.execute(
                    db.select(
                        AgendaItem.meeting_id, AgendaItem.position, AgendaItem.title
                    ).order_by(AgendaItem.meeting_id, AgendaItem.position)
                ).all(),
                "predecessors": [
                    (m.code, [p.code for p in m.predecessors])
                    for m in db.session.scalars(db.select(Meeting).order_by(Meeting.id))
                ],
                "themes": db.session.execute(
                    db.select(Theme.id, Theme.label).order_by(Theme.id)
                ).all(),
            }

    before = state()
    assert before["progress"] > 0 and len(before["links"]) == 1 and before["themes"]
    again = run_demo(runner)
    assert state() == before
    assert "Finalised record" in again
    assert "Demo login (admin): admin@rakor.test" in again


def test_a_record_an_admin_reopened_is_left_to_them(app, runner, demo):
    """Reopened to correct it: a second `flask demo` neither refills nor refinalises it."""
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        admin = db.session.scalar(db.select(User).filter_by(email="admin@rakor.test"))
        reopen_minutes(meeting.id, admin, "Kesimpulan ditulis ulang.")
        meeting = meeting_by_code("rakor2024")
        meeting.conclusions = ""
        db.session.execute(db.delete(Signatory).where(Signatory.meeting_id == meeting.id))
        db.session.commit()
    again = run_demo(runner)
    assert "reopened by an admin: left closed" in again
    with app.app_context():
        meeting = meeting_by_code("rakor2024")
        assert (meeting.status, meeting.conclusions) == ("closed", "")
        count = db.select(db.func.count()).select_from(Signatory)
        assert db.session.scalar(count.where(Signatory.meeting_id == meeting.id)) == 0


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
        assert sum(statuses.values()) == len(WORKSPACE["submissions"]) == 15
        assert 0 < statuses["received"] < 15
        assert statuses["follow_up"] == 0
        assert db.session.scalar(db.select(FollowUp.id).filter_by(meeting_id=meeting.id)) is None
        present = db.session.scalar(
            db.select(db.func.count()).select_from(Attendee).filter_by(meeting_id=meeting.id)
        )
        assert 3 <= present <= 10
    page = client.get("/m/rakor2025").get_data(as_text=True)
    assert 'id="input-form"' in page
    assert "Selasa, 21 Januari 2025" in page
    # The finalised record stays public, and takes no more input.
    record_page = client.get("/m/rakor2024").get_data(as_text=True)
    assert "Selasa, 23 Januari 2024" in record_page
    assert 'id="input-form"' not in record_page
    response = submit("rakor2025", valid_submission)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/receipt/")
    with app.app_context():
        meeting = meeting_by_code("rakor2025")
        count = db.select(db.func.count()).select_from(Submission)
        assert db.session.scalar(count.filter_by(meeting_id=meeting.id)) == 16
        ids = (meeting_by_code("rakor2024").id, meeting.id)

    # The demo login opens both meetings in the workspace.
    staff = app.test_client()
    form = staff.get("/login").get_data(as_text=True)
    signed_in = staff.post(
        "/login",
        data={
            "csrf_token": hidden_value(form, "csrf_token"),
            "email": "sekretariat@rakor.test",
            "password": "sekretariat-demo-2024",
        },
    )
    assert signed_in.status_code == 302
    for meeting_id in ids:
        assert staff.get(f"/admin/meetings/{meeting_id}").status_code == 200


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


def test_the_year_between_the_meetings_has_progress_an_agency_account_and_a_link(app, demo, client):
    """The 2024 follow-ups' reports give the 2025 notulen a mix on their date; the focal
    point and the link agency report the way the demo prints."""
    with app.app_context():
        record, workspace = meeting_by_code("rakor2024"), meeting_by_code("rakor2025")
        assert [m.code for m in workspace.predecessors] == ["rakor2024"]
        # Its agenda evaluated the 2024 follow-ups already: no second such item.
        titles = [item.title.lower() for item in workspace.agenda_items]
        assert sum("evaluasi tindak lanjut" in title for title in titles) == 1
        assert titles[0].startswith("pembukaan")

        days = db.session.scalars(
            db.select(FollowUpProgress.reported_on)
            .join(FollowUp, FollowUp.id == FollowUpProgress.follow_up_id)
            .where(FollowUp.meeting_id == record.id)
        ).all()
        assert all(record.date <= day for day in days)
        assert any(day > workspace.date for day in days)  # a few after the 2025 meeting
        assert sum(day <= workspace.date for day in days) >= 15

        context = build_minutes_context(workspace.id)
        (summary,) = context.carried_over_summary
        assert summary == (
            f"Dari 16 tindak lanjut {record.title}, 7 selesai, 6 sedang berjalan, "
            "2 belum dimulai, 1 dibatalkan pada tanggal rapat."
        )
        assert {line.status for line in context.carried_over} == {
            "Sedang berjalan",
            "Belum dimulai",
        }
        assert any(line.overdue for line in context.carried_over)
        # Done on 14 February 2025, still 90 % in the 2025 record.
        charity = next(line for line in context.carried_over if line.agency == "Dinsos P2KB")
        assert charity.progress == "Sedang berjalan, 90%"
        repeated = [
            text for section in context.pillars for line in section.submissions
            for text in line.repeats
        ]  # fmt: skip
        assert f"Diusulkan juga pada {record.title} (status: Tidak dapat ditindaklanjuti)" in (
            repeated
        )
        assert any("Sedang berjalan, 50%, terlambat" in text for text in repeated)

        focal = db.session.scalar(db.select(User).filter_by(email="dinsos@rakor.test"))
        agency = db.session.get(Agency, focal.agency_id)
        assert (focal.role, agency.abbreviation) == ("focal", "Dinsos P2KB")
        assert focal.check_password("sekretariat-demo-2024")
        link = db.session.scalar(db.select(AgencyLink))
        assert link.agency.abbreviation == "Dinkes" and link.revoked_at is None
    assert "Demo login (focal): dinsos@rakor.test / sekretariat-demo-2024" in demo
    assert f"Demo agency update link (Dinkes): http://127.0.0.1:5000/tl/{link.token}" in demo


def test_both_meetings_have_themes_and_suggestions_and_one_input_to_check(app, demo):
    with app.app_context():
        record, workspace = meeting_by_code("rakor2024"), meeting_by_code("rakor2025")
        themes = insight.meeting_themes(record.id)
        assert len(themes) >= 10
        assert any("entok" in view.name for view in themes)
        for meeting in (record, workspace):
            assert insight.pending_inputs(meeting.id) == 0
        # The participant filed the PBI JKN problem under P4; the suggestion says P1.
        queue = insight.disagreements(workspace.id)
        assert [item.submission.title[:35] for item in queue] == [
            "Warga miskin masih baru tahu PBI JK"
        ]
        assert queue[0].suggested.code == "P1" and queue[0].submission.pillar.code == "P4"
