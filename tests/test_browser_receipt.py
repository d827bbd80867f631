"""The receipt on a 360 px phone: a lurah sends an input, reads what happens next, follows
the correction link, corrects the title and sees it on the receipt. axe-core finds no
problem at all on the receipt, nor on the correction form; the privacy page fits."""

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Submission
from tests.browser_helpers import (
    FORM,
    PHONE_NUMBER,
    TITLE,
    assert_fits_the_phone,
    assert_no_phone_number,
    axe,
    choose_lurah_of_krapyak,
    describe,
    fill_about_me,
    fill_my_input,
    receipt_code_after_sending,
    send,
)

pytestmark = pytest.mark.browser

NEW_TITLE = "Pelatihan membatik tulis dan cap untuk pemuda putus sekolah"


def assert_no_violation_at_all(page, what: str) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, f"axe on {what} ({page.url}):\n{describe(violations)}"


def test_a_lurah_corrects_the_title_from_the_receipt_on_a_phone(phone, app, meeting):
    page = phone
    page.goto(FORM)
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    send(page)
    code = receipt_code_after_sending(page)

    main = page.locator("main")
    steps = page.locator("section.next-steps")
    assert "Langkah selanjutnya" in steps.inner_text()
    assert "Sekretariat rapat meninjau setiap masukan" in steps.inner_text()
    assert f"kode {code}" in steps.inner_text()
    assert "Agus Priyanto" not in main.inner_text()
    assert "Lurah Krapyak" not in main.inner_text()
    assert_no_phone_number(page)
    share = page.get_by_role("link", name="Bagikan tautan rapat lewat WhatsApp")
    assert f"/m/{meeting.code}" in unquote(share.get_attribute("href"))
    assert_fits_the_phone(page)
    assert_no_violation_at_all(page, "the receipt")

    page.get_by_role("link", name="Ubah masukan ini").click()
    page.wait_for_url(re.compile(rf"/receipt/{code.replace('-', '')}/ubah/"))
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    assert page.get_by_label("Nomor HP (tidak wajib)").input_value() == PHONE_NUMBER
    # The unit field of the role sent is the one shown (the form's script ran).
    assert page.get_by_label("Kelurahan (untuk lurah)").is_visible()
    assert_fits_the_phone(page)
    assert_no_violation_at_all(page, "the correction form")

    page.get_by_label("Judul singkat").fill(NEW_TITLE)
    page.get_by_role("button", name="Simpan perbaikan").click()
    receipt_code_after_sending(page)
    assert "Perbaikan Anda sudah disimpan." in main.inner_text()
    assert NEW_TITLE in page.locator(".submission-title").inner_text()
    assert_fits_the_phone(page)
    assert_no_violation_at_all(page, "the receipt after a correction")

    with app.app_context():
        stored = db.session.scalar(select(Submission))
        assert (stored.title, stored.receipt_code) == (NEW_TITLE, code.replace("-", ""))
        assert stored.corrected_at is not None


def test_the_privacy_page_reads_on_a_phone(phone, meeting):
    page = phone
    page.goto(FORM)
    page.get_by_text("Apa yang diminta, untuk apa, dan kepada siapa bertanya").click()
    page.get_by_role("link", name="Selengkapnya tentang data pribadi").click()
    page.wait_for_url(re.compile(r"/privasi$"))
    assert "Data pribadi peserta rapat" in page.locator("h1").inner_text()
    assert_fits_the_phone(page)
    assert_no_violation_at_all(page, "the privacy page")
