"""ASVS controls that hold by construction, proved here (docs/SECURITY.md, gap 12).

Each test states one control the way an attacker or an auditor would try it: an
XLSX with an external entity, a page read from another origin, a password field a
password manager must recognise, a session cookie changed by hand, a server started
without its key, a form token older than its time limit, a database file that other
accounts on the server could read.
"""

import os
import re
import secrets
import stat
import time
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from flask_migrate import upgrade
from itsdangerous import TimestampSigner
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import User, UserSession
from app.seed import seed_reference_data
from config import CONFIGS
from tests.helpers import (
    STAFF_EMAILS,
    STAFF_PASSWORD,
    concrete_url,
    good_rows,
    hidden_value,
    make_app,
    staff_routes,
    submissions,
    upload,
    workbook_bytes,
)

# --- V1.5.1: no XML external entities ----------------------------------------------------

PASSWD = "/etc/passwd"


def with_external_entity(content: bytes) -> bytes:
    """The workbook with its first header cell replaced by an entity that reads a file."""
    source = zipfile.ZipFile(BytesIO(content))
    sheet = "xl/worksheets/sheet1.xml"
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == sheet:
                text = data.decode()
                assert "<t>Nama</t>" in text and not text.startswith("<?xml")
                doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{PASSWD}">]>'
                data = (doctype + text.replace("<t>Nama</t>", "<t>&xxe;</t>", 1)).encode()
            target.writestr(item, data)
    assert sheet in source.namelist()
    return output.getvalue()


def test_an_xlsx_with_an_external_entity_is_refused_without_reading_it(app, login, meeting):
    content = with_external_entity(workbook_bytes(good_rows()))
    response = upload(login("secretariat"), meeting.id, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "bukan berkas Excel (.xlsx) yang dapat dibaca" in page
    with open(PASSWD) as passwd:
        first_line = passwd.readline().strip()
    assert first_line and first_line not in page
    assert "root:" not in page
    assert submissions(app) == []


# --- V3.4.2 and V4.1.1: no CORS, a charset on every text body ----------------------------


def test_no_answer_allows_another_origin_to_read_it(login, client, meeting):
    staff = login("secretariat")
    origin = {"Origin": "https://evil.example"}
    answers = [
        client.get(f"/m/{meeting.code}", headers=origin),
        client.get("/healthz", headers=origin),
        client.options(f"/m/{meeting.code}", headers=origin),
        staff.get(f"/admin/meetings/{meeting.id}/live.json", headers=origin),
        staff.get(f"/admin/meetings/{meeting.id}/inputs.csv", headers=origin),
    ]
    for response in answers:
        assert response.status_code < 500
        cors = [key for key, _ in response.headers.items() if key.lower().startswith("access-")]
        assert cors == [], (response.request.path, cors)


def test_every_text_answer_names_its_charset(login, client, meeting):
    staff = login("secretariat")
    answers = {
        "public page": client.get(f"/m/{meeting.code}"),
        "error page": client.get("/m/no-such-meeting"),
        "staff page": staff.get(f"/admin/meetings/{meeting.id}"),
        "csv export": staff.get(f"/admin/meetings/{meeting.id}/inputs.csv"),
    }
    for name, response in answers.items():
        assert response.mimetype.startswith("text/"), name
        assert response.mimetype_params.get("charset") == "utf-8", name
    live = staff.get(f"/admin/meetings/{meeting.id}/live.json")
    assert live.mimetype == "application/json"  # JSON is UTF-8 by definition (RFC 8259)


# --- V6.2.6 and V6.2.7: password fields that password managers recognise -----------------


def input_attributes(page: str, name: str) -> dict[str, str]:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input named {name}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(0)))


def test_the_sign_in_form_hides_the_password_and_lets_a_password_manager_fill_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert input_attributes(page, "password")["type"] == "password"
    assert input_attributes(page, "password")["autocomplete"] == "current-password"
    assert input_attributes(page, "email")["autocomplete"] == "username"
    assert "onpaste" not in page


def test_new_passwords_are_hidden_and_marked_new(login, staff):
    admin = login("admin")
    pages = {
        "new account": admin.get("/admin/users/new").get_data(as_text=True),
        "reset": admin.get(f"/admin/users/{staff['viewer']}/password").get_data(as_text=True),
    }
    for name, page in pages.items():
        for field in ("password", "confirm"):
            attributes = input_attributes(page, field)
            assert attributes["type"] == "password", (name, field)
            assert attributes["autocomplete"] == "new-password", (name, field)


# --- V7.2.3: session tokens from a CSPRNG, at least 128 bits, unique ---------------------


def test_every_sign_in_has_its_own_long_random_session_token(app, login, focal_point):
    for role in STAFF_EMAILS:
        login(role)
        login(role)
    with app.app_context():
        tokens = list(db.session.scalars(db.select(UserSession.token)))
    assert len(tokens) == len(set(tokens)) == 2 * len(STAFF_EMAILS)
    for token in tokens:
        # token_urlsafe(32): 32 random bytes, 43 URL-safe characters, 256 bits.
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


# --- V9.1.1: a session cookie changed by hand signs nobody in ----------------------------


