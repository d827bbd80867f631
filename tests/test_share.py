"""Share links: a final PDF opened without signing in, through a link staff can revoke.

The secretariat makes a link on /admin/meetings/<id>/share once the meeting's final
document is stored; anyone holding /d/<token> gets exactly the stored bytes. A revoked
link and a token that never existed answer alike; a reopened meeting's links pause
until it is finalised again, then serve the new final document. Viewers see the
links but cannot make or revoke one; guessing tokens is rate limited.
"""

import hashlib
import re
from html import unescape
from urllib.parse import quote, unquote, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Meeting, MeetingDocument
from app.models.meeting import ShareLink
from tests.browser_helpers import describe, screenshot, serious_violations, sign_in
from tests.helpers import build_record, csrf_from, text

LOOKUPS_3 = {"RAKOR_LOOKUP_RATE_LIMIT": "3 per minute"}
UNKNOWN_TOKEN = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4"  # the shape of a real one


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def share_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/share"


def finalise(client, meeting_id: int) -> None:
    token = csrf_from(client, f"/admin/meetings/{meeting_id}/minutes")
    response = client.post(f"/admin/meetings/{meeting_id}/finalise", data={"csrf_token": token})
    assert response.status_code == 302, text(response)[:500]
    assert response.headers["Location"].endswith("/minutes.pdf")


def reopen(admin, meeting_id: int) -> None:
    token = csrf_from(admin, f"/admin/meetings/{meeting_id}/minutes")
    response = admin.post(
        f"/admin/meetings/{meeting_id}/reopen",
        data={"csrf_token": token, "reason": "Nama notulis salah ketik."},
    )
    assert response.status_code == 302, text(response)[:500]


def make_link(client, meeting_id: int, kind: str = "minutes"):
    token = csrf_from(client, share_url(meeting_id))
    return client.post(share_url(meeting_id), data={"csrf_token": token, "kind": kind})


def addresses(html: str) -> list[str]:
    """The full links the share page shows, newest first."""
    return re.findall(r'value="(http://localhost/d/[^"]+)"', html)


def path_of(address: str) -> str:
    return urlsplit(address).path


def final_documents(app, meeting_id: int, kind: str = "minutes") -> list[MeetingDocument]:
    with app.app_context():
        rows = db.session.scalars(
            select(MeetingDocument)
            .filter_by(meeting_id=meeting_id, kind=kind, is_final=True)
            .order_by(MeetingDocument.id)
        ).all()
        db.session.expunge_all()
        return rows


def links(app) -> list[ShareLink]:
    with app.app_context():
        rows = db.session.scalars(select(ShareLink).order_by(ShareLink.id)).all()
        db.session.expunge_all()
        return rows


def share_events(app) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(("share", "revoke")))
            .order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def finalised(app, make_meeting, login) -> int:
    """The complete meeting of tests/helpers.py, finalised by the secretariat."""
    meeting_id = build_record(app, make_meeting).meeting_id
    finalise(login("secretariat"), meeting_id)
    assert len(final_documents(app, meeting_id)) == 1
    return meeting_id


@pytest.fixture
def shared(finalised, login) -> tuple[int, str]:
    """The finalised meeting and the address of a link to its minutes."""
    staff = login("secretariat")
    response = make_link(staff, finalised)
    assert response.status_code == 303
    page = staff.get(response.headers["Location"])
    (address,) = addresses(text(page))
    return finalised, address


# --- making a link, and opening it -------------------------------------------------------


