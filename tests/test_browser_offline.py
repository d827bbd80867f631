"""A send without network, in a real browser on a 360 px phone: the input waits in a queue
on the phone, the page says so plainly, and it is sent once, by itself, when the network
returns; the page then shows the receipt code. With the service worker (a send that fails
mid-way, a reload without network) and without it (the page's own queue).
"""

import re

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
