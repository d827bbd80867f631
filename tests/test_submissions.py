"""The participant's flow: the form, the receipt, the status lookup, and every refusal."""

import io
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from app.domain import (
    DESCRIPTION_MAX,
    MAX_BENEFICIARIES,
    NAME_MAX,
    TITLE_MAX,
    TITLE_MIN,
)
from app.extensions import db
from app.models import Agency, Program, Submission
from app.models.base import utcnow
from app.submissions.services import RECEIPT_ALPHABET
from tests.helpers import hidden_value


def stored(app) -> list[Submission]:
    with app.app_context():
        rows = db.session.scalars(db.select(Submission).order_by(Submission.id)).all()
        db.session.expunge_all()
        return rows


def receipt_code_from(response) -> str:
    assert response.status_code == 303
    match = re.fullmatch(r"/receipt/([A-Z0-9]{8})", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def page_text(response) -> str:
    return response.get_data(as_text=True)


# --- the meeting list and the meeting page -----------------------------------------


def test_home_lists_open_meetings_only(client, make_meeting):
    make_meeting(code="terbuka", title="Rakor Terbuka")
    make_meeting(code="draf", title="Rakor Draf", status="draft")
    make_meeting(code="selesai", title="Rakor Selesai", status="closed")
    make_meeting(code="lewat", title="Rakor Lewat Waktu", closes_at=utcnow() - timedelta(minutes=1))
    page = page_text(client.get("/"))
    assert "Rakor Terbuka" in page
    assert "/m/terbuka" in page
    for hidden in ("Rakor Draf", "Rakor Selesai", "Rakor Lewat Waktu"):
        assert hidden not in page


def test_meeting_page_shows_the_meeting_in_indonesian_and_the_pillars(client, meeting):
    page = page_text(client.get(f"/m/{meeting.code}"))
    assert meeting.title in page
    assert "Selasa, 23 Januari 2024" in page
    assert "09.00 WIB" in page
    assert "Ruang Jlamprang Setda Kota Pekalongan" in page
    assert "Pemberdayaan usaha ekonomi mikro dan kecil" in page
    assert "Permodalan, pinjaman dana bergulir" in page  # the pillar's description
    assert 'name="csrf_token"' in page
    assert re.search(r'name="client_token"[^>]*value="[0-9a-f]{32}"', page)


def test_a_draft_or_unknown_meeting_is_not_found(client, make_meeting):
    make_meeting(code="draf", status="draft")
    assert client.get("/m/draf").status_code == 404
    assert client.get("/m/tidak-ada").status_code == 404
    assert "Halaman tidak ditemukan" in page_text(client.get("/m/tidak-ada"))


def test_the_unit_fields_offer_the_right_lists(app, client, meeting):
    with app.app_context():
        db.session.add(Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB"))
        db.session.commit()
    page = page_text(client.get(f"/m/{meeting.code}"))
    unit_kelurahan = page.split('id="unit_kelurahan"')[1].split("</select>")[0]
    assert '<optgroup label="Pekalongan Utara">' in unit_kelurahan
    assert "Krapyak" in unit_kelurahan
    assert len(re.findall(r"<option value=\"\d+\"", unit_kelurahan)) == 27
    unit_kecamatan = page.split('id="unit_kecamatan"')[1].split("</select>")[0]
    assert len(re.findall(r"<option value=\"\d+\"", unit_kecamatan)) == 4
    assert "Dinsos P2KB" in page.split('id="unit_agency"')[1].split("</select>")[0]


# --- a successful submission ---------------------------------------------------------


def test_a_valid_input_is_stored_and_answered_with_a_receipt(
    app, client, submit, meeting, valid_submission
):
    response = submit(meeting.code, valid_submission)
    code = receipt_code_from(response)
    assert set(code) <= set(RECEIPT_ALPHABET)

    [row] = stored(app)
    assert row.receipt_code == code
    assert row.submitter_name == "Agus Priyanto"
    assert row.role == "lurah"
    assert row.kelurahan_id == int(valid_submission["unit_kelurahan"])
    assert row.kecamatan_id is None and row.agency_id is None and row.organisation == ""
    assert row.kind == "usulan"
    assert row.pillar_id == row.submitted_pillar_id == int(valid_submission["pillar"])
    assert row.title == valid_submission["title"]
    assert row.phone == "0812-2712-3456"
    assert row.beneficiaries == 40
    assert row.cost == 75_000_000
    assert row.status == "received"
    assert row.source == "web"
    assert abs(row.submitted_at - utcnow()) < timedelta(minutes=1)

    receipt = page_text(client.get(f"/receipt/{code}"))
    assert f"{code[:4]}-{code[4:]}" in receipt
    assert valid_submission["title"] in receipt
    assert "Krapyak" in receipt
    assert "Rp 75.000.000" in receipt
    assert "Diterima, menunggu tinjauan" in receipt
    assert "0812" not in receipt  # the phone number is personal data


def test_each_role_keeps_only_its_own_unit(app, submit, meeting, valid_submission):
    fields = dict(
        valid_submission,
        role="stakeholder",
        unit_organisation="BPS Kota Pekalongan",
        position="Statistisi Ahli Madya",
    )
    receipt_code_from(submit(meeting.code, fields))
    [row] = stored(app)
    assert row.organisation == "BPS Kota Pekalongan"
    assert row.kelurahan_id is None  # sent by the form, but not this role's unit


def test_an_evaluation_names_its_program(app, submit, meeting, valid_submission):
    with app.app_context():
        program = db.session.scalar(db.select(Program).filter_by(name="Bantuan bibit entok"))
        program_id = str(program.id)
    response = submit(meeting.code, dict(valid_submission, kind="evaluasi"))
    assert response.status_code == 422
    assert "Untuk evaluasi, pilih program yang dievaluasi." in page_text(response)
    assert stored(app) == []

    receipt_code_from(
        submit(meeting.code, dict(valid_submission, kind="evaluasi", program=program_id))
    )
    [row] = stored(app)
    assert row.program_id == int(program_id)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 1.500.000", 1_500_000),
        ("rp. 2.000.000,00", 2_000_000),
        ("", None),
    ],
)
def test_rupiah_amounts_are_read_the_indonesian_way(
    app, submit, meeting, valid_submission, typed, expected
):
    receipt_code_from(submit(meeting.code, dict(valid_submission, cost=typed)))
    [row] = stored(app)
    assert row.cost == expected


