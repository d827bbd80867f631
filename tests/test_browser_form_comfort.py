"""The input form on a small phone, in a real browser: the live character count, the
error summary's links, the marks of fields an answer makes required, the first screen,
no sideways scrolling at 320 px, at 200 % zoom and with a large font, tappable choice
rows, a visible focus, and what the phone keeps (the draft, the sender's details).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import (
    DESCRIPTION,
    FORM,
    PHONE_NUMBER,
    TITLE,
    UNIT_LABELS,
    choose_lurah_of_krapyak,
    describe,
    english,
    fill_about_me,
    fill_my_input,
    receipt_code_after_sending,
    send,
    tap_choice,
)
from tests.browser_helpers import axe as axe_runner

pytestmark = pytest.mark.browser

LONG_VENUE = "Ruang Rapat Jlamprang Lantai 2 Gedung Sekretariat Daerah Kota Pekalongan"
LONG_CHAIR = "Ir. Achmad Afzan Arslan Djunaid, S.E., M.Si."


def all_violations(page) -> list[dict]:
    """axe-core's violations of any impact: the goal for the form is none at all."""
    return axe_runner.run(page).response["violations"]


def wait_for_the_worker(page) -> None:
    """Until the service worker controls the page (it then sees the receipt open)."""
    page.evaluate(
        """() => new Promise(done => navigator.serviceWorker.controller ? done()
            : navigator.serviceWorker.addEventListener('controllerchange', done))"""
    )


def stored(page, key: str):
    return page.evaluate("key => JSON.parse(localStorage.getItem(key))", key)


# --- 1. the character count ----------------------------------------------------------------


def test_the_count_says_how_far_over_and_nothing_typed_is_cut(phone, meeting):
    page = phone
    page.goto(FORM)
    title = page.get_by_label("Judul singkat")
    assert title.get_attribute("maxlength") is None
    assert page.get_by_label("Uraian").get_attribute("maxlength") is None
    count = page.locator("#title-count")
    assert count.inner_text() == "Sisa 160 karakter"
    # The count is read with the field, and a pause in typing is announced politely.
    assert "title-count" in title.get_attribute("aria-describedby")
    assert page.locator("#title-count-live").get_attribute("aria-live") == "polite"

    typed = "Pelatihan membatik " * 9  # 170 characters and a space, which is not counted
    title.fill(typed)
    assert count.inner_text() == "Kelebihan 10 karakter"
    assert "is-over" in count.get_attribute("class")
    assert title.input_value() == typed, "the browser cut what was typed"
    expect(page.locator("#title-count-live")).to_have_text("Kelebihan 10 karakter")

    title.fill(typed[:159])
    assert count.inner_text() == "Sisa 1 karakter"

    # A line break counts as one character, as the server counts it.
    description = page.get_by_label("Uraian")
    description.fill("Baris satu\nBaris dua\n" + "x" * 3989)  # 4,010 with two line breaks
    assert page.locator("#description-count").inner_text() == "Kelebihan 10 karakter"
    description.fill("\n".join(["warga"] * 700))  # 3,500 letters and 699 line breaks
    assert page.locator("#description-count").inner_text() == "Kelebihan 199 karakter"
    description.fill("x" * 3000)
    assert page.locator("#description-count").inner_text() == "Sisa 1.000 karakter"


def test_the_count_speaks_english_on_the_english_form(phone, meeting):
    page = phone
    page.goto(FORM)
    page.locator(".language").get_by_role("link", name=re.compile(r"^EN\b")).click()
    page.locator("html[lang=en]").wait_for()
    page.locator("#title").fill("x" * 162)
    assert page.locator("#title-count").inner_text() == "You have 2 characters too many"
    assert english("Kelebihan {n} karakter") == "You have {n} characters too many"


def test_without_javascript_the_limit_is_stated(phone_no_js, meeting):
    page = phone_no_js
    page.goto(FORM)
    assert page.locator("#title-count").inner_text() == "Paling banyak 160 karakter."
    assert page.locator("#description-count").inner_text() == "Paling banyak 4.000 karakter."


