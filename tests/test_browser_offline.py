"""A send without network, in a real browser on a 360 px phone: the input waits in a queue
on the phone, the page says so plainly, and it is sent once, by itself, when the network
returns; the page then shows the receipt code. With the service worker (a send that fails
mid-way, a reload without network) and without it (the page's own queue).
"""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import (
    FORM,
    TITLE,
    choose_lurah_of_krapyak,
    count_submissions,
    describe,
    fill_about_me,
    fill_my_input,
    send,
    stored_submissions,
)
from tests.browser_helpers import axe as axe_runner

pytestmark = pytest.mark.browser

QUEUED = (
    "Belum terkirim: tidak ada jaringan. Masukan Anda tersimpan di ponsel ini dan akan"
    " dikirim otomatis saat jaringan kembali."
)


def phone_context(browser, live_server, **options):
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server,
        **options,
    )


def wait_for_the_worker(page) -> None:
    page.evaluate(
        """() => new Promise(done => navigator.serviceWorker.controller ? done()
            : navigator.serviceWorker.addEventListener('controllerchange', done))"""
    )


def fill_the_form(page) -> None:
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)


def assert_sent_once(page, app) -> None:
    sent = page.locator("#send-state .notice-sent")
    expect(sent).to_contain_text("Terkirim.", timeout=20_000)
    code = page.locator("#sent-receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    [stored] = stored_submissions(app)
    assert stored.title == TITLE
    assert stored.receipt_code == code.replace("-", "")
    link = sent.get_by_role("link", name="Lihat tanda terima")
    assert link.get_attribute("href").endswith(f"/receipt/{stored.receipt_code}")
    # Nothing is left to send: the queue and the draft are gone from the phone.
    kept = page.evaluate("Object.keys(localStorage)")
    assert kept == ["rakor:identity"], kept
    link.click()
    page.wait_for_url(re.compile(r"/receipt/"))
    assert page.locator("#receipt-code").inner_text() == code


@pytest.mark.parametrize("worker", ["allow", "block"])
def test_a_send_without_network_waits_on_the_phone_and_goes_once(
    browser, live_server, meeting, app, worker
):
    context = phone_context(browser, live_server, service_workers=worker)
    page = context.new_page()
    page.goto(FORM)
    if worker == "allow":
        wait_for_the_worker(page)
    fill_the_form(page)

    context.set_offline(True)
    send(page)
    state = page.locator("#send-state")
    expect(state).to_have_text(QUEUED)
    assert state.get_attribute("role") == "status"
    violations = axe_runner.run(page).response["violations"]
    assert not violations, describe(violations)
    assert count_submissions(app) == 0
    # A second tap while waiting keeps one send in the queue.
    send(page)
    expect(state).to_have_text(QUEUED)

    context.set_offline(False)
    assert_sent_once(page, app)
    assert count_submissions(app) == 1
    context.close()


def test_a_queued_send_survives_closing_the_page(browser, live_server, meeting, app):
    context = phone_context(browser, live_server, service_workers="block")
    page = context.new_page()
    page.goto(FORM)
    fill_the_form(page)
    context.set_offline(True)
    send(page)
    expect(page.locator("#send-state")).to_have_text(QUEUED)
    page.close()

    context.set_offline(False)
    page = context.new_page()
    page.goto(FORM)  # the next visit sends what waited
    assert_sent_once(page, app)
    context.close()


def test_a_send_that_fails_on_the_way_is_kept_by_the_service_worker(
    browser, live_server, meeting, app
):
    """The phone believes it is online (a wifi without internet): the page sends as usual,
    the service worker finds no network, keeps the send and shows the kept form."""
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true})")
    page.goto(FORM)
    wait_for_the_worker(page)
    page.reload()  # the kept copy of the form is the one the worker serves offline
    wait_for_the_worker(page)
    fill_the_form(page)

    context.set_offline(True)
    send(page)
    expect(page.locator("#send-state")).to_have_text(QUEUED, timeout=20_000)
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    assert count_submissions(app) == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert_sent_once(page, app)
    context.close()


SECOND_TITLE = "Perahu nelayan untuk kelompok nelayan Krapyak Lor"
BUSY = (
    "Belum terkirim: server sedang sibuk. Masukan Anda tersimpan di ponsel ini dan dikirim"
    " lagi otomatis sebentar lagi."
)


def stored_titles(app) -> list[str]:
    return sorted(stored.title for stored in stored_submissions(app))