# --- one record per send -----------------------------------------------------------------


def test_sending_the_same_form_twice_creates_one_record(app, client, meeting, valid_submission):
    page = page_text(client.get(f"/m/{meeting.code}"))
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        **valid_submission,
    }
    first = client.post(f"/m/{meeting.code}", data=data)
    second = client.post(f"/m/{meeting.code}", data=data)  # a double tap or a retry
    assert receipt_code_from(first) == receipt_code_from(second)
    assert len(stored(app)) == 1
    receipt = page_text(client.get(second.headers["Location"]))
    assert "sudah kami terima sebelumnya" in receipt


def test_going_back_and_sending_changed_content_is_a_new_input(
    app, client, meeting, valid_submission
):
    page = page_text(client.get(f"/m/{meeting.code}"))
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        **valid_submission,
    }
    first = client.post(f"/m/{meeting.code}", data=data)
    second = client.post(f"/m/{meeting.code}", data=dict(data, title="Usulan kedua yang lain"))
    assert receipt_code_from(first) != receipt_code_from(second)
    assert [row.title for row in stored(app)] == [
        valid_submission["title"],
        "Usulan kedua yang lain",
    ]


# --- refusals keep everything typed ------------------------------------------------------


def test_errors_are_shown_beside_each_field_with_everything_typed_kept(
    app, submit, meeting, valid_submission
):
    fields = dict(
        valid_submission,
        title="",
        role="",
        description="Uraian yang panjang & berisi <tanda> khusus.",
        cost="seratus ribu",
    )
    response = submit(meeting.code, fields)
    assert response.status_code == 422
    page = page_text(response)
    assert "Ada isian yang perlu diperbaiki" in page
    assert "Isi judul masukan." in page
    assert "Pilih peran Anda." in page
    assert "Tulis angka bulat saja, misalnya 1.500.000." in page
    assert 'href="#title"' in page
    assert 'href="#role-0"' in page
    # Everything typed is still there, escaped.
    assert 'value="Agus Priyanto"' in page
    assert 'value="0812-2712-3456"' in page
    assert "Uraian yang panjang &amp; berisi &lt;tanda&gt; khusus." in page
    assert 'value="seratus ribu"' in page
    assert re.search(
        rf'value="{valid_submission["pillar"]}"[^>]*checked|checked[^>]*value="{valid_submission["pillar"]}"',
        page,
    )
    assert stored(app) == []


