"""Signing in and out: sessions, locks, limits, redirects and cookie flags."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import User, UserSession
from app.models.base import utcnow
from tests.helpers import STAFF_EMAILS, STAFF_PASSWORD, csrf_from, session_tokens, token_of


def sign_in(client, email, password, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url, data={"csrf_token": csrf_from(client, "/login"), "email": email, "password": password}
    )


def signed_in_client(app, role: str):
    client = app.test_client()
    assert sign_in(client, STAFF_EMAILS[role], STAFF_PASSWORD).status_code == 302
    return client


def test_staff_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_signing_in_opens_the_workspace(client, staff):
    response = sign_in(client, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/").get_data(as_text=True)
    assert "Uji secretariat" in page
    assert "Keluar" in page


def test_email_is_matched_without_regard_to_case(client, staff):
    assert sign_in(client, "SEKRETARIAT@uji.test", STAFF_PASSWORD).status_code == 302


def test_a_wrong_password_is_refused_with_everything_but_the_password_kept(client, staff):
    response = sign_in(client, STAFF_EMAILS["viewer"], "salah-sekali")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "E-mail atau kata sandi salah." in page
    assert f'value="{STAFF_EMAILS["viewer"]}"' in page
    assert "salah-sekali" not in page


def test_an_unknown_account_gets_the_same_answer(client, staff):
    response = sign_in(client, "siapa@uji.test", STAFF_PASSWORD)
    assert response.status_code == 422
    assert "E-mail atau kata sandi salah." in response.get_data(as_text=True)


def refusal_text(response) -> str:
    """The page without its CSRF token, which differs on every page."""
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_repeated_failures_lock_the_account(app, client, staff):
    for _ in range(5):
        sign_in(client, STAFF_EMAILS["viewer"], "salah-sekali")
    response = sign_in(client, STAFF_EMAILS["viewer"], STAFF_PASSWORD)
    assert response.status_code == 422
    assert "akun dikunci sementara selama 15 menit" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, staff["viewer"])
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        user.locked_until = utcnow() - timedelta(seconds=1)  # the lock runs out
        db.session.commit()
    assert sign_in(client, STAFF_EMAILS["viewer"], STAFF_PASSWORD).status_code == 302


def test_a_sign_in_lock_leaves_the_accounts_open_sessions(app, client, staff):
    # Five wrong passwords need only the address: ending the sessions too would let
    # anyone sign a member of staff out of every device, not just keep them out.
    desk = signed_in_client(app, "viewer")
    for _ in range(5):
        sign_in(client, STAFF_EMAILS["viewer"], "salah-sekali")
    with app.app_context():
        assert db.session.get(User, staff["viewer"]).locked_until > utcnow()
    assert desk.get("/admin/").status_code == 200


def test_a_locked_account_answers_as_an_unknown_address_does(app, client, staff):
    with app.app_context():
        db.session.get(User, staff["viewer"]).locked_until = utcnow() + timedelta(minutes=10)
        db.session.commit()
    locked = sign_in(client, STAFF_EMAILS["viewer"], STAFF_PASSWORD)
    unknown = sign_in(client, "siapa@uji.test", STAFF_PASSWORD)
    assert locked.status_code == unknown.status_code == 422
    locked_page = refusal_text(locked).replace(STAFF_EMAILS["viewer"], "EMAIL")
    assert locked_page == refusal_text(unknown).replace("siapa@uji.test", "EMAIL")
    assert "dikunci sampai" not in locked_page


def test_the_wrong_password_that_locks_answers_as_any_other_does(app, client, staff):
    answers = [
        refusal_text(sign_in(client, STAFF_EMAILS["viewer"], "salah-sekali")) for _ in range(5)
    ]
    assert answers[4] == answers[0]
    with app.app_context():
        assert db.session.get(User, staff["viewer"]).locked_until > utcnow()


def test_simultaneous_wrong_passwords_each_count_and_the_fifth_locks(app, staff):
    clients = [app.test_client() for _ in range(8)]
    tokens = [csrf_from(client, "/login") for client in clients]
    start = threading.Barrier(len(clients))

    def wrong_password(client, token) -> int:
        start.wait()
        data = {"csrf_token": token, "email": STAFF_EMAILS["viewer"], "password": "salah"}
        return client.post("/login", data=data).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(wrong_password, clients, tokens))
    assert answers == [422] * 8
    with app.app_context():
        user = db.session.get(User, staff["viewer"])
        assert user.locked_until is not None and user.locked_until > utcnow()
        assert user.failed_logins <= 3  # the fifth locked and started the count again


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"RAKOR_LOGIN_RATE_LIMIT": "3 per minute"}], indirect=True)
def test_one_client_trying_many_accounts_is_slowed(client, staff):
    for email in ("a@uji.test", "b@uji.test", "c@uji.test"):
        assert sign_in(client, email, "salah-sekali").status_code == 422
    response = sign_in(client, STAFF_EMAILS["admin"], STAFF_PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak" in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in(app, client, staff):
    with app.app_context():
        db.session.get(User, staff["viewer"]).active = False
        db.session.commit()
    assert sign_in(client, STAFF_EMAILS["viewer"], STAFF_PASSWORD).status_code == 422


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client, staff):
    sign_in(client, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    stolen = client.get_cookie("session").value
    response = client.post("/logout", data={"csrf_token": csrf_from(client, "/admin/")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/admin/").status_code == 302  # the old session is dead server-side


def test_two_sign_ins_of_one_account_get_their_own_tokens_and_both_work(app, staff):
    office = signed_in_client(app, "secretariat")
    phone = signed_in_client(app, "secretariat")
    assert token_of(office) != token_of(phone)
    assert session_tokens(app, staff["secretariat"]) == {token_of(office), token_of(phone)}
    assert office.get("/admin/").status_code == 200
    assert phone.get("/admin/").status_code == 200


def test_signing_out_on_one_device_leaves_the_other_signed_in(app, staff):
    office = signed_in_client(app, "secretariat")
    phone = signed_in_client(app, "secretariat")
    copied = office.get_cookie("session").value
    response = office.post("/logout", data={"csrf_token": csrf_from(office, "/admin/")})
    assert response.status_code == 302
    assert office.get("/admin/").status_code == 302

    assert phone.get("/admin/").status_code == 200
    assert session_tokens(app, staff["secretariat"]) == {token_of(phone)}
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/admin/").status_code == 302


def test_a_sign_in_makes_a_token_no_cookie_from_before_it_carries(app, staff):
    # An attacker holds a cookie of the account from an earlier sign-in, and the
    # cookie of the sign-in page the victim is about to use.
    earlier = signed_in_client(app, "secretariat")
    victim = app.test_client()
    victim.get("/login")
    planted = victim.get_cookie("session").value
    tokens_before = session_tokens(app, staff["secretariat"])

    assert sign_in(victim, STAFF_EMAILS["secretariat"], STAFF_PASSWORD).status_code == 302

    assert token_of(victim) not in tokens_before | {token_of(earlier)}
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/admin/").status_code == 302  # the sign-in did not sign it in
    assert victim.get("/admin/").status_code == 200


def test_a_sign_in_older_than_the_session_lifetime_is_refused_and_removed_later(app, staff):
    client = signed_in_client(app, "secretariat")
    lifetime = app.permanent_session_lifetime
    assert lifetime == timedelta(days=31)  # Flask's PERMANENT_SESSION_LIFETIME

    def started(ago: timedelta) -> None:
        with app.app_context():
            row = db.session.scalar(db.select(UserSession).filter_by(token=token_of(client)))
            row.created_at = utcnow() - ago
            db.session.commit()

    started(lifetime - timedelta(minutes=1))
    assert client.get("/admin/").status_code == 200
    started(lifetime + timedelta(minutes=1))
    assert client.get("/admin/").headers["Location"].startswith("/login")

    expired = session_tokens(app, staff["secretariat"])
    assert len(expired) == 1  # still there, refused
    again = signed_in_client(app, "secretariat")
    assert session_tokens(app, staff["secretariat"]) == {token_of(again)}


def test_signing_out_needs_a_post_with_csrf(client, staff):
    sign_in(client, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_signing_in_starts_a_new_session(client, staff):
    client.get("/login")
    before = client.get_cookie("session").value
    sign_in(client, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert client.get_cookie("session").value != before


def test_nothing_from_before_sign_in_survives_it_and_the_form_token_is_new(client, staff):
    # What an attacker could have planted in the browser's session before the sign-in.
    with client.session_transaction() as session:
        session["planted"] = "nilai dari sebelum masuk"
    old_token = csrf_from(client, "/login")
    with client.session_transaction() as session:
        old_secret = session["csrf_token"]

    response = sign_in(client, STAFF_EMAILS["secretariat"], STAFF_PASSWORD, next_url="/admin/")

    assert response.headers["Location"] == "/admin/"  # `next` still leads on
    new_token = csrf_from(client, "/admin/")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["csrf_token"] != old_secret
    assert new_token != old_token
    # A form token known from before the sign-in no longer passes; the new one does.
    assert client.post("/logout", data={"csrf_token": old_token}).status_code == 400
    assert client.get("/admin/").status_code == 200
    assert client.post("/logout", data={"csrf_token": new_token}).status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/admin/", "/admin/"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/x", "/admin/"),
        ("/\\evil.example", "/admin/"),
    ],
)
def test_the_next_redirect_stays_on_this_site(client, staff, next_url, expected):
    response = sign_in(client, STAFF_EMAILS["admin"], STAFF_PASSWORD, next_url=next_url)
    assert response.headers["Location"] == expected


def test_session_cookie_flags(client, staff):
    response = sign_in(client, STAFF_EMAILS["admin"], STAFF_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the next test


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}], indirect=True)
def test_session_cookie_is_secure_when_configured(client, staff):
    response = sign_in(client, STAFF_EMAILS["admin"], STAFF_PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]
