"""The reminders page, the agency's update link made from it, and the request letter."""

import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.i18n import local_today
from app.models import Agency, AgencyLink, AuditEvent, FollowUp
from tests.helpers import csrf_from, get_pdf, pdf_text, text

REMINDERS = "/admin/follow-ups/reminders"


@pytest.fixture
def open_items(app, meeting, focal_point) -> dict:
    """Disperkim (the focal point's agency): one follow-up late, one due in a month, one
    done (not listed); Dinkes: one open. Deadlines count from today, as the page does."""
    with app.app_context():
        today = local_today()
        dinkes = Agency(abbreviation="Dinkes", name="Dinas Kesehatan")
        db.session.add(dinkes)
        db.session.flush()
        disperkim = focal_point["agency"]
        late = FollowUp(
            meeting_id=meeting.id,
            action="Bedah rumah tidak layak huni di Krapyak",
            agency_id=disperkim,
            deadline=today - timedelta(days=10),
        )
        coming = FollowUp(
            meeting_id=meeting.id,
            action="Sanitasi komunal di Panjang Wetan",
            agency_id=disperkim,
            deadline=today + timedelta(days=30),
        )
        done = FollowUp(
            meeting_id=meeting.id,
            action="Pendataan rumah tidak layak huni",
            agency_id=disperkim,
            deadline=today - timedelta(days=40),
        )
        other = FollowUp(
            meeting_id=meeting.id,
            action="Pemeriksaan kesehatan lansia",
            agency_id=dinkes.id,
            deadline=today - timedelta(days=5),
        )
        db.session.add_all([late, coming, done, other])
        db.session.flush()
        add_entry(late, ProgressReport("in_progress", 30), actor=None, channel="staff")
        add_entry(done, ProgressReport("done", 100), actor=None, channel="staff")
        db.session.commit()
        return {"disperkim": disperkim, "dinkes": dinkes.id, "today": today}


def token_of_agency(app, agency_id: int) -> str | None:
    with app.app_context():
        return db.session.scalar(
            select(AgencyLink.token).where(
                AgencyLink.agency_id == agency_id, AgencyLink.revoked_at.is_(None)
            )
        )


def make_link(client, agency_id: int):
    return client.post(
        f"{REMINDERS}/{agency_id}/link", data={"csrf_token": csrf_from(client, REMINDERS)}
    )


def whatsapp_texts(html: str) -> list[str]:
    return [unquote(m) for m in re.findall(r'href="https://wa\.me/\?text=([^"]+)"', html)]


# --- the page ---------------------------------------------------------------------------


def test_the_page_counts_each_agencys_open_and_late_follow_ups(login, open_items):
    page = text(login("viewer").get(REMINDERS))
    assert "Disperkim" in page and "Dinkes" in page
    assert "2 belum selesai, 1 terlambat." in page  # Disperkim: the done one is not counted
    assert "1 belum selesai, 1 terlambat." in page  # Dinkes
    assert "Bedah rumah tidak layak huni di Krapyak" in page
    assert "Pendataan rumah tidak layak huni" not in page


def test_a_viewer_sees_no_message_link_or_button(app, login, open_items):
    viewer = login("viewer")
    make_link(login("secretariat"), open_items["disperkim"])
    token = token_of_agency(app, open_items["disperkim"])
    html = viewer.get(REMINDERS).get_data(as_text=True)
    assert token not in html
    assert "wa.me" not in html and "Buat tautan" not in html
    assert make_link(viewer, open_items["disperkim"]).status_code == 403


def test_without_a_link_the_secretariat_makes_one_and_gets_the_message(app, login, open_items):
    staff = login("secretariat")
    page = text(staff.get(REMINDERS))
    assert "Disperkim belum memiliki tautan pembaruan yang aktif" in page
    assert "wa.me" not in page

    response = make_link(staff, open_items["disperkim"])
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{REMINDERS}#instansi-{open_items['disperkim']}")
    token = token_of_agency(app, open_items["disperkim"])
    assert token
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.entity_type == "AgencyLink")
        )

    html = staff.get(REMINDERS).get_data(as_text=True)
    assert "Tautan pembaruan untuk Disperkim sudah dibuat." in html
    messages = whatsapp_texts(html)
    assert len(messages) == 1  # Dinkes has no link yet
    message = messages[0]
    assert message.startswith(
        "Yth. Bapak/Ibu Kepala Dinas Perumahan Rakyat dan Kawasan Permukiman,"
    )
    assert "mengingatkan 2 tindak lanjut" in message and "1 di antaranya" in message
    assert "1. Bedah rumah tidak layak huni di Krapyak" in message
    assert "terlambat" in message
    coming = open_items["today"] + timedelta(days=30)
    assert f"Tenggat terdekat: {coming.day} " in message
    assert f"/tl/{token}" in message
    assert "Pemeriksaan kesehatan lansia" not in message
    # The same text in the read-only box, to copy.
    assert f"/tl/{token}</textarea>" not in html  # it ends with the thanks, not the link
    assert re.search(r"<textarea[^>]*readonly[^>]*>Yth\. Bapak/Ibu", html)