@pytest.fixture
def phone_no_js(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        locale="id-ID",
        base_url=live_server,
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


# --- 2. the error summary and the marks of required fields ------------------------------


def test_an_error_link_shows_the_question_and_focuses_the_field(phone, meeting):
    page = phone
    page.goto(FORM)
    page.get_by_label("Judul singkat").fill(TITLE)
    page.get_by_label("Uraian").fill(DESCRIPTION)
    send(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()

    summary.get_by_role("link", name=re.compile("^Jenis masukan")).click()
    expect(page.locator("#kind-0")).to_be_focused()
    legend = page.locator("#kind-field > legend").bounding_box()
    assert 0 <= legend["y"] < 740, f"the question is out of view: {legend}"

    page.locator("#error-summary").scroll_into_view_if_needed()
    summary.get_by_role("link", name=re.compile("^Nama lengkap")).click()
    expect(page.locator("#submitter_name")).to_be_focused()
    label = page.locator("label[for=submitter_name]").bounding_box()
    assert 0 <= label["y"] < 740, f"the label is out of view: {label}"


def test_a_chosen_role_marks_its_unit_and_evaluation_marks_the_program(phone, meeting):
    page = phone
    page.goto(FORM)
    program_mark = page.locator("#program-field .required")
    assert program_mark.is_hidden()
    tap_choice(page, "role", "Camat")
    assert page.locator("#unit_kecamatan-field .required").is_visible()
    assert page.locator("#unit_kecamatan").get_attribute("aria-required") == "true"
    tap_choice(page, "role", "Lurah")
    assert page.locator("#unit_kelurahan-field .required").is_visible()
    assert page.locator("#unit_kecamatan").get_attribute("aria-required") is None
    tap_choice(page, "kind", "Evaluasi program yang berjalan")
    assert program_mark.is_visible()
    assert page.locator("#program").get_attribute("aria-required") == "true"
    tap_choice(page, "kind", "Kendala atau penyebab")
    assert program_mark.is_hidden()


# --- 3. comfort on a small phone -------------------------------------------------------


@pytest.fixture
def long_meeting(make_meeting):
    return make_meeting(venue=LONG_VENUE, chair_name=LONG_CHAIR, chair_position="Wali Kota")


def small_phone(browser, live_server, width: int, height: int):
    return browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server,
    )


def test_the_first_field_shows_on_the_first_screen_of_a_small_phone(
    browser, live_server, long_meeting
):
    context = small_phone(browser, live_server, 360, 640)
    page = context.new_page()
    page.goto(FORM)
    page.wait_for_load_state("load")
    assert page.locator("h1").is_visible()
    assert page.get_by_text("Selasa, 23 Januari 2024").first.is_visible()
    assert not page.get_by_text(LONG_VENUE).is_visible(), "the venue waits behind a tap"
    field = page.locator("#submitter_name").bounding_box()
    bottom = field["y"] + field["height"]
    assert bottom <= 640, f"the first field ends at {bottom:.0f}px"
    page.get_by_text("Waktu, tempat, dan pimpinan rapat").click()
    assert page.get_by_text(LONG_VENUE).is_visible()
    context.close()


WORDS_BROKEN = """() => {
    // Every word of the meeting's facts on one line: none is split at the edge.
    const broken = [];
    for (const cell of document.querySelectorAll('.facts dt, .facts dd, .meeting-date')) {
        const text = cell.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        const re = /\\S+/g;
        let match;
        while ((match = re.exec(text.data))) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(match[0]);
        }
    }
    return broken;
}"""


@pytest.mark.parametrize(
    ("width", "font_size"),
    [(320, None), (640, None), (360, "24px")],
    ids=["320px", "200%-zoom", "24px-font"],
)
def test_no_sideways_scrolling_and_no_word_split(
    browser, live_server, long_meeting, width, font_size
):
    context = small_phone(browser, live_server, width, 800)
    page = context.new_page()
    page.goto(FORM)
    page.wait_for_load_state("load")
    if font_size:
        # A reader's larger default font. Chromium's default font size cannot be set from
        # Playwright; app.css sizes text and boxes in rem and em (borders excepted), so
        # the root's font size stands in for it.
        page.evaluate("size => { document.documentElement.style.fontSize = size; }", font_size)
    page.locator("details.meeting-facts > summary").click()
    page.locator("details.pillars > summary").click()
    tap_choice(page, "role", "Lurah")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"scrolls sideways at {width}px: {widths}"
    assert page.evaluate(WORDS_BROKEN) == []
    context.close()


def test_each_choice_row_is_tappable_across_its_width_and_44px_high(phone, meeting):
    page = phone
    page.goto(FORM)
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#input-form .choice')].map(row => {
            const r = row.getBoundingClientRect();
            const l = row.querySelector('label').getBoundingClientRect();
            return {id: row.querySelector('input').id, height: r.height, labelHeight: l.height,
                    right: r.right, labelRight: l.right};
        })"""
    )
    assert len(rows) >= 10
    for row in rows:
        assert row["height"] >= 44 and row["labelHeight"] >= 44, row
        assert row["labelRight"] >= row["right"] - 1, f"the label stops short: {row}"
    # A tap at the far right of a row, beyond its words, chooses it.
    row = page.locator("#role-field .choice").filter(has_text="Camat")
    row.scroll_into_view_if_needed()
    box = row.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)
    assert page.get_by_role("radio", name="Camat").is_checked()


CONTRAST = """() => {
    const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
        const f = v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => {
        const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
    };
    const background = el => {
        for (let node = el.parentElement; node; node = node.parentElement) {
            const c = parse(getComputedStyle(node).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const el = document.activeElement;
    if (el === document.body) return {what: 'BODY', best: 99};
    const style = getComputedStyle(el);
    const around = background(el);
    const colours = [];
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) {
        colours.push(parse(style.outlineColor).slice(0, 3));
    }
    const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)/);
    if (shadow) colours.push(parse(shadow[0]).slice(0, 3));
    const best = Math.max(0, ...colours.map(c => ratio(c, around)));
    return {what: el.id || el.textContent.trim().slice(0, 30) || el.tagName, best};
}"""


def test_the_focus_stands_out_3_to_1_on_every_background(phone, meeting):
    page = phone
    page.goto(FORM)
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(CONTRAST)
        seen.append(focus)
        if focus["what"] == "BODY":
            break
    weak = [focus for focus in seen if focus["best"] < 3]
    assert weak == [], f"focus under 3:1: {weak}"
    assert any(focus["what"] == "submitter_name" for focus in seen)


# --- 4. what the phone keeps -------------------------------------------------------------


def test_the_draft_survives_a_reload_and_the_language_switch(phone, meeting):
    page = phone
    page.goto(FORM)
    page.get_by_label("Judul singkat").fill(TITLE)
    page.get_by_label("Uraian").fill(DESCRIPTION)
    tap_choice(page, "kind", "Usulan program atau kegiatan")
    page.get_by_label("Nomor HP (tidak wajib)").fill(PHONE_NUMBER)
    page.reload()  # at once: what waits for the pause in typing is saved on leaving
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    assert page.get_by_label("Uraian").input_value() == DESCRIPTION
    assert page.get_by_role("radio", name="Usulan program atau kegiatan").is_checked()
    assert page.get_by_label("Nomor HP (tidak wajib)").input_value() == ""
    assert PHONE_NUMBER not in str(stored(page, "rakor:draft:rakor-uji"))
    note = page.locator("#draft-note")
    assert "dipulihkan dari ponsel ini" in note.inner_text()
    assert not all_violations(page), describe(all_violations(page))

    page.locator(".language").get_by_role("link", name=re.compile(r"^EN\b")).click()
    page.locator("html[lang=en]").wait_for()
    assert page.locator("#title").input_value() == TITLE
    assert page.locator("#description").input_value() == DESCRIPTION

    page.locator("#draft-note").get_by_role("button").click()
    assert page.locator("#title").input_value() == ""
    assert stored(page, "rakor:draft:rakor-uji") is None
    page.reload()
    assert page.locator("#title").input_value() == ""


def test_a_recorded_send_clears_the_draft_and_the_next_form_knows_the_sender(phone, meeting):
    page = phone
    page.goto(FORM)
    wait_for_the_worker(page)
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    send(page)
    receipt_code_after_sending(page)

    page.get_by_role("link", name="Kirim masukan lain").click()
    page.wait_for_url(re.compile(r"/m/rakor-uji$"))
    page.locator("#identity-note").wait_for()
    assert page.get_by_label("Nama lengkap").input_value() == "Agus Priyanto"
    assert page.get_by_label("Jabatan").input_value() == "Lurah Krapyak"
    assert page.get_by_role("radio", name="Lurah").is_checked()
    assert page.get_by_label(UNIT_LABELS["lurah"]).locator("option:checked").inner_text() == (
        "Krapyak"
    )
    # Neither the phone number nor the input itself.
    assert page.get_by_label("Nomor HP (tidak wajib)").input_value() == ""
    assert page.get_by_label("Judul singkat").input_value() == ""
    assert page.get_by_label("Uraian").input_value() == ""
    assert page.locator("#draft-note").count() == 0
    assert PHONE_NUMBER not in str(stored(page, "rakor:identity"))
    assert not all_violations(page), describe(all_violations(page))

    # "Lupakan data diri": the fields empty, nothing kept.
    page.locator("#identity-note").get_by_role("button", name="Lupakan data diri").click()
    assert page.get_by_label("Nama lengkap").input_value() == ""
    assert not page.get_by_role("radio", name="Lurah").is_checked()
    assert stored(page, "rakor:identity") is None


def test_without_a_service_worker_a_send_without_receipt_is_offered_back(
    browser, live_server, meeting
):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        locale="id-ID",
        base_url=live_server,
        service_workers="block",
    )
    page = context.new_page()
    page.goto(FORM)
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    send(page)
    receipt_code_after_sending(page)
    page.goto(FORM)
    # No worker saw the receipt: the draft is not brought back by itself, but offered.
    offer = page.locator("#draft-note")
    offer.wait_for()
    assert page.get_by_label("Judul singkat").input_value() == ""
    offer.get_by_role("button", name="Pulihkan isian").click()
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    context.close()