def test_a_session_cookie_changed_by_hand_is_not_accepted(app, login):
    staff = login("secretariat")
    assert staff.get("/admin/").status_code == 200
    cookie = staff.get_cookie("session").value
    signed, _, signature = cookie.rpartition(".")
    middle = len(signed) // 2
    flipped = "A" if signed[middle] != "A" else "B"
    forgeries = {
        "signature changed": f"{signed}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        "content changed": f"{signed[:middle]}{flipped}{signed[middle + 1 :]}.{signature}",
        "signature removed": signed,
        "empty": "",
    }
    for name, forged in forgeries.items():
        staff.set_cookie("session", forged)
        response = staff.get("/admin/")
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/login"), name
    staff.set_cookie("session", cookie)
    assert staff.get("/admin/").status_code == 200  # the real cookie still works


# --- V9.1.3: no start without a secret key -----------------------------------------------


def test_the_app_does_not_start_in_production_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("RAKOR_ENV", "production")
    monkeypatch.setattr(CONFIGS["production"], "SECRET_KEY", None)
    monkeypatch.setattr(CONFIGS["production"], "SQLALCHEMY_DATABASE_URI", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app()
    # The development key never reaches production: only the development config has it.
    assert CONFIGS["development"].SECRET_KEY
    monkeypatch.setattr(CONFIGS["production"], "SECRET_KEY", secrets.token_hex(32))
    assert create_app().config["RAKOR_ENV"] == "production"


# --- V9.2.1: a form token older than its time limit is refused ---------------------------


@pytest.fixture
def issued_hours_ago(monkeypatch):
    """Tokens signed from here on carry a time `hours` ago, as if the page stayed open."""

    def back(hours: float) -> None:
        then = int(time.time() - hours * 3600)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: then)

    return back


def sign_in_with_a_page_opened(client, issued_hours_ago, hours: float):
    """Open the sign-in page `hours` ago, then send it now."""
    issued_hours_ago(hours)
    token = hidden_value(client.get("/login").get_data(as_text=True), "csrf_token")
    issued_hours_ago(0)
    return client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": STAFF_EMAILS["secretariat"],
            "password": STAFF_PASSWORD,
        },
    )


def test_an_expired_sign_in_token_is_refused_with_a_clear_message(
    app, client, staff, issued_hours_ago
):
    response = sign_in_with_a_page_opened(client, issued_hours_ago, 8.1)  # the limit is 8 h
    assert response.status_code == 400
    assert "Halaman ini sudah terlalu lama terbuka" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not signed in


def test_a_sign_in_token_just_inside_its_time_limit_is_accepted(
    app, client, staff, issued_hours_ago
):
    response = sign_in_with_a_page_opened(client, issued_hours_ago, 7.9)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_expired_public_form_token_keeps_what_was_typed(
    app, client, meeting, valid_submission, issued_hours_ago
):
    issued_hours_ago(8.1)
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(page, "csrf_token"),
        "client_token": hidden_value(page, "client_token"),
        **valid_submission,
    }
    issued_hours_ago(0)
    response = client.post(f"/m/{meeting.code}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Formulir ini sudah lama terbuka sehingga perlu dikirim ulang" in page
    assert 'value="Agus Priyanto"' in page
    assert submissions(app) == []


# --- CSRF tokens on every staff form --------------------------------------------------------


def test_every_staff_form_carries_one_hidden_csrf_token_and_no_stray_label(app, login, meeting):
    admin = login("admin")
    urls = {concrete_url(rule, meeting.id) for rule, method, _ in staff_routes(app)}
    urls = sorted(url for url in urls if "." not in url.rsplit("/", 1)[-1])  # pages, not files
    checked = 0
    for url in [*urls, "/account/password"]:
        response = admin.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        assert "CSRF Token" not in page, url
        for form in re.findall(r"<form\b.*?</form>", page, flags=re.S):
            if 'method="post"' in form:
                # Forms repeated on one page carry a prefix: name="v3-csrf_token".
                tokens = re.findall(r"<input\b[^>]*\bname=\"(?:[\w-]+-)?csrf_token\"[^>]*>", form)
                assert len(tokens) == 1, url
                assert 'type="hidden"' in tokens[0], url
                checked += 1
    assert checked >= 10


# --- V14.2: the SQLite database is its owner's only -----------------------------------------


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask of a login shell (022), whatever the one running the tests says."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_database_and_its_wal_are_readable_by_their_owner_only(tmp_path, usual_umask):
    database = tmp_path / "rakor.sqlite"
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        upgrade()  # as `flask db upgrade` does
        seed_reference_data()  # a write, so the -wal has content
        files = [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
        db.engine.dispose()
    assert modes == {"rakor.sqlite": 0o600, "rakor.sqlite-wal": 0o600, "rakor.sqlite-shm": 0o600}


def test_an_existing_world_readable_database_is_made_private_when_opened(
    migrated_database, app, usual_umask
):
    if make_url(migrated_database).get_backend_name() != "sqlite":
        pytest.skip("file modes are SQLite's; PostgreSQL keeps its files itself")
    database = Path(make_url(migrated_database).database)
    os.chmod(database, 0o644)
    reopened = make_app(migrated_database)
    with reopened.app_context():
        db.session.execute(db.select(User)).all()
        db.engine.dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
