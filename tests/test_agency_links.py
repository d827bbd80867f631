"""An agency's update link: the secretariat makes and revokes it, the agency opens its open
follow-ups from a phone and reports progress, and nothing else opens through it."""

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.agency_links import services
from app.extensions import db
from app.i18n import local_today
from app.models import Agency, AgencyLink, AuditEvent, FollowUp, FollowUpProgress
from app.models.base import utcnow
from tests.helpers import add_submission, csrf_from, hidden_value, text


@pytest.fixture
def app_config(request) -> dict:
    """A generous rate limit unless a test asks for its own (indirect parametrisation)."""
    return getattr(request, "param", {"RAKOR_AGENCY_LINK_RATE_LIMIT": "10000 per minute"})


# --- helpers -----------------------------------------------------------------------------------


def add_agency(app, abbreviation: str, name: str) -> int:
    with app.app_context():
        agency = Agency(abbreviation=abbreviation, name=name)
        db.session.add(agency)
        db.session.commit()
        return agency.id


def add_follow_up(app, meeting_id: int, agency_id: int, action: str, **fields) -> int:
    with app.app_context():
        follow_up = FollowUp(meeting_id=meeting_id, agency_id=agency_id, action=action, **fields)
        db.session.add(follow_up)
        db.session.commit()
        return follow_up.id


def make_link(app, agency_id: int, days: int | None = None) -> str:
    with app.test_request_context():
        agency = db.session.get(Agency, agency_id)
        return services.create_link(agency, None, days=days).token


