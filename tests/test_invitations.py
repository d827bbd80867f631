"""Invitations: the list imported from Excel, a personal link per invitee, sending it by
WhatsApp or on a printed card, and who has sent input."""

import re
from io import BytesIO
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.attendance import invitations
from app.extensions import db
from app.models import Agency, Attendee, AuditEvent, Kecamatan, Kelurahan, Meeting
from app.qr import qr_svg
from app.submissions.invitations import guess_unit
from app.submissions.services import form_choices
from tests.helpers import add_submission, csrf_from, hidden_value, text

HEADINGS = ["Nama", "Jabatan", "Unit/Instansi", "Nomor HP", "L/P"]
PEOPLE = [
    ["Agus Priyanto", "Lurah Krapyak", "Kelurahan Krapyak", "0812-2712-3456", "L"],
    ["Sri Wahyuni", "Camat Pekalongan Barat", "Kec. Pekalongan Barat", "", "P"],
    ["Dra. Yuni Kartikasari, M.Si.", "Kepala Dinas", "Dinas Sosial P2KB", "", "P"],
    ["Bambang Sutejo", "Statistisi Ahli Madya", "BPS Kota Pekalongan", "", "l"],
]


def page_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/invitations"


def workbook(*rows, headings=HEADINGS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def upload(client, meeting_id: int, content: bytes, name: str = "undangan.xlsx", token=None):
    data = {
        "csrf_token": token or csrf_from(client, page_url(meeting_id)),
        "file": (BytesIO(content), name),
    }
    return client.post(
        f"{page_url(meeting_id)}/import", data=data, content_type="multipart/form-data"
    )


def press(client, meeting_id: int, action: str):
    token = csrf_from(client, page_url(meeting_id))
    return client.post(f"{page_url(meeting_id)}{action}", data={"csrf_token": token})


def invitees(app, meeting_id: int) -> list[Attendee]:
    with app.app_context():
        rows = db.session.scalars(
            select(Attendee).filter_by(meeting_id=meeting_id).order_by(Attendee.id)
        ).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def dinsos(app) -> int:
    with app.app_context():
        agency = Agency(
            abbreviation="Dinsos P2KB",
            name="Dinas Sosial, Pengendalian Penduduk dan Keluarga Berencana",
        )
        db.session.add_all([agency, Agency(abbreviation="Dinkes", name="Dinas Kesehatan")])
        db.session.commit()
        return agency.id


@pytest.fixture
def secretariat(login):
    return login("secretariat")


@pytest.fixture
def imported(app, meeting, secretariat, dinsos) -> list[Attendee]:
    response = upload(secretariat, meeting.id, workbook(*PEOPLE))
    assert response.status_code == 303, text(response)
    return invitees(app, meeting.id)


# --- the Excel list ------------------------------------------------------------------------


def test_the_template_has_the_headings_the_import_reads(meeting, secretariat):
    response = secretariat.get(f"{page_url(meeting.id)}/template.xlsx")
    assert response.status_code == 200
    assert "templat-undangan-rakor-uji.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADINGS


def test_a_filled_template_is_imported_with_a_link_for_everyone(app, meeting, secretariat):
    template = secretariat.get(f"{page_url(meeting.id)}/template.xlsx").data
    book = load_workbook(BytesIO(template))
    for row in PEOPLE[:2]:
        book.worksheets[0].append(row)
    output = BytesIO()
    book.save(output)

    response = upload(secretariat, meeting.id, output.getvalue())
    assert response.status_code == 303
    page = text(secretariat.get(response.headers["Location"]))
    assert "2 undangan ditambahkan dari berkas." in page
    assert "0 dari 2 undangan sudah mengirim masukan" in page

    lines = invitees(app, meeting.id)
    assert [(a.name, a.position, a.unit, a.phone, a.sex, a.source) for a in lines] == [
        ("Agus Priyanto", "Lurah Krapyak", "Kelurahan Krapyak", "0812-2712-3456", "L", "invited"),
        ("Sri Wahyuni", "Camat Pekalongan Barat", "Kec. Pekalongan Barat", "", "P", "invited"),
    ]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", a.invitation_token) for a in lines)
    assert f"/m/rakor-uji?undangan={lines[0].invitation_token}" in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(action="import_invitations"))
        assert event.after == {"filename": "undangan.xlsx", "added": 2, "skipped": 0, "links": 2}
        made = db.session.scalar(select(AuditEvent).filter_by(action="invitation_links"))
        assert made.after == {"attendee_ids": [a.id for a in lines]}
        logged = str([e.after for e in db.session.scalars(select(AuditEvent))])
        assert lines[0].invitation_token not in logged


