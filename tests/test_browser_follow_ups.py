"""An agency's update link in a real browser, on a 360 px phone: the focal point opens the
link from a message, reports progress on one follow-up, and reads the confirmation.
axe-core checks the page for serious accessibility problems before and after."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.agency_links import services
from app.extensions import db
from app.i18n import local_today
from app.models import Agency, FollowUp, FollowUpProgress
from tests.browser_helpers import assert_fits_the_phone, describe, serious_violations

pytestmark = pytest.mark.browser

ACTION = "Bedah rumah tidak layak huni 50 unit di Kelurahan Krapyak"


@pytest.fixture
def app_config() -> dict:
    return {"RAKOR_AGENCY_LINK_RATE_LIMIT": "10000 per minute"}


@pytest.fixture
def update_link(app, make_meeting, focal_point) -> dict:
    meeting = make_meeting(code="rakor-2024", date=date(2024, 1, 23))
    with app.test_request_context():
        today = local_today()
        agency = db.session.get(Agency, focal_point["agency"])
        follow_ups = [
            FollowUp(meeting_id=meeting.id, agency_id=agency.id, action=ACTION,
                     deadline=today + timedelta(days=20)),
            FollowUp(meeting_id=meeting.id, agency_id=agency.id,
                     action="Pemutakhiran data RTLH", deadline=today - timedelta(days=5)),
        ]  # fmt: skip
        db.session.add_all(follow_ups)
        db.session.commit()
        token = services.create_link(agency, None).token
        return {"token": token, "follow_up": follow_ups[0].id}


def assert_accessible(page, what: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe on {what} ({page.url}):\n{describe(violations)}"


def test_a_focal_point_reports_progress_through_the_link_on_a_phone(phone, app, update_link):
    page = phone
    page.goto(f"/tl/{update_link['token']}")
    assert "Dinas Perumahan Rakyat dan Kawasan Permukiman" in page.locator("h1").inner_text()
    card = page.locator(f"#tl-{update_link['follow_up']}")
    assert ACTION in card.inner_text()
    assert "Terlambat" in page.locator("li.follow-up-card").first.inner_text()
    assert_fits_the_phone(page)
    assert_accessible(page, "the link page")

    card.get_by_text("Laporkan kemajuan").click()
    card.get_by_label("Status").select_option(label="Sedang berjalan")
    card.get_by_label("Persentase selesai").fill("40")
    card.get_by_label("Yang sudah dikerjakan").fill("Survei 50 rumah selesai, material dipesan.")
    card.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url(f"**/tl/{update_link['token']}#main")

    notice = page.locator(".notice").first.inner_text()
    assert "Terima kasih, laporan kemajuan tersimpan" in notice
    assert "Sedang berjalan, 40%" in notice
    card = page.locator(f"#tl-{update_link['follow_up']}")
    assert "Sedang berjalan, 40%" in card.inner_text()
    assert "Survei 50 rumah selesai" in card.inner_text()
    assert_fits_the_phone(page)
    assert_accessible(page, "the link page after a report")

    with app.app_context():
        [entry] = db.session.scalars(select(FollowUpProgress)).all()
        assert (entry.status, entry.percent, entry.channel) == ("in_progress", 40, "link")


def test_a_wrong_report_keeps_what_was_typed_and_points_at_it(phone, app, update_link):
    page = phone
    page.goto(f"/tl/{update_link['token']}")
    card = page.locator(f"#tl-{update_link['follow_up']}")
    card.get_by_text("Laporkan kemajuan").click()
    card.get_by_label("Status").select_option(label="Sedang berjalan")
    card.get_by_label("Persentase selesai").fill("100")
    card.get_by_label("Yang sudah dikerjakan").fill("Hampir selesai")
    card.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state()

    card = page.locator(f"#tl-{update_link['follow_up']}")
    assert "100 persen berarti selesai" in card.locator(".error-summary").inner_text()
    assert card.get_by_label("Yang sudah dikerjakan").input_value() == "Hampir selesai"
    # The field to fix has the focus, its message read with it.
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == f"tl{update_link['follow_up']}-percent"
    described = card.get_by_label("Persentase selesai").get_attribute("aria-describedby")
    assert f"tl{update_link['follow_up']}-percent-error" in described
    assert_accessible(page, "the link page with an error")
    with app.app_context():
        assert db.session.scalars(select(FollowUpProgress)).all() == []
