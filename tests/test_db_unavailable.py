"""A database that is down or read-only: an Indonesian 503 page, never a stack trace.

The unreachable cases need no running server (a SQLite file in a missing folder, a
PostgreSQL port nobody listens on), so both run on every suite. The read-only case
uses the database under test (SQLite, or TEST_DATABASE_URL) opened read-only:
SQLite through a `mode=ro` URI, PostgreSQL with `default_transaction_read_only` set
for this app's connections only, so concurrent suites are not disturbed.
bench/resilience.py proves the same under gunicorn, and a PostgreSQL restart.
"""

import socket

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Submission
from tests.helpers import hidden_value, make_app

UNAVAILABLE_TITLE = "Layanan sedang tidak tersedia"
UNAVAILABLE_MESSAGE = "Basis data tidak dapat dihubungi. Coba lagi beberapa saat lagi."


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable_url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'missing-folder' / 'rakor.sqlite'}"
    return f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/rakor"


def read_only_app(database_url: str):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return make_app(f"sqlite:///file:{url.database}?mode=ro&uri=true")
    return make_app(
        database_url,
        SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": "-c default_transaction_read_only=on"}
        },
    )


def assert_unavailable_page(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    # 30 s from the handler; on the rate-limited form Flask-Limiter puts in its own value.
    assert int(response.headers["Retry-After"]) > 0
    assert UNAVAILABLE_TITLE in page
    assert UNAVAILABLE_MESSAGE in page
    assert "Traceback" not in page
    assert "sqlalchemy" not in page.lower()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_participant_pages_say_503_in_indonesian_when_the_database_is_unreachable(kind, tmp_path):
    down = make_app(unreachable_url(kind, tmp_path))
    client = down.test_client()

    assert_unavailable_page(client.get("/m/rakor2024"))
    # The form was open before the database went away; now the participant presses Kirim.
    assert_unavailable_page(
        client.post("/m/rakor2024", data={"title": "Perbaikan saluran air", "role": "lurah"})
    )
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "error", "database": "unreachable"}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_signed_in_staff_get_the_503_page_when_the_database_is_unreachable(
    kind, tmp_path, login, meeting
):
    # Signed in while the database worked; the same browser cookie then meets a dead one.
    cookie = login("secretariat").get_cookie("session").value
    down = make_app(unreachable_url(kind, tmp_path))
    client = down.test_client()
    client.set_cookie("session", cookie)

    for path in ("/admin/", f"/admin/meetings/{meeting.id}", "/m/rakor2024"):
        assert_unavailable_page(client.get(path))
    # A blip must not sign staff out: the session cookie is neither cleared nor replaced.
    assert client.get_cookie("session").value == cookie


def test_a_read_only_database_answers_the_form_with_the_503_page(
    app, meeting, valid_submission, migrated_database
):
    client = read_only_app(migrated_database).test_client()
    page = client.get(f"/m/{meeting.code}")
    assert page.status_code == 200  # reading still works: the form opens
    html = page.get_data(as_text=True)

    response = client.post(
        f"/m/{meeting.code}",
        data={
            "csrf_token": hidden_value(html, "csrf_token"),
            "client_token": hidden_value(html, "client_token"),
            **valid_submission,
        },
    )

    assert_unavailable_page(response)
    assert "/receipt/" not in response.headers.get("Location", "")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_health_check_says_503_when_the_database_only_reads(app, migrated_database):
    # A load balancer must stop sending participants to a server that cannot store input.
    health = read_only_app(migrated_database).test_client().get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "error", "database": "read_only"}
    assert app.test_client().get("/healthz").json == {"status": "ok", "database": "ok"}
