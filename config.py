"""Configuration, read from the environment with safe defaults.

Everything secret comes from the environment. Outside development and tests
`SECRET_KEY` must be set; `create_app` refuses to start without it.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# Where `flask demo` keeps the demo seal: a certificate authority of its own, for `make run`.
DEMO_SEAL_DIR = BASE_DIR / "instance" / "demo-seal"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'rakor.sqlite'}"


def config_for_environment() -> type["Config"]:
    """The configuration that RAKOR_ENV names (production when unset or unknown)."""
    return CONFIGS.get(os.environ.get("RAKOR_ENV", "production"), Config)


class Config:
    # Development falls back to a fixed key so `make run` works out of the box;
    # `create_app` rejects it whenever RAKOR_ENV is not "development".
    SECRET_KEY = os.environ.get("SECRET_KEY")
    RAKOR_ENV = os.environ.get("RAKOR_ENV", "production")

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in instance/

    # Whole-request ceiling (staff uploads); the public form has its own, smaller one.
    MAX_CONTENT_LENGTH = _env_int("RAKOR_MAX_UPLOAD_BYTES", 8 * 1024 * 1024)
    RAKOR_PUBLIC_MAX_BYTES = _env_int("RAKOR_PUBLIC_MAX_BYTES", 32 * 1024)

    # A meeting can last a whole morning: the form's CSRF token stays valid that long,
    # and an expired one still never loses what was typed (see submissions.views).
    WTF_CSRF_TIME_LIMIT = _env_int("RAKOR_CSRF_TIME_LIMIT", 8 * 3600)

    # Participants in one room often share one public address (the venue's wifi): 300
    # of them must all be able to send within ten minutes, most in the last one. The
    # first limit counts recorded inputs only (a refused form, or the same content sent
    # again, costs nothing); the second counts every send, and stops floods. Per minute,
    # both leave room for the whole room at once (tests/test_form_rush.py sends 300 valid
    # and 100 refused forms from one address with these values). A spent budget answers
    # with the form itself, everything typed kept (app/submissions/views.py).
    RAKOR_SUBMIT_RATE_LIMIT = os.environ.get(
        "RAKOR_SUBMIT_RATE_LIMIT", "400 per minute;2000 per hour"
    )
    RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT = os.environ.get(
        "RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT", "800 per minute;4000 per hour"
    )
    RAKOR_LOOKUP_RATE_LIMIT = os.environ.get("RAKOR_LOOKUP_RATE_LIMIT", "60 per minute")
    # Per client address, on top of the per-account lock after repeated failures.
    RAKOR_LOGIN_RATE_LIMIT = os.environ.get("RAKOR_LOGIN_RATE_LIMIT", "10 per minute;60 per hour")
    RATELIMIT_STORAGE_URI = os.environ.get("RAKOR_RATELIMIT_STORAGE_URI", "memory://")
    # The 429 page sets Retry-After itself; X-RateLimit-* headers on every answer
    # would cost the limiter a look-up per request and tell a flood its budget.
    RATELIMIT_HEADERS_ENABLED = False
    # A failing limit store must not cost a participant the input being sent: Redis
    # down, or memory://'s expiry timer started by two threads at once (a race in limits
    # 5.8). The request then goes through uncounted, and the error is logged.
    RATELIMIT_SWALLOW_ERRORS = True

    # Days after a meeting's date when its participants' names and phone numbers are
    # erased (`flask privacy erase`, run daily by a timer); the inputs stay. 0 keeps them.
    RAKOR_PERSONAL_DATA_DAYS = _env_int("RAKOR_PERSONAL_DATA_DAYS", 365)

    # The address participants use, printed under QR codes (e.g. https://rakor.example.go.id).
    RAKOR_PUBLIC_URL = os.environ.get("RAKOR_PUBLIC_URL", "")

    # Where `flask backup` writes unless told otherwise (--output-dir).
    RAKOR_BACKUP_DIR = os.environ.get("RAKOR_BACKUP_DIR", str(BASE_DIR / "instance" / "backups"))
    # `flask demo` creates its accounts with this password; in production it must be
    # set, so the password published in the README never opens a real database.
    RAKOR_DEMO_PASSWORD = os.environ.get("RAKOR_DEMO_PASSWORD")

    # Documents render in the process that asks for them (a web worker or the CLI) by
    # default; with Redis configured they go to this RQ queue (see docs/DOCUMENTS.md).
    RAKOR_REDIS_URL = os.environ.get("RAKOR_REDIS_URL", "")
    RAKOR_DOCUMENT_QUEUE = os.environ.get("RAKOR_DOCUMENT_QUEUE", "rakor-documents")
    # Above this many inputs the minutes list titles without descriptions (the full
    # texts stay in the review screens and the Excel export).
    RAKOR_MINUTES_FULL_TEXT_LIMIT = _env_int("RAKOR_MINUTES_FULL_TEXT_LIMIT", 200)

    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (nginx
    # in front: 1). 0 trusts no such header. See docs/DEPLOY.md.
    RAKOR_PROXY_COUNT = _env_int("RAKOR_PROXY_COUNT", 0)
    # "json": one JSON line per request and per error on stderr (app/logs.py); "text":
    # Flask's default logging, for development.
    RAKOR_LOG_FORMAT = os.environ.get("RAKOR_LOG_FORMAT", "json")
    RAKOR_LOG_LEVEL = os.environ.get("RAKOR_LOG_LEVEL", "INFO")

    # The follow-up cycle (docs/FOLLOW_UPS.md): an evidence file's size limit; how long a
    # new agency update link lasts; how often a link may be used.
    RAKOR_EVIDENCE_MAX_BYTES = _env_int("RAKOR_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
    RAKOR_AGENCY_LINK_DAYS = _env_int("RAKOR_AGENCY_LINK_DAYS", 90)
    RAKOR_AGENCY_LINK_RATE_LIMIT = os.environ.get(
        "RAKOR_AGENCY_LINK_RATE_LIMIT", "30 per minute;300 per hour"
    )

    # Electronic signatures of the final documents (docs/SIGNING.md). RAKOR_SIGNING_MODE
    # "seal": the institution's seal, a PKCS#12 file and its password; "remote": a
    # signing service with the BSrE signing client's API (base URL and client
    # credentials), the signer typing a passphrase or one-time code; empty: the final
    # documents are not signed in Rakor. None of this is ever kept in the database.
    RAKOR_SIGNING_MODE = os.environ.get("RAKOR_SIGNING_MODE", "")
    RAKOR_SEAL_P12 = os.environ.get("RAKOR_SEAL_P12", "")
    RAKOR_SEAL_PASSWORD = os.environ.get("RAKOR_SEAL_PASSWORD", "")
    RAKOR_SIGNING_URL = os.environ.get("RAKOR_SIGNING_URL", "")
    RAKOR_SIGNING_CLIENT_ID = os.environ.get("RAKOR_SIGNING_CLIENT_ID", "")
    RAKOR_SIGNING_CLIENT_SECRET = os.environ.get("RAKOR_SIGNING_CLIENT_SECRET", "")
    # Seconds to wait for the signing service before telling the signer it did not answer.
    RAKOR_SIGNING_TIMEOUT = _env_int("RAKOR_SIGNING_TIMEOUT", 30)
    # Verification (/verify): the certificate authorities whose signatures count as
    # valid (PEM files, separated by ":"), certificate revocation lists (DER or PEM
    # files, ":"), and whether revocation data may be fetched online from the addresses
    # in a certificate (off: an uploaded file then makes the server call nowhere).
    RAKOR_TRUST_ROOTS = os.environ.get("RAKOR_TRUST_ROOTS", "")
    RAKOR_TRUST_CRLS = os.environ.get("RAKOR_TRUST_CRLS", "")
    RAKOR_VERIFY_FETCH_REVOCATION = _env_bool("RAKOR_VERIFY_FETCH_REVOCATION", False)
    RAKOR_VERIFY_MAX_BYTES = _env_int("RAKOR_VERIFY_MAX_BYTES", 8 * 1024 * 1024)
    RAKOR_VERIFY_RATE_LIMIT = os.environ.get(
        "RAKOR_VERIFY_RATE_LIMIT", "20 per minute;200 per hour"
    )

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("RAKOR_TIMEZONE", "Asia/Jakarta")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    RAKOR_LANGUAGES = ("id", "en")
    RAKOR_TIMEZONE_LABEL = os.environ.get("RAKOR_TIMEZONE_LABEL", "WIB")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Cookies travel over HTTPS only; RAKOR_SECURE_COOKIES=0 for a server reached over
    # plain HTTP (a browser would otherwise never send the cookie back, and no one
    # could sign in or send the form).
    SESSION_COOKIE_SECURE = _env_bool("RAKOR_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True


class DevelopmentConfig(Config):
    RAKOR_ENV = "development"
    RAKOR_LOG_FORMAT = os.environ.get("RAKOR_LOG_FORMAT", "text")
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    # `make run` serves http://127.0.0.1:5000.
    SESSION_COOKIE_SECURE = _env_bool("RAKOR_SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # `flask demo` makes a demo seal (its own certificate authority) in instance/demo-seal;
    # a real seal is configured through the environment (docs/SIGNING.md).
    RAKOR_SIGNING_MODE = os.environ.get("RAKOR_SIGNING_MODE", "seal")
    RAKOR_SEAL_P12 = os.environ.get("RAKOR_SEAL_P12", str(DEMO_SEAL_DIR / "seal.p12"))
    RAKOR_SEAL_PASSWORD = os.environ.get("RAKOR_SEAL_PASSWORD", "demo-seal-not-secret")
    RAKOR_TRUST_ROOTS = os.environ.get("RAKOR_TRUST_ROOTS", str(DEMO_SEAL_DIR / "ca.pem"))
    RAKOR_TRUST_CRLS = os.environ.get("RAKOR_TRUST_CRLS", str(DEMO_SEAL_DIR / "ca.crl"))


class TestConfig(Config):
    RAKOR_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"  # noqa: S105
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RAKOR_LOG_FORMAT = "text"
    RAKOR_DEMO_PASSWORD = None  # the published one, whatever the shell running the tests says
    # The test client speaks plain HTTP; tests that need Secure set it themselves.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


CONFIGS = {"development": DevelopmentConfig, "production": Config, "testing": TestConfig}