def test_a_link_opens_the_final_pdf_without_signing_in(app, client, login, staff, finalised):
    secretariat = login("secretariat")
    response = make_link(secretariat, finalised)
    assert response.status_code == 303
    page = secretariat.get(response.headers["Location"])
    assert "Tautan Notulen dibuat" in text(page)
    (address,) = addresses(text(page))
    assert re.fullmatch(r"http://localhost/d/[A-Za-z0-9_-]{32}", address)
    (link,) = links(app)
    assert address.endswith(link.token)
    assert link.kind == "minutes" and link.created_by_id == staff["secretariat"]

    opened = client.get(path_of(address))  # no one is signed in on this client
    assert opened.status_code == 200
    assert opened.mimetype == "application/pdf"
    (stored,) = final_documents(app, finalised)
    assert opened.data == stored.content
    assert opened.headers["X-Content-SHA256"] == hashlib.sha256(opened.data).hexdigest()
    assert opened.headers["X-Content-SHA256"] == stored.sha256
    assert "notulen-rakor-uji.pdf" in opened.headers["Content-Disposition"]
    assert opened.headers["Cache-Control"] == "no-store"
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    # The same link opens again and again.
    assert client.get(path_of(address)).data == stored.content


@pytest.mark.parametrize(
    ("kind", "file_name"),
    [("berita_acara", "berita-acara-rakor-uji.pdf"), ("laporan", "laporan-rakor-uji.pdf")],
)
def test_the_berita_acara_and_the_laporan_are_shared_the_same_way(
    app, client, login, finalised, kind, file_name
):
    staff = login("secretariat")
    assert make_link(staff, finalised, kind).status_code == 303
    (address,) = addresses(text(staff.get(share_url(finalised))))
    opened = client.get(path_of(address))
    assert opened.status_code == 200
    (stored,) = final_documents(app, finalised, kind)
    assert opened.data == stored.content
    assert opened.headers["X-Content-SHA256"] == stored.sha256
    assert file_name in opened.headers["Content-Disposition"]


def test_the_page_shows_the_link_with_a_copy_field_and_a_whatsapp_message(login, shared):
    meeting_id, address = shared
    html = text(login("secretariat").get(share_url(meeting_id)))
    field = re.search(r"<input[^>]*value=\"" + re.escape(address) + r"\"[^>]*>", html).group(0)
    assert "readonly" in field and 'data-copy-button="Salin"' in field
    # The copy button comes from a script file: nothing inline under the CSP.
    assert 'src="/static/js/copy-link.js?v=' in html
    assert "<script>" not in html and "style=" not in html
    anchor = re.search(r'<a[^>]*href="(https://wa\.me/\?text=[^"]+)"[^>]*>', html)
    href = unescape(anchor.group(1))
    assert quote(address, safe="") in href
    assert 'target="_blank"' in anchor.group(0)
    assert 'rel="noopener noreferrer"' in anchor.group(0)
    message = unquote(href.removeprefix("https://wa.me/?text="))
    assert message == (
        "Berikut notulen Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024 (PDF final): "
        + address
    )


def test_the_whatsapp_message_stays_indonesian_on_an_english_page(login, shared):
    meeting_id, _address = shared
    staff = login("secretariat")
    staff.get("/bahasa/en?next=/admin/")
    html = text(staff.get(share_url(meeting_id)))
    assert '<html lang="en">' in html
    href = unescape(re.search(r'href="(https://wa\.me/\?text=[^"]+)"', html).group(1))
    assert unquote(href).startswith("https://wa.me/?text=Berikut notulen ")


# --- revoking, and tokens that open nothing ----------------------------------------------------


def revoke(client, meeting_id: int, link_id: int, **data):
    token = csrf_from(client, share_url(meeting_id))
    return client.post(
        f"{share_url(meeting_id)}/{link_id}/revoke", data={"csrf_token": token, **data}
    )