@pytest.mark.parametrize(
    ("role", "unit_field", "message"),
    [
        ("lurah", "unit_kelurahan", "Pilih kelurahan Anda."),
        ("camat", "unit_kecamatan", "Pilih kecamatan Anda."),
        ("opd", "unit_agency", "Pilih perangkat daerah Anda."),
        ("stakeholder", "unit_organisation", "Isi nama lembaga atau organisasi Anda."),
    ],
)
def test_the_unit_that_matches_the_role_is_required(
    app, submit, meeting, valid_submission, role, unit_field, message
):
    response = submit(meeting.code, dict(valid_submission, role=role, **{unit_field: ""}))
    assert response.status_code == 422
    assert message in page_text(response)
    assert stored(app) == []


@pytest.mark.parametrize(
    "tampered",
    [
        {"role": "admin"},
        {"kind": "hibah"},
        {"pillar": "9999"},
        {"unit_kelurahan": "9999"},
        {"location": "abc"},
        {"target_group": "semua"},
        {"program": "9999"},
    ],
)
def test_values_outside_the_allow_lists_are_refused(
    app, submit, meeting, valid_submission, tampered
):
    response = submit(meeting.code, dict(valid_submission, **tampered))
    assert response.status_code == 422
    assert "Ada isian yang perlu diperbaiki" in page_text(response)
    assert "Pilihan tidak tersedia. Pilih dari daftar." in page_text(response)
    assert stored(app) == []


def test_a_retired_pillar_is_not_offered_or_accepted(
    app, client, submit, meeting, valid_submission
):
    from app.models import Pillar

    with app.app_context():
        pillar = db.session.get(Pillar, int(valid_submission["pillar"]))
        pillar.retired_at = utcnow()
        db.session.commit()
        name = pillar.name
    assert name not in page_text(client.get(f"/m/{meeting.code}")).split('id="input-form"')[1]
    assert submit(meeting.code, valid_submission).status_code == 422
    assert stored(app) == []


def test_an_edit_made_elsewhere_shows_on_the_form_at_once(app, client, meeting):
    assert "Krapyak" in page_text(client.get(f"/m/{meeting.code}"))
    # Plain SQL on its own connection, as another process or a hand edit would do it.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("UPDATE kelurahan SET name = 'Krapyak Baru' WHERE name = 'Krapyak'")
        )
    assert "Krapyak Baru" in page_text(client.get(f"/m/{meeting.code}"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "title",
            "x" * (TITLE_MAX + 1),
            f"Judul paling panjang {TITLE_MAX} karakter; sekarang 161.",
        ),
        ("title", "x" * (TITLE_MIN - 1), f"Judul antara {TITLE_MIN} dan {TITLE_MAX} karakter."),
        (
            "description",
            "x" * (DESCRIPTION_MAX + 1),
            "Uraian paling panjang 4.000 karakter; sekarang 4.001.",
        ),
        ("submitter_name", "x" * (NAME_MAX + 1), f"Nama paling panjang {NAME_MAX} karakter."),
        ("phone", "halo", "Tulis nomor HP dengan angka"),
        ("beneficiaries", str(MAX_BENEFICIARIES + 1), "Angka ini terlalu besar."),
        ("cost", "1.5", "Tulis angka bulat saja, misalnya 1.500.000."),
        ("cost", "1.500,5", "Tulis angka bulat saja, misalnya 1.500.000."),
        ("cost", "-5", "Tulis angka bulat saja, misalnya 1.500.000."),
        ("cost", "1e5", "Tulis angka bulat saja, misalnya 1.500.000."),
    ],
)
def test_length_and_format_limits(app, submit, meeting, valid_submission, field, value, message):
    response = submit(meeting.code, dict(valid_submission, **{field: value}))
    assert response.status_code == 422
    assert message in page_text(response)
    assert stored(app) == []


