"""The public form when things go wrong, in a real browser on a 360 px phone: a send
refused by the rate limit comes back with everything typed; back then Kirim again is one
input; the meeting closing while someone types leaves their text to copy."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Meeting
from app.models.base import utcnow
from tests.browser_helpers import (
    DESCRIPTION,
    FORM,
    TITLE,
    assert_fits_the_phone,
    choose_lurah_of_krapyak,
    describe,
    fill_about_me,
    fill_my_input,
    receipt_code_after_sending,
    send,
    serious_violations,
    stored_submissions,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def fill_the_form(page) -> None:
    page.goto(FORM)
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)


@pytest.mark.parametrize(
    "app_config", [{"RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT": "1 per minute"}], indirect=True
)
def test_a_send_refused_by_the_rate_limit_keeps_everything_typed(phone, app, meeting):
    page = phone
    page.goto(FORM)
    send(page)  # empty: refused, and the one send of the minute spent
    page.wait_for_selector("#error-summary")
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        send(page)
    assert answer.value.status == 429
    assert 1 <= int(answer.value.headers["retry-after"]) <= 60
    page.wait_for_load_state()

    notice = page.locator("#rate-notice").inner_text()
    assert "Masukan Anda belum tercatat" in notice
    assert "Coba kirim lagi dalam" in notice
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    assert page.get_by_label("Uraian").input_value() == DESCRIPTION
    assert page.get_by_label("Nama lengkap").input_value() == "Agus Priyanto"
    assert_fits_the_phone(page)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert stored_submissions(app) == []


def test_send_go_back_and_send_again_is_one_input_with_one_receipt(phone, app, meeting):
    page = phone
    fill_the_form(page)
    send(page)
    first = receipt_code_after_sending(page)

    page.go_back()
    page.wait_for_load_state()
    if page.get_by_label("Judul singkat").input_value() != TITLE:
        fill_about_me(page)  # a browser that does not keep the answers: typed again
        choose_lurah_of_krapyak(page)
        fill_my_input(page)
    send(page)
    assert receipt_code_after_sending(page) == first
    assert "sudah kami terima sebelumnya" in page.locator("main").inner_text()
    assert len(stored_submissions(app)) == 1


def test_the_meeting_closing_while_typing_leaves_the_text_to_copy(phone, app, meeting):
    page = phone
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    fill_the_form(page)
    with app.app_context():
        row = db.session.get(Meeting, meeting.id)
        row.status, row.closed_at = "closed", utcnow() - timedelta(minutes=1)
        db.session.commit()
    send(page)
    page.wait_for_selector("#not-recorded")

    assert "Masukan Anda belum tercatat" in page.locator("#not-recorded").inner_text()
    text = page.get_by_label("Teks masukan Anda").input_value()
    assert TITLE in text and DESCRIPTION in text
    page.get_by_role("button", name="Salin teks").click()
    # Through a locator, not a JavaScript predicate: the page's CSP allows no eval.
    expect(page.locator("#copy-status")).to_have_text(re.compile(r"\S"))
    assert page.evaluate("navigator.clipboard.readText()") == text
    assert_fits_the_phone(page)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert stored_submissions(app) == []