def test_a_revoked_link_answers_as_an_unknown_token_does(app, client, login, staff, shared):
    meeting_id, address = shared
    (link,) = links(app)
    secretariat = login("secretariat")
    response = revoke(secretariat, meeting_id, link.id)
    assert response.status_code == 303
    assert "Tautan dicabut" in text(secretariat.get(response.headers["Location"]))

    revoked = client.get(path_of(address))
    unknown = client.get(f"/d/{UNKNOWN_TOKEN}")
    assert revoked.status_code == unknown.status_code == 404
    # The page names its own address (the language switch returns to it); the rest is one.
    token = path_of(address).removeprefix("/d/")
    assert text(revoked).replace(token, UNKNOWN_TOKEN) == text(unknown)
    assert "Halaman tidak ditemukan" in text(revoked)
    assert revoked.mimetype == "text/html"
    assert revoked.headers["Referrer-Policy"] == "no-referrer"
    assert revoked.headers["Cache-Control"] == "no-store"

    (link,) = links(app)
    assert link.revoked_at is not None and link.revoked_by_id == staff["secretariat"]
    page = text(secretariat.get(share_url(meeting_id)))
    assert addresses(page) == []  # a revoked link is no longer shown to copy
    assert "Dicabut" in page
    # Revoking twice changes nothing and says so.
    again = revoke(secretariat, meeting_id, link.id)
    assert "sudah dicabut" in text(secretariat.get(again.headers["Location"]))
    assert len([e for e in share_events(app) if e.action == "revoke"]) == 1


def test_odd_tokens_are_not_found_and_never_an_error(client):
    for token in ("%00" * 20, "a" * 500, "abc", "..%2F..%2Fetc%2Fpasswd", "x" * 31 + "!"):
        response = client.get(f"/d/{token}")
        assert response.status_code == 404, token
        assert "Halaman tidak ditemukan" in text(response)


def test_a_link_of_another_meeting_cannot_be_revoked_through_this_one(
    app, login, make_meeting, shared
):
    other = make_meeting(code="rakor-lain", status="closed")
    (link,) = links(app)
    response = revoke(login("secretariat"), other.id, link.id)
    assert response.status_code == 404
    assert links(app)[0].revoked_at is None


# --- who may do what ---------------------------------------------------------------------------


