"""The attendance desk, the minutes' count of those present, and the printable daftar hadir."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Text, cast, select

from app.audit import PERSONAL_MARKER
from app.extensions import db
from app.models import Attendee, AuditEvent, Letterhead, Meeting
from tests.helpers import (
    add_submission,
    csrf_from,
    make_pdf,
    pdf_reader,
    pdf_text,
    squeeze,
    text,
)

PHONE = "0857 4321 9876"
COME_IN = datetime(2024, 1, 23, 1, 45, tzinfo=UTC)  # 08.45 WIB


def desk_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/record/attendees"


def fields(**values) -> dict:
    person = {"name": "Dewi Lestari", "position": "Ketua TP PKK", "unit": "TP PKK Kota"}
    person.update(values)
    return {"sex": "P", "phone": "", **person}


def add(client, meeting_id: int, action: str = "", **values):
    """Send the desk's form: a person present (action ""), or invited ("/invite")."""
    data = {f"att-{key}": value for key, value in fields(**values).items()}
    data["csrf_token"] = csrf_from(client, desk_url(meeting_id))
    return client.post(f"{desk_url(meeting_id)}{action}", data=data)


def press(client, meeting_id: int, attendee_id: int, action: str):
    token = csrf_from(client, desk_url(meeting_id))
    return client.post(f"{desk_url(meeting_id)}/{attendee_id}/{action}", data={"csrf_token": token})


def lines(app, meeting_id: int) -> list[Attendee]:
    with app.app_context():
        rows = db.session.scalars(
            select(Attendee).filter_by(meeting_id=meeting_id).order_by(Attendee.id)
        ).all()
        db.session.expunge_all()
        return rows


def events(app) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).filter_by(entity_type="Attendee").order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


def put(app, meeting_id: int, *people: dict) -> None:
    """Lines stored directly: `present` minutes after 08.45 WIB, or None for invited."""
    with app.app_context():
        for number, person in enumerate(people):
            person = dict(person)
            present = person.pop("present", number)
            db.session.add(
                Attendee(
                    meeting_id=meeting_id,
                    source=person.pop("source", "desk" if present is not None else "invited"),
                    checked_in_at=None if present is None else COME_IN + timedelta(minutes=present),
                    **person,
                )
            )
        db.session.commit()


def finalise(app, meeting_id: int) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = "finalised"
        db.session.commit()


# --- the desk -------------------------------------------------------------------------------


def test_the_desk_adds_a_person_present_and_an_invited_one_each_audited(app, login, meeting):
    client = login("secretariat")
    response = add(client, meeting.id)
    assert response.status_code == 303
    response = add(client, meeting.id, "/invite", name="Hendra Wijaya", sex="L")
    assert response.status_code == 303
    present, invited = lines(app, meeting.id)
    assert (present.name, present.source) == ("Dewi Lestari", "desk")
    assert present.checked_in_at is not None
    assert (invited.name, invited.source, invited.checked_in_at) == (
        "Hendra Wijaya",
        "invited",
        None,
    )
    created = [e for e in events(app) if e.action == "create"]
    assert [e.after["name"] for e in created] == ["Dewi Lestari", "Hendra Wijaya"]
    assert created[0].after["source"] == "desk" and created[0].after["checked_in_at"]
    assert created[1].after["source"] == "invited" and created[1].after["checked_in_at"] is None

    page = text(client.get(response.headers["Location"]))
    assert "1 hadir" in page and "1 belum hadir" in page
    assert "Undangan ditambahkan ke daftar hadir." in page
    assert "Dicatat sekretariat" in page and "Diundang" in page


def paste(client, meeting_id: int, people: str):
    token = csrf_from(client, desk_url(meeting_id))
    return client.post(
        f"{desk_url(meeting_id)}/invitation-list", data={"csrf_token": token, "people": people}
    )


