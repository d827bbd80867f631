"""The participant's own check-in: /m/<code>/hadir on a phone in the meeting room."""

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import Attendee, Meeting
from tests.helpers import hidden_value, pdf_text, squeeze, text

PERSON = {
    "name": "Agus Priyanto",
    "position": "Lurah Krapyak",
    "unit": "Kelurahan Krapyak",
    "sex": "L",
    "phone": "0812 2712 3456",
}


def today() -> date:
    """The date in the city (Asia/Jakarta), where check-in is open on the meeting's day."""
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


@pytest.fixture
def meeting(make_meeting) -> Meeting:
    """A meeting held today."""
    return make_meeting(date=today())


def checkin_url(code: str) -> str:
    return f"/m/{code}/hadir"


def check_in(client, code: str, **fields):
    """Open the page like a browser, then send the form with `fields` over PERSON."""
    page = client.get(checkin_url(code))
    data = {"csrf_token": hidden_value(text(page), "csrf_token"), **PERSON, **fields}
    return client.post(checkin_url(code), data=data)


def lines(app, meeting_id: int) -> list[Attendee]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(Attendee).filter_by(meeting_id=meeting_id).order_by(Attendee.id)
        ).all()
        db.session.expunge_all()
        return rows


def set_status(app, meeting_id: int, status: str) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = status
        db.session.commit()


def test_a_participant_checks_in_and_is_thanked_with_the_time(app, client, meeting):
    page = client.get(checkin_url(meeting.code))
    assert page.status_code == 200
    body = text(page)
    assert meeting.title in body
    for label in ("Nama lengkap", "Jabatan", "Instansi atau unit", "Laki-laki", "Perempuan"):
        assert label in body
    assert "Kode akses" not in body  # the room's QR is enough

    response = check_in(client, meeting.code)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/m/{meeting.code}/hadir/tercatat"
    [line] = lines(app, meeting.id)
    assert (line.name, line.position, line.unit, line.sex, line.phone) == (
        "Agus Priyanto",
        "Lurah Krapyak",
        "Kelurahan Krapyak",
        "L",
        "0812 2712 3456",
    )
    assert line.source == "checkin"
    assert line.checked_in_at is not None
    assert line.submission_id is None

    thanks = text(client.get(response.headers["Location"]))
    assert "Terima kasih, kehadiran Anda tercatat" in thanks
    assert re.search(r"hadir sejak pukul \d\d\.\d\d WIB", thanks)
    assert "0812" not in thanks


def test_a_meeting_with_an_access_code_still_takes_check_ins_without_it(app, client, make_meeting):
    meeting = make_meeting(access_code="PKL2024", date=today())
    assert check_in(client, meeting.code).status_code == 303
    assert len(lines(app, meeting.id)) == 1


def test_checking_in_again_confirms_the_first_line(app, client, meeting):
    assert check_in(client, meeting.code).status_code == 303
    [first] = lines(app, meeting.id)
    # Another phone, the name typed in capitals with extra spaces, the same unit.
    other = app.test_client()
    response = check_in(other, meeting.code, name="  AGUS   priyanto ", unit="kelurahan krapyak")
    assert response.status_code == 303
    [line] = lines(app, meeting.id)
    assert line.id == first.id and line.checked_in_at == first.checked_in_at
    assert "kehadiran Anda tercatat" in text(other.get(response.headers["Location"]))
    # The same name from another unit is another person.
    assert check_in(other, meeting.code, unit="Kelurahan Medono").status_code == 303
    assert len(lines(app, meeting.id)) == 2


def test_an_invited_person_who_checks_in_is_ticked_on_their_own_line(app, client, meeting):
    with app.app_context():
        db.session.add(
            Attendee(
                meeting_id=meeting.id,
                name="Agus Priyanto",
                unit="Kelurahan Krapyak",
                source="invited",
            )
        )
        db.session.commit()
    assert check_in(client, meeting.code).status_code == 303
    [line] = lines(app, meeting.id)
    assert line.source == "invited"  # how the line came to be does not change
    assert line.checked_in_at is not None
    # Only L/P is filled in: a check-in writes nothing else into a line someone made.
    assert (line.position, line.sex, line.phone) == ("", "L", "")

    # Invited by name alone: the check-in finds the line and ticks it.
    with app.app_context():
        db.session.add(Attendee(meeting_id=meeting.id, name="Sri Wahyuni", source="invited"))
        db.session.commit()
    other = app.test_client()
    response = check_in(other, meeting.code, name="Sri Wahyuni", unit="Kecamatan Tirto", sex="P")
    assert response.status_code == 303
    _agus, camat = lines(app, meeting.id)
    assert (camat.name, camat.unit, camat.source) == ("Sri Wahyuni", "", "invited")
    assert camat.checked_in_at is not None


