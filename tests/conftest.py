"""Fixtures: a fresh database per test (SQLite, or TEST_DATABASE_URL), clients, staff.

The schema is built once per run by the real Alembic migrations, then every test
starts from empty tables with the reference data loaded. Each run, and each
pytest-xdist worker, has a database of its own: SQLite in its temporary folder, or
a new database on the TEST_DATABASE_URL server, dropped at the end. Plain helper
functions live in tests/helpers.py.
"""

import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import date, time

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import make_url, text
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Base, Meeting, Pillar
from app.models import user as user_model
from app.seed import seed_reference_data
from app.signing.pki import Authority
from config import BASE_DIR
from tests.helpers import (
    FOCAL_AGENCY,
    REDIS_TEST_URL,
    SEAL_PASSWORD,
    STAFF_EMAILS,
    STAFF_PASSWORD,
    hidden_value,
    make_app,
    private_postgresql_database,
    redis_or_skip,
)

# Cheap hashing for tests only: the same scrypt scheme with a tiny work factor.
user_model.PASSWORD_METHOD = "scrypt:1024:8:1"

CHROMIUM = os.environ.get("RAKOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """`make test` compiles the catalogs; a bare `pytest` run gets them compiled here."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (BASE_DIR / "app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as po_file:
            catalog = read_po(po_file)
        # Written aside, then renamed: parallel workers never read a half-written catalog.
        with tempfile.NamedTemporaryFile(dir=mo_path.parent, delete=False) as mo_file:
            write_mo(mo_file, catalog)
        os.chmod(mo_file.name, 0o644)
        os.replace(mo_file.name, mo_path)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'rakor-test.sqlite'}"
    elif make_url(url).get_backend_name() != "postgresql":
        yield url
    else:
        yield from private_postgresql_database(url)


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    """Drop whatever a previous run left, then build the schema with `db upgrade`."""
    app = make_app(database_url)
    with app.app_context():
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            else:
                Base.metadata.drop_all(connection)
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    """Every table empty and, on PostgreSQL, every id sequence back at 1.

    DELETE rather than TRUNCATE on PostgreSQL too: TRUNCATE makes new files for
    every table, about 0.2 s per test here, while a test's few rows delete at once.
    """
    with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            sequences = connection.scalars(
                text(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename)"
                    " FROM pg_sequences WHERE schemaname = current_schema()"
                )
            ).all()
            if sequences:
                restarts = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
                connection.execute(text(f"SELECT {restarts}"))


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(migrated_database: str, app_config: dict) -> Iterator[Flask]:
    app = make_app(migrated_database, **app_config)
    with app.app_context():
        empty_all_tables()
        seed_reference_data()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- domain helpers ------------------------------------------------------------------


@pytest.fixture
def make_meeting(app):
    """Create a meeting (open for input unless told otherwise) and return its id and code."""

    def make(**fields) -> Meeting:
        with app.app_context():
            values = {
                "code": "rakor-uji",
                "title": "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024",
                "date": date(2024, 1, 23),
                "start_time": time(9, 0),
                "venue": "Ruang Jlamprang Setda Kota Pekalongan",
                "status": "open",
                "chair_name": "Achmad Afzan Arslan Djunaid",
                "chair_position": "Wali Kota Pekalongan",
            }
            values.update(fields)
            meeting = Meeting(**values)
            meeting.pillars = list(db.session.scalars(db.select(Pillar).order_by(Pillar.position)))
            db.session.add(meeting)
            db.session.commit()
            db.session.refresh(meeting)
            db.session.expunge(meeting)
            return meeting

    return make


@pytest.fixture
def meeting(make_meeting) -> Meeting:
    return make_meeting()


@pytest.fixture
def valid_submission(app) -> dict:
    """Form fields of a complete, valid input from a lurah (ids from the seeded data)."""
    from app.models import Kelurahan

    with app.app_context():
        krapyak = db.session.scalar(db.select(Kelurahan).filter_by(name="Krapyak"))
        pillar = db.session.scalar(db.select(Pillar).filter_by(code="P2"))
        return {
            "submitter_name": "Agus Priyanto",
            "role": "lurah",
            "unit_kelurahan": str(krapyak.id),
            "unit_kecamatan": "",
            "unit_agency": "",
            "unit_organisation": "",
            "position": "Lurah Krapyak",
            "phone": "0812-2712-3456",
            "kind": "usulan",
            "pillar": str(pillar.id),
            "title": "Pelatihan membatik untuk pemuda putus sekolah",
            "description": "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05.",
            "location": str(krapyak.id),
            "target_group": "pencari_kerja",
            "program": "",
            "beneficiaries": "40",
            "cost": "Rp 75.000.000",
        }


