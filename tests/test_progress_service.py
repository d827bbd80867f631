"""The one way progress is written: its rules, its history, and the state on a day."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.follow_ups import progress
from app.follow_ups.progress import ProgressReport
from app.i18n import local_today
from app.models import AuditEvent, FollowUp, FollowUpProgress
from app.services import Refused


@pytest.fixture
def follow_up_id(app, meeting) -> int:
    with app.app_context():
        follow_up = FollowUp(meeting_id=meeting.id, action="Verifikasi data DTKS")
        db.session.add(follow_up)
        db.session.commit()
        return follow_up.id


def report(app, follow_up_id: int, *, channel="staff", skip_unchanged=False, **fields):
    """Add one report as a service caller does, committed; returns the entry's id or None."""
    values = {"status": "in_progress", "percent": 40, "note": ""} | fields
    with app.test_request_context():
        follow_up = db.session.get(FollowUp, follow_up_id)
        entry = progress.add_entry(
            follow_up,
            ProgressReport(**values),
            actor=None,
            channel=channel,
            skip_unchanged=skip_unchanged,
        )
        db.session.commit()
        return entry.id if entry else None


def stored(app, follow_up_id: int) -> tuple:
    with app.app_context():
        row = db.session.get(FollowUp, follow_up_id)
        return row.status, row.percent, row.progress_note, row.reported_on


def refusal(app, follow_up_id: int, **fields) -> str:
    with pytest.raises(Refused) as refused:
        report(app, follow_up_id, **fields)
    return refused.value.field


def image_bytes(kind: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def test_a_report_is_kept_and_repeated_on_the_follow_up(app, follow_up_id):
    entry = report(app, follow_up_id, note="12 dari 27 kelurahan selesai.")
    with app.app_context():
        today = local_today()
    assert stored(app, follow_up_id) == ("in_progress", 40, "12 dari 27 kelurahan selesai.", today)
    with app.app_context():
        row = db.session.get(FollowUpProgress, entry)
        assert (row.status, row.percent, row.channel, row.reported_on) == (
            "in_progress",
            40,
            "staff",
            today,
        )
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "progress"))
        assert event.before["status"] == "open"
        assert event.after["percent"] == 40


def test_a_later_report_dated_earlier_does_not_hide_the_newest_state(app, meeting, follow_up_id):
    report(app, follow_up_id, status="done", percent=100)
    report(app, follow_up_id, reported_on=meeting.date + timedelta(days=10), percent=30)
    assert stored(app, follow_up_id)[:2] == ("done", 100)


def test_the_state_on_a_day_is_the_latest_report_on_or_before_it(app, meeting, follow_up_id):
    day = meeting.date
    report(app, follow_up_id, reported_on=day + timedelta(days=30), percent=20)
    report(app, follow_up_id, reported_on=day + timedelta(days=90), percent=70)
    report(app, follow_up_id, reported_on=day + timedelta(days=200), status="done", percent=100)
    with app.app_context():
        before = progress.states_on([follow_up_id], day + timedelta(days=29))[follow_up_id]
        middle = progress.states_on([follow_up_id], day + timedelta(days=90))[follow_up_id]
        after = progress.states_on([follow_up_id], day + timedelta(days=365))[follow_up_id]
    assert (before.status, before.percent, before.label) == ("open", 0, "Belum dimulai")
    assert (middle.status, middle.percent) == ("in_progress", 70)
    assert (after.status, after.percent, after.closed) == ("done", 100, True)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": "done", "percent": 80}, "percent"),
        ({"status": "open", "percent": 10}, "percent"),
        ({"status": "in_progress", "percent": 100}, "percent"),
        ({"percent": 101}, "percent"),
        ({"status": "selesai"}, "status"),
        ({"note": "x" * 4001}, "note"),
        ({"reported_on": date(2099, 1, 1)}, "reported_on"),
        ({"reported_on": date(2023, 12, 31)}, "reported_on"),  # before the meeting
    ],
)
def test_a_report_that_breaks_a_rule_is_refused_and_adds_nothing(app, follow_up_id, fields, field):
    assert refusal(app, follow_up_id, **fields) == field
    with app.app_context():
        assert db.session.scalar(select(FollowUpProgress.id)) is None
    assert stored(app, follow_up_id)[:2] == ("open", 0)