def test_a_viewer_sees_the_links_but_cannot_make_or_revoke_one(app, login, shared):
    meeting_id, address = shared
    viewer = login("viewer")
    page = viewer.get(share_url(meeting_id))
    assert page.status_code == 200
    html = text(page)
    assert addresses(html) == [address]
    assert "Buat tautan" not in html and "Cabut" not in html

    token = csrf_from(viewer, share_url(meeting_id))
    made = viewer.post(share_url(meeting_id), data={"csrf_token": token, "kind": "minutes"})
    assert made.status_code == 403
    (link,) = links(app)
    revoked = viewer.post(f"{share_url(meeting_id)}/{link.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 403
    assert len(links(app)) == 1 and links(app)[0].revoked_at is None


def test_the_share_page_needs_a_sign_in(client, finalised):
    response = client.get(share_url(finalised))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_making_and_revoking_need_the_csrf_token(app, client, login, shared):
    meeting_id, address = shared
    staff = login("secretariat")
    made = staff.post(share_url(meeting_id), data={"kind": "minutes"})
    assert made.status_code == 400
    assert "Formulir kedaluwarsa" in text(made)
    (link,) = links(app)
    revoked = staff.post(f"{share_url(meeting_id)}/{link.id}/revoke", data={})
    assert revoked.status_code == 400
    assert len(links(app)) == 1 and links(app)[0].revoked_at is None
    assert client.get(path_of(address)).status_code == 200


# --- no final document, no link -----------------------------------------------------------------


def test_no_link_before_the_minutes_are_final(app, make_meeting, login):
    meeting_id = build_record(app, make_meeting).meeting_id  # closed, not finalised
    staff = login("secretariat")
    page = text(staff.get(share_url(meeting_id)))
    assert "belum final" in page
    response = make_link(staff, meeting_id)
    assert response.status_code == 422
    html = text(response)
    assert "Belum ada Notulen final untuk rapat ini" in html
    assert 'id="kind-error"' in html  # beside the field
    assert links(app) == [] and share_events(app) == []


def test_a_kind_that_is_not_a_final_document_is_refused(app, login, finalised):
    response = make_link(login("secretariat"), finalised, kind="evaluation")
    assert response.status_code == 422
    assert "Pilihan tidak tersedia" in text(response)
    assert links(app) == []


def test_a_reopened_meeting_pauses_its_links_until_it_is_final_again(app, client, login, shared):
    meeting_id, address = shared
    admin = login("admin")
    reopen(admin, meeting_id)

    paused = client.get(path_of(address))
    assert paused.status_code == 404
    assert "Dokumen sedang diperbaiki" in text(paused)
    assert paused.mimetype == "text/html"
    page = text(admin.get(share_url(meeting_id)))
    assert "sedang diperbaiki" in page and "tidak berstatus final" in page
    # No new link to a document that is being corrected.
    assert make_link(admin, meeting_id).status_code == 422

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.notetaker_name = "Dian Permata Sari"
        db.session.commit()
    finalise(admin, meeting_id)
    first, second = final_documents(app, meeting_id)
    opened = client.get(path_of(address))
    assert opened.status_code == 200
    assert opened.data == second.content  # the new final document, not the set-aside one
    assert opened.headers["X-Content-SHA256"] == second.sha256 != first.sha256


# --- the audit log -------------------------------------------------------------------------------


def test_making_and_revoking_a_link_are_audited(app, login, staff, shared):
    meeting_id, _address = shared
    (link,) = links(app)
    revoke(login("admin"), meeting_id, link.id)
    made, revoked = share_events(app)
    assert (made.action, made.user_id, made.meeting_id) == (
        "share",
        staff["secretariat"],
        meeting_id,
    )
    assert (made.entity_type, made.entity_id) == ("ShareLink", link.id)
    (stored,) = final_documents(app, meeting_id)
    assert made.after["kind"] == "minutes"
    assert made.after["document_sha256"] == stored.sha256
    # The log names the link without holding the key to it.
    assert made.after["token"] == link.token[:6] + "…"
    assert link.token not in str(made.after) + str(revoked.after)
    assert (revoked.action, revoked.user_id) == ("revoke", staff["admin"])
    assert revoked.before == {"revoked_at": None} and revoked.after["revoked_at"]


# --- guessing tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [LOOKUPS_3], indirect=True)
def test_guessing_tokens_is_rate_limited(app, shared):
    _meeting_id, address = shared
    holder = app.test_client()
    # A real link opens as often as needed: only misses spend the budget.
    assert [holder.get(path_of(address)).status_code for _ in range(5)] == [200] * 5

    guesser = app.test_client()
    guesses = [guesser.get(f"/d/{UNKNOWN_TOKEN[:-2]}{n:02d}").status_code for n in range(4)]
    assert guesses == [404, 404, 404, 429]
    refused = guesser.get(path_of(address))
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in text(refused)
    assert refused.headers["Referrer-Policy"] == "no-referrer"


# --- in a browser: the copy button -------------------------------------------------------------


def test_the_copy_button_puts_the_link_on_the_clipboard(desktop, app, finalised):
    page = desktop
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "secretariat")
    page.goto(share_url(finalised))
    page.get_by_label("Dokumen").select_option(label="Notulen")
    page.get_by_role("button", name="Buat tautan").click()
    page.wait_for_url(re.compile(r"/share#link-\d+$"))
    address = page.get_by_label("Tautan Notulen").input_value()
    (link,) = links(app)
    assert address.endswith(f"/d/{link.token}")

    page.get_by_role("button", name="Salin tautan Notulen").click()
    page.get_by_role("status").filter(has_text="Tautan disalin.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    whatsapp = page.get_by_role("link", name=re.compile("Kirim lewat WhatsApp"))
    assert whatsapp.get_attribute("target") == "_blank"
    assert serious_violations(page) == [], describe(serious_violations(page))
    screenshot(page, "share-links")