def test_check_in_is_open_after_input_closes_but_not_in_a_draft_nor_once_final(
    app, client, make_meeting
):
    meeting = make_meeting(status="closed", date=today())
    assert check_in(client, meeting.code).status_code == 303

    draft = make_meeting(code="rakor-draf", status="draft", date=today())
    page = client.get(checkin_url(draft.code))
    assert page.status_code == 200
    assert "Daftar hadir rapat ini belum dibuka" in text(page)
    assert draft.title not in text(page)
    assert 'name="name"' not in text(page)
    token = hidden_value(text(client.get(checkin_url(meeting.code))), "csrf_token")
    refused = client.post(checkin_url(draft.code), data={"csrf_token": token, **PERSON})
    assert refused.status_code == 409
    assert lines(app, draft.id) == []

    final = make_meeting(code="rakor-final", status="open", date=today())
    page = client.get(checkin_url(final.code))
    set_status(app, final.id, "finalised")  # finalised while the form was open
    data = {"csrf_token": hidden_value(text(page), "csrf_token"), **PERSON}
    refused = client.post(checkin_url(final.code), data=data)
    assert refused.status_code == 409
    assert "sudah ditutup karena notulennya sudah final" in text(refused)
    assert lines(app, final.id) == []
    assert client.get("/m/tidak-ada/hadir").status_code == 404


def test_check_in_is_open_on_the_meetings_day_only(app, client, make_meeting, meeting):
    token = hidden_value(text(client.get(checkin_url(meeting.code))), "csrf_token")
    for code, day in (
        ("rakor-kemarin", today() - timedelta(days=1)),
        ("rakor-besok", today() + timedelta(days=1)),
    ):
        other = make_meeting(code=code, date=day)
        page = text(client.get(checkin_url(code)))
        assert "Daftar hadir mandiri hanya dibuka pada hari rapat" in page
        assert 'name="name"' not in page
        refused = client.post(checkin_url(code), data={"csrf_token": token, **PERSON})
        assert refused.status_code == 409
        assert lines(app, other.id) == []


def test_bad_input_comes_back_with_everything_typed_and_a_message_beside_each_field(
    app, client, meeting
):
    response = check_in(
        client, meeting.code, name="", sex="", phone="telepon", position="Sekretaris Lurah"
    )
    assert response.status_code == 422
    body = text(response)
    assert "Isi nama Anda." in body
    assert "Pilih laki-laki atau perempuan." in body
    assert "Tulis nomor HP dengan angka" in body
    assert 'value="Sekretaris Lurah"' in body
    assert 'value="Kelurahan Krapyak"' in body
    assert 'value="telepon"' in body
    # The message stands beside its field.
    assert re.search(r'id="name-error"[^>]*>.*Isi nama Anda\.', body, re.S)
    assert lines(app, meeting.id) == []

    too_long = check_in(client, meeting.code, name="A" * 121)
    assert too_long.status_code == 422
    assert "Nama paling panjang 120 karakter." in text(too_long)
    assert lines(app, meeting.id) == []


def test_a_forged_or_missing_csrf_token_stores_nothing_and_keeps_what_was_typed(
    app, client, meeting
):
    client.get(checkin_url(meeting.code))
    forged = client.post(checkin_url(meeting.code), data={"csrf_token": "palsu", **PERSON})
    assert forged.status_code == 422
    assert "perlu dikirim ulang" in text(forged)
    assert 'value="Agus Priyanto"' in text(forged)
    missing = app.test_client().post(checkin_url(meeting.code), data=PERSON)
    assert missing.status_code == 422
    assert lines(app, meeting.id) == []


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"RAKOR_SUBMIT_RATE_LIMIT": "2 per minute"}], indirect=True)
def test_check_ins_are_rate_limited_as_the_input_form_is(app, client, meeting):
    for name in ("Satu", "Dua"):
        assert check_in(client, meeting.code, name=name).status_code == 303
    assert check_in(client, meeting.code, name="Tiga").status_code == 429
    assert len(lines(app, meeting.id)) == 2


@pytest.mark.parametrize("app_config", [{"RAKOR_PUBLIC_MAX_BYTES": 2048}], indirect=True)
def test_an_oversized_check_in_is_refused(app, client, meeting):
    response = check_in(client, meeting.code, position="x" * 4000)
    assert response.status_code == 413
    assert lines(app, meeting.id) == []


def test_the_thank_you_page_shows_only_this_browsers_own_line(app, client, meeting):
    assert check_in(client, meeting.code).status_code == 303
    stranger = app.test_client()
    response = stranger.get(f"/m/{meeting.code}/hadir/tercatat")
    assert response.status_code == 303
    assert response.headers["Location"] == checkin_url(meeting.code)


# --- the QR codes to the check-in page ---------------------------------------------------------


def test_the_poster_carries_the_check_in_address_beside_the_input_form(login, make_meeting):
    meeting = make_meeting(access_code="PKL2024", date=today())
    response = login("viewer").get(f"/admin/meetings/{meeting.id}/poster.pdf")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == 1
    words = pdf_text(response.data)
    assert "Sampaikan masukan" in words and "Daftar hadir" in words
    assert "http://localhost/m/rakor-uji/hadir" in squeeze(words)
    assert "PKL2024" in words


def test_the_check_in_qr_is_an_svg_for_staff(app, client, login, meeting):
    import segno

    response = login("viewer").get(f"/admin/meetings/{meeting.id}/checkin-qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # The drawing is the code of the check-in address, module for module.
    expected = segno.make("http://localhost/m/rakor-uji/hadir", error="m")
    path = re.search(r' d="([^"]+)"', svg).group(1)
    assert path == re.search(r' d="([^"]+)"', svg_of(expected)).group(1)
    assert client.get(f"/admin/meetings/{meeting.id}/checkin-qr.svg").status_code == 302


def svg_of(code) -> str:
    output = BytesIO()
    code.save(output, kind="svg", scale=10, border=4, dark="#000")
    return output.getvalue().decode()