def test_the_invitation_list_is_pasted_at_once_and_twice_adds_nobody(app, login, meeting):
    client = login("secretariat")
    people = (
        "Sri Wahyuni; Camat; Kecamatan Pekalongan Utara; P\r\n"
        "\r\n"
        "Hendra Wijaya\tSekretaris Kecamatan\tKecamatan Pekalongan Barat\tL\t\r\n"
        "Dewi Lestari"
    )
    response = paste(client, meeting.id, people)
    assert response.status_code == 303
    assert "3 undangan ditambahkan." in text(client.get(response.headers["Location"]))
    invited = lines(app, meeting.id)
    assert [(a.name, a.position, a.unit, a.sex, a.source, a.checked_in_at) for a in invited] == [
        ("Sri Wahyuni", "Camat", "Kecamatan Pekalongan Utara", "P", "invited", None),
        ("Hendra Wijaya", "Sekretaris Kecamatan", "Kecamatan Pekalongan Barat", "L", "invited",
         None),
        ("Dewi Lestari", "", "", None, "invited", None),
    ]  # fmt: skip
    assert len(events(app)) == 3

    again = paste(client, meeting.id, "SRI  WAHYUNI; Camat; kecamatan pekalongan utara; P")
    assert "0 undangan ditambahkan. 1 sudah ada di daftar hadir." in text(
        client.get(again.headers["Location"])
    )
    assert len(lines(app, meeting.id)) == 3


def test_a_bad_invitation_list_names_its_lines_and_adds_nobody(app, login, meeting):
    client = login("secretariat")
    people = "Sri Wahyuni; Camat; Kecamatan; P\n\n; Staf; Bappeda\nBudi; Staf; BPS; X"
    response = paste(client, meeting.id, people)
    assert response.status_code == 422
    body = text(response)
    assert "baris 3: tulis Nama; Jabatan; Instansi; L/P" in body
    assert "baris 4: L/P diisi L atau P" in body
    assert "Budi; Staf; BPS; X" in body  # the list comes back as typed
    assert lines(app, meeting.id) == []
    assert paste(login("viewer"), meeting.id, "Sri Wahyuni").status_code == 403
    finalise(app, meeting.id)
    assert paste(client, meeting.id, "Sri Wahyuni").status_code == 409
    assert lines(app, meeting.id) == []


def test_ticking_and_unticking_keeps_the_source_and_is_audited(app, login, meeting):
    put(
        app, meeting.id, {"name": "Hendra Wijaya", "unit": "Kec. Pekalongan Barat", "present": None}
    )
    [line] = lines(app, meeting.id)
    client = login("secretariat")

    response = press(client, meeting.id, line.id, "present")
    assert response.status_code == 303
    ticked = lines(app, meeting.id)[0]
    assert ticked.checked_in_at is not None and ticked.source == "invited"
    assert "Hendra Wijaya dicatat hadir." in text(client.get(response.headers["Location"]))
    # A second tick (another tab, a double click) changes nothing and logs nothing.
    assert press(client, meeting.id, line.id, "present").status_code == 303
    assert lines(app, meeting.id)[0].checked_in_at == ticked.checked_in_at

    assert press(client, meeting.id, line.id, "absent").status_code == 303
    unticked = lines(app, meeting.id)[0]
    assert unticked.checked_in_at is None and unticked.source == "invited"

    tick, untick = events(app)
    assert tick.action == untick.action == "update"
    assert tick.before == {"checked_in_at": None} and tick.after["checked_in_at"]
    assert untick.after == {"checked_in_at": None}


def test_editing_and_deleting_a_line_is_audited_without_the_phone_number(app, login, meeting):
    put(app, meeting.id, {"name": "Agus Priyanto", "unit": "Krapyak", "phone": "0812 2712 3456"})
    [line] = lines(app, meeting.id)
    client = login("secretariat")
    url = f"{desk_url(meeting.id)}/{line.id}"
    assert 'value="Agus Priyanto"' in text(client.get(url))
    edit = {"csrf_token": csrf_from(client, url), **fields(name="Agus Priyanto, S.E.")}
    response = client.post(url, data={**edit, "unit": "Krapyak", "sex": "L", "phone": PHONE})
    assert response.status_code == 303
    stored = lines(app, meeting.id)[0]
    assert (stored.name, stored.phone, stored.sex) == ("Agus Priyanto, S.E.", PHONE, "L")
    assert press(client, meeting.id, line.id, "remove").status_code == 303
    assert lines(app, meeting.id) == []

    update, delete = events(app)
    assert (
        update.before["name"] == "Agus Priyanto" and update.after["name"] == "Agus Priyanto, S.E."
    )
    assert update.before["phone"] == update.after["phone"] == PERSONAL_MARKER
    assert delete.action == "delete" and delete.before["phone"] == PERSONAL_MARKER
    with app.app_context():
        logged = db.session.scalars(select(cast(AuditEvent.after, Text))).all()
        logged += db.session.scalars(select(cast(AuditEvent.before, Text))).all()
    assert not any("9876" in str(value) or "3456" in str(value) for value in logged)