# --- amounts written the everyday way (app/submissions/numbers.py) ------------------------


def test_the_number_fields_show_the_accepted_forms_before_anything_is_typed(client, meeting):
    page = page_text(client.get(f"/m/{meeting.code}"))
    assert "Misalnya 750.000.000, Rp 75 juta, atau 1,5 M (1,5 miliar)." in page
    assert "Jumlah orang, misalnya 200." in page
    assert "jumlah KK boleh disebut di uraian." in page
    assert re.search(r'id="cost"[^>]*aria-describedby="cost-hint"', page) or re.search(
        r'aria-describedby="cost-hint"[^>]*id="cost"', page
    )


def test_amounts_written_in_words_and_signs_are_stored_as_numbers(
    app, submit, meeting, valid_submission
):
    fields = dict(valid_submission, cost="Rp 75 juta", beneficiaries="±200 orang")
    response = submit(meeting.code, fields)
    receipt_code_from(response)
    [row] = stored(app)
    assert (row.cost, row.beneficiaries) == (75_000_000, 200)


def test_a_phone_number_in_the_cost_is_refused_with_everything_typed_kept(
    app, submit, meeting, valid_submission
):
    fields = dict(valid_submission, cost="(0285) 421093", beneficiaries="40 KK")
    response = submit(meeting.code, fields)
    assert response.status_code == 422
    page = page_text(response)
    assert "“(0285) 421093” tampak seperti nomor telepon." in page
    assert "Kolom ini menghitung orang, bukan keluarga (“KK”)." in page
    assert 'value="(0285) 421093"' in page
    assert 'value="40 KK"' in page
    assert 'value="Agus Priyanto"' in page
    assert 'value="Pelatihan membatik untuk pemuda putus sekolah"' in page
    assert stored(app) == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_part_named_in_a_refusal_is_escaped(
    app, client, submit, meeting, valid_submission, language
):
    # Flask-Babel's lazy strings count as safe HTML; the part is the participant's text.
    client.get(f"/bahasa/{language}")
    response = submit(meeting.code, dict(valid_submission, cost="<i>5</i>"))
    assert response.status_code == 422
    page = page_text(response)
    assert "“&lt;i&gt;”" in page
    assert "<i>" not in page
    assert stored(app) == []


def test_an_oversized_request_is_refused_with_a_clear_page(app, submit, meeting, valid_submission):
    response = submit(meeting.code, dict(valid_submission, description="x" * 40_000))
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in page_text(response)
    assert stored(app) == []


