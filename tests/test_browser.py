"""The participant's pages in a real browser, on a 360 px phone.

Chromium (Debian's, through Playwright) fills the form the way a participant
does: taps the labels, picks from the selects, sends, reads the receipt and
looks the code up later. axe-core checks every page for serious accessibility
problems. With RAKOR_SCREENSHOTS=1 the run also saves full-page screenshots to
docs/screenshots/ for the documentation; normal runs write nothing.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import (
    DESCRIPTION,
    FORM,
    PHONE_NUMBER,
    PHONE_WIDTH,
    PILLAR_P2,
    RECEIPT_URL,
    TITLE,
    UNIT_FIELD_IDS,
    UNIT_LABELS,
    assert_fits_the_phone,
    assert_no_phone_number,
    choose_lurah_of_krapyak,
    count_submissions,
    describe,
    english,
    fill_about_me,
    fill_my_input,
    look_up,
    receipt_code_after_sending,
    screenshot,
    send,
    serious_violations,
    stored_submissions,
    tap_choice,
)

pytestmark = pytest.mark.browser


# --- helpers ---------------------------------------------------------------------------


def assert_accessible(page, what: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe on {what} ({page.url}):\n{describe(violations)}"


@pytest.fixture
def phone_without_js(browser, live_server):
    """The same phone with JavaScript switched off."""
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server,
        java_script_enabled=False,
    )
    page = context.new_page()
    yield page
    context.close()


# --- 1. the happy path -------------------------------------------------------------------


def test_a_lurah_sends_input_from_a_phone_and_checks_its_status(phone, meeting, app):
    page = phone
    page.goto(FORM)
    assert "Rapat Koordinasi Penanggulangan Kemiskinan" in page.locator("h1").inner_text()
    assert_fits_the_phone(page)
    # No role picked yet: the unit fields wait until one is.
    for field_id in UNIT_FIELD_IDS.values():
        assert page.locator(f"#{field_id}").is_hidden()
    screenshot(page, "form-phone")

    fill_about_me(page)
    tap_choice(page, "role", "Camat")
    assert page.get_by_label(UNIT_LABELS["camat"]).is_visible()
    assert page.locator("#unit_kelurahan").is_hidden()
    assert page.locator("#unit_agency").is_hidden()
    assert page.locator("#unit_organisation").is_hidden()
    choose_lurah_of_krapyak(page)
    assert page.get_by_label(UNIT_LABELS["lurah"]).is_visible()
    assert page.locator("#unit_kecamatan").is_hidden()
    fill_my_input(page)
    assert_fits_the_phone(page)
    send(page)

    code = receipt_code_after_sending(page)
    page_text = page.locator("main").inner_text()
    assert "Terima kasih, masukan Anda sudah diterima" in page_text
    assert TITLE in page_text
    assert "Krapyak" in page_text
    assert "Rp 75.000.000" in page_text
    assert "Diterima, menunggu tinjauan" in page_text
    assert_no_phone_number(page)
    assert_fits_the_phone(page)
    screenshot(page, "receipt-phone")

    for typed in (code, code.replace("-", "").lower()):
        look_up(page, typed)
        result = page.locator("section.result")
        assert code in result.get_by_role("heading").inner_text()
        assert TITLE in result.inner_text()
        assert "Diterima, menunggu tinjauan" in result.locator(".status").inner_text()
        assert_no_phone_number(page)
        assert_fits_the_phone(page)
    screenshot(page, "status-phone")

    [stored] = stored_submissions(app)
    assert stored.title == TITLE
    assert stored.phone == PHONE_NUMBER  # kept for the secretariat, never shown publicly
    assert stored.kelurahan_id is not None and stored.kecamatan_id is None


def test_the_form_is_comfortable_on_a_phone(phone, meeting):
    page = phone
    page.goto(FORM)
    # The form starts on the first screen; the strategies' overview waits behind a tap.
    assert page.locator("#form-title").bounding_box()["y"] < 740
    overview = page.locator("details.pillars")
    assert not overview.get_by_text("Permodalan, pinjaman dana bergulir").is_visible()
    overview.get_by_text("Strategi penanggulangan kemiskinan").click()
    assert overview.get_by_text("Permodalan, pinjaman dana bergulir").is_visible()

    tap_choice(page, "role", "Lurah")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                '.choice, #input-form input:not([type=hidden]):not([type=radio]),'
                + ' #input-form select, #input-form textarea, #input-form button,'
                + ' .language a, .lang-current, details.pillars > summary')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.id || el.className || el.tagName, el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)"""
    )
    assert small == [], f"touch targets under 44px: {small}"


# --- 2. a validation error first -------------------------------------------------------


