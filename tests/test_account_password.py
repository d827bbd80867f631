"""Every signed-in role changes its own password, after typing the current one."""

import pytest

from app.extensions import db
from app.models import AuditEvent, User, UserSession
from tests.helpers import STAFF_EMAILS, STAFF_PASSWORD, csrf_from, hidden_value, token_of

URL = "/account/password"
NEW_PASSWORD = "gedung-jlamprang-lantai-3"


def change(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        URL,
        data={
            "csrf_token": csrf_from(client, URL),
            "current_password": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def signs_in(app, email: str, password: str) -> bool:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"csrf_token": hidden_value(page, "csrf_token"), "email": email, "password": password},
    )
    return response.status_code == 302


def session_tokens(app, role: str) -> set[str]:
    with app.app_context():
        query = db.select(UserSession.token).join(User).filter(User.email == STAFF_EMAILS[role])
        return set(db.session.scalars(query))


def account(app, role: str) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=STAFF_EMAILS[role]))
        db.session.expunge(user)
        return user


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEvent).filter_by(action=action)).all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("role", ["viewer", "secretariat", "admin"])
def test_each_role_changes_its_own_password_and_its_other_sessions_end(app, login, role):
    other_device = login(role)
    this_device = login(role)
    page = this_device.get("/admin/").get_data(as_text=True)
    assert f'href="{URL}"' in page  # the link in the staff navigation

    response = change(this_device, STAFF_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    page = this_device.get("/admin/").get_data(as_text=True)
    assert "Kata sandi Anda sudah diganti. Sesi di perangkat lain diakhiri." in page

    assert other_device.get("/admin/").headers["Location"].startswith("/login")
    assert not signs_in(app, STAFF_EMAILS[role], STAFF_PASSWORD)
    assert signs_in(app, STAFF_EMAILS[role], NEW_PASSWORD)
    [event] = events(app, "password_changed")
    assert event.user_id == event.entity_id == account(app, role).id


def test_a_password_change_keeps_this_session_and_its_token_and_ends_the_others(app, login):
    office, laptop, this_device = login("secretariat"), login("secretariat"), login("secretariat")
    token = token_of(this_device)
    assert change(this_device, STAFF_PASSWORD, NEW_PASSWORD).status_code == 303

    assert this_device.get("/admin/").status_code == 200
    assert token_of(this_device) == token
    assert session_tokens(app, "secretariat") == {token}
    for other in (office, laptop):
        assert other.get("/admin/").headers["Location"].startswith("/login")


def test_a_wrong_current_password_changes_nothing(app, login):
    client = login("secretariat")
    response = change(client, "bukan-sandi-ini", NEW_PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kata sandi sekarang salah." in page
    assert NEW_PASSWORD not in page  # passwords are never sent back
    assert account(app, "secretariat").failed_logins == 1
    assert client.get("/admin/").status_code == 200  # still signed in
    assert signs_in(app, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert events(app, "password_changed") == []


def test_five_wrong_current_passwords_lock_the_account_and_end_its_sessions(app, login):
    other_device = login("viewer")
    client = login("viewer")
    for _ in range(4):
        assert change(client, "tebakan-salah", NEW_PASSWORD).status_code == 422
    response = change(client, "tebakan-salah", NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Terlalu banyak kata sandi salah. Akun dikunci sampai" in page
    assert client.get("/admin/").headers["Location"].startswith("/login")
    assert other_device.get("/admin/").headers["Location"].startswith("/login")
    assert session_tokens(app, "viewer") == set()
    assert account(app, "viewer").locked_until is not None
    assert not signs_in(app, STAFF_EMAILS["viewer"], STAFF_PASSWORD)  # locked for now
    assert len(events(app, "password_change_locked")) == 1


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        (STAFF_PASSWORD, None, "Kata sandi baru harus berbeda dari yang sekarang."),
        ("pendek", None, "Kata sandi paling sedikit 8 karakter."),
        ("password123", None, "Kata sandi ini terlalu umum dan mudah ditebak."),
        (NEW_PASSWORD, "gedung-lain", "Kedua kata sandi tidak sama."),
        ("", None, "Isi kata sandi."),
    ],
)
def test_a_new_password_that_breaks_a_rule_is_refused_with_its_reason(
    app, login, new, confirm, message
):
    client = login("secretariat")
    response = change(client, STAFF_PASSWORD, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert signs_in(app, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert account(app, "secretariat").failed_logins == 0


def test_an_empty_current_password_is_asked_for(login):
    response = change(login("admin"), "", NEW_PASSWORD)
    assert response.status_code == 422
    assert "Isi kata sandi yang Anda pakai sekarang." in response.get_data(as_text=True)


def test_the_page_is_for_signed_in_staff_only_and_never_stored(app, client, login, staff):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.post(URL, data={}).status_code in (302, 400)

    signed_in = login("viewer")
    page = signed_in.get(URL)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    response = signed_in.post(
        URL,
        data={
            "current_password": STAFF_PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400  # no CSRF token
    assert signs_in(app, STAFF_EMAILS["viewer"], STAFF_PASSWORD)


def test_the_page_speaks_english_on_request(login):
    client = login("secretariat")
    client.get("/bahasa/en")
    page = client.get(URL).get_data(as_text=True)
    assert "Change password" in page
    assert "Current password" in page
    assert "Repeat the new password" in page
