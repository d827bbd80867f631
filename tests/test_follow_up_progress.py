"""A follow-up's page: what it is, where it came from, its progress history, and the form
that adds a report (with an evidence file), also after the meeting is finalised."""

import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.i18n import local_today
from app.models import Agency, AgencyLink, FollowUp, FollowUpProgress, MeetingDocument, Submission
from app.models.base import utcnow
from tests.helpers import (
    add_submission,
    build_record,
    csrf_from,
    finalise,
    hidden_value,
    text,
)


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 93, 59)).save(output, "PNG")
    return output.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def page_url(follow_up_id: int) -> str:
    return f"/admin/follow-ups/{follow_up_id}"


def entries(app, follow_up_id: int) -> list[FollowUpProgress]:
    with app.app_context():
        rows = db.session.scalars(
            select(FollowUpProgress)
            .where(FollowUpProgress.follow_up_id == follow_up_id)
            .order_by(FollowUpProgress.id)
        ).all()
        db.session.expunge_all()
        return rows


def follow_up_row(app, follow_up_id: int) -> FollowUp:
    with app.app_context():
        row = db.session.get(FollowUp, follow_up_id)
        db.session.expunge(row)
        return row


def send_report(client, follow_up_id: int, **fields):
    """Open the follow-up's page like a browser, then send its progress form."""
    page = text(client.get(page_url(follow_up_id)))
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "idempotency_key": hidden_value(page, "idempotency_key"),
        "status": "in_progress",
        "percent": "30",
        "note": "",
        "reported_on": "",
        **fields,
    }
    return client.post(
        f"{page_url(follow_up_id)}/progress", data=data, content_type="multipart/form-data"
    )


@pytest.fixture
def follow_up(app, meeting) -> dict:
    """A follow-up of the meeting, from an input, with Dinsos responsible."""
    submission = add_submission(app, meeting.id, title="Data penerima PBI belum mutakhir")
    with app.app_context():
        agency = Agency(abbreviation="Dinsos", name="Dinas Sosial")
        db.session.add(agency)
        db.session.flush()
        row = FollowUp(
            meeting_id=meeting.id,
            submission_id=submission,
            action="Verifikasi dan validasi DTKS tiap triwulan",
            agency_id=agency.id,
            deadline=local_today() - timedelta(days=10),
        )
        db.session.add(row)
        db.session.commit()
        code = db.session.get(Submission, submission).receipt_code
        return {
            "id": row.id,
            "meeting": meeting.id,
            "submission": submission,
            "code": f"{code[:4]}-{code[4:]}",
        }


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_follow_up_its_source_and_an_empty_history(login, follow_up):
    page = text(login("viewer").get(page_url(follow_up["id"])))
    assert "Verifikasi dan validasi DTKS tiap triwulan" in page
    assert f'href="/admin/meetings/{follow_up["meeting"]}"' in page
    assert "Selasa, 23 Januari 2024" in page  # the meeting's date
    assert "Dinsos (Dinas Sosial)" in page
    assert "Terlambat" in page  # ten days past its deadline, not started
    assert "Belum dimulai" in page and "0&nbsp;%" in page
    assert follow_up["code"] in page and "Data penerima PBI belum mutakhir" in page
    detail = f'href="/admin/meetings/{follow_up["meeting"]}/inputs/{follow_up["submission"]}"'
    assert detail in page
    assert "Belum ada laporan kemajuan." in page
    # A viewer reads; the form is for those who report.
    assert "Laporkan kemajuan" not in page
    assert 'action="/admin/follow-ups/' not in page


def test_an_unknown_follow_up_is_not_found(login):
    assert login("viewer").get(page_url(999)).status_code == 404


def test_the_secretariat_reports_progress_and_sees_it_in_the_history(app, login, follow_up, staff):
    client = login("secretariat")
    response = send_report(client, follow_up["id"], note="Verifikasi tahap 1 di 10 kelurahan.")
    assert response.status_code == 303
    assert response.headers["Location"] == page_url(follow_up["id"])
    page = text(client.get(page_url(follow_up["id"])))
    assert "Laporan kemajuan disimpan." in page

    (entry,) = entries(app, follow_up["id"])
    assert (entry.status, entry.percent, entry.channel) == ("in_progress", 30, "staff")
    assert entry.user_id == staff["secretariat"]
    assert entry.note == "Verifikasi tahap 1 di 10 kelurahan."
    with app.app_context():
        today = local_today()
    assert entry.reported_on == today
    stored = follow_up_row(app, follow_up["id"])
    assert (stored.status, stored.percent, stored.reported_on) == ("in_progress", 30, today)

    history = page.split('id="riwayat"', 1)[1]
    assert "Verifikasi tahap 1 di 10 kelurahan." in history
    assert "Sedang berjalan" in history and "30&nbsp;%" in history
    assert "Akun sekretariat" in history and "Uji secretariat" in history
    # Still overdue: in progress, past its deadline.
    assert "Terlambat" in page


