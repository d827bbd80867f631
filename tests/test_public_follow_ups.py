"""What the public reads about follow-ups: an input's own on its status page and receipt,
and a meeting's account at /m/<code>/tindak-lanjut, once the secretariat opens it.
Never a progress note, never a person's name."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.i18n import local_today
from app.models import Agency, AuditEvent, FollowUp, Meeting, Pillar, Submission, User
from tests.helpers import add_submission, csrf_from, text

NOTE = "Sudah 12 rumah, termasuk rumah Bu Sumiyati di RW 05"
SUBMITTER = "Agus Priyanto"  # add_submission's submitter
OTHER_SUBMITTER = "Siti Rahmawati"


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.fixture
def follow_up(app, meeting, staff) -> dict:
    """An input that became a follow-up of Disperkim: due ten days ago, reported in
    progress at 40 % yesterday by the secretariat, with a note naming a resident; and a
    second input, of another submitter and pillar, followed up by no agency yet."""
    source = add_submission(app, meeting.id)
    with app.app_context():
        p3 = db.session.scalar(select(Pillar.id).where(Pillar.code == "P3"))
    other = add_submission(
        app, meeting.id, minute=1, submitter_name=OTHER_SUBMITTER, pillar_id=p3,
        title="Pelatihan pemasaran daring untuk UMKM",
    )  # fmt: skip
    with app.app_context():
        today = local_today()
        agency = Agency(
            abbreviation="Disperkim", name="Dinas Perumahan Rakyat dan Kawasan Permukiman"
        )
        db.session.add(agency)
        db.session.flush()
        item = FollowUp(
            meeting_id=meeting.id,
            submission_id=source,
            action="Bedah rumah tidak layak huni di Krapyak",
            agency_id=agency.id,
            deadline=today - timedelta(days=10),
        )
        second = FollowUp(
            meeting_id=meeting.id,
            submission_id=other,
            action="Kelas pemasaran daring bagi UMKM",
            deadline=today + timedelta(days=60),
        )
        db.session.add_all([item, second])
        db.session.flush()
        reporter = db.session.get(User, staff["secretariat"])
        add_entry(
            item,
            ProgressReport("in_progress", 40, note=NOTE, reported_on=today - timedelta(days=1)),
            actor=reporter,
            channel="staff",
        )
        db.session.commit()
        receipt = db.session.scalar(select(Submission.receipt_code).where(Submission.id == source))
        return {
            "receipt": receipt,
            "reported_on": today - timedelta(days=1),
            "deadline": today - timedelta(days=10),
            "reporter": reporter.name,
        }


def words(html: str) -> str:
    """The page as a reader sees it: the text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def indonesian_date(day: date) -> str:
    months = (
        "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
    )
    return f"{day.day} {months.split()[day.month - 1]} {day.year}"


def assert_public_state(page: str, item: dict) -> None:
    assert "Dinas Perumahan Rakyat dan Kawasan Permukiman" in page
    assert indonesian_date(item["deadline"]) in page
    assert "Terlambat" in page
    assert "Sedang berjalan, 40%" in page
    assert re.search(rf"dilaporkan (\w+, )?{indonesian_date(item['reported_on'])}", page)
    assert "Sumiyati" not in page and "Sudah 12 rumah" not in page  # the progress note
    assert item["reporter"] not in page


# --- an input's own follow-up ----------------------------------------------------------------


def test_the_status_page_shows_the_follow_up_without_note_or_names(client, follow_up):
    token = csrf_from(client, "/status")
    response = client.post(
        "/status", data={"csrf_token": token, "receipt_code": follow_up["receipt"]}
    )
    assert response.status_code == 200
    assert_public_state(text(response), follow_up)


def test_the_receipt_shows_it_too(client, follow_up):
    response = client.get(f"/receipt/{follow_up['receipt']}")
    assert response.status_code == 200
    page = text(response)
    assert_public_state(page, follow_up)
    assert "Kelas pemasaran daring" not in page  # another input's


def test_an_input_without_a_follow_up_shows_none(app, client, meeting):
    code = db_receipt(app, add_submission(app, meeting.id))
    page = text(client.get(f"/receipt/{code}"))
    assert "Penanggung jawab" not in page and "Terlambat" not in page


def db_receipt(app, submission_id: int) -> str:
    with app.app_context():
        return db.session.get(Submission, submission_id).receipt_code


# --- the meeting's public account ------------------------------------------------------------


