"""A personal invitation link in a real browser: the invitee opens it on a 360 px phone,
finds their name and unit filled in, sends, and the secretariat's invitations page says
they have sent input."""

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attendee, Kelurahan, Submission
from tests.browser_helpers import (
    UNIT_LABELS,
    assert_fits_the_phone,
    assert_fits_the_window,
    describe,
    fill_my_input,
    receipt_code_after_sending,
    send,
    serious_violations,
    sign_in,
)

pytestmark = pytest.mark.browser

TOKEN = "Zk3yQ0uD9mVb2xR7tLp5sWc8nHa1eJ4g"


@pytest.fixture
def invitee(app, meeting) -> int:
    with app.app_context():
        line = Attendee(
            meeting_id=meeting.id,
            source="invited",
            name="Agus Priyanto",
            position="Lurah Krapyak",
            unit="Kel. Krapyak",
            sex="L",
            phone="0812-2712-3456",
            invitation_token=TOKEN,
        )
        db.session.add(line)
        db.session.commit()
        return line.id


def test_an_invitee_sends_through_the_personal_link_on_a_phone(
    phone, desktop, app, meeting, invitee, staff
):
    page = phone
    page.goto(f"/m/{meeting.code}?undangan={TOKEN}")
    assert page.get_by_label("Nama lengkap").input_value() == "Agus Priyanto"
    assert page.get_by_label("Jabatan").input_value() == "Lurah Krapyak"
    assert page.locator("#role-field input[value=lurah]").is_checked()
    kelurahan = page.get_by_label(UNIT_LABELS["lurah"])
    assert kelurahan.locator("option:checked").inner_text() == "Krapyak"
    assert_fits_the_phone(page)

    fill_my_input(page)
    send(page)
    receipt_code_after_sending(page)
    with app.app_context():
        line = db.session.get(Attendee, invitee)
        sent = db.session.get(Submission, line.submission_id)
        krapyak = db.session.scalar(select(Kelurahan.id).filter_by(name="Krapyak"))
        assert (sent.submitter_name, sent.role, sent.kelurahan_id) == (
            "Agus Priyanto",
            "lurah",
            krapyak,
        )

    staff_page = desktop
    sign_in(staff_page, "secretariat")
    staff_page.goto(f"/admin/meetings/{meeting.id}/invitations")
    assert "1 dari 1 undangan sudah mengirim masukan" in staff_page.locator("main").inner_text()
    row = staff_page.locator(f"#undangan-{invitee}").inner_text()
    assert "Sudah" in row and "lewat tautan" in row
    assert_fits_the_window(staff_page)
    violations = serious_violations(staff_page)
    assert not violations, describe(violations)


def test_the_invitations_page_fits_a_phone(phone, app, meeting, invitee, staff):
    """The secretariat sends invitations from a phone too: the table scrolls, not the page."""
    sign_in(phone, "secretariat")
    phone.goto(f"/admin/meetings/{meeting.id}/invitations")
    assert phone.get_by_role(
        "button", name="Kirim lewat WhatsApp kepada Agus Priyanto"
    ).is_visible()
    assert_fits_the_phone(phone)
    phone.goto(f"/admin/meetings/{meeting.id}/invitations/cards")
    assert TOKEN in phone.locator(f"#kartu-{invitee}").inner_text()
    assert_fits_the_phone(phone)
    phone.goto(f"/admin/meetings/{meeting.id}/record/attendees")
    assert "Agus Priyanto" in phone.locator("table.attendance-desk").inner_text()
    assert_fits_the_phone(phone)


def test_the_whatsapp_button_leaves_for_wa_me_and_notes_the_sending(
    desktop, app, meeting, invitee, staff
):
    """The page's form-action lets the button's POST go on to WhatsApp (a policy of
    form-action 'self' alone would block the redirect, and the test's CSP check with it)."""
    page = desktop
    opened = []

    def whatsapp(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="WhatsApp")

    page.route(re.compile(r"^https://(wa\.me|api\.whatsapp\.com)/"), whatsapp)
    sign_in(page, "secretariat")
    page.goto(f"/admin/meetings/{meeting.id}/invitations")
    page.get_by_role("button", name="Kirim lewat WhatsApp kepada Agus Priyanto").click()
    page.wait_for_url(re.compile(r"^https://wa\.me/6281227123456\?text="))
    message = unquote(opened[0].split("?text=", 1)[1])
    assert message.startswith("Yth. Bapak Agus Priyanto,")
    assert f"/m/{meeting.code}?undangan={TOKEN}" in message

    page.goto(f"/admin/meetings/{meeting.id}/invitations")
    assert "Terkirim" in page.locator(f"#undangan-{invitee}").inner_text()
    assert "1 tautan terkirim" in page.locator("main").inner_text()


def test_details_kept_from_another_send_do_not_replace_the_invitees(phone, meeting, invitee):
    """A phone passed around the room: someone sent as a stakeholder, then the invitee
    opens their own link; their details stand, nothing of the earlier sender's is added."""
    page = phone
    page.goto(f"/m/{meeting.code}")
    page.get_by_label("Nama lengkap").fill("Siti Rahayu")
    page.get_by_label("Jabatan").fill("Ketua TP PKK")
    page.locator("#role-field label").filter(has_text="Pemangku kepentingan").click()
    page.get_by_label(UNIT_LABELS["stakeholder"]).fill("TP PKK Kota Pekalongan")
    fill_my_input(page)
    send(page)
    receipt_code_after_sending(page)

    page.goto(f"/m/{meeting.code}?undangan={TOKEN}")
    page.wait_for_load_state("load")
    assert page.get_by_label("Nama lengkap").input_value() == "Agus Priyanto"
    assert page.locator("#role-field input[value=lurah]").is_checked()
    assert page.locator("#unit_organisation").input_value() == ""
    assert page.locator("#identity-note").count() == 0