def test_a_form_with_mistakes_comes_back_with_everything_typed(phone, meeting, app):
    page = phone
    page.goto(FORM)
    fill_about_me(page, name="Siti Rahayu")
    fill_my_input(page, title="")
    send(page)

    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Ada isian yang perlu diperbaiki" in summary.inner_text()
    # The summary takes the focus so that a screen reader reads it first (the page's
    # script moves it once the page has loaded: waited for, not read at once).
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    assert links.count() == 2
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, f"the summary link {href} leads nowhere"
    assert "Judul singkat: Isi judul masukan." in summary.inner_text()
    assert "Peran dalam rapat: Pilih peran Anda." in summary.inner_text()

    # Each message sits beside its own field.
    assert page.locator("#title-field .field-error").inner_text().endswith("Isi judul masukan.")
    assert page.get_by_label("Judul singkat").get_attribute("aria-invalid") == "true"
    assert page.locator("#role-field .field-error").inner_text().endswith("Pilih peran Anda.")
    assert page.locator(".field-error").count() == 2

    # Nothing typed is lost.
    assert page.get_by_label("Nama lengkap").input_value() == "Siti Rahayu"
    assert page.get_by_label("Uraian").input_value() == DESCRIPTION
    assert page.get_by_label("Nomor HP (tidak wajib)").input_value() == PHONE_NUMBER
    assert page.get_by_label("Perkiraan biaya dalam rupiah").input_value() == "Rp 75.000.000"
    assert page.get_by_role("radio", name=re.compile(PILLAR_P2)).is_checked()
    assert page.get_by_role("radio", name="Usulan program atau kegiatan").is_checked()
    assert page.get_by_label("Sasaran").locator("option:checked").inner_text() == "Pencari kerja"
    assert_fits_the_phone(page)
    screenshot(page, "form-errors-phone")

    # Following a summary link lands on the field to fix.
    summary.get_by_role("link", name=re.compile("Judul singkat")).click()
    expect(page.locator("#title")).to_be_focused()

    page.get_by_label("Judul singkat").fill(TITLE)
    choose_lurah_of_krapyak(page)
    send(page)
    code = receipt_code_after_sending(page)
    assert TITLE in page.locator("main").inner_text()

    [stored] = stored_submissions(app)
    assert stored.title == TITLE
    assert stored.submitter_name == "Siti Rahayu"
    assert stored.receipt_code == code.replace("-", "")


# --- 3. a double tap --------------------------------------------------------------------


def test_a_double_tap_on_send_records_one_input(phone, meeting, app):
    page = phone
    page.goto(FORM)
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    page.get_by_role("button", name="Kirim masukan").dblclick()
    receipt_code_after_sending(page)
    assert count_submissions(app) == 1


def test_the_same_form_sent_twice_before_the_answer_records_one_input(phone, meeting, app):
    page = phone
    page.goto(FORM)
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    # Two sends of the same form load that both reach the server, at the same time:
    # what a flaky connection's retry or a second tap before the page changes does.
    answers = page.evaluate(
        """async () => {
            const form = document.getElementById('input-form');
            const body = new URLSearchParams(new FormData(form));
            const sendOnce = () => fetch(form.action, {method: 'POST', body})
                .then(response => [response.status, response.url]);
            return Promise.all([sendOnce(), sendOnce()]);
        }"""
    )
    (first_status, first_url), (second_status, second_url) = answers
    assert first_status == second_status == 200
    assert RECEIPT_URL.search(first_url)
    assert first_url == second_url, "both sends must answer with the same receipt"
    assert count_submissions(app) == 1


# --- 4. accessibility --------------------------------------------------------------------


def test_the_public_pages_have_no_serious_accessibility_problems(phone, meeting):
    page = phone
    page.goto(FORM)
    assert_accessible(page, "the empty form")

    send(page)
    page.locator("#error-summary").wait_for()
    assert_accessible(page, "the form with errors")

    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    send(page)
    code = receipt_code_after_sending(page)
    assert_accessible(page, "the receipt")

    look_up(page, code)
    page.locator("section.result").wait_for()
    assert_accessible(page, "the status result")

    look_up(page, "ZZZZ-ZZZZ")
    page.locator("#error-summary").wait_for()
    assert_accessible(page, "the status lookup with an unknown code")


# --- 5. without JavaScript ---------------------------------------------------------------


def test_the_form_works_without_javascript(phone_without_js, meeting, app):
    page = phone_without_js
    page.goto(FORM)
    for role, label in UNIT_LABELS.items():
        field = page.get_by_label(label)
        assert field.is_visible(), f"the {role} unit field is hidden without JavaScript"
    assert_fits_the_phone(page)

    page.get_by_label("Nama lengkap").fill("Dewi Lestari")
    tap_choice(page, "role", "Pemangku kepentingan lain")
    page.get_by_label(UNIT_LABELS["stakeholder"]).fill("BPS Kota Pekalongan")
    page.get_by_label("Jabatan").fill("Statistisi Ahli Muda")
    tap_choice(page, "kind", "Kendala atau penyebab")
    tap_choice(page, "pillar", PILLAR_P2)
    page.get_by_label("Judul singkat").fill("Data DTKS belum diperbarui")
    page.get_by_label("Uraian").fill("Banyak keluarga miskin baru belum masuk DTKS tahun ini.")
    send(page)

    receipt_code_after_sending(page)
    page_text = page.locator("main").inner_text()
    assert "Data DTKS belum diperbarui" in page_text
    assert "BPS Kota Pekalongan" in page_text
    [stored] = stored_submissions(app)
    assert (stored.role, stored.organisation) == ("stakeholder", "BPS Kota Pekalongan")


# --- 6. the language switch ---------------------------------------------------------------


def test_the_language_switch_shows_english_and_remembers_it(phone, meeting):
    page = phone
    page.goto(FORM)
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("button").inner_text() == "Kirim masukan"

    page.locator(".language").get_by_role("link", name=re.compile(r"^EN\b")).click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith(FORM), "the switch must come back to the same page"
    assert page.locator(".lang-current").inner_text().startswith("EN")
    assert english("Kirim masukan") != "Kirim masukan", "the catalog lacks the send button"
    assert page.get_by_role("button").inner_text() == english("Kirim masukan")
    assert page.locator("#form-title").inner_text() == english("Sampaikan masukan Anda")

    # The choice is remembered on the next page and the next visit.
    page.goto("/status")
    assert page.locator("html").get_attribute("lang") == "en"
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name=english("Cek status")).is_visible()

    page.locator(".language").get_by_role("link", name=re.compile(r"^ID\b")).click()
    page.wait_for_function("document.documentElement.lang === 'id'")
    assert page.get_by_role("button", name="Cek status").is_visible()