def test_english_headings_in_any_order_and_case_with_other_columns(app, meeting, secretariat):
    content = workbook(
        [1, "81227123456", "Agus Priyanto", "p"],
        headings=["No", "  PHONE number ", "name", "SEX"],
    )
    assert upload(secretariat, meeting.id, content).status_code == 303
    (line,) = invitees(app, meeting.id)
    assert (line.name, line.phone, line.sex, line.unit) == ("Agus Priyanto", "81227123456", "P", "")


def test_people_already_listed_are_skipped_and_counted(app, meeting, secretariat):
    upload(secretariat, meeting.id, workbook(PEOPLE[0]))
    again = workbook(
        ["agus  PRIYANTO", "Lurah", "kelurahan krapyak", "", "L"],  # the same person
        PEOPLE[1],
        PEOPLE[1],  # twice in the file
    )
    response = upload(secretariat, meeting.id, again)
    page = text(secretariat.get(response.headers["Location"]))
    assert "1 undangan ditambahkan dari berkas. 2 sudah ada di daftar, dilewati." in page
    assert [a.name for a in invitees(app, meeting.id)] == ["Agus Priyanto", "Sri Wahyuni"]


def test_one_wrong_row_stores_nothing_and_the_message_names_it(app, meeting, secretariat):
    content = workbook(
        PEOPLE[0],
        ["Sri Wahyuni", "Camat", "Kecamatan Pekalongan Barat", "nomor kantor", "X"],
        ["", "Sekretaris", "Dinkes", "", ""],
    )
    response = upload(secretariat, meeting.id, content)
    assert response.status_code == 422
    page = text(response)
    assert "Tidak ada yang disimpan: perbaiki baris berikut, lalu unggah lagi." in page
    assert "Baris 3, kolom L/P: isi L atau P." in page
    assert "Baris 3, kolom Nomor HP: Tulis nomor HP dengan angka" in page
    assert "Baris 4, kolom Nama: Isi nama peserta." in page
    assert "Baris 2" not in page
    assert invitees(app, meeting.id) == []


def test_a_file_that_is_no_workbook_is_refused_in_words(app, meeting, secretariat):
    response = upload(secretariat, meeting.id, b"Nama;Jabatan\nAgus;Lurah\n")
    assert response.status_code == 422
    assert "bukan berkas Excel (.xlsx) yang dapat dibaca" in text(response)
    no_name = upload(secretariat, meeting.id, workbook(["Lurah"], headings=["Jabatan"]))
    assert "harus memuat kolom Nama" in text(no_name)
    too_big = upload(secretariat, meeting.id, b"PK\x03\x04" + b"0" * (2 * 1024 * 1024))
    assert "Berkas lebih besar dari 2 MB" in text(too_big)
    assert invitees(app, meeting.id) == []


def test_a_finalised_meeting_takes_no_invitations(app, make_meeting, secretariat):
    meeting = make_meeting(status="finalised")
    token = csrf_from(secretariat, page_url(meeting.id))
    response = upload(secretariat, meeting.id, workbook(PEOPLE[0]), token=token)
    assert response.status_code == 409
    assert "Notulen rapat ini sudah final" in text(response)
    assert invitees(app, meeting.id) == []


# --- the links ---------------------------------------------------------------------------------