def test_an_oversized_chunked_request_is_refused_as_well(app, client, meeting, valid_submission):
    # A chunked body has no Content-Length to check first. gunicorn marks its stream
    # as terminated, as set here.
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    fields = {
        **valid_submission,
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        "description": "x" * 1_000_000,
    }

    def send_chunked(fields: dict):
        return client.post(
            f"/m/{meeting.code}",
            input_stream=io.BytesIO(urlencode(fields).encode()),
            content_type="application/x-www-form-urlencoded",
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    response = send_chunked(fields)
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in page_text(response)
    assert stored(app) == []

    fields["description"] = "Uraian yang dikirim bertahap."
    response = send_chunked(fields)
    assert response.status_code == 303
    assert [row.description for row in stored(app)] == ["Uraian yang dikirim bertahap."]


def test_user_text_is_escaped_on_the_receipt(app, client, submit, meeting, valid_submission):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    code = receipt_code_from(submit(meeting.code, dict(valid_submission, title=payload)))
    page = page_text(client.get(f"/receipt/{code}"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


# --- the access code and the submission window -------------------------------------


def test_the_access_code_is_asked_and_checked(app, submit, make_meeting, valid_submission):
    meeting = make_meeting(access_code="KOPI24")
    response = submit(meeting.code, dict(valid_submission, access_code="SALAH"))
    assert response.status_code == 422
    page = page_text(response)
    assert "Kode akses tidak cocok" in page
    assert 'value="SALAH"' in page and 'value="Agus Priyanto"' in page
    assert stored(app) == []

    receipt_code_from(submit(meeting.code, dict(valid_submission, access_code=" kopi24 ")))
    assert len(stored(app)) == 1


def test_a_meeting_without_access_code_does_not_ask_for_one(client, meeting):
    assert 'name="access_code"' not in page_text(client.get(f"/m/{meeting.code}"))


def test_a_closed_window_says_when_it_closed_and_refuses_input(
    app, client, make_meeting, valid_submission
):
    meeting = make_meeting()
    page = page_text(client.get(f"/m/{meeting.code}"))
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        **valid_submission,
    }
    with app.app_context():
        from app.models import Meeting

        row = db.session.get(Meeting, meeting.id)
        row.closes_at = utcnow().replace(hour=3, minute=0, second=0, microsecond=0) - timedelta(
            days=1
        )
        db.session.commit()

    response = client.post(f"/m/{meeting.code}", data=data)
    assert response.status_code == 409
    page = page_text(response)
    assert "Penerimaan masukan sudah ditutup" in page
    assert re.search(r"Ditutup pada \w+, \d{1,2} \w+ \d{4} 10\.00 WIB", page)
    assert stored(app) == []
    assert 'id="input-form"' not in page_text(client.get(f"/m/{meeting.code}"))


def test_a_meeting_closed_by_staff_refuses_input(
    app, submit, make_meeting, client, valid_submission
):
    meeting = make_meeting(status="closed", closed_at=utcnow())
    page = page_text(client.get(f"/m/{meeting.code}"))
    assert "Penerimaan masukan sudah ditutup" in page
    assert 'id="input-form"' not in page


def test_a_window_not_yet_open_says_when_it_opens(client, make_meeting):
    meeting = make_meeting(opens_at=utcnow() + timedelta(days=2))
    page = page_text(client.get(f"/m/{meeting.code}"))
    assert "Penerimaan masukan belum dibuka" in page
    assert "Dibuka pada" in page
    assert 'id="input-form"' not in page


# --- CSRF: refused, but never losing what was typed --------------------------------------


def test_an_expired_form_comes_back_with_everything_typed(app, client, meeting, valid_submission):
    page = page_text(client.get(f"/m/{meeting.code}"))
    token = hidden_value(page, "client_token")
    data = {"csrf_token": "expired-or-forged", "client_token": token, **valid_submission}
    response = client.post(f"/m/{meeting.code}", data=data)
    assert response.status_code == 422
    page = page_text(response)
    assert "Formulir ini sudah lama terbuka sehingga perlu dikirim ulang" in page
    assert 'value="Agus Priyanto"' in page
    assert valid_submission["description"] in page
    assert stored(app) == []

    # Pressing send again (with the fresh token the page now carries) records it once.
    resend = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        **valid_submission,
    }
    assert resend["client_token"] == token
    receipt_code_from(client.post(f"/m/{meeting.code}", data=resend))
    assert len(stored(app)) == 1


def test_a_post_without_any_csrf_token_stores_nothing(app, client, meeting, valid_submission):
    response = client.post(
        f"/m/{meeting.code}", data={"client_token": "a" * 32, **valid_submission}
    )
    assert response.status_code == 422
    assert stored(app) == []


# --- the status lookup ---------------------------------------------------------------------


def test_status_lookup_shows_the_input_and_its_status_without_the_phone(
    app, client, submit, meeting, valid_submission
):
    code = receipt_code_from(submit(meeting.code, valid_submission))
    with app.app_context():
        row = db.session.scalar(db.select(Submission).filter_by(receipt_code=code))
        row.status = "declined"
        row.decision_reason = "Sudah tercakup dalam program Dinperinaker 2024."
        db.session.commit()

    page = page_text(client.get("/status"))
    typed = f"{code[:4].lower()} {code[4:].lower()}"
    response = client.post(
        "/status", data={"csrf_token": hidden_value(page, "csrf_token"), "receipt_code": typed}
    )
    assert response.status_code == 200
    result = page_text(response)
    assert valid_submission["title"] in result
    assert "Tidak dapat ditindaklanjuti" in result
    assert "Sudah tercakup dalam program Dinperinaker 2024." in result
    assert "0812" not in result


def test_status_lookup_of_an_unknown_code_keeps_what_was_typed(client):
    page = page_text(client.get("/status"))
    response = client.post(
        "/status",
        data={"csrf_token": hidden_value(page, "csrf_token"), "receipt_code": "ZZZZ-9999"},
    )
    assert response.status_code == 422
    result = page_text(response)
    assert "Kode ini tidak ditemukan" in result
    assert 'value="ZZZZ-9999"' in result


def test_status_lookup_without_csrf_token_keeps_what_was_typed(client):
    response = client.post("/status", data={"receipt_code": "ABCD-EFGH"})
    assert response.status_code == 422
    assert 'value="ABCD-EFGH"' in page_text(response)


def test_an_unknown_receipt_is_not_found(client):
    assert client.get("/receipt/ABCDEFGH").status_code == 404


# --- rate limit --------------------------------------------------------------------------


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"RAKOR_SUBMIT_RATE_LIMIT": "2 per minute"}], indirect=True)
def test_too_many_posts_from_one_client_get_a_friendly_page(app, submit, meeting, valid_submission):
    for number in range(2):
        receipt_code_from(
            submit(meeting.code, dict(valid_submission, title=f"Usulan nomor {number}"))
        )
    response = submit(meeting.code, dict(valid_submission, title="Usulan nomor tiga"))
    assert response.status_code == 429
    assert "Terlalu banyak kiriman" in page_text(response)
    assert response.headers["Retry-After"] == "60"
    assert len(stored(app)) == 2


