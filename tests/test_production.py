"""What the production set-up adds: request logs, the proxy's headers, quiet SQL errors,
secure cookies."""

import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Submission
from config import BASE_DIR
from tests.helpers import hidden_value, make_app, redis_or_skip


@pytest.fixture
def json_app(migrated_database, app):
    # `app` first: it empties and seeds the database this app shares.
    return make_app(migrated_database, RAKOR_LOG_FORMAT="json")


def log_lines(capsys) -> list[dict]:
    return json_lines(capsys.readouterr().err)


def json_lines(output: str) -> list[dict]:
    # The session's first test also captures the migration's own (plain) log lines.
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_each_request_is_one_json_line_with_its_id_and_no_personal_data(
    json_app, meeting, valid_submission, capsys
):
    client = json_app.test_client()
    html = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    sent = client.post(
        f"/m/{meeting.code}?nama=Agus",
        data={
            "csrf_token": hidden_value(html, "csrf_token"),
            "client_token": hidden_value(html, "client_token"),
            **valid_submission,
        },
    )
    assert sent.status_code == 303
    receipt = client.get(sent.headers["Location"])
    receipt_code = sent.headers["Location"].rsplit("/", 1)[1]

    output = capsys.readouterr().err
    lines = json_lines(output)
    post, page = lines[-2], lines[-1]
    assert post["msg"] == "request"
    assert post["method"] == "POST"
    assert post["route"] == "/m/<code>"
    assert post["status"] == 303
    assert post["ms"] >= 0
    assert post["request_id"] == sent.headers["X-Request-ID"]
    assert page["route"] == "/receipt/<code>"
    assert page["request_id"] == receipt.headers["X-Request-ID"] != post["request_id"]
    for personal in (receipt_code, "Agus", "0812", "Krapyak", "127.0.0.1", "nama="):
        assert personal not in output


def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(json_app, capsys):
    client = json_app.test_client()
    given = "5f0c3a9e8b7d4c2a9e1f0a3b5c7d9e1f"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given

    forged = client.get("/healthz", headers={"X-Request-ID": '", "level": "fake'})
    replaced = forged.headers["X-Request-ID"]
    assert len(replaced) == 32 and "fake" not in replaced
    assert [line["request_id"] for line in log_lines(capsys)] == [given, replaced]


def test_an_unhandled_error_is_logged_with_its_request_and_the_page_stays_friendly(
    json_app, capsys
):
    @json_app.get("/boom/<secret>")
    def boom(secret):
        raise RuntimeError("something broke")

    json_app.testing = False  # let the error handler answer, as in production
    response = json_app.test_client().get("/boom/ABCD2345")

    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    error = next(line for line in log_lines(capsys) if line["level"] == "error")
    assert error["msg"] == "unhandled exception"
    assert error["route"] == "/boom/<secret>"
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: something broke" in error["error"]
    assert "ABCD2345" not in json.dumps(error)


def test_a_failed_statement_does_not_carry_its_values_into_the_message(app, meeting):
    with app.app_context():
        with pytest.raises(IntegrityError) as failure:
            insert_twice(meeting)
        db.session.rollback()
    message = str(failure.value)
    # SQLAlchemy lists no parameters (PostgreSQL's own DETAIL may still name the key:
    # the log keeps the message out altogether, see the next test).
    assert "[parameters:" not in message
    assert "0812-9999-0000" not in message
    assert "Siti" not in message


def test_an_unhandled_database_error_is_logged_without_the_rows_values(json_app, meeting, capsys):
    @json_app.get("/dobel")
    def dobel():
        insert_twice(meeting)

    json_app.testing = False
    response = json_app.test_client().get("/dobel")

    assert response.status_code == 500
    (error,) = [line for line in log_lines(capsys) if line["level"] == "error"]
    assert error["msg"] == "unhandled database error"
    assert error["error_class"]  # IntegrityError (SQLite) or UniqueViolation (PostgreSQL)
    assert "insert_twice" in error["error"]  # where it happened
    for personal in ("RAHASIA2", "0812-9999-0000", "Siti"):
        assert personal not in json.dumps(error)


def insert_twice(meeting) -> None:
    """Commit one submission, then the same receipt code again: a unique violation."""
    for key in ("pertama", "kedua"):
        db.session.add(
            Submission(
                meeting_id=meeting.id,
                receipt_code="RAHASIA2",
                idempotency_key=key,
                submitter_name="Siti Rahmawati",
                role="lurah",
                kind="usulan",
                submitted_pillar_id=1,
                pillar_id=1,
                title="Judul",
                description="Uraian",
                phone="0812-9999-0000",
            )
        )
        db.session.commit()


