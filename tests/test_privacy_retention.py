"""Personal data on time: `flask privacy erase`, the form's notice and the privacy page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.i18n import local_today
from app.models import Attendee, AuditEvent, Letterhead, Submission
from tests.helpers import add_submission, text

TITLE = "Pelatihan membatik untuk pemuda putus sekolah"
PHONE = "0812-2712-3456"


def today_of(app):
    with app.app_context():
        return local_today()


@pytest.fixture
def two_meetings(app, make_meeting) -> dict[str, int]:
    """An old meeting (400 days ago) and a recent one (10 days ago), each with one input
    and one attendance line carrying a phone and an invitation link; their ids."""
    today = today_of(app)
    old = make_meeting(code="rakor-lama", date=today - timedelta(days=400), status="closed")
    recent = make_meeting(code="rakor-baru", date=today - timedelta(days=10), status="closed")
    ids = {}
    for key, meeting in (("old", old), ("recent", recent)):
        ids[key] = meeting.id
        ids[f"{key}_submission"] = add_submission(app, meeting.id, phone=PHONE)
        with app.app_context():
            attendee = Attendee(
                meeting_id=meeting.id,
                name="Agus Priyanto",
                position="Lurah Krapyak",
                unit="Krapyak",
                phone=PHONE,
                invitation_token=f"undangan-{key}-0123456789abcdef",
            )
            db.session.add(attendee)
            db.session.commit()
            ids[f"{key}_attendee"] = attendee.id
    return ids


def submission(app, submission_id: int) -> Submission:
    with app.app_context():
        row = db.session.get(Submission, submission_id)
        db.session.expunge(row)
        return row


def attendee(app, attendee_id: int) -> Attendee:
    with app.app_context():
        row = db.session.get(Attendee, attendee_id)
        db.session.expunge(row)
        return row


def erase_events(app) -> list[AuditEvent]:
    with app.app_context():
        events = list(
            db.session.scalars(select(AuditEvent).filter_by(action="erase_personal_data"))
        )
        db.session.expunge_all()
        return events


def test_erase_removes_old_meetings_names_and_phones_and_keeps_the_input(app, runner, two_meetings):
    result = runner.invoke(args=["privacy", "erase"])
    assert result.exit_code == 0, result.output
    assert "Erased personal data" in result.output
    assert "1 inputs' names and phones, 1 attendees' phones, 1 invitation links" in result.output

    old = submission(app, two_meetings["old_submission"])
    assert (old.submitter_name, old.phone) == ("", "")
    assert old.personal_data_erased_at is not None
    assert old.title == TITLE  # the input itself stays
    assert old.position == "Lurah Krapyak" and old.kelurahan_id is not None
    old_line = attendee(app, two_meetings["old_attendee"])
    assert (old_line.phone, old_line.invitation_token) == ("", None)
    assert old_line.name == "Agus Priyanto"  # the signed daftar hadir is the official record

    recent = submission(app, two_meetings["recent_submission"])
    assert (recent.submitter_name, recent.phone) == ("Agus Priyanto", PHONE)
    assert recent.personal_data_erased_at is None
    recent_line = attendee(app, two_meetings["recent_attendee"])
    assert recent_line.phone == PHONE and recent_line.invitation_token

    [event] = erase_events(app)
    assert event.meeting_id == two_meetings["old"]
    assert event.after["submissions"] == 1 and event.after["attendee_phones"] == 1
    assert "Agus" not in str(event.after) and "0812" not in str(event.after)


def test_a_second_run_changes_nothing(app, runner, two_meetings):
    assert runner.invoke(args=["privacy", "erase"]).exit_code == 0
    first = submission(app, two_meetings["old_submission"]).personal_data_erased_at
    again = runner.invoke(args=["privacy", "erase"])
    assert again.exit_code == 0
    assert "0 inputs' names and phones" in again.output
    assert "Nothing to erase." in again.output
    assert submission(app, two_meetings["old_submission"]).personal_data_erased_at == first
    assert len(erase_events(app)) == 1


def test_a_dry_run_counts_and_changes_nothing(app, runner, two_meetings):
    result = runner.invoke(args=["privacy", "erase", "--dry-run"])
    assert result.exit_code == 0
    assert "Would erase" in result.output and "1 inputs' names and phones" in result.output
    old = submission(app, two_meetings["old_submission"])
    assert (old.submitter_name, old.phone, old.personal_data_erased_at) == (
        "Agus Priyanto",
        PHONE,
        None,
    )
    assert attendee(app, two_meetings["old_attendee"]).invitation_token
    assert erase_events(app) == []


def test_days_reach_back_as_far_as_asked(app, runner, two_meetings):
    result = runner.invoke(args=["privacy", "erase", "--days", "5"])
    assert result.exit_code == 0
    assert "2 inputs' names and phones" in result.output
    assert submission(app, two_meetings["recent_submission"]).submitter_name == ""
    cutoff = (today_of(app) - timedelta(days=5)).isoformat()
    assert f"dated before {cutoff}" in result.output


def test_a_meeting_exactly_the_retention_period_ago_is_kept(app, runner, make_meeting):
    meeting = make_meeting(code="rakor-batas", date=today_of(app) - timedelta(days=30))
    submission_id = add_submission(app, meeting.id, phone=PHONE)
    assert runner.invoke(args=["privacy", "erase", "--days", "30"]).exit_code == 0
    assert submission(app, submission_id).phone == PHONE
    assert runner.invoke(args=["privacy", "erase", "--days", "29"]).exit_code == 0
    assert submission(app, submission_id).phone == ""


def test_zero_days_keeps_everything_and_says_so(app, runner, two_meetings):
    app.config["RAKOR_PERSONAL_DATA_DAYS"] = 0
    result = runner.invoke(args=["privacy", "erase"])
    assert result.exit_code == 0
    assert "personal data is kept" in result.output
    assert submission(app, two_meetings["old_submission"]).phone == PHONE
    result = runner.invoke(args=["privacy", "erase", "--days", "0"])
    assert "personal data is kept" in result.output
    assert erase_events(app) == []


def test_the_setting_decides_the_period(app, runner, two_meetings):
    app.config["RAKOR_PERSONAL_DATA_DAYS"] = 500
    assert runner.invoke(args=["privacy", "erase"]).exit_code == 0
    assert submission(app, two_meetings["old_submission"]).phone == PHONE


# --- what the participant reads ----------------------------------------------------------


def test_the_form_says_what_is_asked_why_who_sees_it_and_for_how_long(client, meeting):
    page = text(client.get(f"/m/{meeting.code}"))
    assert "Data pribadi Anda" in page
    assert "Kami meminta nama, peran, unit kerja dan jabatan Anda" in page
    assert "hanya sekretariat rapat dan admin aplikasi" in page
    assert "Nama dan nomor HP dihapus 365 hari setelah tanggal rapat" in page
    assert "hubungi sekretariat rapat" in page
    assert 'href="/privasi"' in page


def test_the_form_names_the_retention_the_admin_set(app, client, meeting):
    app.config["RAKOR_PERSONAL_DATA_DAYS"] = 0
    page = text(client.get(f"/m/{meeting.code}"))
    assert "sampai Anda meminta sekretariat menghapusnya" in page
    assert "dihapus 365 hari" not in page


def test_the_privacy_page_names_the_secretariat_and_its_contact(app, client):
    page = text(client.get("/privasi"))
    assert "Undang-Undang Nomor 27 Tahun 2022" in page
    assert "Sekretariat rapat: Badan Perencanaan Pembangunan Daerah." in page
    assert "Kontak:" not in page
    with app.app_context():
        letterhead = db.session.scalar(select(Letterhead).filter_by(kind="agency"))
        letterhead.contact = "Telp. (0285) 421093 · bappeda@pekalongankota.go.id"
        db.session.commit()
    page = text(client.get("/privasi"))
    assert "Kontak: Telp. (0285) 421093 · bappeda@pekalongankota.go.id" in page


def test_the_privacy_notice_and_page_in_english(client, meeting):
    client.set_cookie("rakor_lang", "en")
    form = text(client.get(f"/m/{meeting.code}"))
    assert "Your personal data" in form
    assert "deleted 365 days after the meeting date" in form
    page = text(client.get("/privasi"))
    assert "Participants' personal data" in page
    assert "Law No. 27 of 2022" in page


def test_an_erased_name_reads_as_erased_to_the_staff_and_in_the_minutes(
    app, runner, login, two_meetings
):
    """After erasure the review pages say "(dihapus)" where the name was, and the minutes
    name the proposer by position and unit alone."""
    from app.documents.context import submission_rows

    assert runner.invoke(args=["privacy", "erase"]).exit_code == 0
    meeting_id, submission_id = two_meetings["old"], two_meetings["old_submission"]
    secretariat = login("secretariat")
    queue = text(secretariat.get(f"/admin/meetings/{meeting_id}/inputs"))
    assert "(dihapus)" in queue
    detail = text(secretariat.get(f"/admin/meetings/{meeting_id}/inputs/{submission_id}"))
    assert "(dihapus)" in detail and PHONE not in detail
    with app.test_request_context():
        (row,) = submission_rows(meeting_id)
    assert row.proposer == "Lurah Krapyak"
    # The recent meeting's sender keeps their name.
    recent = text(secretariat.get(f"/admin/meetings/{two_meetings['recent']}/inputs"))
    assert "(dihapus)" not in recent


def test_erasure_takes_the_duplicate_key_and_the_draft_documents_with_the_names(
    app, runner, two_meetings
):
    """The duplicate key was made from the name and phone, and draft PDFs print the
    proposers: both go; the finalised (signed) record stays as it was."""
    from app.models import MeetingDocument, RenderJob

    old_id = two_meetings["old"]
    with app.app_context():
        for is_final in (False, True):
            document = MeetingDocument(
                meeting_id=old_id,
                kind="minutes",
                source_digest="d",
                sha256=f"s{is_final}",
                content=b"%PDF Agus Priyanto",
                is_final=is_final,
            )
            db.session.add(document)
            db.session.flush()
            db.session.add(
                RenderJob(
                    meeting_id=old_id,
                    kind="minutes",
                    source_digest="d",
                    status="done",
                    progress=100,
                    document_id=document.id,
                )
            )
        db.session.commit()
        key_before = db.session.get(Submission, two_meetings["old_submission"]).idempotency_key

    assert runner.invoke(args=["privacy", "erase"]).exit_code == 0
    with app.app_context():
        old = db.session.get(Submission, two_meetings["old_submission"])
        assert old.idempotency_key == f"erased:{old.id}" != key_before
        documents = db.session.scalars(select(MeetingDocument).filter_by(meeting_id=old_id)).all()
        assert [document.is_final for document in documents] == [True]
        jobs = db.session.scalars(select(RenderJob).filter_by(meeting_id=old_id)).all()
        assert [job.document_id for job in jobs] == [documents[0].id]


def test_the_duplicate_key_cannot_be_tested_against_a_guessed_name(app, meeting, client):
    """The key is an HMAC under the app's secret, not a bare hash of the form's content."""
    import hashlib

    from app.submissions.services import SubmissionData, idempotency_key

    with app.app_context():
        pillar_id = db.session.scalar(select(Submission.pillar_id).limit(1)) or 1
        data = SubmissionData(
            submitter_name="Agus Priyanto",
            role="stakeholder",
            position="Ketua",
            kind="usulan",
            pillar_id=pillar_id,
            title=TITLE,
            description="Uraian yang cukup panjang untuk diterima formulir.",
            organisation="PKK",
            phone=PHONE,
        )
        plain = hashlib.sha256(f"web\n{data.fingerprint()}".encode()).hexdigest()
        key = idempotency_key(data)
        assert key != plain and len(key) == 64
        app.config["SECRET_KEY"] = "another-secret"
        assert idempotency_key(data) != key
