"""Finalising is a checked step.

The minutes page's button leads to a page listing what blocks finalising (who signs,
their NIP, the conclusions, a meeting still open) and what deserves a look (inputs
not reviewed, no check-in, follow-ups without agency or deadline, agenda items
without discussion), each with a link to where it is put right. The confirm button
is there only when nothing blocks, and the POST checks again.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AgendaItem, Attendee, FollowUp, Meeting, Submission
from tests.helpers import build_record, csrf_from, text

CONFIRM = "Ya, finalkan notulen"


def page_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/finalise"


def change_meeting(app, meeting_id: int, **fields) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        for name, value in fields.items():
            setattr(meeting, name, value)
        db.session.commit()


def status_of(app, meeting_id: int) -> str:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).status


def post_finalise(client, meeting_id: int):
    token = csrf_from(client, f"/admin/meetings/{meeting_id}/minutes")
    return client.post(page_url(meeting_id), data={"csrf_token": token})


def complete_and_checked_in(app, meeting_id: int) -> None:
    """The record of tests/helpers.py with nothing left to warn about."""
    with app.app_context():
        for submission in db.session.scalars(
            select(Submission).where(Submission.meeting_id == meeting_id)
        ):
            if submission.status == "received":
                submission.status = "accepted"
        for attendee in db.session.scalars(select(Attendee)):
            attendee.checked_in_at = datetime(2024, 1, 23, 2, 5, tzinfo=UTC)
        db.session.commit()


BLOCKERS = [
    # field changes, the words on the page, where the link leads
    ({"chair_name": ""}, "Nama pimpinan rapat belum diisi.", "/edit#chair_name"),
    ({"notetaker_name": "  "}, "Nama notulis belum diisi.", "/edit#notetaker_name"),
    ({"chair_nip": "1970 0101 1990"}, "NIP pimpinan rapat harus 18 angka", "/edit#chair_nip"),
    (
        {"notetaker_nip": "19850312 201001 2 01"},
        "NIP notulis harus 18 angka",
        "/edit#notetaker_nip",
    ),
    ({"conclusions": " \n "}, "Kesimpulan rapat belum diisi.", "/record#isi"),
    ({"status": "open"}, "Rapat belum ditutup.", ""),
]


@pytest.mark.parametrize(("changes", "words", "link"), BLOCKERS)
def test_each_blocker_is_listed_with_its_link_and_refuses_the_post(
    app, make_meeting, login, changes, words, link
):
    record = build_record(app, make_meeting)
    complete_and_checked_in(app, record.meeting_id)
    change_meeting(app, record.meeting_id, **changes)
    client = login("secretariat")

    page = text(client.get(page_url(record.meeting_id)))
    blockers = page[page.index("Yang harus dilengkapi") : page.index("Yang sebaiknya diperiksa")]
    assert words in blockers
    assert f'href="/admin/meetings/{record.meeting_id}{link}"' in blockers
    assert CONFIRM not in page

    response = post_finalise(client, record.meeting_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page_url(record.meeting_id))
    refused = text(client.get(response.headers["Location"]))
    assert "Notulen belum dapat difinalkan: " in refused and words in refused
    assert status_of(app, record.meeting_id) == changes.get("status", "closed")


def test_an_empty_meeting_cannot_become_final(app, make_meeting, login):
    meeting = make_meeting(status="closed")
    client = login("secretariat")
    page = text(client.get(page_url(meeting.id)))
    for words in ("Nama notulis belum diisi.", "Kesimpulan rapat belum diisi."):
        assert words in page
    # No NIP typed is no wrong NIP: the Wali Kota, an elected official, has none.
    assert "NIP pimpinan rapat harus 18 angka" not in page
    assert CONFIRM not in page
    assert post_finalise(client, meeting.id).status_code == 302
    assert status_of(app, meeting.id) == "closed"


def test_each_warning_is_listed_with_its_link_and_finalising_still_goes(app, make_meeting, login):
    record = build_record(app, make_meeting)
    meeting_id = record.meeting_id
    with app.app_context():
        db.session.add(FollowUp(meeting_id=meeting_id, action="Sosialisasi tanpa tenggat"))
        item = db.session.scalar(select(AgendaItem).filter_by(title="Evaluasi capaian"))
        item.discussion = " \n "
        for attendee in db.session.scalars(select(Attendee)):
            attendee.checked_in_at = None  # on the list, none of them checked in
        db.session.commit()
    client = login("secretariat")
    page = text(client.get(page_url(meeting_id)))
    assert "Semua yang wajib sudah lengkap." in page
    warnings = page[page.index("Yang sebaiknya diperiksa") :]
    base = f"/admin/meetings/{meeting_id}"
    for words, link in (
        ("1 masukan belum ditinjau", f"{base}/inputs?status=received"),
        ("Belum ada peserta yang tercatat hadir", f"{base}/record/attendees"),
        ("1 tindak lanjut belum punya penanggung jawab", f"{base}/record#tindak-lanjut"),
        ("1 susunan acara belum punya catatan pembahasan", f"{base}/record#isi"),
    ):
        assert words in warnings
        assert f'href="{link}"' in warnings
    assert CONFIRM in page

    response = post_finalise(client, meeting_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{base}/minutes.pdf")
    assert status_of(app, meeting_id) == "finalised"
    assert "Notulen ini sudah final." in text(client.get(page_url(meeting_id)))


def test_an_empty_nip_is_a_warning_and_the_signature_prints_without_one(app, make_meeting, login):
    record = build_record(app, make_meeting)
    complete_and_checked_in(app, record.meeting_id)
    change_meeting(app, record.meeting_id, chair_nip="", notetaker_nip="")
    client = login("secretariat")
    page = text(client.get(page_url(record.meeting_id)))
    warnings = page[page.index("Yang sebaiknya diperiksa") :]
    assert "NIP pimpinan rapat tidak diisi" in warnings
    assert "NIP notulis tidak diisi" in warnings
    assert CONFIRM in page
    post_finalise(client, record.meeting_id)
    assert status_of(app, record.meeting_id) == "finalised"


def test_a_complete_record_has_nothing_to_warn_about(app, make_meeting, login):
    record = build_record(app, make_meeting)
    complete_and_checked_in(app, record.meeting_id)
    page = text(login("secretariat").get(page_url(record.meeting_id)))
    assert "Tidak ada catatan." in page and "Semua yang wajib sudah lengkap." in page
    assert CONFIRM in page


def test_the_minutes_page_leads_to_the_checks_and_a_viewer_cannot_open_them(
    app, make_meeting, login
):
    record = build_record(app, make_meeting)
    minutes = text(login("secretariat").get(f"/admin/meetings/{record.meeting_id}/minutes"))
    assert f'href="{page_url(record.meeting_id)}"' in minutes
    assert login("viewer").get(page_url(record.meeting_id)).status_code == 403


def test_a_cancelled_follow_up_needs_no_agency(app, make_meeting, login):
    record = build_record(app, make_meeting)
    complete_and_checked_in(app, record.meeting_id)
    with app.app_context():
        db.session.add(
            FollowUp(
                meeting_id=record.meeting_id,
                action="Dibatalkan",
                status="cancelled",
                deadline=date(2024, 3, 1),
            )
        )
        db.session.commit()
    page = text(login("secretariat").get(page_url(record.meeting_id)))
    assert "tindak lanjut belum punya penanggung jawab" not in page


def test_every_preview_lists_the_five_documents_and_only_the_minutes_can_be_finalised(
    app, make_meeting, login
):
    record = build_record(app, make_meeting)
    base = f"/admin/meetings/{record.meeting_id}"
    client = login("secretariat")
    minutes = text(client.get(f"{base}/minutes"))
    for path, label in (
        ("minutes", "Notulen"),
        ("evaluation", "Ringkasan evaluasi"),
        ("attendance", "Daftar hadir"),
        ("berita-acara", "Berita acara kesepakatan"),
        ("laporan", "Laporan hasil rakor"),
    ):
        assert f'href="{base}/{path}"' in minutes and label in minutes
    assert f'action="{base}/minutes.pdf"' in minutes

    agreement = text(client.get(f"{base}/berita-acara"))
    assert "<h1>Pratinjau berita acara kesepakatan</h1>" in agreement
    assert f'action="{base}/berita-acara.pdf"' in agreement
    assert f'href="{base}/finalise"' not in agreement and "Status notulen" not in agreement