@pytest.fixture
def submit(client):
    """Open the form like a browser, then send `fields`; returns the POST response."""

    def send(code: str, fields: dict, **overrides):
        page = client.get(f"/m/{code}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        data = {
            "csrf_token": hidden_value(html, "csrf_token"),
            "client_token": hidden_value(html, "client_token"),
            **fields,
            **overrides,
        }
        return client.post(f"/m/{code}", data=data)

    return send


# --- the browser ----------------------------------------------------------------------


def pytest_collection_modifyitems(items) -> None:
    """Every test that opens the browser is a `browser` test (`make test-fast` skips them).

    Browser tests run last, in their collected order. Playwright's synchronous API keeps
    an event loop running in the test's thread for the whole session, and pyHanko's
    synchronous calls (signing, validation) start one of their own with asyncio.run,
    which refuses to run inside another: after the first browser test, every signing
    test in that process would fail.
    """
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: "browser" in item.keywords)


def browser_required() -> bool:
    return os.environ.get("RAKOR_REQUIRE_BROWSER", "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing browser: skip, or fail when required."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served on a free loopback port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def csp_checked_page(context) -> Iterator:
    """A page of `context`; a blocked inline script or style fails the test afterwards.

    Such a block is a bug: the page would lose that script or style in production too.
    """
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == [], f"CSP violations: {violations}"


@pytest.fixture
def phone(browser, live_server):
    """A page in a 360 x 740 phone-sized viewport, Indonesian locale."""
    yield from csp_checked_page(
        browser.new_context(
            viewport={"width": 360, "height": 740},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            base_url=live_server,
        )
    )


@pytest.fixture
def desktop(browser, live_server):
    """A page in a 1280 x 800 desktop window, Indonesian locale."""
    yield from csp_checked_page(
        browser.new_context(
            viewport={"width": 1280, "height": 800},
            device_scale_factor=1,
            locale="id-ID",
            base_url=live_server,
            accept_downloads=True,
        )
    )


# --- staff ------------------------------------------------------------------------------


@pytest.fixture
def staff(app) -> dict[str, int]:
    """One account per role; returns their ids by role."""
    from app.users.services import create_account

    ids = {}
    with app.app_context():
        for role, email in STAFF_EMAILS.items():
            if role == "focal":
                continue  # the `focal_point` fixture's, with an agency
            user = create_account(
                None, email=email, name=f"Uji {role}", role=role, password=STAFF_PASSWORD
            )
            ids[role] = user.id
    return ids


@pytest.fixture
def focal_point(app, staff) -> dict[str, int]:
    """A focal point account of one agency (FOCAL_AGENCY): {"user": id, "agency": id}.
    `login("focal")` signs in with it."""
    from app.models import Agency
    from app.users.services import create_account

    with app.app_context():
        abbreviation, name = FOCAL_AGENCY
        agency = Agency(abbreviation=abbreviation, name=name)
        db.session.add(agency)
        db.session.commit()
        user = create_account(
            None,
            email=STAFF_EMAILS["focal"],
            name="Uji focal point",
            role="focal",
            password=STAFF_PASSWORD,
            agency_id=agency.id,
        )
        return {"user": user.id, "agency": agency.id}


@pytest.fixture
def login(app, staff):
    """`login("secretariat")` returns a fresh test client signed in with that role."""

    def sign_in(role: str):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login",
            data={
                "csrf_token": hidden_value(page, "csrf_token"),
                "email": STAFF_EMAILS[role],
                "password": STAFF_PASSWORD,
            },
        )
        assert response.status_code == 302, f"sign-in as {role} failed"
        return client

    return sign_in


@pytest.fixture
def rq_queue(app):
    """A queue of this test's own on the machine's Redis: another test run never sees it."""
    from rq import Queue

    connection = redis_or_skip(REDIS_TEST_URL)
    name = f"rakor-test-{uuid.uuid4().hex}"
    app.config.update(RAKOR_REDIS_URL=REDIS_TEST_URL, RAKOR_DOCUMENT_QUEUE=name)
    queue = Queue(name, connection=connection)
    yield queue
    queue.delete(delete_jobs=True)
    connection.close()


# --- electronic signatures ---------------------------------------------------------------


@pytest.fixture(scope="module")
def authority() -> Authority:
    """A throwaway certificate authority (app/signing/pki.py), one per test module."""
    return Authority.create("Uji Root CA", "Rakor Uji")


@pytest.fixture(scope="module")
def seal_file(authority, tmp_path_factory) -> str:
    """A seal issued by `authority`: the path of its PKCS#12 file (password SEAL_PASSWORD)."""
    seal = authority.issue("Segel Bappeda Kota Uji", "Pemerintah Kota Uji")
    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    path.write_bytes(seal.pkcs12(SEAL_PASSWORD, [authority.root.certificate]))
    return str(path)