def test_links_are_made_for_lines_without_one_and_never_change(app, meeting, secretariat, imported):
    desk = f"/admin/meetings/{meeting.id}/record/attendees"
    secretariat.post(
        f"{desk}/invite",
        data={"csrf_token": csrf_from(secretariat, desk), "att-name": "Rina Astuti", "att-sex": ""},
    )
    secretariat.post(
        desk, data={"csrf_token": csrf_from(secretariat, desk), "att-name": "Hadir Langsung"}
    )
    before = {a.id: a.invitation_token for a in invitees(app, meeting.id)}
    assert list(before.values())[-2:] == [None, None]

    response = press(secretariat, meeting.id, "/links")
    assert "1 tautan pribadi dibuat." in text(secretariat.get(response.headers["Location"]))
    after = {a.id: a.invitation_token for a in invitees(app, meeting.id)}
    assert {k: v for k, v in after.items() if before[k]} == {k: v for k, v in before.items() if v}
    rina, walk_in = list(after.values())[-2:]
    assert rina and walk_in is None  # someone who came in uninvited gets no link
    assert len(set(after.values()) - {None}) == 5

    again = press(secretariat, meeting.id, "/links")
    assert "Setiap undangan sudah punya tautan pribadi." in text(
        secretariat.get(again.headers["Location"])
    )
    assert {a.id: a.invitation_token for a in invitees(app, meeting.id)} == after


def selected(html: str, name: str) -> str:
    """The chosen value of a radio group or a select."""
    radio = re.search(
        rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]*)"', html
    ) or re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', html)
    if radio:
        return radio.group(1)
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    option = re.search(
        r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html
    )
    return (option.group(1) or option.group(2)) if option else ""


def field_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    return match.group(1) if match else ""


def test_the_personal_link_opens_the_form_filled_in(app, client, meeting, imported, dinsos):
    with app.app_context():
        krapyak = db.session.scalar(select(Kelurahan.id).filter_by(name="Krapyak"))
        barat = db.session.scalar(select(Kecamatan.id).filter_by(name="Pekalongan Barat"))
    lurah, camat, opd, bps = imported
    html = text(client.get(f"/m/{meeting.code}?undangan={lurah.invitation_token}"))
    assert field_value(html, "submitter_name") == "Agus Priyanto"
    assert field_value(html, "position") == "Lurah Krapyak"
    assert selected(html, "role") == "lurah"
    assert selected(html, "unit_kelurahan") == str(krapyak)
    assert hidden_value(html, "invitation") == lurah.invitation_token
    # Whoever holds the link reads the page: the phone number is not in it.
    assert field_value(html, "phone") == ""
    assert "2712" not in html

    html = text(client.get(f"/m/{meeting.code}?undangan={camat.invitation_token}"))
    assert (selected(html, "role"), selected(html, "unit_kecamatan")) == ("camat", str(barat))
    html = text(client.get(f"/m/{meeting.code}?undangan={opd.invitation_token}"))
    assert field_value(html, "submitter_name") == "Dra. Yuni Kartikasari, M.Si."
    assert (selected(html, "role"), selected(html, "unit_agency")) == ("opd", str(dinsos))
    html = text(client.get(f"/m/{meeting.code}?undangan={bps.invitation_token}"))
    assert selected(html, "role") == "stakeholder"
    assert field_value(html, "unit_organisation") == "BPS Kota Pekalongan"

    plain = text(client.get(f"/m/{meeting.code}?undangan=tidak-ada-tautan-seperti-ini"))
    assert field_value(plain, "submitter_name") == ""


@pytest.mark.parametrize(
    ("unit", "position", "expected"),
    [
        ("Krapyak", "", ("lurah", "Krapyak")),
        ("Kel. Krapyak", "Lurah", ("lurah", "Krapyak")),
        ("KELURAHAN  krapyak Kota Pekalongan", "", ("lurah", "Krapyak")),
        ("Kantor Kelurahan Sapurokebulen", "", ("lurah", "Sapuro Kebulen")),
        ("Kelurahan Pasir Kraton Kramat", "", ("lurah", "Pasirkratonkramat")),
        ("", "Lurah Krapyak", ("lurah", "Krapyak")),
        ("Kec. Pekalongan Barat", "", ("camat", "Pekalongan Barat")),
        ("Pekalongan Utara", "Camat", ("camat", "Pekalongan Utara")),
        ("", "Camat Pekalongan Utara", ("camat", "Pekalongan Utara")),
        ("Dinas Sosial P2KB", "", ("opd", "Dinsos P2KB")),
        ("Dinsos P2KB Kota Pekalongan", "", ("opd", "Dinsos P2KB")),
        ("Dinas Sosial", "", ("opd", "Dinsos P2KB")),
        ("dinas sosial, pengendalian penduduk dan keluarga berencana", "", ("opd", "Dinsos P2KB")),
        ("DINKES", "", ("opd", "Dinkes")),
        (
            "Dinas Sosial Provinsi Jawa Tengah",
            "",
            ("stakeholder", "Dinas Sosial Provinsi Jawa Tengah"),
        ),
        ("Dinas", "", ("stakeholder", "Dinas")),
        ("PKK Kelurahan Krapyak", "", ("stakeholder", "PKK Kelurahan Krapyak")),
        ("", "Kepala Dinas", None),
    ],
)
def test_units_as_invitation_lists_write_them(app, meeting, dinsos, unit, position, expected):
    with app.app_context():
        choices = form_choices(db.session.get(Meeting, meeting.id))
        guess = guess_unit(unit, position, choices)
        if expected is None:
            assert guess is None
            return
        role, name = expected
        names = {
            "lurah": lambda: db.session.get(Kelurahan, guess.kelurahan_id).name,
            "camat": lambda: db.session.get(Kecamatan, guess.kecamatan_id).name,
            "opd": lambda: db.session.get(Agency, guess.agency_id).abbreviation,
            "stakeholder": lambda: guess.organisation,
        }
        assert (guess.role, names[guess.role]()) == (role, name)


