"""Headers every page carries: a strict CSP, no sniffing, no framing, HSTS under HTTPS,
and no-store on whatever staff see."""

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from tests.helpers import concrete_url, hidden_value, staff_routes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_pages_carry_the_security_headers(client, meeting):
    response = client.get(f"/m/{meeting.code}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://rakor.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_page_uses_inline_script_or_style(client, meeting):
    for url in ("/", f"/m/{meeting.code}", "/status", "/login"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page, url


def test_staff_pages_are_never_stored_and_public_ones_may_be(login, client, meeting):
    staff = login("secretariat")
    for path in ("/admin/", f"/admin/meetings/{meeting.id}", "/login"):
        assert staff.get(path).headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in client.get(f"/m/{meeting.code}").headers.get("Cache-Control", "")


def test_signing_out_tells_the_browser_to_drop_what_it_kept(login):
    staff = login("secretariat")
    page = staff.get("/admin/").get_data(as_text=True)
    response = staff.post("/logout", data={"csrf_token": hidden_value(page, "csrf_token")})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert staff.get("/admin/").status_code == 302  # and the session is gone


def test_the_session_cookie_is_signed_with_hmac_sha256(app, login):
    cookie = login("secretariat").get_cookie("session").value
    interface = app.session_interface
    sha256 = interface.get_signing_serializer(app)
    assert sha256.loads(cookie)["_user_id"]
    app.session_interface = SecureCookieSessionInterface()  # Flask's default: HMAC-SHA1
    with pytest.raises(BadSignature):
        app.session_interface.get_signing_serializer(app).loads(cookie)


def test_every_staff_page_and_download_is_never_stored(app, login, client, meeting):
    admin = login("admin")
    urls = sorted(
        {concrete_url(rule, meeting.id) for rule, method, _ in staff_routes(app) if method == "GET"}
    )
    kinds = set()
    for url in urls:
        response = admin.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
        if response.status_code == 200:
            kinds.add(response.mimetype)
    # The downloads were among them: the poster and paper form (PDF), the XLSX template
    # and export, the CSV export.
    assert {"application/pdf", "text/csv", XLSX} <= kinds
    # A public page too, while a staff account is signed in on that browser.
    assert admin.get(f"/m/{meeting.code}").headers.get("Cache-Control") == "no-store"
    assert "Cache-Control" not in client.get(f"/m/{meeting.code}").headers
