"""The admin's account screens: list, create, name and role, password reset, deactivation."""

import json
import re
from datetime import timedelta

import pytest

from app.auth.access import ADMIN
from app.domain import USER_ROLES
from app.extensions import db
from app.models import Agency, AuditEvent, User
from app.models.base import utcnow
from tests.helpers import (
    STAFF_EMAILS,
    STAFF_PASSWORD,
    csrf_from,
    hidden_value,
    session_tokens,
    token_of,
)

NEW_PASSWORD = "kopi-tubruk-pagi-hari"


@pytest.fixture
def app_config() -> dict:
    # These tests sign in more often than the per-client limit allows in a minute.
    return {"RAKOR_LOGIN_RATE_LIMIT": "1000 per minute"}


def text(response) -> str:
    return response.get_data(as_text=True)


def post(client, url: str, data: dict, *, form_url: str | None = None):
    """POST like a browser: with the CSRF token of the page that holds the form."""
    token = csrf_from(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data})


def sign_in(app, email: str, password: str):
    """A fresh client and the answer to its sign-in attempt."""
    client = app.test_client()
    page = text(client.get("/login"))
    response = client.post(
        "/login",
        data={"csrf_token": hidden_value(page, "csrf_token"), "email": email, "password": password},
    )
    return client, response


def get_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def audit_events(app, action: str, entity_id: int | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).filter_by(entity_type="User", action=action)
        if entity_id is not None:
            query = query.filter_by(entity_id=entity_id)
        events = db.session.scalars(query.order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def whole_audit_log(app) -> str:
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent)).all()
        return json.dumps([[e.action, e.before, e.after] for e in events])


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_every_account_with_role_state_sign_in_and_lock(
    app, login, staff, focal_point
):
    with app.app_context():
        viewer = db.session.get(User, staff["viewer"])
        viewer.locked_until = utcnow() + timedelta(minutes=10)
        db.session.commit()
    admin = login("admin")
    page = text(admin.get("/admin/users/"))
    for email in STAFF_EMAILS.values():
        assert email in page
    assert "Uji secretariat" in page
    assert "Sekretariat" in page and "Pimpinan (hanya baca)" in page
    # The admin has just signed in; the others never have.
    assert "Belum pernah" in page
    assert "Ya, sampai" in page  # the locked viewer
    assert f'href="/admin/users/{staff["secretariat"]}"' in page
    assert 'href="/admin/users/new"' in page
    # A focal point's row names its agency.
    focal_row = re.search(r"<tr>(?:(?!</tr>).)*focal@uji\.test(?:(?!</tr>).)*</tr>", page, re.S)
    assert "Focal point perangkat daerah" in focal_row.group(0)
    assert "Disperkim" in focal_row.group(0)


# --- creating an account -----------------------------------------------------------------


