"""The minutes' content: the texts, the follow-ups and the attendance list."""

import html
import re
from datetime import date

import pytest

from app.extensions import db
from app.models import Agency, AgendaItem, Attendee, AuditEvent, FollowUp, Meeting, Submission
from tests.helpers import csrf_from, hidden_value


def page_text(response) -> str:
    return response.get_data(as_text=True)


def record_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/record"


@pytest.fixture
def agenda(app, meeting) -> list[int]:
    """Two agenda items on the meeting; returns their ids in order."""
    with app.app_context():
        items = [
            AgendaItem(meeting_id=meeting.id, position=1, title="Evaluasi program 2023"),
            AgendaItem(meeting_id=meeting.id, position=2, title="Rencana aksi 2024"),
        ]
        db.session.add_all(items)
        db.session.commit()
        return [item.id for item in items]


@pytest.fixture
def agency(app) -> int:
    with app.app_context():
        agency = Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB")
        db.session.add(agency)
        db.session.commit()
        return agency.id


def audit_events(app, entity_type: str, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).filter_by(entity_type=entity_type)
        if action:
            query = query.filter_by(action=action)
        events = db.session.scalars(query.order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def get(app, model, ident):
    with app.app_context():
        row = db.session.get(model, ident)
        if row is not None:
            db.session.expunge(row)
        return row


def all_rows(app, model, **filters) -> list:
    with app.app_context():
        rows = db.session.scalars(db.select(model).filter_by(**filters).order_by(model.id)).all()
        db.session.expunge_all()
        return rows


def finalise(app, meeting_id: int) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = "finalised"
        db.session.commit()


def record_form(client, meeting_id: int) -> dict:
    """The fields of the texts form exactly as the page sends them."""
    page = page_text(client.get(record_url(meeting_id)))
    form = page.split('class="record-form"')[1].split("</form>")[0]
    fields = {
        "csrf_token": hidden_value(form, "csrf_token"),
        "versions": hidden_value(form, "versions"),
    }
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(value)
    return fields


# --- the texts ---------------------------------------------------------------------


def test_the_page_offers_one_discussion_field_per_agenda_item(login, meeting, agenda):
    page = page_text(login("secretariat").get(record_url(meeting.id)))
    assert 'name="opening"' in page
    assert 'name="conclusions"' in page
    for item_id in agenda:
        assert f'name="discussion_{item_id}"' in page
    assert "Pembahasan acara 1: Evaluasi program 2023" in page
    assert "Pembahasan acara 2: Rencana aksi 2024" in page


def test_an_agenda_title_is_escaped_in_its_fields_label(app, login, meeting):
    with app.app_context():
        db.session.add(AgendaItem(meeting_id=meeting.id, position=1, title="<b>Rencana</b>"))
        db.session.commit()
    page = page_text(login("secretariat").get(record_url(meeting.id)))
    assert "Pembahasan acara 1: &lt;b&gt;Rencana&lt;/b&gt;" in page
    assert "<b>Rencana</b>" not in page


def test_saving_the_texts_stores_them_and_audits_only_what_changed(app, login, meeting, agenda):
    client = login("secretariat")
    fields = record_form(client, meeting.id)
    fields["opening"] = "Rapat dibuka oleh Wali Kota pukul 09.00 WIB."
    fields[f"discussion_{agenda[1]}"] = "Disepakati lima program prioritas."
    response = client.post(record_url(meeting.id), data=fields)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{record_url(meeting.id)}#isi")

    stored = get(app, Meeting, meeting.id)
    assert stored.opening == "Rapat dibuka oleh Wali Kota pukul 09.00 WIB."
    assert stored.conclusions == ""
    assert get(app, AgendaItem, agenda[0]).discussion == ""
    assert get(app, AgendaItem, agenda[1]).discussion == "Disepakati lima program prioritas."

    [meeting_event] = audit_events(app, "Meeting", "update")
    assert meeting_event.before == {"opening": ""}
    assert meeting_event.after == {"opening": "Rapat dibuka oleh Wali Kota pukul 09.00 WIB."}
    assert meeting_event.meeting_id == meeting.id
    [item_event] = audit_events(app, "AgendaItem", "update")
    assert item_event.entity_id == agenda[1]
    assert item_event.after == {"discussion": "Disepakati lima program prioritas."}

    page = page_text(client.get(record_url(meeting.id)))
    assert "Isi notulen disimpan." in page
    assert "Disepakati lima program prioritas." in page


def test_a_text_over_the_limit_comes_back_with_everything_typed(app, login, meeting, agenda):
    client = login("secretariat")
    fields = record_form(client, meeting.id)
    fields["opening"] = "Pembukaan singkat."
    fields["conclusions"] = "x" * 20_001
    response = client.post(record_url(meeting.id), data=fields)
    assert response.status_code == 422
    page = page_text(response)
    assert "Ada isian yang perlu diperbaiki" in page
    assert "Paling panjang 20000 karakter." in page
    assert "Pembukaan singkat." in page
    assert get(app, Meeting, meeting.id).opening == ""


def test_two_note_takers_on_different_parts_do_not_overwrite_each_other(
    app, login, meeting, agenda
):
    first, second = login("secretariat"), login("admin")
    first_fields, second_fields = record_form(first, meeting.id), record_form(second, meeting.id)
    first_fields[f"discussion_{agenda[0]}"] = "Catatan notulis pertama."
    second_fields["conclusions"] = "Kesimpulan dari notulis kedua."
    assert first.post(record_url(meeting.id), data=first_fields).status_code == 303
    assert second.post(record_url(meeting.id), data=second_fields).status_code == 303
    assert get(app, AgendaItem, agenda[0]).discussion == "Catatan notulis pertama."
    assert get(app, Meeting, meeting.id).conclusions == "Kesimpulan dari notulis kedua."


def test_the_same_text_changed_twice_is_a_conflict_not_a_silent_overwrite(
    app, login, meeting, agenda
):
    first, second = login("secretariat"), login("admin")
    first_fields, second_fields = record_form(first, meeting.id), record_form(second, meeting.id)
    first_fields["opening"] = "Versi pertama."
    second_fields["opening"] = "Versi kedua."
    assert first.post(record_url(meeting.id), data=first_fields).status_code == 303
    response = second.post(record_url(meeting.id), data=second_fields)
    assert response.status_code == 409
    page = page_text(response)
    assert "diubah pengguna lain" in page
    assert "Versi kedua." in page  # what this user typed is kept
    assert "Versi pertama." in page  # and the stored version is shown beside it
    assert get(app, Meeting, meeting.id).opening == "Versi pertama."

    # Sending the merged text from that page goes through.
    merged = {**second_fields, "versions": hidden_value(page, "versions")}
    merged["opening"] = "Versi pertama. Versi kedua."
    assert second.post(record_url(meeting.id), data=merged).status_code == 303
    assert get(app, Meeting, meeting.id).opening == "Versi pertama. Versi kedua."


def test_a_viewer_reads_the_record_without_any_form(app, login, meeting, agenda):
    with app.app_context():
        db.session.get(Meeting, meeting.id).opening = "Dibuka oleh Wali Kota."
        db.session.commit()
    client = login("viewer")
    response = client.get(record_url(meeting.id))
    assert response.status_code == 200
    page = page_text(response)
    assert "Dibuka oleh Wali Kota." in page
    assert "<textarea" not in page
    assert "Simpan isi notulen" not in page
    assert "Susun dari pengirim masukan" not in page
    assert "Tambah tindak lanjut" not in page
    token = csrf_from(client, record_url(meeting.id))
    assert client.post(record_url(meeting.id), data={"csrf_token": token}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(record_url(meeting.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_finalised_record_cannot_be_changed(app, login, meeting, agenda):
    client = login("secretariat")
    fields = record_form(client, meeting.id)
    finalise(app, meeting.id)
    fields["opening"] = "Terlambat."
    response = client.post(record_url(meeting.id), data=fields)
    assert response.status_code == 409
    assert "sudah final" in page_text(response)
    assert "Terlambat." in page_text(response)  # what was typed is still there to copy
    assert get(app, Meeting, meeting.id).opening == ""
    assert "<textarea" not in page_text(client.get(record_url(meeting.id)))


# --- follow-ups ----------------------------------------------------------------------


def add_follow_up(client, meeting_id: int, **fields):
    data = {
        "csrf_token": csrf_from(client, record_url(meeting_id)),
        "fu-action": "Verifikasi data DTKS di 27 kelurahan",
        "fu-agency": "",
        "fu-deadline": "",
        "fu-status": "open",
        "fu-progress_note": "",
    }
    data.update({f"fu-{key}": value for key, value in fields.items()})
    return client.post(f"{record_url(meeting_id)}/follow-ups", data=data)


def test_a_follow_up_is_added_listed_and_audited(app, login, meeting, agency):
    client = login("secretariat")
    response = add_follow_up(client, meeting.id, agency=str(agency), deadline="2024-03-31")
    assert response.status_code == 303
    [follow_up] = all_rows(app, FollowUp, meeting_id=meeting.id)
    assert follow_up.action == "Verifikasi data DTKS di 27 kelurahan"
    assert follow_up.agency_id == agency
    assert follow_up.deadline == date(2024, 3, 31)
    assert follow_up.status == "open"
    [event] = audit_events(app, "FollowUp", "create")
    assert event.after["action"] == "Verifikasi data DTKS di 27 kelurahan"
    assert event.after["deadline"] == "2024-03-31"
    assert event.meeting_id == meeting.id

    page = page_text(client.get(record_url(meeting.id)))
    assert "Verifikasi data DTKS di 27 kelurahan" in page
    assert "Dinsos P2KB" in page
    assert "Minggu, 31 Maret 2024" in page


def test_a_bad_follow_up_comes_back_with_messages_in_indonesian(app, login, meeting):
    client = login("secretariat")
    response = add_follow_up(client, meeting.id, action="  ", deadline="31-31-2024")
    assert response.status_code == 422
    page = page_text(response)
    assert "Isi tindakan yang akan dilakukan." in page
    assert "Tulis tanggal dengan benar" in page
    assert 'href="#fu-action"' in page  # the summary links to the field
    assert all_rows(app, FollowUp) == []


def test_a_follow_up_is_edited_and_its_status_changed(app, login, meeting, agency):
    client = login("secretariat")
    add_follow_up(client, meeting.id)
    [follow_up] = all_rows(app, FollowUp)
    edit_url = f"{record_url(meeting.id)}/follow-ups/{follow_up.id}"
    form = page_text(client.get(edit_url))
    assert "Verifikasi data DTKS" in form
    response = client.post(
        edit_url,
        data={
            "csrf_token": hidden_value(form, "csrf_token"),
            "action": "Verifikasi dan pemutakhiran data DTKS",
            "agency": str(agency),
            "deadline": "2024-06-30",
            "status": "in_progress",
            "progress_note": "12 dari 27 kelurahan selesai.",
        },
    )
    assert response.status_code == 303
    stored = get(app, FollowUp, follow_up.id)
    assert stored.action == "Verifikasi dan pemutakhiran data DTKS"
    assert stored.status == "in_progress"
    [event] = audit_events(app, "FollowUp", "update")
    assert event.after["action"] == "Verifikasi dan pemutakhiran data DTKS"
    assert "submission_id" not in event.after  # only what changed
    [report] = audit_events(app, "FollowUp", "progress")
    assert report.before["status"] == "open"
    assert (report.after["status"], report.after["note"]) == (
        "in_progress",
        "12 dari 27 kelurahan selesai.",
    )

    token = csrf_from(client, record_url(meeting.id))
    response = client.post(f"{edit_url}/status", data={"csrf_token": token, "status": "done"})
    assert response.status_code == 303
    assert get(app, FollowUp, follow_up.id).status == "done"
    reports = audit_events(app, "FollowUp", "progress")
    assert len(reports) == 2
    assert (reports[-1].before["status"], reports[-1].after["status"]) == ("in_progress", "done")
    assert reports[-1].after["percent"] == 100

    response = client.post(f"{edit_url}/status", data={"csrf_token": token, "status": "lost"})
    assert response.status_code == 422
    assert get(app, FollowUp, follow_up.id).status == "done"


def test_removing_a_follow_up_deletes_it_unless_it_came_from_an_input(
    app, login, meeting, submit, valid_submission
):
    client = login("secretariat")
    submit(meeting.code, valid_submission)
    [submission] = all_rows(app, Submission)
    add_follow_up(client, meeting.id, action="Tindakan ditulis notulis")
    with app.app_context():
        db.session.add(
            FollowUp(meeting_id=meeting.id, submission_id=submission.id, action="Dari masukan")
        )
        db.session.commit()
    written, linked = all_rows(app, FollowUp)
    code = submission.receipt_code
    assert f"Dari masukan {code[:4]}-{code[4:]}" in page_text(client.get(record_url(meeting.id)))
    token = csrf_from(client, record_url(meeting.id))
    base = f"{record_url(meeting.id)}/follow-ups"

    assert client.post(f"{base}/{written.id}/remove", data={"csrf_token": token}).status_code == 303
    assert get(app, FollowUp, written.id) is None
    [deleted] = audit_events(app, "FollowUp", "delete")
    assert deleted.before["action"] == "Tindakan ditulis notulis"

    assert client.post(f"{base}/{linked.id}/remove", data={"csrf_token": token}).status_code == 303
    assert get(app, FollowUp, linked.id).status == "cancelled"
    [cancelled] = audit_events(app, "FollowUp", "progress")
    assert (cancelled.before["status"], cancelled.after["status"]) == ("open", "cancelled")
    assert "tidak dihapus, tetapi dibatalkan" in page_text(client.get(record_url(meeting.id)))


def test_a_follow_up_of_another_meeting_is_not_found(app, login, meeting, make_meeting):
    other = make_meeting(code="rakor-lain")
    client = login("secretariat")
    add_follow_up(client, other.id)
    [follow_up] = all_rows(app, FollowUp)
    token = csrf_from(client, record_url(meeting.id))
    wrong = f"{record_url(meeting.id)}/follow-ups/{follow_up.id}"
    assert client.get(wrong).status_code == 404
    assert client.post(f"{wrong}/remove", data={"csrf_token": token}).status_code == 404
    assert (
        client.post(f"{wrong}/status", data={"csrf_token": token, "status": "done"}).status_code
        == 404
    )
    assert get(app, FollowUp, follow_up.id).status == "open"


def test_after_finalisation_only_progress_of_a_follow_up_moves(app, login, meeting):
    client = login("secretariat")
    add_follow_up(client, meeting.id)
    [follow_up] = all_rows(app, FollowUp)
    finalise(app, meeting.id)
    edit_url = f"{record_url(meeting.id)}/follow-ups/{follow_up.id}"
    form = page_text(client.get(edit_url))
    assert "sudah final" in form
    token = hidden_value(form, "csrf_token")
    fields = {
        "csrf_token": token,
        "action": hidden_value(form, "action"),
        "agency": "",
        "deadline": "",
        "status": "in_progress",
        "progress_note": "Berjalan.",
    }
    assert client.post(edit_url, data=fields).status_code == 303
    assert get(app, FollowUp, follow_up.id).progress_note == "Berjalan."

    response = client.post(edit_url, data={**fields, "action": "Diganti setelah final"})
    assert response.status_code == 409
    assert get(app, FollowUp, follow_up.id).action == "Verifikasi data DTKS di 27 kelurahan"
    assert add_follow_up(client, meeting.id).status_code == 409
    assert client.post(f"{edit_url}/remove", data={"csrf_token": token}).status_code == 409
    assert len(all_rows(app, FollowUp)) == 1


# --- attendance ---------------------------------------------------------------------------


def test_presence_is_not_derived_from_input(app, login, meeting, submit, valid_submission):
    # Someone sent input; no one checked in or was ticked: the list stays empty, and the
    # page offers no button that would make it from the people who sent input.
    assert submit(meeting.code, valid_submission).status_code == 303
    client = login("secretariat")
    page = page_text(client.get(record_url(meeting.id)))
    assert "Susun dari pengirim masukan" not in page
    assert "Daftar hadir masih kosong." in page
    assert f'href="/admin/meetings/{meeting.id}/record/attendees"' in page
    token = csrf_from(client, record_url(meeting.id))
    gone = client.post(
        f"{record_url(meeting.id)}/attendees/from-inputs", data={"csrf_token": token}
    )
    assert gone.status_code in (404, 405)
    assert all_rows(app, Attendee) == []


def test_an_attendee_is_added_edited_and_removed_by_hand(app, login, meeting):
    client = login("secretariat")
    token = csrf_from(client, record_url(meeting.id))
    base = f"{record_url(meeting.id)}/attendees"
    response = client.post(
        base,
        data={
            "csrf_token": token,
            "att-name": "Dewi Lestari",
            "att-position": "Ketua TP PKK",
            "att-unit": "TP PKK Kota Pekalongan",
            "att-sex": "P",
            "att-phone": "",
        },
    )
    assert response.status_code == 303
    [attendee] = all_rows(app, Attendee)
    assert (attendee.name, attendee.sex, attendee.submission_id) == ("Dewi Lestari", "P", None)
    # Added at the desk: present from now on.
    assert attendee.source == "desk" and attendee.checked_in_at is not None

    form = page_text(client.get(f"{base}/{attendee.id}"))
    assert 'value="Dewi Lestari"' in form
    response = client.post(
        f"{base}/{attendee.id}",
        data={
            "csrf_token": token,
            "name": "Dewi Lestari",
            "position": "Ketua TP PKK",
            "unit": "TP PKK Kota Pekalongan",
            "sex": "",
            "phone": "0813 1111 2222",
        },
    )
    assert response.status_code == 303
    stored = get(app, Attendee, attendee.id)
    assert (stored.sex, stored.phone) == (None, "0813 1111 2222")
    [event] = audit_events(app, "Attendee", "update")
    assert event.before == {"sex": "P", "phone": ""}

    response = client.post(f"{base}/{attendee.id}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    assert all_rows(app, Attendee) == []
    [removed] = audit_events(app, "Attendee", "delete")
    assert removed.before["name"] == "Dewi Lestari"


def test_a_bad_attendee_comes_back_with_messages(app, login, meeting):
    client = login("secretariat")
    token = csrf_from(client, record_url(meeting.id))
    response = client.post(
        f"{record_url(meeting.id)}/attendees",
        data={
            "csrf_token": token,
            "att-name": "",
            "att-position": "Camat Pekalongan Utara",
            "att-unit": "",
            "att-sex": "X",
            "att-phone": "telepon",
        },
    )
    assert response.status_code == 422
    page = page_text(response)
    assert "Isi nama peserta." in page
    assert "Tulis nomor HP dengan angka" in page
    assert "Pilihan tidak tersedia" in page
    assert 'value="Camat Pekalongan Utara"' in page
    assert all_rows(app, Attendee) == []


def test_an_attendee_of_another_meeting_is_not_found(app, login, meeting, make_meeting):
    other = make_meeting(code="rakor-lain")
    with app.app_context():
        attendee = Attendee(meeting_id=other.id, name="Orang Lain")
        db.session.add(attendee)
        db.session.commit()
        attendee_id = attendee.id
    client = login("secretariat")
    token = csrf_from(client, record_url(meeting.id))
    wrong = f"{record_url(meeting.id)}/attendees/{attendee_id}"
    assert client.get(wrong).status_code == 404
    assert client.post(f"{wrong}/remove", data={"csrf_token": token}).status_code == 404
    assert get(app, Attendee, attendee_id) is not None