def test_the_history_is_newest_first_and_names_an_agency_link(app, login, follow_up, meeting):
    with app.app_context():
        agency_id = db.session.get(FollowUp, follow_up["id"]).agency_id
        link = AgencyLink(
            agency_id=agency_id, token="uji-" + "t" * 40, expires_at=utcnow() + timedelta(days=90)
        )
        db.session.add(link)
        db.session.flush()
        db.session.add_all(
            [
                FollowUpProgress(
                    follow_up_id=follow_up["id"], reported_on=date(2024, 2, 1),
                    status="in_progress", percent=20, note="Rapat persiapan.", channel="link",
                    link_id=link.id,
                ),
                FollowUpProgress(
                    follow_up_id=follow_up["id"], reported_on=date(2024, 4, 1),
                    status="done", percent=100, note="Semua kelurahan selesai.", channel="staff",
                ),
            ]
        )  # fmt: skip
        db.session.commit()
    history = text(login("viewer").get(page_url(follow_up["id"]))).split('id="riwayat"', 1)[1]
    assert history.index("Semua kelurahan selesai.") < history.index("Rapat persiapan.")
    assert "Tautan pembaruan Dinsos" in history
    assert "Senin, 1 April 2024" in history and "Kamis, 1 Februari 2024" in history


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "done", "percent": "60"}, "percent", "selesai berarti 100 persen."),
        ({"percent": "140"}, "percent", "Persentase antara 0 dan 100."),
        ({"percent": ""}, "percent", "Isi persentase selesai, 0 sampai 100."),
        ({"reported_on": "2099-01-01"}, "reported_on", "tidak boleh di masa depan."),
        ({"reported_on": "2023-12-31"}, "reported_on", "tidak boleh sebelum tanggal rapat."),
    ],
)
def test_a_refused_report_comes_back_with_the_message_and_what_was_typed(
    app, login, follow_up, fields, field, message
):
    note = "Sudah rapat dengan lurah <b>se-kota</b>."
    response = send_report(
        login("secretariat"),
        follow_up["id"],
        note=note,
        evidence=(io.BytesIO(png_bytes()), "foto.png"),
        **fields,
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'id="{field}-error"' in page  # beside its field
    assert "Ada isian yang perlu diperbaiki" in page
    assert "Sudah rapat dengan lurah &lt;b&gt;se-kota&lt;/b&gt;." in page  # kept, escaped
    assert "pilih berkasnya lagi" in page  # a file input cannot be filled in again
    assert entries(app, follow_up["id"]) == []


def test_the_same_form_sent_twice_adds_one_report(app, login, follow_up):
    client = login("secretariat")
    page = text(client.get(page_url(follow_up["id"])))
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "idempotency_key": hidden_value(page, "idempotency_key"),
        "status": "in_progress",
        "percent": "50",
    }
    first = client.post(f"{page_url(follow_up['id'])}/progress", data=data)
    again = client.post(f"{page_url(follow_up['id'])}/progress", data=data)
    assert first.status_code == again.status_code == 303
    assert "sudah tersimpan sebelumnya" in text(client.get(page_url(follow_up["id"])))
    assert len(entries(app, follow_up["id"])) == 1


# --- evidence ---------------------------------------------------------------------------------


def test_an_evidence_photo_is_kept_and_downloaded_as_an_attachment(app, login, follow_up):
    client = login("secretariat")
    photo = png_bytes()
    response = send_report(
        client,
        follow_up["id"],
        evidence=(io.BytesIO(photo), "foto lokasi; RW 05.png"),
    )
    assert response.status_code == 303
    (entry,) = entries(app, follow_up["id"])
    assert entry.evidence_type == "image/png"
    assert entry.evidence_sha256 == hashlib.sha256(photo).hexdigest()
    page = text(client.get(page_url(follow_up["id"])))
    link = f"/admin/follow-ups/{follow_up['id']}/evidence/{entry.id}"
    assert f'href="{link}"' in page

    download = login("viewer").get(link)
    assert download.status_code == 200
    assert download.get_data() == photo
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # The uploaded name, made safe for a header: no separator of its own survives.
    assert disposition == f"attachment; filename=bukti-{entry.id}-foto-lokasi-RW-05.png"


def test_a_pdf_named_like_a_photo_is_served_as_the_pdf_it_is(app, login, follow_up):
    client = login("secretariat")
    assert (
        send_report(client, follow_up["id"], evidence=(io.BytesIO(PDF), "scan.jpg")).status_code
        == 303
    )
    (entry,) = entries(app, follow_up["id"])
    download = client.get(f"/admin/follow-ups/{follow_up['id']}/evidence/{entry.id}")
    assert download.mimetype == "application/pdf"
    assert f"bukti-{entry.id}-scan.pdf" in download.headers["Content-Disposition"]