def test_an_admin_creates_an_account_that_can_sign_in(app, login, staff):
    admin = login("admin")
    response = post(
        admin,
        "/admin/users/new",
        {
            "email": " Notulis@Bappeda.go.id ",
            "name": "Siti Rahmawati",
            "role": "secretariat",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users/"
    assert "Akun notulis@bappeda.go.id dibuat." in text(admin.get("/admin/users/"))

    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="notulis@bappeda.go.id"))
        assert user.name == "Siti Rahmawati"
        assert user.role == "secretariat"
        assert user.active
        user_id, password_hash = user.id, user.password_hash

    (event,) = audit_events(app, "create", user_id)
    assert event.user_id == staff["admin"]
    assert event.before is None
    assert event.after == {
        "email": "notulis@bappeda.go.id",
        "name": "Siti Rahmawati",
        "role": "secretariat",
        "agency_id": None,
        "active": True,
    }
    log = whole_audit_log(app)
    assert password_hash not in log and NEW_PASSWORD not in log

    _client, signed_in = sign_in(app, "notulis@bappeda.go.id", NEW_PASSWORD)
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "pendek", "confirm": "pendek"}, "Kata sandi paling sedikit 8 karakter."),
        ({"password": "Password123", "confirm": "Password123"}, "terlalu umum"),
        ({"confirm": "lain-dari-yang-tadi"}, "Kedua kata sandi tidak sama."),
        ({"email": "bukan-alamat-email"}, "Tulis alamat e-mail yang benar"),
        ({"email": "ADMIN@uji.test"}, "Sudah ada pengguna dengan e-mail ini."),
        ({"name": "   "}, "Isi nama pengguna."),
        ({"role": "superuser"}, "Pilih salah satu peran."),
    ],
)
def test_a_refused_account_comes_back_with_the_message_and_the_typed_values(
    app, login, fields, message
):
    admin = login("admin")
    data = {
        "email": "baru@bappeda.go.id",
        "name": "Budi Santoso",
        "role": "viewer",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        **fields,
    }
    response = post(admin, "/admin/users/new", data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert "Ada isian yang perlu diperbaiki" in page  # the error summary
    # Everything typed comes back, as the form cleaned it (outer spaces off the name).
    assert hidden_value(page, "email") == data["email"]
    assert hidden_value(page, "name") == data["name"].strip()
    checked = re.findall(r'checked id="role-\d" name="role" type="radio" value="(\w+)"', page)
    assert checked == ([data["role"]] if data["role"] in USER_ROLES else [])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 3


# --- focal points ----------------------------------------------------------------------------


def agency_ids(app) -> dict[str, int]:
    """Two agencies: one active, one retired (no longer offered)."""
    with app.app_context():
        active = Agency(abbreviation="Dinsos", name="Dinas Sosial")
        retired = Agency(
            abbreviation="Bapermas", name="Badan Pemberdayaan Masyarakat", active=False
        )
        db.session.add_all([active, retired])
        db.session.commit()
        return {"active": active.id, "retired": retired.id}


def test_an_admin_creates_a_focal_point_of_one_agency(app, login, staff):
    agencies = agency_ids(app)
    admin = login("admin")
    form = text(admin.get("/admin/users/new"))
    assert "Focal point perangkat daerah" in form
    assert f'<option value="{agencies["active"]}">Dinsos (Dinas Sosial)</option>' in form
    assert f'value="{agencies["retired"]}"' not in form
    response = post(
        admin,
        "/admin/users/new",
        {
            "email": "focal.dinsos@pekalongankota.go.id",
            "name": "Rina Kusuma",
            "role": "focal",
            "agency": str(agencies["active"]),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(
            db.select(User).filter_by(email="focal.dinsos@pekalongankota.go.id")
        )
        assert (user.role, user.agency_id) == ("focal", agencies["active"])
        user_id = user.id
    (event,) = audit_events(app, "create", user_id)
    assert event.after["role"] == "focal" and event.after["agency_id"] == agencies["active"]
    listed = text(admin.get("/admin/users/"))
    assert "Dinsos" in listed

    # Signed in, a focal point starts on its agency's follow-ups.
    _client, signed_in = sign_in(app, "focal.dinsos@pekalongankota.go.id", NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/admin/follow-ups"


def test_another_role_never_keeps_an_agency_it_was_sent(app, login, staff):
    agencies = agency_ids(app)
    admin = login("admin")
    data = {
        "email": "sekretariat2@bappeda.go.id",
        "name": "Budi",
        "role": "secretariat",
        "agency": str(agencies["active"]),
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    assert post(admin, "/admin/users/new", data).status_code == 303
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="sekretariat2@bappeda.go.id"))
        assert user.agency_id is None


@pytest.mark.parametrize(
    ("agency", "message"),
    [
        ("", "Focal point mewakili satu perangkat daerah: pilih perangkat daerahnya."),
        ("retired", "Pilihan tidak tersedia. Pilih dari daftar."),
        ("999999", "Pilihan tidak tersedia. Pilih dari daftar."),
    ],
)
def test_a_focal_point_without_an_offered_agency_is_refused_beside_the_field(
    app, login, staff, agency, message
):
    agencies = agency_ids(app)
    admin = login("admin")
    data = {
        "email": "focal.baru@pekalongankota.go.id",
        "name": "Rina Kusuma",
        "role": "focal",
        "agency": str(agencies.get(agency, agency)),
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    response = post(admin, "/admin/users/new", data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'id="agency-error"' in page  # beside the agency select
    assert hidden_value(page, "email") == data["email"]
    assert 'checked id="role-3" name="role" type="radio" value="focal"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 3


def test_an_admin_turns_an_account_into_a_focal_point_and_back(app, login, staff):
    agencies = agency_ids(app)
    admin = login("admin")
    url = f"/admin/users/{staff['viewer']}"
    refused = post(admin, url, {"name": "Uji viewer", "role": "focal", "agency": ""})
    assert refused.status_code == 422
    assert "pilih perangkat daerahnya" in text(refused)
    assert get_user(app, staff["viewer"]).role == "viewer"

    data = {"name": "Uji viewer", "role": "focal", "agency": str(agencies["active"])}
    assert post(admin, url, data).status_code == 303
    user = get_user(app, staff["viewer"])
    assert (user.role, user.agency_id) == ("focal", agencies["active"])
    (event,) = audit_events(app, "update", staff["viewer"])
    assert event.before == {"role": "viewer", "agency_id": None}
    assert event.after == {"role": "focal", "agency_id": agencies["active"]}
    # The edit page shows the agency chosen.
    page = text(admin.get(url))
    assert f'<option selected value="{agencies["active"]}">' in page

    # The agency retired since stays offered to the account that has it.
    with app.app_context():
        db.session.get(Agency, agencies["active"]).active = False
        db.session.commit()
    assert f'<option selected value="{agencies["active"]}">' in text(admin.get(url))

    assert (
        post(admin, url, {"name": "Uji viewer", "role": "viewer", "agency": ""}).status_code == 303
    )
    user = get_user(app, staff["viewer"])
    assert (user.role, user.agency_id) == ("viewer", None)


# --- name and role ---------------------------------------------------------------------


def test_an_admin_changes_a_name_and_role_and_the_change_is_audited(app, login, staff):
    admin = login("admin")
    url = f"/admin/users/{staff['viewer']}"
    page = text(admin.get(url))
    assert "pimpinan@uji.test" in page and 'value="Uji viewer"' in page
    response = post(admin, url, {"name": "Bu Wali", "role": "secretariat"})
    assert response.status_code == 303
    user = get_user(app, staff["viewer"])
    assert (user.name, user.role) == ("Bu Wali", "secretariat")
    (event,) = audit_events(app, "update", staff["viewer"])
    assert event.before == {"name": "Uji viewer", "role": "viewer"}
    assert event.after == {"name": "Bu Wali", "role": "secretariat"}


def test_saving_an_unchanged_account_writes_no_audit_line(app, login, staff):
    admin = login("admin")
    url = f"/admin/users/{staff['viewer']}"
    assert post(admin, url, {"name": "Uji viewer", "role": "viewer"}).status_code == 303
    assert audit_events(app, "update") == []


def test_an_admin_cannot_remove_their_own_admin_role(app, login, staff):
    admin = login("admin")
    url = f"/admin/users/{staff['admin']}"
    response = post(admin, url, {"name": "Uji admin", "role": "viewer"})
    assert response.status_code == 422
    assert "Anda tidak dapat mencabut peran admin dari akun Anda sendiri" in text(response)
    assert get_user(app, staff["admin"]).role == "admin"
    assert audit_events(app, "update") == []
    # Renaming oneself is fine.
    assert post(admin, url, {"name": "Admin Bappeda", "role": "admin"}).status_code == 303
    assert get_user(app, staff["admin"]).name == "Admin Bappeda"


def test_an_edit_with_an_empty_name_keeps_the_chosen_role(app, login, staff):
    admin = login("admin")
    response = post(admin, f"/admin/users/{staff['viewer']}", {"name": "", "role": "secretariat"})
    assert response.status_code == 422
    page = text(response)
    assert "Isi nama pengguna." in page
    assert 'checked id="role-1" name="role" type="radio" value="secretariat"' in page
    assert get_user(app, staff["viewer"]).role == "viewer"


# --- deactivation --------------------------------------------------------------------------


def test_deactivating_ends_every_open_session_and_stops_sign_in(app, login, staff):
    secretariat, phone = login("secretariat"), login("secretariat")
    assert secretariat.get("/admin/").status_code == 200
    admin = login("admin")
    url = f"/admin/users/{staff['secretariat']}"
    response = post(admin, f"{url}/deactivate", {}, form_url=url)
    assert response.status_code == 303

    # The secretariat's next click, on either device, lands on the sign-in page.
    for device in (secretariat, phone):
        after = device.get("/admin/")
        assert after.status_code == 302
        assert after.headers["Location"].startswith("/login")
    assert session_tokens(app, staff["secretariat"]) == set()

    _client, refused = sign_in(app, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert refused.status_code == 422
    assert "E-mail atau kata sandi salah." in text(refused)

    assert not get_user(app, staff["secretariat"]).active
    (event,) = audit_events(app, "deactivate", staff["secretariat"])
    assert event.user_id == staff["admin"]
    assert event.before == {"active": True}
    assert event.after == {"active": False}
    assert "Nonaktif" in text(admin.get("/admin/users/"))

    # Reactivated, the account signs in again, but the old session stays ended.
    assert post(admin, f"{url}/reactivate", {}, form_url=url).status_code == 303
    (event,) = audit_events(app, "reactivate", staff["secretariat"])
    assert (event.before, event.after) == ({"active": False}, {"active": True})
    assert secretariat.get("/admin/").headers["Location"].startswith("/login")
    _client, signed_in = sign_in(app, STAFF_EMAILS["secretariat"], STAFF_PASSWORD)
    assert signed_in.status_code == 302


def test_an_admin_cannot_deactivate_themself(app, login, staff):
    admin = login("admin")
    url = f"/admin/users/{staff['admin']}"
    page = text(admin.get(url))
    assert "akun ini tidak dapat Anda nonaktifkan" in page
    assert f"{url}/deactivate" not in page
    response = post(admin, f"{url}/deactivate", {}, form_url=url)
    assert response.status_code == 409
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri" in text(response)
    assert get_user(app, staff["admin"]).active
    assert audit_events(app, "deactivate") == []
    assert admin.get("/admin/users/").status_code == 200  # still signed in


def test_another_admin_can_be_deactivated(app, login, staff):
    with app.app_context():
        db.session.get(User, staff["secretariat"]).role = "admin"
        db.session.commit()
    admin = login("admin")
    url = f"/admin/users/{staff['secretariat']}"
    assert post(admin, f"{url}/deactivate", {}, form_url=url).status_code == 303
    assert not get_user(app, staff["secretariat"]).active


# --- password reset ------------------------------------------------------------------------


def test_a_password_reset_ends_every_session_unlocks_and_logs_no_secret(app, login, staff):
    viewer, phone = login("viewer"), login("viewer")
    with app.app_context():
        user = db.session.get(User, staff["viewer"])
        user.locked_until = utcnow() + timedelta(minutes=10)
        user.failed_logins = 3
        old_hash = user.password_hash
        db.session.commit()
    admin = login("admin")
    url = f"/admin/users/{staff['viewer']}/password"
    assert "pimpinan@uji.test" in text(admin.get(url))
    response = post(admin, url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{staff['viewer']}"

    for device in (viewer, phone):
        assert device.get("/admin/").headers["Location"].startswith("/login")
    assert session_tokens(app, staff["viewer"]) == set()
    user = get_user(app, staff["viewer"])
    assert user.locked_until is None and user.failed_logins == 0

    (event,) = audit_events(app, "password_reset", staff["viewer"])
    assert event.user_id == staff["admin"]
    assert event.before is None and event.after is None
    log = whole_audit_log(app)
    for secret in (old_hash, user.password_hash, NEW_PASSWORD, STAFF_PASSWORD):
        assert secret not in log

    _client, old = sign_in(app, STAFF_EMAILS["viewer"], STAFF_PASSWORD)
    assert old.status_code == 422
    _client, new = sign_in(app, STAFF_EMAILS["viewer"], NEW_PASSWORD)
    assert new.status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("pendek", "pendek", "Kata sandi paling sedikit 8 karakter."),
        ("bappeda123", "bappeda123", "terlalu umum"),
        (NEW_PASSWORD, "yang-lain-lagi", "Kedua kata sandi tidak sama."),
        ("", "", "Isi kata sandi."),
    ],
)
def test_a_refused_password_reset_changes_nothing(app, login, staff, password, confirm, message):
    viewer = login("viewer")
    admin = login("admin")
    url = f"/admin/users/{staff['viewer']}/password"
    response = post(admin, url, {"password": password, "confirm": confirm})
    assert response.status_code == 422
    assert message in text(response)
    assert viewer.get("/admin/").status_code == 200  # the session goes on
    assert audit_events(app, "password_reset") == []


def test_an_admin_resetting_their_own_password_stays_signed_in_with_a_new_token(app, login, staff):
    admin, other_device = login("admin"), login("admin")
    copied = admin.get_cookie("session").value
    old_token = token_of(admin)
    url = f"/admin/users/{staff['admin']}/password"
    assert post(admin, url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    assert admin.get("/admin/users/").status_code == 200
    assert token_of(admin) != old_token
    assert session_tokens(app, staff["admin"]) == {token_of(admin)}
    assert other_device.get("/admin/").headers["Location"].startswith("/login")
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/admin/").headers["Location"].startswith("/login")
    _client, new = sign_in(app, STAFF_EMAILS["admin"], NEW_PASSWORD)
    assert new.status_code == 302


# --- who may do what -------------------------------------------------------------------------


@pytest.fixture
def user_routes(staff) -> list[tuple[str, str]]:
    target = staff["viewer"]
    return [
        ("GET", "/admin/users/"),
        ("GET", "/admin/users/new"),
        ("POST", "/admin/users/new"),
        ("GET", f"/admin/users/{target}"),
        ("POST", f"/admin/users/{target}"),
        ("GET", f"/admin/users/{target}/password"),
        ("POST", f"/admin/users/{target}/password"),
        ("POST", f"/admin/users/{target}/deactivate"),
        ("POST", f"/admin/users/{target}/reactivate"),
    ]


def test_every_account_route_is_for_admins_only(app):
    endpoints = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    ours = [endpoint for endpoint in endpoints if endpoint.startswith("users.")]
    assert "users.index" in ours
    for endpoint in ours:
        assert app.view_functions[endpoint].allowed_roles == ADMIN, endpoint


@pytest.mark.parametrize("role", ["secretariat", "viewer"])
def test_secretariat_and_viewer_are_refused_every_account_route(
    app, login, staff, user_routes, role
):
    client = login(role)
    token = csrf_from(client, "/admin/")
    for method, url in user_routes:
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": token, "name": "X", "role": "admin", "password": NEW_PASSWORD}
            response = client.post(url, data=data)
        assert response.status_code == 403, (method, url)
    assert get_user(app, staff["viewer"]).active
    assert get_user(app, staff["viewer"]).role == "viewer"


def test_a_stranger_is_sent_to_sign_in(client, staff, user_routes):
    token = hidden_value(text(client.get("/login")), "csrf_token")
    for method, url in user_routes:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_a_post_without_the_csrf_token_is_refused(app, login, staff, user_routes):
    admin = login("admin")
    posts = [url for method, url in user_routes if method == "POST"]
    assert posts
    for url in posts:
        response = admin.post(url, data={"name": "X", "role": "viewer"})
        assert response.status_code == 400, url
        assert "Formulir kedaluwarsa" in text(response)
    user = get_user(app, staff["viewer"])
    assert user.active and user.role == "viewer" and user.name == "Uji viewer"


def test_the_staff_menu_links_the_admin_screens_for_admins_only(login):
    assert 'href="/admin/users/"' in text(login("admin").get("/admin/"))
    assert 'href="/admin/users/"' not in text(login("secretariat").get("/admin/"))