LOOKUPS_3 = {"RAKOR_LOOKUP_RATE_LIMIT": "3 per minute"}


def guess_receipts(client, count: int) -> list[int]:
    return [client.get(f"/receipt/ZZZZ{number:04d}").status_code for number in range(count)]


@pytest.mark.parametrize("app_config", [LOOKUPS_3], indirect=True)
def test_guessing_receipt_codes_is_limited_as_the_status_lookup_is(client, meeting):
    assert guess_receipts(client, 3) == [404, 404, 404]
    refused = client.get("/receipt/ZZZZ9999")
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in page_text(refused)
    assert "kiriman" not in page_text(refused)  # nothing was sent: a look-up was refused
    assert refused.headers["Retry-After"] == "60"
    # One budget for both ways of looking a code up: the status form is spent too.
    assert client.post("/status", data={"receipt_code": "ZZZZ-9999"}).status_code == 429


@pytest.mark.parametrize("app_config", [LOOKUPS_3], indirect=True)
def test_status_lookups_spend_the_budget_of_receipt_addresses_too(client):
    for _ in range(3):
        assert client.post("/status", data={"receipt_code": "ZZZZ-9999"}).status_code == 422
    assert client.get("/receipt/ZZZZ9999").status_code == 429


@pytest.mark.parametrize("app_config", [LOOKUPS_3], indirect=True)
def test_a_participants_own_receipt_opens_even_after_the_limit_is_hit(
    app, client, submit, meeting, valid_submission
):
    sent = submit(meeting.code, valid_submission)
    code = receipt_code_from(sent)
    # Someone on the same network (the venue's wifi) guesses codes until refused.
    guesser = app.test_client()
    assert guess_receipts(guesser, 4)[-1] == 429
    assert guesser.get(f"/receipt/{code}").status_code == 429  # not theirs

    receipt = client.get(sent.headers["Location"])
    assert receipt.status_code == 200
    assert f"{code[:4]}-{code[4:]}" in page_text(receipt)
    assert client.get(f"/receipt/{code[:4]}-{code[4:]}").status_code == 200  # as typed


@pytest.mark.parametrize("app_config", [LOOKUPS_3], indirect=True)
def test_reopening_a_receipt_costs_nothing(app, submit, meeting, valid_submission):
    code = receipt_code_from(submit(meeting.code, valid_submission))
    phone = app.test_client()  # the receipt's address opened on another device
    assert [phone.get(f"/receipt/{code}").status_code for _ in range(5)] == [200] * 5
    assert guess_receipts(phone, 3) == [404, 404, 404]