def set_public(app, meeting_id: int, public: bool, status: str | None = None) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.accountability_public = public
        if status:
            meeting.status = status
        db.session.commit()


def test_the_account_is_not_found_until_opened(app, client, meeting, follow_up):
    assert client.get(f"/m/{meeting.code}/tindak-lanjut").status_code == 404
    assert "tindak-lanjut" not in client.get(f"/m/{meeting.code}").get_data(as_text=True)


def test_a_draft_meetings_account_is_not_found_even_when_opened(app, client, meeting, follow_up):
    set_public(app, meeting.id, True, status="draft")
    assert client.get(f"/m/{meeting.code}/tindak-lanjut").status_code == 404


def test_the_opened_account_lists_the_follow_ups_and_nothing_personal(
    app, client, meeting, follow_up
):
    set_public(app, meeting.id, True)
    response = client.get(f"/m/{meeting.code}/tindak-lanjut")
    assert response.status_code == 200
    page = text(response)
    assert_public_state(page, follow_up)
    assert "Kelas pemasaran daring bagi UMKM" in page
    assert "Belum dimulai, 0%" in page
    assert SUBMITTER not in page and OTHER_SUBMITTER not in page
    # The summary: by pillar (P1 in progress and late, P3 not started), by agency, in total.
    # Selesai, Sedang berjalan, Belum dimulai, Terlambat, Dibatalkan, Jumlah.
    seen = words(page)
    assert "Dinas Perumahan Rakyat dan Kawasan Permukiman 0 1 0 1 0 1 " in seen
    assert "Belum ditentukan 0 0 1 0 0 1 " in seen
    assert re.search(r"P1 · [^0-9]+ 0 1 0 1 0 1 ", seen)
    assert re.search(r"P3 · [^0-9]+ 0 0 1 0 0 1 ", seen)
    assert seen.count("Jumlah 0 1 1 1 0 2 ") == 2
    assert "Belum ditentukan" in page
    # The meeting's public page links to it.
    assert f'href="/m/{meeting.code}/tindak-lanjut"' in client.get(f"/m/{meeting.code}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("app_config", [{"RAKOR_LOOKUP_RATE_LIMIT": "3 per minute"}], indirect=True)
def test_the_account_is_rate_limited(app, client, meeting, follow_up):
    set_public(app, meeting.id, True)
    statuses = [client.get(f"/m/{meeting.code}/tindak-lanjut").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --- the staff switch ---------------------------------------------------------------------


def toggle(client, meeting_id: int, public: str):
    token = csrf_from(client, f"/admin/meetings/{meeting_id}")
    return client.post(
        f"/admin/meetings/{meeting_id}/accountability", data={"csrf_token": token, "public": public}
    )


def test_the_secretariat_opens_and_closes_the_account_audited(app, login, client, meeting):
    staff = login("secretariat")
    page = staff.get(f"/admin/meetings/{meeting.id}").get_data(as_text=True)
    assert "Buka halaman publik" in page
    response = toggle(staff, meeting.id, "1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/meetings/{meeting.id}#akuntabilitas")
    page = staff.get(f"/admin/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/m/{meeting.code}/tindak-lanjut" in page and "Tutup halaman publik" in page
    assert client.get(f"/m/{meeting.code}/tindak-lanjut").status_code == 200
    assert toggle(staff, meeting.id, "0").status_code == 303
    assert client.get(f"/m/{meeting.code}/tindak-lanjut").status_code == 404
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "accountability_public")
            .order_by(AuditEvent.id)
        ).all()
        assert [event.after for event in events] == [
            {"accountability_public": True},
            {"accountability_public": False},
        ]


def test_a_viewer_can_not_switch_it(app, login, meeting):
    viewer = login("viewer")
    page = viewer.get(f"/admin/meetings/{meeting.id}").get_data(as_text=True)
    assert "Buka halaman publik" not in page
    assert toggle(viewer, meeting.id, "1").status_code == 403
    with app.app_context():
        assert not db.session.get(Meeting, meeting.id).accountability_public


def test_the_switch_needs_the_form_token(app, login, meeting):
    staff = login("secretariat")
    staff.get(f"/admin/meetings/{meeting.id}")
    response = staff.post(f"/admin/meetings/{meeting.id}/accountability", data={"public": "1"})
    assert response.status_code == 400
    with app.app_context():
        assert not db.session.get(Meeting, meeting.id).accountability_public