def test_a_second_input_queued_after_the_first_keeps_both(browser, live_server, meeting, app):
    """The first input waits; the participant edits the form into a second one and taps
    Kirim again: both go, in order, when the network returns."""
    context = phone_context(browser, live_server, service_workers="block")
    page = context.new_page()
    page.goto(FORM)
    fill_the_form(page)
    context.set_offline(True)
    send(page)
    state = page.locator("#send-state")
    expect(state).to_contain_text(QUEUED)
    page.get_by_label("Judul singkat").fill(SECOND_TITLE)
    send(page)
    expect(state).to_contain_text(QUEUED)
    send(page)  # the same content twice waits once
    expect(state).to_contain_text(QUEUED)
    expect(state).to_contain_text("2 masukan menunggu dikirim dari ponsel ini.")
    assert count_submissions(app) == 0
    violations = axe_runner.run(page).response["violations"]
    assert not violations, describe(violations)

    context.set_offline(False)
    sent = page.locator("#send-state .notice-sent")
    expect(sent).to_contain_text("Terkirim.", timeout=20_000)
    expect(sent.locator(".receipt-code")).to_have_count(2, timeout=20_000)
    assert stored_titles(app) == sorted([TITLE, SECOND_TITLE])
    # Each receipt code shown is one of the two recorded, in the order they were sent.
    stored = sorted(stored_submissions(app), key=lambda submission: submission.id)
    shown = [code.replace("-", "") for code in sent.locator(".receipt-code").all_inner_texts()]
    assert shown == [submission.receipt_code for submission in stored]
    assert [submission.title for submission in stored] == [TITLE, SECOND_TITLE]
    assert page.evaluate("Object.keys(localStorage)") == ["rakor:identity"]
    context.close()


def test_an_online_send_keeps_the_input_still_waiting(browser, live_server, meeting, app):
    context = phone_context(browser, live_server, service_workers="block")
    page = context.new_page()
    page.goto(FORM)
    fill_the_form(page)
    context.set_offline(True)
    send(page)
    expect(page.locator("#send-state")).to_contain_text(QUEUED)

    # Back online, the queued send meets a busy server; meanwhile the participant edits the
    # form into another input and sends it the usual way.
    def busy_for_the_queue(route):
        if route.request.method == "POST" and route.request.resource_type == "fetch":
            route.fulfill(status=503, body="Service Unavailable")
        else:
            route.continue_()

    page.route(re.compile(r".*/m/rakor-uji$"), busy_for_the_queue)
    context.set_offline(False)
    expect(page.locator("#send-state")).to_have_text(BUSY, timeout=20_000)
    page.get_by_label("Judul singkat").fill(SECOND_TITLE)
    send(page)
    page.wait_for_url(re.compile(r"/receipt/"))
    assert stored_titles(app) == [SECOND_TITLE]
    page.unroute(re.compile(r".*/m/rakor-uji$"))
    page.goto(FORM)  # the next visit sends what still waits
    expect(page.locator("#send-state .notice-sent")).to_contain_text("Terkirim.", timeout=20_000)
    assert stored_titles(app) == sorted([TITLE, SECOND_TITLE])
    context.close()


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 502, "body": "<html><body>502 Bad Gateway</body></html>"},
        {"status": 503, "body": "Service Unavailable"},
        # A wifi's login page, answered in the app's place.
        {"status": 200, "body": "<html><body>Masuk ke WiFi Gratis</body></html>"},
    ],
    ids=["502", "503", "captive-portal"],
)
def test_a_busy_server_keeps_the_queue(browser, live_server, meeting, app, answer):
    context = phone_context(browser, live_server, service_workers="block")
    page = context.new_page()
    page.goto(FORM)
    fill_the_form(page)
    context.set_offline(True)
    send(page)
    state = page.locator("#send-state")
    expect(state).to_contain_text(QUEUED)

    def not_the_app(route):
        if route.request.method == "POST":
            route.fulfill(status=answer["status"], body=answer["body"], content_type="text/html")
        else:
            route.continue_()

    page.route(re.compile(r".*/m/rakor-uji$"), not_the_app)
    context.set_offline(False)
    expect(state).to_have_text(BUSY, timeout=20_000)
    assert page.url.endswith(FORM)
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    assert count_submissions(app) == 0
    violations = axe_runner.run(page).response["violations"]
    assert not violations, describe(violations)

    page.unroute(re.compile(r".*/m/rakor-uji$"))
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert_sent_once(page, app)
    context.close()


INVITEE_TOKEN = "undangan-agus-priyanto-0001"


@pytest.fixture
def invited(app, meeting):
    from app.extensions import db
    from app.models import Attendee

    with app.app_context():
        db.session.add(
            Attendee(
                meeting_id=meeting.id,
                source="invited",
                name="Agus Priyanto",
                position="Lurah Krapyak",
                unit="Kel. Krapyak",
                sex="L",
                invitation_token=INVITEE_TOKEN,
            )
        )
        db.session.commit()
    return f"{FORM}?undangan={INVITEE_TOKEN}"


