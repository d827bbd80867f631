"""What the scripts in bench/ share: fresh databases, the real CLI, gunicorn, HTML forms.

Every script builds a database of its own, loads it through the CLI an operator
uses (`flask --app wsgi db upgrade`, `seed`, `demo`, `users create`), and serves
the real app (`wsgi:app`) with gunicorn and the production settings of
deploy/gunicorn.conf.py on a free loopback port.
"""

import contextlib
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"  # gitignored
BIN = Path(sys.executable).parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"

DEMO_MEETING_CODE = "rakor2025"  # made by `flask --app wsgi demo`
DEMO_STAFF_EMAIL = "sekretariat@rakor.test"
DEMO_PASSWORD = "sekretariat-demo-2024"

CLI_TIMEOUT_S = 300
STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30

# The caller's own Rakor settings (a Redis URL, a database) must not leak into a run.
CALLER_SETTINGS = re.compile(r"^(RAKOR_|FLASK_|SECRET_KEY$|DATABASE_URL$)")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- databases ----------------------------------------------------------------------------


def fresh_sqlite(folder: Path) -> str:
    """A SQLite URL for a file that does not exist yet (`db upgrade` creates it)."""
    return f"sqlite:///{folder / 'rakor-bench.sqlite'}"


def fresh_postgres(url: str) -> str:
    """Drop and create the database named in `url`, through the server's `postgres` database."""
    target = make_url(url)
    name = target.database
    if not name or not name.replace("_", "").isalnum() or name in ("postgres", "test"):
        raise SystemExit(f"refusing to drop the database {name!r}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url


def drop_postgres(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def count_rows(url: str, table: str = "submission") -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text(f"SELECT count(*) FROM {table}"))
    finally:
        engine.dispose()


def receipt_codes(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT receipt_code FROM submission")))
    finally:
        engine.dispose()


# --- the app and its CLI ------------------------------------------------------------------


def app_environment(database_url: str, **settings: str) -> dict[str, str]:
    """The app's production settings on `database_url`: a random key, no Redis, no limits in
    the way of a load test (the public form's limit raised)."""
    env = {key: value for key, value in os.environ.items() if not CALLER_SETTINGS.match(key)}
    env.update(
        DATABASE_URL=database_url,
        RAKOR_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        RAKOR_SUBMIT_RATE_LIMIT="1000000 per minute",
        RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT="1000000 per minute",
        # `flask demo` in production only with a password said out loud.
        RAKOR_DEMO_PASSWORD=DEMO_PASSWORD,
        # The benchmarks speak plain HTTP to 127.0.0.1: a Secure cookie would never be sent.
        RAKOR_SECURE_COOKIES="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """`flask --app wsgi ARGS`; its standard output. Fails loudly with what it said."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"flask {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}"
        )
    return done.stdout


def load_demo_data(env: dict[str, str]) -> None:
    """Schema, reference data and the demo meeting (with its staff accounts)."""
    flask(env, "db", "upgrade")
    flask(env, "seed")
    flask(env, "demo")


def create_user(env: dict[str, str], email: str, name: str, role: str, password: str) -> None:
    flask(
        env,
        *("users", "create", email, "--name", name, "--role", role, "--password-stdin"),
        stdin=password + "\n",
    )


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
    }


# --- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn --config deploy/gunicorn.conf.py wsgi:app` (or another `app`) on a free
    loopback port.

    In a process group of its own, always stopped on the way out. `up_when` says when
    it counts as started: "healthy" (/healthz 200) or "answering" (any HTTP answer, for
    a database that is down on purpose).
    """

    def __init__(
        self, env: dict[str, str], log_path: Path, up_when: str = "healthy", app: str = "wsgi:app"
    ):
        self.app = app
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log_path = log_path
        self.up_when = up_when
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        command = [
            str(BIN / "gunicorn"),
            *("--config", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{self.port}"),
            self.app,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2):
                    return
            except urllib.error.HTTPError:
                if self.up_when == "answering":
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not up after {STARTUP_TIMEOUT_S} s; see {self.log_path}")

    def workers(self) -> list[int]:
        """The worker processes' ids (Linux: the master's children)."""
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            return [
                int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            ]
        except OSError:
            return []

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the master stops its workers, then itself
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT_S)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


# --- HTML forms, read like a browser ------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[dict] = field(default_factory=list)

    def values(self, **overrides: str) -> dict[str, str]:
        """What a browser sends untouched (checked boxes, selected options), then `overrides`."""
        data: dict[str, str] = {}
        for item in self.fields:
            kind = item["type"]
            if kind in ("submit", "button", "reset", "file", "image"):
                continue
            if kind in ("checkbox", "radio") and not item["checked"]:
                continue
            if kind == "select":
                chosen = [o for o in item["options"] if o["selected"]] or item["options"][:1]
                data[item["name"]] = chosen[0]["value"] if chosen else ""
                continue
            data[item["name"]] = item["value"]
        data.update(overrides)
        return data

    def choices(self, name: str) -> dict[str, str]:
        """value -> label of a select's options, or value -> value of a radio group."""
        found: dict[str, str] = {}
        for item in self.fields:
            if item["name"] != name:
                continue
            if item["type"] == "select":
                found.update({o["value"]: o["label"] for o in item["options"]})
            elif item["type"] == "radio":
                found[item["value"]] = item["value"]
        if not found:
            raise ValueError(f"no field {name!r} in the form {self.action}")
        return found


class FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self.form)
        elif self.form is None or (tag in ("input", "select", "textarea") and "name" not in a):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self.form.fields.append(
                {
                    "name": a["name"],
                    "type": kind,
                    "value": a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    "checked": "checked" in a,
                }
            )
        elif tag == "select":
            self.select = {"name": a["name"], "type": "select", "options": []}
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "label": "", "selected": "selected" in a}
            self.select["options"].append(self.option)
        elif tag == "textarea":
            self.textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self.form.fields.append(self.textarea)

    def handle_data(self, data):
        if self.option is not None:
            self.option["label"] += data
        elif self.textarea is not None:
            self.textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
            self.option = None
        elif tag == "option" and self.option is not None:
            self.option["label"] = self.option["label"].strip()
            if self.option["value"] is None:
                self.option["value"] = self.option["label"]
            self.option = None
        elif tag == "textarea":
            self.textarea = None


def form_in(html: str, page_url: str, action_ends: str) -> Form:
    """The form on the page that posts to a path ending in `action_ends`."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        form.action = urljoin(page_url, form.action)  # no action: the page itself
        if urlsplit(form.action).path.endswith(action_ends):
            return form
    raise ValueError(f"no form posting to …{action_ends} in {urlsplit(page_url).path}")


def public_input(form: Form, client: int, number: int, tag: str) -> dict[str, str]:
    """A complete, valid input for the public form: a lurah's proposal, unique by its title."""
    kelurahan = sorted(value for value in form.choices("unit_kelurahan") if value)
    pillars = sorted(value for value in form.choices("pillar") if value)
    return form.values(
        submitter_name=f"Peserta Uji {client:02d}",
        role="lurah",
        unit_kelurahan=kelurahan[client % len(kelurahan)],
        position="Lurah",
        phone="0812-2712-3456",
        kind="usulan",
        pillar=pillars[client % len(pillars)],
        title=f"Usulan uji {tag}-{client:02d}-{number:06d}",
        description="Pelatihan keterampilan bagi warga miskin di kelurahan ini (uji beban).",
        target_group="umum",
    )


RECEIPT_LOCATION = re.compile(r"/receipt/([A-Za-z0-9-]+)$")