def test_a_bad_line_comes_back_with_what_was_typed(app, login, meeting):
    client = login("secretariat")
    response = add(client, meeting.id, "/invite", name="", position="Camat Tirto", phone="x")
    assert response.status_code == 422
    body = text(response)
    assert "Isi nama peserta." in body and "Tulis nomor HP dengan angka" in body
    assert 'value="Camat Tirto"' in body
    assert lines(app, meeting.id) == []


def test_a_viewer_reads_the_desk_without_numbers_or_buttons_and_cannot_change_it(
    app, login, meeting
):
    put(app, meeting.id, {"name": "Agus Priyanto", "unit": "Krapyak", "phone": PHONE})
    [line] = lines(app, meeting.id)
    viewer = login("viewer")
    page = viewer.get(desk_url(meeting.id))
    assert page.status_code == 200
    body = text(page)
    assert "Agus Priyanto" in body
    assert "9876" not in body and "Nomor HP" not in body
    assert "Tambah peserta" not in body and "/present" not in body
    token = csrf_from(viewer, desk_url(meeting.id))
    assert (
        viewer.post(
            f"{desk_url(meeting.id)}/{line.id}/absent", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert add(viewer, meeting.id).status_code == 403
    assert lines(app, meeting.id)[0].checked_in_at is not None
    assert events(app) == []
    # The secretariat sees the number the desk keeps.
    assert PHONE in text(login("secretariat").get(desk_url(meeting.id)))


def test_a_finalised_meeting_refuses_every_change_at_the_desk(app, login, meeting):
    put(app, meeting.id, {"name": "Agus Priyanto", "unit": "Krapyak", "present": None})
    [line] = lines(app, meeting.id)
    client = login("secretariat")
    token = csrf_from(client, desk_url(meeting.id))
    finalise(app, meeting.id)
    for response in (
        add(client, meeting.id),
        add(client, meeting.id, "/invite"),
        press(client, meeting.id, line.id, "present"),
        press(client, meeting.id, line.id, "remove"),
        client.post(f"{desk_url(meeting.id)}/{line.id}", data={"csrf_token": token, **fields()}),
    ):
        assert response.status_code == 409
        assert "sudah final" in text(response)
    assert [(a.name, a.checked_in_at) for a in lines(app, meeting.id)] == [("Agus Priyanto", None)]
    assert events(app) == []
    page = text(client.get(desk_url(meeting.id)))
    assert "Tambah peserta" not in page and "/present" not in page


def test_a_line_of_another_meeting_is_not_found(app, login, meeting, make_meeting):
    other = make_meeting(code="rakor-lain")
    put(app, other.id, {"name": "Orang Lain"})
    [line] = lines(app, other.id)
    client = login("secretariat")
    assert client.get(f"{desk_url(meeting.id)}/{line.id}").status_code == 404
    assert press(client, meeting.id, line.id, "absent").status_code == 404
    assert lines(app, other.id)[0].checked_in_at is not None


# --- the minutes count those present --------------------------------------------------------

PEOPLE = [
    {"name": "Agus Priyanto", "position": "Lurah Krapyak", "unit": "Krapyak", "sex": "L"},
    {"name": "Sri Wahyuni", "position": "Camat", "unit": "Pekalongan Utara", "sex": "P"},
    {"name": "Hendra Wijaya", "position": "Staf", "unit": "Universitas Pekalongan", "sex": "L"},
    {
        "name": "Rina Kurniasari",
        "position": "Lurah Medono",
        "unit": "Medono",
        "present": None,
        "sex": "P",
    },
]


def minutes_text(login, meeting_id: int) -> str:
    return pdf_text(
        make_pdf(login("secretariat"), f"/admin/meetings/{meeting_id}/minutes.pdf").data
    )


def test_the_minutes_count_only_those_present_not_who_sent_input(app, login, meeting):
    put(app, meeting.id, *PEOPLE)
    # Input from someone not at the meeting, and from one who was invited but did not come.
    add_submission(app, meeting.id, submitter_name="Budi Santoso")
    add_submission(app, meeting.id, submitter_name="Rina Kurniasari")
    words = minutes_text(login, meeting.id)
    assert "3 orang: L 2, P 1 (Lurah 1, Camat 1, Lainnya 1); daftar hadir terlampir" in words
    attachment = words[words.upper().rfind("LAMPIRAN: DAFTAR HADIR") :]
    assert "Agus Priyanto" in attachment and "Hendra Wijaya" in attachment
    assert "Rina Kurniasari" not in attachment  # invited, not present
    assert "Budi Santoso" not in attachment  # sent input only
    for column in ("No", "Nama", "Jabatan", "Instansi", "L/P", "Tanda Tangan"):
        assert column in attachment
    # Position and unit in columns of their own: no "Lurah Krapyak, Krapyak".
    assert "Lurah Krapyak, Krapyak" not in attachment
    assert "AgusPriyantoLurahKrapyakKrapyakL1." in squeeze(attachment)


def test_with_nobody_present_the_minutes_say_so_and_attach_a_blank_sheet(app, login, meeting):
    put(app, meeting.id, {"name": "Rina Kurniasari", "present": None})
    add_submission(app, meeting.id)
    words = minutes_text(login, meeting.id)
    assert re.search(r"Peserta : belum tercatat", words)
    attachment = words[words.upper().rfind("LAMPIRAN: DAFTAR HADIR") :]
    assert "Agus Priyanto" not in attachment and "Rina Kurniasari" not in attachment
    # Twenty numbered rows to fill by hand.
    assert "1 1. 2 2. 3 3." in attachment and "20 20." in attachment


# --- the printable daftar hadir ------------------------------------------------------------


def sheet_pdf(login, meeting_id: int):
    return make_pdf(login("secretariat"), f"/admin/meetings/{meeting_id}/attendance.pdf")


@pytest.mark.parametrize("size,points", [("A4", (595, 842)), ("F4", (609, 935))])
def test_the_printable_sheet_lists_present_then_invited_then_blank_rows_to_the_page_end(
    app, login, meeting, size, points
):
    put(app, meeting.id, *PEOPLE)
    with app.app_context():
        db.session.scalar(select(Letterhead).filter_by(kind="agency")).page_size = size
        db.session.commit()
    response = sheet_pdf(login, meeting.id)
    assert response.mimetype == "application/pdf"
    data = response.data
    reader = pdf_reader(data)
    assert len(reader.pages) == 1  # the blank rows end the page, none spill over
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == points
    words = pdf_text(data)
    assert "DAFTAR HADIR" in words
    assert "Selasa, 23 Januari 2024" in words and "Ruang Jlamprang" in words
    numbers = [int(n) for n in re.findall(r"(?<![\d.])(\d{1,2})\.(?!\d)", words)]
    # Every row has its number in the signature column, 1 to the last, in order.
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= len(PEOPLE) + 10
    order = [words.index(p["name"]) for p in PEOPLE]
    assert order == sorted(order)  # present ones by arrival, then the invited one
    # Each person's row: name, position, unit, L/P, the number in the signature column.
    assert "AgusPriyantoLurahKrapyakKrapyakL1." in squeeze(words)
    assert "SriWahyuniCamatPekalonganUtaraP2." in squeeze(words)
    assert "RinaKurniasariLurahMedonoMedonoP4." in squeeze(words)


def test_a_long_list_carries_over_and_still_ends_its_last_page_with_blank_rows(app, login, meeting):
    put(app, meeting.id, *({"name": f"Peserta Nomor {n}", "position": "Staf", "unit": "Bappeda",
                            "sex": "LP"[n % 2]} for n in range(30)))  # fmt: skip
    data = sheet_pdf(login, meeting.id).data
    reader = pdf_reader(data)
    assert len(reader.pages) == 2
    last = reader.pages[-1].extract_text()
    assert "Peserta Nomor 29" in last
    numbers = [int(n) for n in re.findall(r"(?<![\d.])(\d{1,2})\.(?!\d)", pdf_text(data))]
    assert numbers == list(range(1, len(numbers) + 1)) and numbers[-1] >= 40
    assert "Halaman 2 dari 2" in re.sub(r"\s+", " ", last)


def test_the_preview_is_the_same_sheet_and_viewers_read_it(app, login, meeting):
    put(app, meeting.id, *PEOPLE)
    response = login("viewer").get(f"/admin/meetings/{meeting.id}/attendance")
    assert response.status_code == 200
    body = text(response)
    assert 'class="report report-attendance"' in body or "DAFTAR HADIR" in body
    assert "Rina Kurniasari" in body and "Tanda Tangan" in body
