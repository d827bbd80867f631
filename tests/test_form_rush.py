"""The public form when things go wrong: the rush on one wifi, the meeting closing while
someone types (and its grace period), a send repeated, long text, errors in page order."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.domain import DESCRIPTION_MAX, TITLE_MAX
from app.extensions import db
from app.models import Meeting, Program, Submission
from app.models.base import utcnow
from app.submissions import services
from app.submissions.views import wait_in_words
from config import Config
from tests.helpers import hidden_value, queue_url

FORM = "/m/rakor-uji"


def stored(app) -> list[Submission]:
    with app.app_context():
        rows = db.session.scalars(select(Submission).order_by(Submission.id)).all()
        db.session.expunge_all()
        return rows


def page_text(response) -> str:
    return response.get_data(as_text=True)


def receipt_code_from(response) -> str:
    assert response.status_code == 303, response.status_code
    match = re.fullmatch(r"/receipt/([A-Z0-9]{8})", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def form_tokens(client, url: str = FORM) -> dict:
    page = page_text(client.get(url))
    return {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
    }


def textarea_text(html: str, field_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {field_id}"
    return unescape(match.group(1)).lstrip("\r\n")


def input_value(html: str, field_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', html)
    assert match, f"no input {field_id} with a value"
    return unescape(match.group(1))


def change_meeting(app, meeting_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(Meeting, meeting_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


# --- 1. the rush: one address, a whole room ------------------------------------------------

# The shipped defaults, not the tests' lifted ones (tests/helpers.py make_app).
SHIPPED_LIMITS = {
    "RAKOR_SUBMIT_RATE_LIMIT": Config.RAKOR_SUBMIT_RATE_LIMIT,
    "RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT": Config.RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT,
}


@pytest.mark.parametrize("app_config", [SHIPPED_LIMITS], indirect=True)
def test_a_room_of_300_on_one_address_is_all_recorded_with_the_shipped_limits(
    app, client, meeting, valid_submission
):
    """300 participants behind the venue's one address, all in the same minute, and 100
    sends refused for a missing answer on the way: every valid send is recorded."""
    tokens = form_tokens(client)
    statuses = []
    for number in range(400):
        if number % 4 == 3:  # a refused send: the title left empty
            data = dict(valid_submission, title="")
        else:
            data = dict(
                valid_submission,
                submitter_name=f"Peserta nomor {number}",
                title=f"Usulan peserta nomor {number}",
            )
        statuses.append(client.post(FORM, data={**tokens, **data}).status_code)
    assert statuses.count(303) == 300
    assert statuses.count(422) == 100
    assert 429 not in statuses
    assert len(stored(app)) == 300


FLOOD = {"RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT": "5 per minute"}


@pytest.mark.parametrize("app_config", [FLOOD], indirect=True)
def test_a_flood_gets_the_form_back_with_429_everything_typed_and_when_to_retry(
    app, client, meeting, valid_submission
):
    tokens = form_tokens(client)
    for _ in range(5):
        assert (
            client.post(FORM, data={**tokens, **valid_submission, "title": ""}).status_code == 422
        )
    description = "Mohon pelatihan membatik.\r\nUntuk 40 pemuda putus sekolah di RW 05."
    typed = dict(valid_submission, title="Judul yang sudah diketik", description=description)
    refused = client.post(FORM, data={**tokens, **typed})

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    html = page_text(refused)
    assert "Masukan Anda belum tercatat" in html
    assert (
        f"Coba kirim lagi dalam {wait} detik." in html or "Coba kirim lagi dalam 1 menit." in html
    )
    # The form itself, with everything typed still in it.
    assert 'id="input-form"' in html
    assert input_value(html, "title") == "Judul yang sudah diketik"
    assert textarea_text(html, "description") == description.replace("\r\n", "\n")
    assert input_value(html, "submitter_name") == "Agus Priyanto"
    assert stored(app) == []


RECORDED_3 = {"RAKOR_SUBMIT_RATE_LIMIT": "3 per minute"}


@pytest.mark.parametrize("app_config", [RECORDED_3], indirect=True)
def test_refused_sends_do_not_spend_the_budget_of_recorded_ones(
    app, client, meeting, valid_submission
):
    tokens = form_tokens(client)
    for _ in range(10):
        assert (
            client.post(FORM, data={**tokens, **valid_submission, "title": ""}).status_code == 422
        )
    for number in range(2):
        sent = client.post(FORM, data={**tokens, **valid_submission, "title": f"Usulan {number}"})
        receipt_code_from(sent)
    # The same content again is no new input: answered with its receipt, nothing spent.
    again = client.post(FORM, data={**tokens, **valid_submission, "title": "Usulan 0"})
    receipt_code_from(again)
    receipt_code_from(client.post(FORM, data={**tokens, **valid_submission, "title": "Usulan 2"}))

    refused = client.post(FORM, data={**tokens, **valid_submission, "title": "Usulan ketiga"})
    assert refused.status_code == 429
    assert "Masukan Anda belum tercatat" in page_text(refused)
    assert input_value(page_text(refused), "title") == "Usulan ketiga"
    # Back, then Kirim again, once the budget is spent: recorded, so its receipt.
    repeat = client.post(FORM, data={**tokens, **valid_submission, "title": "Usulan 2"})
    assert receipt_code_from(repeat) == stored(app)[-1].receipt_code
    assert "sudah kami terima sebelumnya" in page_text(client.get(repeat.headers["Location"]))
    assert len(stored(app)) == 3


@pytest.mark.parametrize("app_config", [FLOOD], indirect=True)
def test_other_public_routes_keep_the_sites_429_page(app, client, meeting):
    for _ in range(5):
        client.post(FORM, data={"title": "x"})
    assert client.post(FORM, data={"title": "x"}).status_code == 429
    assert client.get(FORM).status_code == 200  # reading the form costs nothing
    # An unknown meeting's address answers with the site's page, not a form.
    for _ in range(6):
        refused = client.post("/m/tidak-ada", data={"title": "x"})
    assert refused.status_code == 429
    assert "Terlalu banyak kiriman" in page_text(refused)
    assert 'id="input-form"' not in page_text(refused)


def test_the_wait_is_said_in_words(app):
    with app.test_request_context():
        assert wait_in_words(40) == "Coba kirim lagi dalam 40 detik."
        assert wait_in_words(61) == "Coba kirim lagi dalam 2 menit."


# --- 2. the meeting closes while someone types ------------------------------------------


def test_a_send_after_closing_keeps_the_text_and_says_it_was_not_recorded(
    app, client, meeting, valid_submission
):
    tokens = form_tokens(client)
    description = "Baris pertama uraian.\r\nBaris kedua uraian yang panjang."
    closed_at = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    change_meeting(app, meeting.id, status="closed", closed_at=closed_at)

    response = client.post(FORM, data={**tokens, **valid_submission, "description": description})
    assert response.status_code == 409
    html = page_text(response)
    assert "Masukan Anda belum tercatat" in html
    assert "Penerimaan masukan sudah ditutup sebelum masukan Anda terkirim" in html
    assert re.search(r"Ditutup pada \w+, \d{1,2} \w+ \d{4} \d\d\.\d\d WIB", html)
    assert 'id="input-form"' not in html  # nothing here can be sent
    text = textarea_text(html, "typed-text")
    assert valid_submission["title"] in text
    assert "Baris pertama uraian.\nBaris kedua uraian yang panjang." in text
    assert "Peran dalam rapat: Lurah" in text
    assert "Kelurahan (untuk lurah): Krapyak" in text
    assert "Perkiraan biaya dalam rupiah (tidak wajib): Rp 75.000.000" in text
    assert "Kecamatan (untuk camat)" not in text  # another role's unit
    assert 'data-copy-button="Salin teks"' in html
    assert re.search(r"<textarea[^>]*readonly", html)
    assert stored(app) == []


def test_an_incomplete_send_after_closing_keeps_its_text_too(
    app, client, meeting, valid_submission
):
    tokens = form_tokens(client)
    change_meeting(app, meeting.id, status="closed", closed_at=utcnow())
    response = client.post(FORM, data={**tokens, **valid_submission, "position": ""})
    assert response.status_code == 409
    assert valid_submission["description"] in textarea_text(page_text(response), "typed-text")


def test_the_closed_page_cannot_be_read_as_if_ones_own_input_was_kept(app, client, meeting):
    change_meeting(app, meeting.id, status="closed", closed_at=utcnow())
    html = page_text(client.get(FORM))
    assert "Penerimaan masukan sudah ditutup" in html
    assert "Formulir ini tidak lagi menerima masukan" in html
    assert "Bila Anda belum mengirim, hubungi sekretariat rapat" in html
    assert "Masukan yang sudah diterima tetap tersimpan" not in html


def test_an_input_sent_before_closing_and_sent_again_after_keeps_its_receipt(
    app, client, meeting, valid_submission
):
    tokens = form_tokens(client)
    code = receipt_code_from(client.post(FORM, data={**tokens, **valid_submission}))
    change_meeting(app, meeting.id, status="closed", closed_at=utcnow())
    again = client.post(FORM, data={**tokens, **valid_submission})
    assert receipt_code_from(again) == code
    assert len(stored(app)) == 1


# --- the grace period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({"status": "open"}, "open"),
        ({"status": "open", "closes_at": -5, "late_grace_minutes": 0}, "closed"),
        ({"status": "open", "closes_at": -5, "late_grace_minutes": 10}, "late"),
        ({"status": "open", "closes_at": -10, "late_grace_minutes": 10}, "closed"),
        ({"status": "closed", "closed_at": -2, "late_grace_minutes": 10}, "late"),
        ({"status": "closed", "closed_at": -2, "late_grace_minutes": 0}, "closed"),
        ({"status": "closed", "closed_at": None, "late_grace_minutes": 10}, "closed"),
        # Closed by staff after the window ended: the grace counts from the window's end.
        (
            {"status": "closed", "closes_at": -30, "closed_at": -2, "late_grace_minutes": 10},
            "closed",
        ),
        ({"status": "finalised", "closed_at": -2, "late_grace_minutes": 240}, "closed"),
        ({"status": "open", "opens_at": 5, "late_grace_minutes": 10}, "not_yet_open"),
    ],
)
def test_the_window_state_with_a_grace_period(fields, state):
    now = utcnow()
    values = {
        name: now + timedelta(minutes=value)
        if name.endswith("_at") and value is not None
        else value
        for name, value in fields.items()
    }
    meeting = Meeting(**{"closes_at": None, "opens_at": None, "closed_at": None, **values})
    assert services.window_state(meeting, now) == state


def test_in_the_grace_period_the_form_takes_input_marked_late(
    app, client, login, meeting, valid_submission
):
    tokens = form_tokens(client)
    on_time = receipt_code_from(
        client.post(FORM, data={**tokens, **valid_submission, "title": "Masukan tepat waktu"})
    )
    change_meeting(
        app,
        meeting.id,
        closes_at=utcnow() - timedelta(minutes=5),
        late_grace_minutes=30,
    )
    page = page_text(client.get(FORM))
    assert 'id="input-form"' in page
    assert "dicatat sebagai masukan terlambat" in page

    late = client.post(FORM, data={**tokens, **valid_submission, "title": "Masukan terlambat"})
    code = receipt_code_from(late)
    rows = {row.receipt_code: row for row in stored(app)}
    assert rows[code].late is True
    assert rows[on_time].late is False
    receipt = page_text(client.get(late.headers["Location"]))
    assert "dicatat sebagai masukan terlambat" in receipt

    queue = page_text(login("secretariat").get(queue_url(meeting.id)))
    late_row = re.search(r"<tr>(?:(?!</tr>).)*Masukan terlambat(?:(?!</tr>).)*</tr>", queue, re.S)
    on_time_row = re.search(
        r"<tr>(?:(?!</tr>).)*Masukan tepat waktu(?:(?!</tr>).)*</tr>", queue, re.S
    )
    assert "Terlambat" in late_row.group(0)
    assert "Terlambat" not in on_time_row.group(0)


def test_after_the_grace_period_a_send_is_not_recorded(app, client, meeting, valid_submission):
    tokens = form_tokens(client)
    change_meeting(
        app, meeting.id, closes_at=utcnow() - timedelta(minutes=31), late_grace_minutes=30
    )
    response = client.post(FORM, data={**tokens, **valid_submission})
    assert response.status_code == 409
    html = page_text(response)
    assert "Masukan Anda belum tercatat" in html
    assert "Tenggang waktu untuk masukan terlambat berakhir pada" in html
    assert stored(app) == []


# --- 3. a send repeated from the same filled form ------------------------------------


def test_the_same_content_from_a_fresh_page_load_is_one_input(
    app, client, meeting, valid_submission
):
    first = client.post(FORM, data={**form_tokens(client), **valid_submission})
    # Reloaded page (a new client token), the same answers typed or restored again.
    second = client.post(FORM, data={**form_tokens(client), **valid_submission})
    assert receipt_code_from(first) == receipt_code_from(second)
    assert len(stored(app)) == 1
    assert "sudah kami terima sebelumnya" in page_text(client.get(second.headers["Location"]))

    # Spaces around the answers and CRLF line breaks do not make it another input.
    padded = dict(valid_submission, title=f"  {valid_submission['title']} ")
    third = client.post(FORM, data={**form_tokens(client), **padded})
    assert receipt_code_from(third) == receipt_code_from(first)
    # An edited send is a new one.
    edited = dict(valid_submission, description=valid_submission["description"] + " Mendesak.")
    fourth = client.post(FORM, data={**form_tokens(client), **edited})
    assert receipt_code_from(fourth) != receipt_code_from(first)
    assert len(stored(app)) == 2


def test_the_same_content_from_another_person_is_their_own_input(
    app, client, meeting, valid_submission
):
    first = client.post(FORM, data={**form_tokens(client), **valid_submission})
    other = dict(valid_submission, submitter_name="Rina Kurniasari")
    second = client.post(FORM, data={**form_tokens(client), **other})
    assert receipt_code_from(first) != receipt_code_from(second)
    assert len(stored(app)) == 2


def test_the_web_key_never_meets_a_paper_import_key(app, meeting, valid_submission):
    from app.paper.services import import_key

    data = services.SubmissionData(
        submitter_name="Agus",
        role="lurah",
        position="Lurah",
        kind="usulan",
        pillar_id=1,
        title="Judul usulan",
        description="Uraian usulan yang cukup panjang.",
    )
    with app.app_context():
        assert services.idempotency_key(data) != import_key(data)
        assert not services.idempotency_key(data).startswith("import:")


# --- 4. long text ---------------------------------------------------------------------


def long_text(characters: int, breaks: int) -> str:
    """`characters` characters as stored, `breaks` of them line breaks, sent as CRLF."""
    line = "Warga miskin di Krapyak perlu pendampingan usaha. "
    words = (line * (characters // len(line) + 1))[: characters - breaks]
    step = len(words) // (breaks + 1)
    parts = [words[i * step : (i + 1) * step] for i in range(breaks)] + [words[breaks * step :]]
    return "\r\n".join(part.strip() or "x" for part in parts)


def test_a_line_break_counts_as_one_character_and_is_stored_as_lf(
    app, client, meeting, valid_submission
):
    sent = long_text(3990, 43)
    assert sent.count("\r\n") == 43 and len(sent) > DESCRIPTION_MAX  # over, if CRLF were two
    response = client.post(
        FORM, data={**form_tokens(client), **valid_submission, "description": sent}
    )
    receipt_code_from(response)
    [row] = stored(app)
    assert "\r" not in row.description
    assert row.description.count("\n") == 43
    assert row.description == sent.replace("\r\n", "\n")
    assert len(row.description) <= DESCRIPTION_MAX


def test_a_text_over_the_limit_names_the_limit_and_the_count_and_is_kept_whole(
    app, client, meeting, valid_submission
):
    sent = ("Uraian yang terlalu panjang untuk formulir ini. " * 100)[:4500]
    response = client.post(
        FORM, data={**form_tokens(client), **valid_submission, "description": sent}
    )
    assert response.status_code == 422
    html = page_text(response)
    assert "Uraian paling panjang 4.000 karakter; sekarang 4.500." in html
    assert textarea_text(html, "description") == sent.strip()
    title = "J" * (TITLE_MAX + 15)
    response = client.post(FORM, data={**form_tokens(client), **valid_submission, "title": title})
    html = page_text(response)
    assert "Judul paling panjang 160 karakter; sekarang 175." in html
    assert input_value(html, "title") == title
    assert stored(app) == []


def test_the_length_message_in_english(app, client, meeting, valid_submission):
    client.get("/bahasa/en")
    sent = "x" * 4512
    response = client.post(
        FORM, data={**form_tokens(client), **valid_submission, "description": sent}
    )
    assert "at most 4,000 characters; it now has 4,512." in page_text(response)


# --- 5. errors in page order --------------------------------------------------------------


def test_the_error_summary_lists_errors_in_the_order_of_the_page(
    app, client, meeting, valid_submission
):
    with app.app_context():
        assert db.session.scalar(select(Program.id).limit(1)) is not None  # one to pick
    data = dict(valid_submission, kind="evaluasi", program="", title="", description="")
    response = client.post(FORM, data={**form_tokens(client), **data})
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</ul>', page_text(response), re.S).group(0)
    anchors = re.findall(r'href="#([a-z_]+)', summary)
    assert anchors == ["program", "title", "description"]


def edit_form(client, url: str, **fields) -> dict:
    page = page_text(client.get(url))
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "title": "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024",
        "date": "2024-01-23",
        "start_time": "09:00",
        "venue": "Ruang Jlamprang Setda Kota Pekalongan",
        "code": "rakor-uji",
        "late_grace_minutes": "",
    }
    data.update(fields)
    return data


def test_the_grace_period_is_set_on_the_meeting_form(app, login, meeting):
    client = login("secretariat")
    url = f"/admin/meetings/{meeting.id}/edit"
    assert "Tenggang waktu setelah ditutup (menit)" in page_text(client.get(url))

    refused = client.post(url, data=edit_form(client, url, late_grace_minutes="241"))
    assert refused.status_code == 422
    assert "Antara 0 dan 240 menit." in page_text(refused)
    assert 'value="241"' in page_text(refused)

    assert client.post(url, data=edit_form(client, url, late_grace_minutes="15")).status_code == 303
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).late_grace_minutes == 15
    assert 'value="15"' in page_text(client.get(url))

    assert client.post(url, data=edit_form(client, url)).status_code == 303  # empty: none
    with app.app_context():
        assert db.session.get(Meeting, meeting.id).late_grace_minutes == 0