def test_making_a_link_needs_the_form_token(login, open_items):
    staff = login("secretariat")
    staff.get(REMINDERS)
    response = staff.post(f"{REMINDERS}/{open_items['disperkim']}/link", data={})
    assert response.status_code == 400


def test_an_unknown_agency_is_not_found(login, open_items):
    staff = login("secretariat")
    assert make_link(staff, 9999).status_code == 404
    assert staff.get(f"{REMINDERS}/9999/letter.pdf").status_code == 404


# --- the request letter -------------------------------------------------------------------


def test_the_letter_pdf_names_the_agency_its_items_and_the_late_one(app, login, open_items):
    staff = login("secretariat")
    make_link(staff, open_items["disperkim"])
    token = token_of_agency(app, open_items["disperkim"])
    content = pdf_text(get_pdf(staff, f"{REMINDERS}/{open_items['disperkim']}/letter.pdf").data)
    assert "Kepada Yth. Kepala Dinas Perumahan Rakyat dan Kawasan Permukiman" in content
    assert "Permintaan laporan perkembangan tindak lanjut" in content
    assert "Bedah rumah tidak layak huni di Krapyak" in content
    assert "Sanitasi komunal di Panjang Wetan" in content
    assert "Pendataan rumah tidak layak huni" not in content  # done
    assert "Pemeriksaan kesehatan lansia" not in content  # another agency's
    assert "Sedang berjalan 30%" in content
    assert content.count("Terlambat") == 2  # the column's header and the late item
    assert token in content.replace(" ", "")
    assert "Kepala Badan Perencanaan Pembangunan Daerah" in content


def test_a_viewers_letter_has_no_update_link(app, login, open_items):
    make_link(login("secretariat"), open_items["disperkim"])
    token = token_of_agency(app, open_items["disperkim"])
    viewer = login("viewer")
    content = pdf_text(get_pdf(viewer, f"{REMINDERS}/{open_items['disperkim']}/letter.pdf").data)
    assert "Bedah rumah tidak layak huni di Krapyak" in content
    assert token not in content.replace(" ", "")
    docx = viewer.get(f"{REMINDERS}/{open_items['disperkim']}/letter.docx")
    assert token not in docx_text(docx.data)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


def test_the_letter_docx_has_the_same_content(app, login, open_items):
    staff = login("secretariat")
    make_link(staff, open_items["disperkim"])
    token = token_of_agency(app, open_items["disperkim"])
    response = staff.get(f"{REMINDERS}/{open_items['disperkim']}/letter.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Kepada Yth. Kepala Dinas Perumahan Rakyat dan Kawasan Permukiman" in paragraphs
    assert any(token in line for line in paragraphs)
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == [
        "No",
        "Rencana tindak lanjut",
        "Rapat",
        "Tenggat",
        "Status",
        "Persen",
        "Terlambat",
    ]
    actions = {row[1]: row for row in rows[1:]}
    assert set(actions) == {
        "Bedah rumah tidak layak huni di Krapyak",
        "Sanitasi komunal di Panjang Wetan",
    }
    late = actions["Bedah rumah tidak layak huni di Krapyak"]
    assert late[4:] == ["Sedang berjalan", "30%", "Terlambat"]
    assert actions["Sanitasi komunal di Panjang Wetan"][6] == "—"
    assert "Pemeriksaan kesehatan lansia" not in docx_text(response.data)


def test_the_pages_need_a_staff_account(client, focal_point, login, open_items):
    assert client.get(REMINDERS).status_code == 302
    focal = login("focal")
    assert focal.get(REMINDERS).status_code == 403
    assert focal.get(f"{REMINDERS}/{open_items['disperkim']}/letter.pdf").status_code == 403
