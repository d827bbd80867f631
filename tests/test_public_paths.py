"""The public pages on a small phone: addresses with a trailing slash, HEAD, codes typed
loosely, text that cannot turn itself around, and words too long for the screen."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Submission
from app.submissions.services import SubmissionData
from tests.browser_helpers import (
    PHONE_NUMBER,
    assert_fits_the_phone,
    assert_fits_the_window,
    choose_lurah_of_krapyak,
    look_up,
    receipt_code_after_sending,
    send,
    sign_in,
    tap_choice,
)
from tests.helpers import (
    detail_url,
    good_rows,
    hidden_value,
    queue_url,
    submissions,
    upload,
    workbook_bytes,
)

FORM = "/m/rakor-uji"
# Headers that differ between any two requests, whatever their method.
PER_REQUEST_HEADERS = {"X-Request-ID", "Set-Cookie"}


def receipt_path(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return response.headers["Location"]


def the_only_submission(app) -> Submission:
    with app.app_context():
        rows = list(db.session.scalars(select(Submission)))
        db.session.expunge_all()
    assert len(rows) == 1
    return rows[0]


# --- a trailing slash -----------------------------------------------------------------


def test_the_form_opens_with_a_trailing_slash_and_keeps_the_query(client, meeting):
    response = client.get(f"{FORM}/?dari=qr")
    assert response.status_code == 200
    assert meeting.title in response.get_data(as_text=True)


def test_a_form_sent_to_the_address_with_a_slash_is_recorded(
    app, client, meeting, valid_submission
):
    page = client.get(f"{FORM}/").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        **valid_submission,
    }
    location = receipt_path(client.post(f"{FORM}/", data=data))
    assert client.get(location).status_code == 200
    assert the_only_submission(app).title == valid_submission["title"]


@pytest.mark.parametrize("page", ["/hadir", "/tindak-lanjut", "/hadir/tercatat"])
def test_the_meetings_other_pages_answer_with_a_trailing_slash(client, make_meeting, page):
    make_meeting(accountability_public=True)
    without = client.get(f"{FORM}{page}")
    assert without.status_code != 404
    with_slash = client.get(f"{FORM}{page}/")
    assert with_slash.status_code == without.status_code
    assert with_slash.headers.get("Location") == without.headers.get("Location")


# --- HEAD -----------------------------------------------------------------------------


@pytest.fixture
def public_pages(make_meeting, submit, valid_submission) -> list[str]:
    make_meeting(accountability_public=True)
    receipt = receipt_path(submit("rakor-uji", valid_submission))
    return ["/", FORM, receipt, "/status", f"{FORM}/hadir", "/healthz", "/verify"]


def test_head_answers_every_public_page_as_get_does(app, public_pages):
    for path in [*public_pages, f"{FORM}/tindak-lanjut", "/receipt/ZZZZ2222"]:
        got, head = app.test_client().get(path), app.test_client().head(path)
        assert head.status_code == got.status_code, path
        assert head.data == b"", path
        headers = {k: v for k, v in got.headers.items() if k not in PER_REQUEST_HEADERS}
        head_headers = {k: v for k, v in head.headers.items() if k not in PER_REQUEST_HEADERS}
        assert head_headers == headers, path


@pytest.mark.parametrize(
    "app_config",
    [{"RAKOR_SUBMIT_RATE_LIMIT": "2 per minute", "RAKOR_LOOKUP_RATE_LIMIT": "2 per minute"}],
)
def test_head_is_never_counted_against_a_send_or_a_lookup(
    app, client, meeting, submit, valid_submission
):
    for _ in range(5):
        assert client.head(FORM).status_code == 200
        assert client.head("/status").status_code == 200
        assert client.head(f"{FORM}/hadir").status_code == 200
    location = receipt_path(submit("rakor-uji", valid_submission))
    code = location.rsplit("/", 1)[1]
    page = client.get("/status").get_data(as_text=True)
    found = client.post(
        "/status", data={"csrf_token": hidden_value(page, "csrf_token"), "receipt_code": code}
    )
    assert found.status_code == 200
    assert valid_submission["title"] in found.get_data(as_text=True)


# --- codes typed loosely --------------------------------------------------------------


@pytest.mark.parametrize("stored", ["K7QM2XAB9RTZ", "k7qm2XAB9rtz"])
def test_the_access_code_ignores_spaces_and_case(
    app, make_meeting, submit, valid_submission, stored
):
    make_meeting(access_code=stored)
    refused = submit("rakor-uji", valid_submission, access_code="K7QM 2XAB 9RTX")
    assert refused.status_code == 422
    assert "Kode akses tidak cocok" in refused.get_data(as_text=True)
    receipt_path(submit("rakor-uji", valid_submission, access_code="  k7qm 2xab\t9rtz "))
    assert the_only_submission(app).title == valid_submission["title"]


def test_a_receipt_code_is_found_whatever_its_spaces_and_case(
    client, meeting, submit, valid_submission
):
    code = receipt_path(submit("rakor-uji", valid_submission)).rsplit("/", 1)[1]
    typed = f"  {code[:4].lower()} {code[4:6]} {code[6:].lower()} "
    page = client.get("/status").get_data(as_text=True)
    found = client.post(
        "/status", data={"csrf_token": hidden_value(page, "csrf_token"), "receipt_code": typed}
    )
    assert found.status_code == 200
    assert f"{code[:4]}-{code[4:]}" in found.get_data(as_text=True)
    assert client.get(f"/receipt/{code.lower()}").status_code == 200
    assert client.get("/m/RAKOR-UJI").status_code == 200


# --- text that cannot turn itself around ----------------------------------------------

RLO, LRI, PDI, RLM = "\u202e", "\u2066", "\u2069", "\u200f"
EVERY_BIDI_CONTROL = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_removed_from_what_a_participant_sends(
    app, meeting, submit, valid_submission
):
    receipt_path(
        submit(
            "rakor-uji",
            valid_submission,
            title=f"{RLO}abc pelatihan",
            description=f"Pelatihan {EVERY_BIDI_CONTROL}membatik bagi pemuda.",
            submitter_name=f"{LRI}Agus{PDI} Priyanto",
            position=f"Lurah{RLM} Krapyak",
            phone=f"{RLO}0812-2712-3456",
        )
    )
    stored = the_only_submission(app)
    assert stored.title == "abc pelatihan"
    assert stored.description == "Pelatihan membatik bagi pemuda."
    assert stored.submitter_name == "Agus Priyanto"
    assert stored.position == "Lurah Krapyak"
    assert stored.phone == "0812-2712-3456"


def test_bidi_controls_are_removed_from_an_organisation(app, meeting, submit, valid_submission):
    receipt_path(
        submit(
            "rakor-uji",
            valid_submission,
            role="stakeholder",
            unit_kelurahan="",
            unit_organisation=f"{RLO}Universitas Pekalongan",
        )
    )
    assert the_only_submission(app).organisation == "Universitas Pekalongan"


def test_the_paper_import_removes_bidi_controls_too(app, login, meeting):
    rows = good_rows()[:1]
    rows[0][7] = f"{RLO}Pelatihan membatik untuk pemuda"
    rows[0][0] = f"Agus{RLM} Priyanto"
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 303
    (stored,) = submissions(app)
    assert stored.title == "Pelatihan membatik untuk pemuda"
    assert stored.submitter_name == "Agus Priyanto"


# --- words too long for the screen ----------------------------------------------------

LONG_TITLE = "Pelatihan" + "a" * 150
LONG_WORD = "https://contoh.go.id/" + "b" * 300


def send_long_words(page) -> str:
    page.goto(FORM)
    page.get_by_label("Nama lengkap").fill("Agus" + "s" * 110)
    page.get_by_label("Jabatan").fill("Lurah" + "k" * 110)
    page.get_by_label("Nomor HP (tidak wajib)").fill(PHONE_NUMBER)
    choose_lurah_of_krapyak(page)
    tap_choice(page, "kind", "Usulan program atau kegiatan")
    page.locator("#pillar-field label").first.click()
    page.get_by_label("Judul singkat").fill(LONG_TITLE)
    page.get_by_label("Uraian").fill(f"Uraian dengan tautan {LONG_WORD} di tengahnya.")
    send(page)
    return receipt_code_after_sending(page)


@pytest.mark.browser
def test_long_words_never_widen_the_receipt_or_the_status_page(phone, meeting):
    code = send_long_words(phone)
    assert LONG_TITLE in phone.locator("main").inner_text()
    assert_fits_the_phone(phone)
    look_up(phone, code)
    assert LONG_TITLE in phone.locator("section.result").inner_text()
    assert_fits_the_phone(phone)


@pytest.mark.browser
def test_long_words_never_widen_the_queue_or_the_detail_page(desktop, meeting, app, staff):
    send_long_words(desktop)
    (stored,) = submissions(app)
    sign_in(desktop, "secretariat")
    desktop.goto(queue_url(meeting.id))
    assert LONG_TITLE in desktop.locator("table.queue").inner_text()
    assert_fits_the_window(desktop)
    wrap = desktop.locator(".table-wrap").first
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the queue scrolls sideways"
    desktop.goto(detail_url(meeting.id, stored.id))
    assert LONG_TITLE in desktop.locator("h1").inner_text()
    assert_fits_the_window(desktop)


def test_the_stored_values_lose_bidi_controls_whoever_builds_them():
    data = SubmissionData(
        submitter_name=f"{LRI}Agus{PDI}",
        role="lurah",
        position="Lurah",
        kind="usulan",
        pillar_id=1,
        title=f"{RLO}abc",
        description=f"Uraian{EVERY_BIDI_CONTROL}.",
        phone="\u202a0812 2712 3456\u202c",
    )
    assert (data.submitter_name, data.title, data.description) == ("Agus", "abc", "Uraian.")
    assert data.phone == "0812 2712 3456"