@pytest.mark.parametrize(
    ("form_kept", "lang"),
    [(True, "id"), (False, "id"), (False, "en")],
    ids=["bare-form-kept", "nothing-kept", "nothing-kept-english"],
)
def test_a_send_from_a_personal_link_without_network_is_kept(
    browser, live_server, meeting, app, invited, form_kept, lang
):
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true})")
    page.goto(invited)
    wait_for_the_worker(page)
    page.reload()
    wait_for_the_worker(page)
    fill_the_form(page)
    if lang == "en":  # the draft follows the language switch
        page.wait_for_timeout(500)
        page.goto(f"/bahasa/en?next={quote(invited)}")
        page.locator("html[lang=en]").wait_for()
        expect(page.get_by_label("Short title")).to_have_value(TITLE)
    # The personal page itself is never kept on the phone (it holds the invitee's name).
    kept = page.evaluate(
        """() => caches.open('rakor-pages').then(c => c.keys())
            .then(keys => keys.map(k => k.url))"""
    )
    assert not any("undangan" in url for url in kept), kept
    if not form_kept:
        page.evaluate("caches.delete('rakor-pages')")

    context.set_offline(True)
    if lang == "en":
        page.get_by_role("button", name="Send input").click()
    else:
        send(page)
    if form_kept:
        expect(page.locator("#send-state")).to_have_text(QUEUED, timeout=20_000)
    else:
        expect(page.locator("#kept-note")).to_contain_text(
            "Not sent yet: no network. Your input is saved on this phone"
            if lang == "en"
            else "Belum terkirim: tidak ada jaringan. Masukan Anda tersimpan di ponsel ini",
            timeout=20_000,
        )
        assert page.locator("html").get_attribute("lang") == lang
        violations = axe_runner.run(page).response["violations"]
        assert not violations, describe(violations)
    assert count_submissions(app) == 0

    context.set_offline(False)
    if form_kept:
        page.evaluate("window.dispatchEvent(new Event('online'))")
    else:
        page.goto(invited)  # the next load of the meeting's form sends what waited
    expect(page.locator("#send-state .notice-sent")).to_contain_text(
        "Sent." if lang == "en" else "Terkirim.", timeout=20_000
    )
    [stored] = stored_submissions(app)
    assert stored.title == TITLE
    context.close()


def mark_the_draft_sent(page) -> None:
    """As a tap on Kirim does, for a send whose answer never came back."""
    page.evaluate(
        """() => {
            const key = 'rakor:draft:rakor-uji';
            const draft = JSON.parse(localStorage.getItem(key));
            draft.sent = document.querySelector('[name=client_token]').value;
            draft.sentAt = Date.now();
            localStorage.setItem(key, JSON.stringify(draft));
        }"""
    )


def test_opening_some_receipt_does_not_discard_an_unsent_draft(browser, live_server, meeting, app):
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.goto(FORM)
    wait_for_the_worker(page)
    fill_the_form(page)
    send(page)
    page.wait_for_url(re.compile(r"/receipt/"))
    earlier_receipt = page.url

    page.goto(FORM)
    page.get_by_label("Judul singkat").fill(SECOND_TITLE)
    page.get_by_label("Uraian").fill(SECOND_TITLE + ", dua unit.")
    # Polled through evaluate, not wait_for_function: the page's CSP allows no eval.
    for _ in range(50):
        if page.evaluate("localStorage.getItem('rakor:draft:rakor-uji') !== null"):
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)
    mark_the_draft_sent(page)
    # An earlier receipt opened from a bookmark is no answer to this draft's send.
    page.goto(earlier_receipt)
    page.goto(FORM)
    offer = page.locator("#draft-note")
    expect(offer).to_contain_text("Pulihkan isian")
    offer.get_by_role("button", name="Pulihkan isian").click()
    assert page.get_by_label("Judul singkat").input_value() == SECOND_TITLE
    context.close()


def test_the_kept_form_opened_offline_brings_the_draft_back(browser, live_server, meeting, app):
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.goto(FORM)
    wait_for_the_worker(page)
    page.reload()  # this page load is the copy the worker keeps
    wait_for_the_worker(page)
    fill_the_form(page)
    page.wait_for_timeout(500)
    mark_the_draft_sent(page)

    context.set_offline(True)
    page.goto(FORM)
    title = page.get_by_label("Judul singkat")
    expect(title).to_have_value(TITLE)
    title.press("End")
    title.type(" 2027")
    page.wait_for_timeout(500)
    page.reload()
    expect(page.get_by_label("Judul singkat")).to_have_value(TITLE + " 2027")
    assert page.get_by_label("Uraian").input_value() != ""
    context.close()


KEPT_ADDRESSES = """async () => {
    const kept = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) kept.push(name + ' ' + request.url);
    }
    return kept;
}"""


def test_the_worker_never_keeps_a_personal_link_a_receipt_or_a_staff_page(
    browser, live_server, meeting, app, invited, staff
):
    """What the phone's caches hold after a personal link, a send, its receipt and a staff
    page were opened: the plain form and static files, nothing with a name or a code."""
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.goto(invited)
    wait_for_the_worker(page)
    page.reload()
    wait_for_the_worker(page)
    fill_the_form(page)
    send(page)
    page.wait_for_url(re.compile(r"/receipt/[A-Z0-9]{8}$"))
    code = page.url.rsplit("/", 1)[1]
    page.reload()
    page.goto("/login")
    page.goto(FORM)
    wait_for_the_worker(page)

    kept = page.evaluate(KEPT_ADDRESSES)
    pages = [entry for entry in kept if entry.startswith("rakor-pages ")]
    assert any(entry.endswith(FORM) for entry in pages), kept
    for entry in kept:
        assert "undangan" not in entry and code not in entry, entry
        assert "/receipt/" not in entry and "/login" not in entry and "/admin" not in entry, entry
    context.close()