def test_the_same_form_load_twice_adds_one_entry(app, follow_up_id):
    assert report(app, follow_up_id, idempotency_key="form-1") is not None
    assert report(app, follow_up_id, idempotency_key="form-1", percent=60) is None
    assert stored(app, follow_up_id)[1] == 40


def test_a_report_that_says_nothing_new_is_skipped_when_asked(app, follow_up_id):
    report(app, follow_up_id, note="Berjalan")
    assert report(app, follow_up_id, note="Berjalan", skip_unchanged=True) is None
    assert report(app, follow_up_id, note="Berjalan lagi", skip_unchanged=True) is not None


@pytest.mark.parametrize(
    ("content", "mimetype"),
    [
        (image_bytes("PNG"), "image/png"),
        (image_bytes("JPEG"), "image/jpeg"),
        (image_bytes("PDF"), "application/pdf"),  # Pillow writes a real one-page PDF
    ],
)
def test_evidence_is_accepted_by_its_content(app, content, mimetype):
    with app.app_context():
        evidence = progress.check_evidence(content, "C:\\Users\\foto\\bukti kegiatan.bin")
    assert evidence.mimetype == mimetype
    assert evidence.filename == "bukti kegiatan.bin"


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows program
        b"%PDF-1.7\n" + b"0" * 5000,  # a PDF header with no end
        image_bytes("GIF"),
        image_bytes("PNG")[:60],  # a cut-off photo
        b"",
    ],
)
def test_evidence_that_is_not_a_pdf_or_photo_is_refused(app, content):
    with app.app_context(), pytest.raises(Refused) as refused:
        progress.check_evidence(content, "bukti.pdf")
    assert refused.value.field == "evidence"


def test_evidence_over_the_size_limit_is_refused(app):
    app.config["RAKOR_EVIDENCE_MAX_BYTES"] = 1000
    with app.app_context(), pytest.raises(Refused) as refused:
        progress.check_evidence(image_bytes("PNG", size=(400, 400)), "besar.png")
    assert refused.value.code == "evidence_size"


def test_evidence_is_stored_with_its_hash(app, follow_up_id):
    content = image_bytes("PNG")
    with app.app_context():
        evidence = progress.check_evidence(content, "foto.png")
    entry = report(app, follow_up_id, evidence=evidence)
    with app.app_context():
        row = db.session.get(FollowUpProgress, entry)
        assert row.evidence == content
        assert (row.evidence_type, row.evidence_name, row.evidence_size) == (
            "image/png",
            "foto.png",
            len(content),
        )
        assert row.evidence_sha256 == evidence.sha256


@pytest.mark.parametrize("channel", ["focal", "link", "xlsx"])
def test_an_agency_neither_cancels_nor_reopens_a_follow_up(app, follow_up_id, channel):
    assert refusal(app, follow_up_id, channel=channel, status="cancelled", percent=0) == "status"
    report(app, follow_up_id, status="done", percent=100)  # the secretariat's report
    assert refusal(app, follow_up_id, channel=channel, percent=50) == "status"
    assert stored(app, follow_up_id)[:2] == ("done", 100)
    # The secretariat may still reopen it.
    assert report(app, follow_up_id, channel="staff", percent=50) is not None


def test_the_same_form_again_on_a_follow_up_it_closed_is_no_refusal(app, follow_up_id):
    done = {"status": "done", "percent": 100, "idempotency_key": "form-9"}
    assert report(app, follow_up_id, channel="link", **done) is not None
    assert report(app, follow_up_id, channel="link", **done) is None


def test_no_report_is_dated_into_a_finalised_evaluation_of_it(app, make_meeting, follow_up_id):
    """The next meeting, once final, evaluated the follow-up as it stood on its date: a
    report dated on or before that day would change what its record says."""
    later = make_meeting(code="rakor-2025", title="Rakor 2025", date=date(2025, 1, 21))
    assert report(app, follow_up_id, reported_on=date(2024, 12, 1)) is not None
    with app.app_context():
        db.session.get(type(later), later.id).status = "finalised"
        db.session.commit()
    for day in (date(2024, 12, 2), date(2025, 1, 21)):
        with pytest.raises(Refused) as refused:
            report(app, follow_up_id, reported_on=day, percent=60)
        assert refused.value.code == "reported_on_settled"
        assert "Rakor 2025" in str(refused.value)
    assert report(app, follow_up_id, reported_on=date(2025, 1, 22), percent=60) is not None