def test_a_file_that_is_neither_pdf_nor_photo_is_refused_beside_the_field(app, login, follow_up):
    response = send_report(
        login("secretariat"),
        follow_up["id"],
        evidence=(io.BytesIO(b"<html><script>alert(1)</script></html>"), "bukti.pdf"),
    )
    assert response.status_code == 422
    page = text(response)
    assert "Bukti harus berupa berkas PDF atau foto (JPG atau PNG)." in page
    assert 'id="evidence-error"' in page
    assert entries(app, follow_up["id"]) == []


def test_evidence_of_another_follow_up_or_of_a_report_without_one_is_not_found(
    app, login, follow_up, meeting
):
    client = login("secretariat")
    send_report(client, follow_up["id"], evidence=(io.BytesIO(PDF), "bukti.pdf"))
    send_report(client, follow_up["id"], percent="40")
    with_file, without = entries(app, follow_up["id"])
    with app.app_context():
        other = FollowUp(meeting_id=meeting.id, action="Tindak lanjut lain")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert client.get(f"/admin/follow-ups/{other_id}/evidence/{with_file.id}").status_code == 404
    assert (
        client.get(f"/admin/follow-ups/{follow_up['id']}/evidence/{without.id}").status_code == 404
    )
    assert client.get(f"/admin/follow-ups/{follow_up['id']}/evidence/9999").status_code == 404
    assert (
        client.get(f"/admin/follow-ups/{follow_up['id']}/evidence/{with_file.id}").status_code
        == 200
    )


# --- after finalising ------------------------------------------------------------------------


def test_progress_after_finalising_leaves_the_final_minutes_untouched(app, login, make_meeting):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    finalise(client, record.meeting_id)
    with app.app_context():
        stored = db.session.scalars(
            select(MeetingDocument).where(
                MeetingDocument.meeting_id == record.meeting_id, MeetingDocument.is_final
            )
        ).all()
        assert any(document.kind == "minutes" for document in stored)
        before = {document.id: (document.content, document.sha256) for document in stored}
        follow_up_id = db.session.scalar(
            select(FollowUp.id).where(FollowUp.meeting_id == record.meeting_id)
        )
    page = text(client.get(page_url(follow_up_id)))
    assert "Laporkan kemajuan" in page
    response = send_report(client, follow_up_id, status="done", percent="100", note="Tuntas.")
    assert response.status_code == 303
    assert follow_up_row(app, follow_up_id).status == "done"
    with app.app_context():
        after = {
            document.id: (document.content, document.sha256)
            for document in db.session.scalars(
                select(MeetingDocument).where(
                    MeetingDocument.meeting_id == record.meeting_id, MeetingDocument.is_final
                )
            )
        }
    assert after == before
    for content, sha256 in after.values():
        assert hashlib.sha256(content).hexdigest() == sha256


def test_a_viewer_cannot_report(app, login, follow_up):
    client = login("viewer")
    token = csrf_from(client, page_url(follow_up["id"]))
    response = client.post(
        f"{page_url(follow_up['id'])}/progress",
        data={"csrf_token": token, "status": "done", "percent": "100"},
    )
    assert response.status_code == 403
    assert entries(app, follow_up["id"]) == []


# --- the minutes page ---------------------------------------------------------------------------


def test_the_minutes_page_shows_percent_overdue_and_a_link_to_the_history(app, login, follow_up):
    with app.app_context():
        on_time = FollowUp(
            meeting_id=follow_up["meeting"],
            action="Sosialisasi pola asuh anak",
            deadline=local_today() + timedelta(days=30),
        )
        db.session.add(on_time)
        db.session.commit()
        on_time_id = on_time.id
    send_report(login("secretariat"), follow_up["id"], percent="35")
    page = text(login("viewer").get(f"/admin/meetings/{follow_up['meeting']}/record"))
    rows = re.findall(r"<tr>(?:(?!</tr>).)*</tr>", page.split('id="tindak-lanjut"', 1)[1], re.S)
    late = next(row for row in rows if "Verifikasi dan validasi DTKS" in row)
    assert "35&nbsp;%" in late and "Terlambat" in late
    assert f'href="/admin/follow-ups/{follow_up["id"]}">Riwayat kemajuan' in late
    fine = next(row for row in rows if "Sosialisasi pola asuh anak" in row)
    assert "0&nbsp;%" in fine and "Terlambat" not in fine
    assert f'href="/admin/follow-ups/{on_time_id}">Riwayat kemajuan' in fine