def test_an_input_sent_through_the_link_shows_on_the_invitations_page(
    app, client, meeting, imported, secretariat, valid_submission
):
    lurah = imported[0]
    html = text(client.get(f"/m/{meeting.code}?undangan={lurah.invitation_token}"))
    fields = {
        **valid_submission,
        "csrf_token": hidden_value(html, "csrf_token"),
        "client_token": hidden_value(html, "client_token"),
        "invitation": hidden_value(html, "invitation"),
        "submitter_name": "Agus Priyanto, S.Sos.",  # changed on the form: still their line
    }
    assert client.post(f"/m/{meeting.code}", data=fields).status_code == 303
    assert invitees(app, meeting.id)[0].submission_id is not None

    page = text(secretariat.get(page_url(meeting.id)))
    assert "1 dari 4 undangan sudah mengirim masukan" in page
    row = re.search(rf'<tr id="undangan-{lurah.id}">.*?</tr>', page, re.S).group(0)
    assert "Sudah" in row and "lewat tautan" in row


def test_an_input_from_the_same_name_and_unit_counts_too(app, meeting, imported, secretariat):
    add_submission(app, meeting.id, submitter_name="agus priyanto")  # Lurah Krapyak
    add_submission(app, meeting.id, submitter_name="Sri Wahyuni")  # but from Krapyak
    page = text(secretariat.get(page_url(meeting.id)))
    assert "1 dari 4 undangan sudah mengirim masukan" in page
    row = re.search(rf'<tr id="undangan-{imported[0].id}">.*?</tr>', page, re.S).group(0)
    assert "nama dan unit cocok" in row
    camat = re.search(rf'<tr id="undangan-{imported[1].id}">.*?</tr>', page, re.S).group(0)
    assert "Sudah" not in camat


# --- sending ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0812-2712-3456", "6281227123456"),
        ("+62 812 2712 3456", "6281227123456"),
        ("62812.2712.3456", "6281227123456"),
        ("812 2712 3456", "6281227123456"),
        ("(0285) 421 093", ""),  # too short for WhatsApp: a landline
        ("", ""),
    ],
)
def test_phone_numbers_as_wa_me_takes_them(typed, number):
    assert invitations.whatsapp_number(typed) == number


def test_whatsapp_opens_with_the_invitation_and_marks_it_sent(app, meeting, secretariat, imported):
    lurah = imported[0]
    response = press(secretariat, meeting.id, f"/{lurah.id}/whatsapp")
    assert response.status_code == 303
    address = urlsplit(response.headers["Location"])
    assert (address.scheme, address.netloc, address.path) == ("https", "wa.me", "/6281227123456")
    message = parse_qs(address.query)["text"][0]
    assert message.startswith("Yth. Bapak Agus Priyanto,")
    assert "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in message
    assert "Selasa, 23 Januari 2024" in message
    assert f"http://localhost/m/rakor-uji?undangan={lurah.invitation_token}" in message
    assert invitees(app, meeting.id)[0].invitation_sent_at is not None

    no_phone = press(secretariat, meeting.id, f"/{imported[1].id}/whatsapp")
    assert no_phone.headers["Location"].startswith("https://wa.me/?text=Yth.%20Ibu%20Sri")

    page = secretariat.get(page_url(meeting.id))
    assert "2 tautan terkirim" in text(page)
    policy = page.headers["Content-Security-Policy"]
    assert "form-action 'self' https://wa.me https://api.whatsapp.com" in policy