def entries(app, follow_up_id: int | None = None) -> list[FollowUpProgress]:
    with app.app_context():
        query = select(FollowUpProgress).order_by(FollowUpProgress.id)
        if follow_up_id is not None:
            query = query.where(FollowUpProgress.follow_up_id == follow_up_id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def follow_up_state(app, follow_up_id: int) -> tuple:
    with app.app_context():
        row = db.session.get(FollowUp, follow_up_id)
        return row.status, row.percent, row.progress_note


def report_data(html: str, follow_up_id: int, **fields) -> dict:
    """The item's form as a browser sends it: its hidden fields from the page, and `fields`."""
    prefix = f"tl{follow_up_id}-"
    data = {
        prefix + "csrf_token": hidden_value(html, prefix + "csrf_token"),
        prefix + "idempotency_key": hidden_value(html, prefix + "idempotency_key"),
        prefix + "status": "in_progress",
        prefix + "percent": "40",
        prefix + "note": "",
        prefix + "reported_on": "",
    }
    data.update({prefix + key: value for key, value in fields.items()})
    return data


def send_report(client, token: str, follow_up_id: int, **fields):
    page = client.get(f"/tl/{token}")
    assert page.status_code == 200
    return client.post(
        f"/tl/{token}/{follow_up_id}",
        data=report_data(text(page), follow_up_id, **fields),
        content_type="multipart/form-data",
    )


def card(html: str, follow_up_id: int) -> str:
    """The part of the page about one follow-up: its card, up to the next one."""
    after = html.split(f'id="tl-{follow_up_id}"')[1]
    return re.split(r'<li class="follow-up-card|id="rtl"', after)[0]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def agency_work(app, make_meeting, focal_point) -> dict:
    """The focal point's agency (Disperkim) with follow-ups of two meetings, another agency's
    follow-up, and a link for Disperkim."""
    with app.app_context():
        today = local_today()
    earlier = make_meeting(code="rakor-2023", title="Rakor Kemiskinan 2023", date=date(2023, 1, 24))
    later = make_meeting(code="rakor-2024", title="Rakor Kemiskinan 2024", date=date(2024, 1, 23))
    agency = focal_point["agency"]
    other = add_agency(app, "Dinkes", "Dinas Kesehatan")
    source = add_submission(app, later.id, submitter_name="Agus Priyanto", phone="0812-2712-3456")
    ids = {
        "later": add_follow_up(app, later.id, agency, "Bedah rumah 50 unit di Krapyak",
                               deadline=today + timedelta(days=30), submission_id=source),
        "overdue": add_follow_up(app, earlier.id, agency, "Pemutakhiran data RTLH",
                                 deadline=today - timedelta(days=10)),
        "no_deadline": add_follow_up(app, later.id, agency, "Sosialisasi sanitasi"),
        "done": add_follow_up(app, earlier.id, agency, "Jamban sehat 20 unit",
                              deadline=today - timedelta(days=40), status="done", percent=100),
        "other": add_follow_up(app, later.id, other, "PMT balita stunting",
                               deadline=today + timedelta(days=5)),
    }  # fmt: skip
    return {"agency": agency, "other_agency": other, "ids": ids, "token": make_link(app, agency)}


# --- the agency's page -------------------------------------------------------------------------


def test_the_link_opens_the_agencys_open_follow_ups_nearest_deadline_first(client, agency_work):
    page = client.get(f"/tl/{agency_work['token']}")
    assert page.status_code == 200
    html = text(page)
    assert "Dinas Perumahan Rakyat dan Kawasan Permukiman" in html
    shown = re.findall(r'<h3 class="follow-up-action" id="tl-(\d+)-title">', html)
    ids = agency_work["ids"]
    assert shown == [str(ids["overdue"]), str(ids["later"]), str(ids["no_deadline"])]
    overdue_card = card(html, ids["overdue"])
    assert "Terlambat" in overdue_card
    assert "Rakor Kemiskinan 2023" in overdue_card
    later_card = card(html, ids["later"])
    assert "Terlambat" not in later_card
    assert "Belum dimulai" in later_card
    # Closed ones and another agency's are not there; nor the input's sender or phone.
    assert "Jamban sehat" not in html
    assert "PMT balita" not in html
    assert "Agus Priyanto" not in html
    assert "0812" not in html


def test_a_report_through_the_link_is_stored_audited_and_shown(app, client, agency_work):
    follow_up_id = agency_work["ids"]["later"]
    response = send_report(
        client, agency_work["token"], follow_up_id, note="Survei 50 rumah selesai."
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tl/{agency_work['token']}#main")
    page = text(client.get(response.headers["Location"]))
    assert "Terima kasih, laporan kemajuan tersimpan" in page
    assert "Sedang berjalan, 40%" in page
    item = card(page, follow_up_id)
    assert "Sedang berjalan</strong>, 40%" in item
    assert "Survei 50 rumah selesai." in item

    [entry] = entries(app, follow_up_id)
    assert (entry.status, entry.percent, entry.note) == (
        "in_progress",
        40,
        "Survei 50 rumah selesai.",
    )
    assert entry.channel == "link"
    assert entry.user_id is None
    with app.app_context():
        link = db.session.scalar(select(AgencyLink).filter_by(token=agency_work["token"]))
        assert entry.link_id == link.id
        assert link.last_used_at is not None
        event = db.session.scalar(
            select(AuditEvent).filter_by(entity_type="FollowUp", entity_id=follow_up_id)
        )
        assert event.action == "progress"
        assert event.user_id is None
        assert event.after["link_id"] == link.id
        assert event.after["channel"] == "link"


def test_the_same_form_sent_twice_is_recorded_once(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    html = text(client.get(f"/tl/{token}"))
    data = report_data(html, follow_up_id, note="Dikirim dua kali")
    first = client.post(f"/tl/{token}/{follow_up_id}", data=dict(data))
    second = client.post(f"/tl/{token}/{follow_up_id}", data=dict(data))
    assert first.status_code == second.status_code == 303
    assert "tidak dicatat dua kali" in text(client.get(f"/tl/{token}"))
    assert len(entries(app, follow_up_id)) == 1


def test_a_report_with_a_photo_keeps_the_photo(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    photo = png_bytes()
    response = send_report(client, token, follow_up_id, evidence=(io.BytesIO(photo), "foto.png"))
    assert response.status_code == 303
    [entry] = entries(app, follow_up_id)
    with app.app_context():
        stored = db.session.get(FollowUpProgress, entry.id)
        assert stored.evidence == photo
        assert stored.evidence_type == "image/png"
        assert stored.evidence_name == "foto.png"


def test_a_report_that_breaks_a_rule_comes_back_with_everything_typed(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    response = send_report(client, token, follow_up_id, percent="100", note="Hampir selesai")
    assert response.status_code == 422
    html = text(response)
    item = card(html, follow_up_id)
    assert "100 persen berarti selesai: pilih status Selesai." in item
    assert 'id="error-summary"' in item
    assert '<details class="report" open>' in item
    assert "Hampir selesai</textarea>" in item
    # The field to fix takes the focus; no other one does.
    [focused] = re.findall(r"<(?:input|select|textarea)[^>]*\bautofocus\b[^>]*>", html)
    assert f'id="tl{follow_up_id}-percent"' in focused
    assert entries(app) == []


def test_a_file_that_is_not_evidence_is_refused_beside_its_field(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    response = send_report(
        client, token, follow_up_id, evidence=(io.BytesIO(b"MZ\x90\x00"), "bukti.exe")
    )
    assert response.status_code == 422
    assert "Bukti harus berupa berkas PDF atau foto (JPG atau PNG)." in text(response)
    assert entries(app) == []


@pytest.mark.parametrize(
    "app_config",
    [{"RAKOR_EVIDENCE_MAX_BYTES": 1024, "RAKOR_AGENCY_LINK_RATE_LIMIT": "10000 per minute"}],
    indirect=True,
)
def test_evidence_over_the_size_limit_gets_a_clear_message(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    response = send_report(
        client, token, follow_up_id, evidence=(io.BytesIO(b"%PDF-" + b"0" * 200_000), "b.pdf")
    )
    assert response.status_code == 413
    assert "Berkas bukti paling besar" in text(response)
    assert entries(app) == []


def test_a_post_over_https_without_a_referer_is_accepted(app, agency_work):
    # The page sends no Referer (the token is in its address), so its forms must not need one.
    client = app.test_client()
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    page = client.get(f"/tl/{token}", base_url="https://rakor.uji")
    response = client.post(
        f"/tl/{token}/{follow_up_id}",
        base_url="https://rakor.uji",
        data=report_data(text(page), follow_up_id),
    )
    assert response.status_code == 303
    assert len(entries(app, follow_up_id)) == 1


def test_a_post_without_the_pages_csrf_token_writes_nothing(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    html = text(client.get(f"/tl/{token}"))
    data = report_data(html, follow_up_id, note="Dari situs lain")
    del data[f"tl{follow_up_id}-csrf_token"]
    response = client.post(f"/tl/{token}/{follow_up_id}", data=data)
    assert response.status_code == 422
    assert "Dari situs lain</textarea>" in text(response)
    assert entries(app) == []


# --- what the link does not open ------------------------------------------------------------


def test_a_revoked_link_answers_as_an_unknown_one_and_writes_nothing(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    html = text(client.get(f"/tl/{token}"))
    with app.app_context():
        link = db.session.scalar(select(AgencyLink).filter_by(token=token))
        services.revoke_link(link, None)
    unknown = client.get("/tl/" + "x" * 32)
    revoked = client.get(f"/tl/{token}")
    assert unknown.status_code == revoked.status_code == 404
    # The same page, but for the address it names (the language switch returns to it).
    assert text(unknown).replace("x" * 32, "TOKEN") == text(revoked).replace(token, "TOKEN")
    posted = client.post(f"/tl/{token}/{follow_up_id}", data=report_data(html, follow_up_id))
    assert posted.status_code == 404
    assert client.get(f"/tl/{token}/rtl.xlsx").status_code == 404
    assert entries(app) == []


def test_an_expired_link_answers_404(app, client, agency_work):
    token = agency_work["token"]
    with app.app_context():
        link = db.session.scalar(select(AgencyLink).filter_by(token=token))
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(f"/tl/{token}")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in text(response)
    assert "Disperkim" not in text(response)


@pytest.mark.parametrize("which", ["other", "done"])
def test_another_agencys_or_a_closed_follow_up_answers_404(app, client, agency_work, which):
    token, target = agency_work["token"], agency_work["ids"][which]
    html = text(client.get(f"/tl/{token}"))
    # The form of an open item of this agency, re-aimed at the other one.
    own = agency_work["ids"]["later"]
    data = {key.replace(f"tl{own}-", f"tl{target}-"): value for key, value in
            report_data(html, own).items()}  # fmt: skip
    response = client.post(f"/tl/{token}/{target}", data=data)
    assert response.status_code == 404
    assert entries(app) == []
    assert follow_up_state(app, target)[0] == ("open" if which == "other" else "done")


def test_pages_of_a_link_are_not_stored_nor_sent_on_as_referer(client, agency_work):
    for url in (f"/tl/{agency_work['token']}", "/tl/" + "y" * 32):
        response = client.get(url)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]


def test_each_use_sets_the_links_last_use(app, client, agency_work):
    token = agency_work["token"]
    with app.app_context():
        assert db.session.scalar(select(AgencyLink).filter_by(token=token)).last_used_at is None
    before = utcnow()
    client.get(f"/tl/{token}")
    with app.app_context():
        used = db.session.scalar(select(AgencyLink).filter_by(token=token)).last_used_at
    assert used is not None and used >= before - timedelta(seconds=1)


@pytest.mark.parametrize("app_config", [{"RAKOR_AGENCY_LINK_RATE_LIMIT": "3 per minute"}],
                         indirect=True)  # fmt: skip
def test_the_link_pages_are_rate_limited(client, agency_work):
    token = agency_work["token"]
    answers = [client.get(f"/tl/{token}").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    # Guessing another token, or posting, draws on the same budget.
    limited = client.get("/tl/" + "z" * 32)
    assert limited.status_code == 429
    assert "Terlalu banyak permintaan" in text(limited)
    assert limited.headers["Referrer-Policy"] == "no-referrer"


# --- the secretariat's page -------------------------------------------------------------------


def test_the_secretariat_sees_each_agencys_counts_and_its_link(app, login, agency_work):
    client = login("secretariat")
    page = client.get("/admin/agency-links")
    assert page.status_code == 200
    html = text(page)
    row = html.split(f'id="agency-{agency_work["agency"]}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="number">(\d+)</td>', row)
    assert cells == ["3", "1"]  # open, of which overdue
    assert f"/tl/{agency_work['token']}" in row
    assert "Belum pernah" in row
    other = html.split(f'id="agency-{agency_work["other_agency"]}"')[1].split("</tr>")[0]
    assert "Belum ada" in other
    assert "Buat tautan" in other


def test_a_viewer_sees_the_list_but_not_the_addresses(login, agency_work):
    client = login("viewer")
    html = text(client.get("/admin/agency-links"))
    assert "Disperkim" in html
    assert agency_work["token"] not in html
    assert "Buat tautan" not in html
    token = csrf_from(client, "/admin/agency-links")
    response = client.post(
        f"/admin/agency-links/{agency_work['agency']}/create", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_focal_points_do_not_reach_the_list(login, agency_work):
    assert login("focal").get("/admin/agency-links").status_code == 403


def test_a_new_link_replaces_the_old_one_and_says_so(app, login, agency_work):
    client = login("secretariat")
    old = agency_work["token"]
    token = csrf_from(client, "/admin/agency-links")
    response = client.post(
        f"/admin/agency-links/{agency_work['agency']}/create", data={"csrf_token": token}
    )
    assert response.status_code == 303
    html = text(client.get(response.headers["Location"]))
    assert "Tautan sebelumnya tidak berlaku lagi" in html
    with app.app_context():
        new = services.active_link(agency_work["agency"]).token
    assert new != old
    assert f"/tl/{new}" in html
    assert client.get(f"/tl/{old}").status_code == 404
    assert client.get(f"/tl/{new}").status_code == 200
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "AgencyLink")
        ).all()
    assert actions.count("create") == 2 and actions.count("revoke") == 1


def test_revoking_stops_the_link(app, login, agency_work):
    client = login("secretariat")
    with app.app_context():
        link_id = services.active_link(agency_work["agency"]).id
    token = csrf_from(client, "/admin/agency-links")
    response = client.post(f"/admin/agency-links/{link_id}/revoke", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Tautan dicabut" in text(client.get(response.headers["Location"]))
    assert client.get(f"/tl/{agency_work['token']}").status_code == 404
    again = client.post(f"/admin/agency-links/{link_id}/revoke", data={"csrf_token": token})
    assert "sudah dicabut sebelumnya" in text(client.get(again.headers["Location"]))


def test_making_a_link_needs_the_csrf_token(app, login, agency_work):
    client = login("secretariat")
    response = client.post(f"/admin/agency-links/{agency_work['other_agency']}/create")
    assert response.status_code == 400
    with app.app_context():
        assert services.active_link(agency_work["other_agency"]) is None


def test_a_double_tap_on_selesai_ends_on_the_thank_you_not_a_404(app, client, agency_work):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    html = text(client.get(f"/tl/{token}"))
    data = report_data(html, follow_up_id, status="done", percent="100")
    first = client.post(f"/tl/{token}/{follow_up_id}", data=dict(data))
    second = client.post(f"/tl/{token}/{follow_up_id}", data=dict(data))
    assert first.status_code == second.status_code == 303
    assert "tidak dicatat dua kali" in text(client.get(f"/tl/{token}"))
    assert len(entries(app, follow_up_id)) == 1
    # Another form on the now closed follow-up is still nothing to report on.
    again = report_data(html, follow_up_id, status="in_progress", percent="10")
    again[f"tl{follow_up_id}-idempotency_key"] = "another-form-load-key"
    assert client.post(f"/tl/{token}/{follow_up_id}", data=again).status_code == 404


def test_each_form_starts_from_the_reported_state_and_offers_no_cancelling(
    app, client, agency_work
):
    token, follow_up_id = agency_work["token"], agency_work["ids"]["later"]
    assert send_report(client, token, follow_up_id, percent="35").status_code == 303
    item = card(text(client.get(f"/tl/{token}")), follow_up_id)
    assert re.search(
        r'<option selected value="in_progress">|<option value="in_progress" selected', item
    )
    assert 'value="35"' in item
    assert 'value="cancelled"' not in item
    cancel = send_report(client, token, follow_up_id, status="cancelled", percent="35")
    assert cancel.status_code == 422
    assert follow_up_state(app, follow_up_id)[:2] == ("in_progress", 35)