def test_behind_one_proxy_the_forwarded_address_and_scheme_count(migrated_database, app):
    proxied = make_app(
        migrated_database, RAKOR_PROXY_COUNT=1, RAKOR_LOOKUP_RATE_LIMIT="1 per minute"
    ).test_client()

    secure = proxied.get(
        "/status", headers={"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    )
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]

    # The rate limit counts each participant's own address, not the proxy's.
    def lookup(address: str) -> int:
        return proxied.post(
            "/status", data={"receipt_code": "ABCD2345"}, headers={"X-Forwarded-For": address}
        ).status_code

    assert lookup("203.0.113.5") != 429
    assert lookup("203.0.113.5") == 429
    assert lookup("198.51.100.20") != 429


def test_without_a_proxy_forwarded_headers_are_ignored(migrated_database, app):
    direct = make_app(migrated_database, RAKOR_LOOKUP_RATE_LIMIT="1 per minute").test_client()

    forged = direct.get("/status", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers

    # A client cannot dodge the limit by inventing addresses.
    assert (
        direct.post(
            "/status", data={"receipt_code": "ABCD2345"}, headers={"X-Forwarded-For": "192.0.2.1"}
        ).status_code
        != 429
    )
    assert (
        direct.post(
            "/status", data={"receipt_code": "ABCD2345"}, headers={"X-Forwarded-For": "192.0.2.2"}
        ).status_code
        == 429
    )


# --- rate limits shared through Redis (several workers or servers) ----------------------

LIMITS_REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def limits_redis() -> Iterator[tuple]:
    """The machine's Redis and a key prefix of this test's own: another run never sees it."""
    connection = redis_or_skip(LIMITS_REDIS_URL)
    prefix = f"rakor-test-{uuid.uuid4().hex}"
    yield connection, prefix
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    connection.close()


def test_two_servers_count_one_clients_sends_together_in_redis(
    migrated_database, app, limits_redis
):
    connection, prefix = limits_redis

    def server():
        return make_app(
            migrated_database,
            RATELIMIT_STORAGE_URI=LIMITS_REDIS_URL,
            RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
            RAKOR_LOOKUP_RATE_LIMIT="2 per minute",
        ).test_client()

    first, second = server(), server()

    def lookup(client) -> int:
        return client.post("/status", data={"receipt_code": "ABCD2345"}).status_code

    assert lookup(first) != 429
    assert lookup(second) != 429
    assert lookup(first) == 429  # the third send, wherever it lands
    assert list(connection.scan_iter(f"{prefix}:*"))


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"}])
def test_a_failing_limit_store_never_costs_a_participant_the_input(
    app, meeting, submit, valid_submission
):
    response = submit(meeting.code, valid_submission)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/receipt/")
    with app.app_context():
        [stored] = db.session.scalars(db.select(Submission)).all()
        assert stored.title == valid_submission["title"]


def test_a_request_refused_by_the_csrf_check_still_has_its_id(json_app, capsys):
    json_app.config["WTF_CSRF_ENABLED"] = True
    refused = json_app.test_client().post("/login", data={"email": "a@b.c", "password": "x"})
    assert refused.status_code == 400
    (line,) = [line for line in log_lines(capsys) if line.get("status") == 400]
    assert line["request_id"] == refused.headers["X-Request-ID"]


# --- cookies in production ------------------------------------------------------------------

PRODUCTION_COOKIES = """
import json
from app import create_app
app = create_app()
cookie = app.test_client().get("/login").headers["Set-Cookie"]
print(json.dumps({"cookie": cookie, "remember_secure": app.config["REMEMBER_COOKIE_SECURE"]}))
"""


def production_cookies(*variants: dict[str, str]) -> list[dict]:
    """The session cookie of a production app started from a clean environment plus each
    variant's settings, one process per variant (config.py reads the environment when it
    is imported), run side by side.
    """
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RAKOR_", "FLASK_")) and key not in {"SECRET_KEY", "DATABASE_URL"}
    }
    production = {"RAKOR_ENV": "production", "SECRET_KEY": secrets.token_hex(32)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PRODUCTION_COOKIES],
            cwd=BASE_DIR,
            env={**clean, **production, "DATABASE_URL": "sqlite://", **settings},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for settings in variants
    ]
    answers = []
    for process in processes:
        output, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
        answers.append(json.loads(output.strip().splitlines()[-1]))
    return answers


def cookie_flags(answer: dict) -> set[str]:
    return {flag.strip() for flag in answer["cookie"].split(";")}


def test_production_cookies_are_secure_httponly_and_lax_unless_turned_off():
    default, plain_http = production_cookies({}, {"RAKOR_SECURE_COOKIES": "0"})

    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= cookie_flags(default)
    assert default["remember_secure"] is True
    assert "Secure" not in cookie_flags(plain_http)
    assert {"HttpOnly", "SameSite=Lax"} <= cookie_flags(plain_http)
    assert plain_http["remember_secure"] is False