def test_whatsapp_makes_the_link_of_an_invitee_who_has_none(app, meeting, secretariat):
    desk = f"/admin/meetings/{meeting.id}/record/attendees"
    secretariat.post(
        f"{desk}/invite",
        data={"csrf_token": csrf_from(secretariat, desk), "att-name": "Rina Astuti", "att-sex": ""},
    )
    (line,) = invitees(app, meeting.id)
    response = press(secretariat, meeting.id, f"/{line.id}/whatsapp")
    token = invitees(app, meeting.id)[0].invitation_token
    assert token and unquote(response.headers["Location"]).endswith(
        f"/m/rakor-uji?undangan={token}\n\nTerima kasih."
    )
    assert "Yth. Bapak/Ibu Rina Astuti" in unquote(response.headers["Location"])


def test_marking_a_link_sent_by_hand_and_taking_it_back(app, meeting, secretariat, imported):
    line = imported[2]
    response = press(secretariat, meeting.id, f"/{line.id}/sent")
    assert response.headers["Location"].endswith(f"#undangan-{line.id}")
    page = text(secretariat.get(response.headers["Location"]))
    assert "ditandai terkirim" in page and "1 tautan terkirim" in page
    assert invitees(app, meeting.id)[2].invitation_sent_at is not None
    press(secretariat, meeting.id, f"/{line.id}/unsent")
    assert invitees(app, meeting.id)[2].invitation_sent_at is None
    # A line of someone not invited has no invitation.
    other = press(secretariat, meeting.id, "/999999/sent")
    assert other.status_code == 404


def test_the_card_sheet_holds_each_link_and_its_qr(app, meeting, secretariat, imported):
    page = text(secretariat.get(f"{page_url(meeting.id)}/cards"))
    for line in imported:
        link = f"http://localhost/m/rakor-uji?undangan={line.invitation_token}"
        card = re.search(
            rf'<article class="invitation-card" id="kartu-{line.id}" lang="id">.*?</article>',
            page,
            re.S,
        )
        assert link in card.group(0)
        with app.test_request_context():
            assert qr_svg(link, scale=4) in card.group(0)
    assert page.count('<article class="invitation-card"') == 4
    assert "Tautan ini khusus untuk Anda." in page and "Selasa, 23 Januari 2024" in page
    # The cards go to the invitees: Indonesian whatever the staff page's language.
    secretariat.set_cookie("rakor_lang", "en")
    english = text(secretariat.get(f"{page_url(meeting.id)}/cards"))
    assert "<h1>Invitation cards</h1>" in english
    assert "Tautan ini khusus untuk Anda." in english and "Selasa, 23 Januari 2024" in english
    assert "@media print" in text(secretariat.get("/static/css/invitations.css"))


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "focal"])
def test_readers_and_focal_points_are_refused(app, meeting, login, role, request, imported):
    if role == "focal":
        request.getfixturevalue("focal_point")
    client = login(role)
    token = csrf_from(client, "/admin/follow-ups")
    line = imported[0].id
    assert client.get(page_url(meeting.id)).status_code == 403
    assert client.get(f"{page_url(meeting.id)}/cards").status_code == 403
    assert client.get(f"{page_url(meeting.id)}/template.xlsx").status_code == 403
    for action in ("/links", f"/{line}/sent", f"/{line}/whatsapp"):
        response = client.post(f"{page_url(meeting.id)}{action}", data={"csrf_token": token})
        assert response.status_code == 403
    response = upload(client, meeting.id, workbook(PEOPLE[1]), token=token)
    assert response.status_code == 403
    assert len(invitees(app, meeting.id)) == 4
    assert invitees(app, meeting.id)[0].invitation_sent_at is None


def test_posts_need_the_csrf_token(app, meeting, secretariat, imported):
    line = imported[0].id
    for action in ("/links", f"/{line}/sent", f"/{line}/whatsapp", "/import"):
        assert secretariat.post(f"{page_url(meeting.id)}{action}", data={}).status_code == 400
    assert invitees(app, meeting.id)[0].invitation_sent_at is None
