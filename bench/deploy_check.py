"""Follow docs/DEPLOY.md on this machine and check every step: `python bench/deploy_check.py`.

    .venv/bin/python bench/deploy_check.py [--keep-temp]

The one-server deployment of the guide, as far as a machine without systemd
allows, run as the current user (the units' `User=rakor` is not reproduced):

1. the env file: deploy/rakor.env.example with its values filled in (a random
   SECRET_KEY, a scratch PostgreSQL database, the check's own Redis, loopback
   ports) and loaded the guide's way, `set -a; . rakor.env; set +a` in /bin/sh,
   reading the same as systemd's EnvironmentFile= would;
2. the database: the scratch database `rakor_deploy_check` (dropped and created
   again), then `flask --app wsgi db upgrade`, `seed` and `users create ... --role
   admin` (the password on standard input);
3. the services: a redis-server of the check's own on a free port (databases 0
   and 1, as in the example file), gunicorn started with exactly the ExecStart of
   deploy/systemd/rakor-web.service (its WorkingDirectory, /srv/rakor replaced by
   this repository; NOTIFY_SOCKET set, so its `Type=notify` READY=1 is awaited as
   systemd would; its RuntimeDirectory in TMP/run, where the control socket must
   answer `gunicornc`), the RQ worker with the ExecStart of rakor-worker@.service (%H the
   host name, %i 1, through its /bin/sh -c), and nginx with deploy/nginx/rakor.conf
   and rakor-proxy.conf, changed only where the guide says to edit them or where
   the machine differs: listen addresses (free loopback ports, 127.0.0.1 and ::1),
   server_name, the certificate (self-signed by openssl for 127.0.0.1 and
   localhost), /srv/rakor, the snippet's include path and the upstream address (the
   gunicorn bind). nginx runs as root with `-p TMP -c TMP/nginx.conf`, a top-level
   file reduced from Debian's (user www-data, pid, logs and temp paths in TMP) that
   includes the site at http level as sites-enabled would; `nginx -t` must pass
   without a warning;
4. test data for the check: the admin signs in through nginx and creates and opens
   a meeting with the secretariat's own forms (no `flask demo`, which the guide
   forbids on a server);
5. the HTTPS front: HTTP answers 301 to HTTPS (the ACME challenge excepted), the
   certificate verifies and ALPN offers h2, /healthz, the app's security headers on
   a page (each exactly once), the page gzip-compressed with Vary: Accept-Encoding,
   a static file served by nginx itself from the page's versioned link (HSTS,
   nosniff, gzip, a year's immutable public cache; a day's without ?v=; no line in
   the app's log), and nginx's X-Request-ID
   returned and found in the app's JSON log;
6. a participant's input from another loopback address (127.0.0.2): the form, its
   POST (303 to the receipt), the receipt page, the row in the database, the app's
   log line, and the guide's `jq` command for failures run on the web log;
7. the minutes PDF as the secretariat asks for it: the button's POST, then 202 and a
   job, progress polled, the PDF downloaded; the RQ worker's log shows the job;
8. rate limits shared in Redis: the limiter's keys in database 1, counting the
   participant's own address (127.0.0.2, through nginx's X-Forwarded-For and
   ProxyFix), not nginx's and not a forged header;
9. the backup unit's `flask backup` writes a .dump into RAKOR_BACKUP_DIR, and
   `flask restore DUMP --into <drill database> --yes` restores the input and the PDF.

Each step prints PASS or FAIL; the first failure stops the run (exit 1) after the
logs' last lines are printed. Whatever happens, the processes are stopped (each
unit's KillSignal to its main process, then SIGKILL to its process group), both
scratch databases dropped and the temporary folder removed (kept with --keep-temp).
About 20 s on two cores.
"""

import argparse
import contextlib
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import psycopg
import redis
import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Form, form_in

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUIDE_ROOT = "/srv/rakor"  # where the guide and the units put the code
NGINX = "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"
NGINX_USER = "www-data"  # Debian's nginx.conf

PG_SERVER = "postgres@127.0.0.1:5432"
SCRATCH_DB = "rakor_deploy_check"
DRILL_DB = "rakor_deploy_check_drill"
# Redis of its own on a free port, with the databases of deploy/rakor.env.example.
QUEUE_REDIS_DB = 0
LIMITS_REDIS_DB = 1

ADMIN_EMAIL = "admin@pekalongankota.go.id"
ADMIN_NAME = "Nama Admin"
PARTICIPANT_ADDRESS = "127.0.0.2"  # another loopback address: not the one nginx uses
FORGED_ADDRESS = "203.0.113.7"  # what a client claims in X-Forwarded-For

STARTUP_TIMEOUT_S = 30
RENDER_TIMEOUT_S = 90
STOP_TIMEOUT_S = 15
# The environment a unit starts with: nothing of the caller's Rakor settings.
INHERITED_SETTINGS = re.compile(r"^(RAKOR_|FLASK_|SECRET_KEY$|DATABASE_URL$|TEST_DATABASE_URL$)")
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")  # nginx's $request_id


class CheckFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- the report -------------------------------------------------------------------------


@dataclass
class Step:
    number: int
    title: str
    passed: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class Report:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.started = time.perf_counter()

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[Step]:
        step = Step(len(self.steps) + 1, title)
        self.steps.append(step)
        print(f"\n[{step.number}] {title}", flush=True)
        started = time.perf_counter()
        try:
            yield step
        except BaseException as error:  # Ctrl+C too: the summary shows where it stopped
            step.seconds = time.perf_counter() - started
            print(f"FAIL  [{step.number}] {title} ({step.seconds:.1f} s)", flush=True)
            print(f"      {type(error).__name__}: {error}", flush=True)
            raise
        step.seconds = time.perf_counter() - started
        step.passed = True
        print(f"PASS  [{step.number}] {title} ({step.seconds:.1f} s)", flush=True)

    def summary(self, failed: bool) -> None:
        total = time.perf_counter() - self.started
        print("\nSummary (docs/DEPLOY.md on this machine)")
        for step in self.steps:
            verdict = "PASS" if step.passed else "FAIL"
            print(f"  {verdict}  {step.number}. {step.title:<58} {step.seconds:5.1f} s")
        verdict = "FAILED" if failed else "all steps passed"
        print(f"  {verdict}; {total:.1f} s in all.", flush=True)


def note(step: Step, text: str) -> None:
    step.notes.append(text)
    print(f"      - {text}", flush=True)


# --- the deployment's pieces ------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path
    stop_signal: signal.Signals = signal.SIGTERM


@dataclass
class Deployment:
    tmp: Path
    hostname: str = field(default_factory=socket.gethostname)
    env: dict[str, str] = field(default_factory=dict)
    gunicorn_bind: str = ""
    http_port: int = 0
    https_port: int = 0
    services: dict[str, Service] = field(default_factory=dict)
    cert: Path | None = None
    admin_password: str = ""
    meeting_id: int = 0
    meeting_code: str = ""
    receipt_code: str = ""
    redis_port: int = 0
    admin: requests.Session | None = None
    participant: requests.Session | None = None
    databases: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def nginx_dir(self) -> Path:
        return self.tmp / "nginx"

    def log(self, name: str) -> Path:
        return self.tmp / "logs" / f"{name}.log"

    def redis_url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{db}"

    def redis(self, db: int) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url(db), decode_responses=True)


def database_url(name: str, driver: str = "postgresql+psycopg") -> str:
    return f"{driver}://{PG_SERVER}/{name}"


def free_port(also_ipv6: bool) -> int:
    """A port free on 127.0.0.1 (and on ::1 when the site listens there too)."""
    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as v4:
            v4.bind(("127.0.0.1", 0))
            port = v4.getsockname()[1]
            if not also_ipv6:
                return port
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as v6:
                    v6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise CheckFailed("no free loopback port")


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as v6:
            v6.bind(("::1", 0))
    except OSError:
        return False
    return True


def run(
    command: list[str],
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        shown = " ".join(shlex.quote(part) for part in command)
        raise CheckFailed(
            f"`{shown}` exited {result.returncode}: {(result.stderr or result.stdout).strip()}"
        )
    return result


def psql(sql: str, database: str = "postgres") -> None:
    run(
        [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database_url(database, "postgresql"),
            "-c",
            sql,
        ]
    )


def drop_database(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(database_url(database, "postgresql")) as connection:
        return connection.execute(sql, params).fetchall()


# --- the units --------------------------------------------------------------------------


def unit_settings(unit: str) -> dict[str, str]:
    """The [Service] settings of deploy/systemd/<unit> (the last value of each key)."""
    settings: dict[str, str] = {}
    section = ""
    for raw in (DEPLOY / "systemd" / unit).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


def unit_command(unit: str, hostname: str, instance: str = "") -> tuple[list[str], Path, str]:
    """ExecStart as systemd runs it here: specifiers expanded, /srv/rakor -> this repository."""
    settings = unit_settings(unit)
    check("ExecStart" in settings, f"{unit} has no ExecStart")

    def expand(value: str) -> str:
        specifiers = {"%H": hostname, "%i": instance, "%I": instance, "%%": "%"}
        value = re.sub(r"%[HiI%]", lambda m: specifiers[m.group(0)], value)
        return value.replace(GUIDE_ROOT, str(ROOT))

    command = shlex.split(expand(settings["ExecStart"]))
    workdir = Path(expand(settings.get("WorkingDirectory", GUIDE_ROOT)))
    return command, workdir, settings.get("KillSignal", "SIGTERM")


def start_service(
    deployment: Deployment,
    name: str,
    command: list[str],
    workdir: Path,
    kill_signal: str = "SIGTERM",
    env: dict[str, str] | None = None,
) -> Service:
    log = deployment.log(name)
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env if env is not None else deployment.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
    service = Service(name, process, log, signal.Signals[kill_signal])
    deployment.services[name] = service
    return service


def stop_service(service: Service) -> None:
    """The unit's KillSignal to the main process, then SIGKILL to whatever is left."""
    process = service.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(service.stop_signal)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print(f"      ({service.name} did not stop in {STOP_TIMEOUT_S} s: killed)")
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def wait_for_port(service: Service, port: int, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        check(
            service.process.poll() is None, f"{service.name} exited ({service.process.returncode})"
        )
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise CheckFailed(f"{service.name} is not listening on {host}:{port}")


def wait_for_log(service: Service, pattern: str, timeout: float = STARTUP_TIMEOUT_S) -> str:
    deadline = time.monotonic() + timeout
    found = re.compile(pattern)
    while time.monotonic() < deadline:
        text = service.log.read_text(errors="replace")
        if match := found.search(text):
            return match.group(0)
        check(
            service.process.poll() is None, f"{service.name} exited ({service.process.returncode})"
        )
        time.sleep(0.1)
    raise CheckFailed(f"{service.name}'s log never showed {pattern!r}")


def json_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                lines.append(json.loads(line))
    return lines


def request_lines(deployment: Deployment) -> list[dict]:
    return [
        line
        for line in json_lines(deployment.services["rakor-web"].log)
        if line.get("logger") == "rakor.request"
    ]


def wait_for_request_line(deployment: Deployment, **wanted) -> dict:
    """The app's log line for a request (written after the response: allow a moment)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in request_lines(deployment):
            if all(line.get(key) == value for key, value in wanted.items()):
                return line
        time.sleep(0.1)
    raise CheckFailed(f"no line in the app's JSON log with {wanted}")


# --- HTTP through nginx -----------------------------------------------------------------


class FromAddress(HTTPAdapter):
    """Connections from a given local address (another loopback address, like another host)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client(deployment: Deployment, local_address: str = "127.0.0.1") -> requests.Session:
    """A browser-like client: trusts the check's certificate only, keeps its cookies."""
    session = requests.Session()
    session.trust_env = False  # no CA bundle or proxy from the environment
    session.verify = str(deployment.cert)
    session.mount("https://", FromAddress(local_address))
    session.mount("http://", FromAddress(local_address))
    return session


def fetch(
    session: requests.Session, method: str, url: str, **kwargs
) -> tuple[requests.Response, bytes]:
    response = session.request(method, url, allow_redirects=False, timeout=30, **kwargs)
    return response, response.content


def post_form(
    session: requests.Session, page_url: str, form: Form, data: dict[str, str]
) -> tuple[requests.Response, bytes]:
    # Browsers send the page as Referer (Referrer-Policy: same-origin); Flask-WTF checks it
    # over HTTPS.
    return fetch(session, "POST", form.action, data=data, headers={"Referer": page_url})


def all_headers(response: requests.Response, name: str) -> list[str]:
    """Every value of a header as sent (requests joins repeated headers into one)."""
    return response.raw.headers.getlist(name)


def content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def one_header(response: requests.Response, name: str) -> str:
    values = all_headers(response, name)
    path = urlsplit(response.url).path
    check(len(values) == 1, f"{name} sent {len(values)} times on {path}: {values}")
    return values[0]


def session_cookie_flags(response: requests.Response) -> str:
    cookies = [c for c in all_headers(response, "Set-Cookie") if c.startswith("session=")]
    check(cookies, f"no session cookie set by {urlsplit(response.url).path}")
    flags = {part.strip().split("=")[0].lower() for part in cookies[-1].split(";")[1:]}
    check("secure" in flags, f"the session cookie lacks Secure: {sorted(flags)}")
    check("httponly" in flags, f"the session cookie lacks HttpOnly: {sorted(flags)}")
    return ", ".join(sorted(flags))


# --- 1. the env file --------------------------------------------------------------------


def write_env_file(deployment: Deployment, step: Step) -> None:
    tmp = deployment.tmp
    v6 = ipv6_loopback()
    gunicorn_port = free_port(also_ipv6=False)
    deployment.redis_port = free_port(also_ipv6=False)
    deployment.http_port = free_port(also_ipv6=v6)
    deployment.https_port = free_port(also_ipv6=v6)
    ports = {gunicorn_port, deployment.redis_port, deployment.http_port, deployment.https_port}
    check(len(ports) == 4, "ports collided")
    deployment.gunicorn_bind = f"127.0.0.1:{gunicorn_port}"
    values = {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url(SCRATCH_DB),
        "RAKOR_PUBLIC_URL": deployment.base,
        "RAKOR_REDIS_URL": deployment.redis_url(QUEUE_REDIS_DB),
        "RAKOR_RATELIMIT_STORAGE_URI": deployment.redis_url(LIMITS_REDIS_DB),
        "RAKOR_BACKUP_DIR": str(tmp / "backups"),
        "RAKOR_BIND": deployment.gunicorn_bind,
    }
    example = (DEPLOY / "rakor.env.example").read_text()
    replaced = set()

    def substitute(match: re.Match) -> str:
        key = match.group(1)
        if key not in values:
            return match.group(0)
        replaced.add(key)
        return f"{key}={values[key]}"

    text = re.sub(r"^([A-Z_][A-Z0-9_]*)=.*$", substitute, example, flags=re.M)
    missing = sorted(set(values) - replaced)
    check(not missing, f"rakor.env.example does not set {', '.join(missing)}")
    env_file = tmp / "rakor.env"
    env_file.write_text(text)
    env_file.chmod(0o600)

    # Loaded as the guide does: `set -a; . /etc/rakor/rakor.env; set +a`.
    base = {k: v for k, v in os.environ.items() if not INHERITED_SETTINGS.match(k)}
    loaded = run(
        ["/bin/sh", "-c", 'set -a; . "$1"; set +a; exec env -0', "sh", str(env_file)], env=base
    ).stdout
    env = dict(item.split("=", 1) for item in loaded.split("\0") if "=" in item)
    for key, value in values.items():
        check(env.get(key) == value, f"{key} loaded as {env.get(key)!r}, not {value!r}")
    settings = sorted(k for k in env if k not in base or env[k] != base.get(k))
    # The units read the same file with systemd's EnvironmentFile=, which neither expands
    # nor unquotes like a shell: every value must come out the same both ways.
    literal = dict(
        line.split("=", 1)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    differ = sorted(k for k, v in literal.items() if env.get(k) != v)
    check(not differ, f"the shell and systemd would read {differ} differently")
    # What the units and the guide's commands run with; PWD is the shell's, not ours.
    env.pop("PWD", None)
    deployment.env = env
    check(env.get("RAKOR_ENV") == "production", "the example does not set RAKOR_ENV=production")
    note(
        step,
        f"{env_file.name}: {len(settings)} settings ({', '.join(settings)}), the same "
        "for `set -a; .` and for systemd's EnvironmentFile=",
    )
    note(
        step,
        f"gunicorn {deployment.gunicorn_bind}, nginx http :{deployment.http_port} "
        f"https :{deployment.https_port}, Redis :{deployment.redis_port} db {QUEUE_REDIS_DB} "
        f"(RQ) and {LIMITS_REDIS_DB} (limits)",
    )


# --- 2. the database --------------------------------------------------------------------


def prepare_database(deployment: Deployment, step: Step) -> None:
    compiled = sorted(ROOT.glob("app/translations/*/LC_MESSAGES/messages.mo"))
    catalogs = sorted(ROOT.glob("app/translations/*/LC_MESSAGES/messages.po"))
    check(len(compiled) == len(catalogs) > 0, "translations not compiled (pybabel compile)")
    stale = [mo for mo in compiled if mo.stat().st_mtime < mo.with_suffix(".po").stat().st_mtime]
    check(not stale, f"compiled translations older than their catalogs: {stale}")
    note(step, f"translations compiled ({len(compiled)} catalog)")

    drop_database(SCRATCH_DB)
    deployment.databases.append(SCRATCH_DB)
    psql(f'CREATE DATABASE "{SCRATCH_DB}"')
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
    run([*flask, "db", "upgrade"], env=deployment.env)
    head = query(SCRATCH_DB, "SELECT version_num FROM alembic_version")
    note(step, f"flask db upgrade: schema at {head[0][0]}")
    seeded = run([*flask, "seed"], env=deployment.env).stdout.strip()
    note(step, f"flask seed: {seeded}")
    deployment.admin_password = secrets.token_urlsafe(18)
    created = run(
        [
            *flask,
            "users",
            "create",
            ADMIN_EMAIL,
            "--name",
            ADMIN_NAME,
            "--role",
            "admin",
            "--password-stdin",
        ],
        env=deployment.env,
        stdin=deployment.admin_password + "\n",
    ).stdout.strip()
    note(step, f"flask users create: {created}")
    roles = query(SCRATCH_DB, 'SELECT role FROM "user" WHERE email = %s', ADMIN_EMAIL)
    check(roles == [("admin",)], f"the admin account is not in the database: {roles}")


# --- 3. the services --------------------------------------------------------------------


def start_gunicorn(deployment: Deployment, step: Step) -> None:
    command, workdir, kill_signal = unit_command("rakor-web.service", deployment.hostname)
    settings = unit_settings("rakor-web.service")
    note(step, f"rakor-web: {shlex.join(command)} (in {workdir})")
    env = dict(deployment.env)
    control_socket = None
    if runtime := settings.get("RuntimeDirectory"):
        # As systemd does: /run/<name>, named in RUNTIME_DIRECTORY.
        folder = deployment.tmp / "run" / runtime
        folder.mkdir(parents=True)
        env["RUNTIME_DIRECTORY"] = str(folder)
        control_socket = folder / "gunicorn.ctl"
    notify = None
    if settings.get("Type") == "notify":
        # As systemd does: a datagram socket named in NOTIFY_SOCKET, READY=1 awaited on it.
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify_path = deployment.tmp / "notify.sock"
        notify.bind(str(notify_path))
        env["NOTIFY_SOCKET"] = str(notify_path)
    started = time.monotonic()
    service = start_service(deployment, "rakor-web", command, workdir, kill_signal, env=env)
    if notify is not None:
        notify.settimeout(STARTUP_TIMEOUT_S)
        try:
            message = notify.recv(4096).decode()
        except TimeoutError as error:
            raise CheckFailed("gunicorn never sent READY=1 (Type=notify)") from error
        finally:
            notify.close()
        check("READY=1" in message, f"gunicorn notified {message!r}, not READY=1")
        note(step, f"Type=notify: READY=1 after {time.monotonic() - started:.1f} s")
    port = int(deployment.gunicorn_bind.rsplit(":", 1)[1])
    wait_for_port(service, port)
    booted = wait_for_log(service, r"Booting worker with pid: \d+")
    workers = len(re.findall(r"Booting worker", service.log.read_text()))
    note(step, f"gunicorn listening on {deployment.gunicorn_bind} ({booted}; {workers} so far)")
    if control_socket is not None:
        wait_for_log(service, "Control socket listening at " + re.escape(str(control_socket)))
        shown = run(
            [
                str(ROOT / ".venv/bin/gunicornc"),
                "-s",
                str(control_socket),
                "-j",
                "-c",
                "show workers",
            ]
        ).stdout
        check('"pid"' in shown, f"gunicornc show workers answered {shown[:200]!r}")
        note(step, "control socket in RuntimeDirectory; gunicornc answers `show workers`")


def start_redis(deployment: Deployment, step: Step) -> None:
    """Debian's redis-server, as a server of the check's own on a free port: nothing to flush
    in anyone else's Redis."""
    command = [
        "redis-server",
        *("--port", str(deployment.redis_port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no", "--dir", str(deployment.tmp)),
    ]
    service = start_service(deployment, "redis", command, deployment.tmp)
    wait_for_port(service, deployment.redis_port)
    note(step, f"redis-server on 127.0.0.1:{deployment.redis_port} (no persistence)")


def start_worker(deployment: Deployment, step: Step) -> None:
    command, workdir, kill_signal = unit_command(
        "rakor-worker@.service", deployment.hostname, instance="1"
    )
    note(step, f"rakor-worker@1: {shlex.join(command)} (KillSignal={kill_signal})")
    service = start_service(deployment, "rakor-worker@1", command, workdir, kill_signal)
    wait_for_log(service, r"Listening on rakor-documents")
    name = f"rakor-{deployment.hostname}-1"
    queue_redis = deployment.redis(QUEUE_REDIS_DB)
    deadline = time.monotonic() + 5
    while not queue_redis.exists(f"rq:worker:{name}") and time.monotonic() < deadline:
        time.sleep(0.1)
    check(
        queue_redis.exists(f"rq:worker:{name}"), f"no RQ worker {name} in Redis db {QUEUE_REDIS_DB}"
    )
    note(step, f"RQ worker {name} registered in Redis db {QUEUE_REDIS_DB}, on rakor-documents")


def self_signed_certificate(deployment: Deployment) -> tuple[Path, Path]:
    folder = deployment.tmp / "ssl"
    folder.mkdir()
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
    )
    key.chmod(0o600)
    deployment.cert = cert
    return cert, key


def adapt_site(
    text: str, deployment: Deployment, cert: Path, key: Path, snippet: Path
) -> tuple[str, list[str]]:
    """deploy/nginx/rakor.conf with only what the guide edits or this machine changes."""
    v6 = ipv6_loopback()
    ports = {"80": deployment.http_port, "443": deployment.https_port}
    changes: list[str] = []

    def listen(match: re.Match) -> str:
        indent, ipv6, port, rest = match.groups()
        if ipv6 and not v6:
            return f"{indent}# (no IPv6 loopback here) listen [::]:{port}{rest}"
        address = "[::1]" if ipv6 else "127.0.0.1"
        return f"{indent}listen {address}:{ports[port]}{rest}"

    edits = [
        ("listen", r"^(\s*)listen\s+(\[::\]:)?(80|443)\b(.*)$", listen),
        ("server_name", r"^(\s*server_name)\s+[^;]+;", r"\1 127.0.0.1 localhost;"),
        ("ssl_certificate", r"^(\s*ssl_certificate)\s+[^;]+;", rf"\1 {cert};"),
        ("ssl_certificate_key", r"^(\s*ssl_certificate_key)\s+[^;]+;", rf"\1 {key};"),
        ("snippet include", r"^(\s*include)\s+\S*/rakor-proxy\.conf;", rf"\1 {snippet};"),
        (
            "upstream server",
            r"^(\s*server)\s+127\.0\.0\.1:8000;",
            rf"\1 {deployment.gunicorn_bind};",
        ),
        (GUIDE_ROOT, re.escape(GUIDE_ROOT), str(ROOT)),
        (
            "access_log",
            r"^(\s*access_log)\s+/var/log/nginx/rakor\.access\.log",
            rf"\1 {deployment.nginx_dir}/logs/rakor.access.log",
        ),
    ]
    for label, pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text, flags=re.M)
        check(count, f"rakor.conf has no {label} line to adapt (has the sample changed?)")
        changes.append(f"{label} x{count}")
    return text, changes


def start_nginx(deployment: Deployment, step: Step) -> None:
    folder = deployment.nginx_dir
    for sub in ("sites-enabled", "snippets", "tmp", "logs"):
        (folder / sub).mkdir(parents=True)
    # The workers run as www-data, like Debian's: they must reach the temp paths below.
    deployment.tmp.chmod(0o711)
    folder.chmod(0o711)
    cert, key = self_signed_certificate(deployment)
    snippet = folder / "snippets" / "rakor-proxy.conf"
    shutil.copyfile(DEPLOY / "nginx" / "rakor-proxy.conf", snippet)
    site, changes = adapt_site(
        (DEPLOY / "nginx" / "rakor.conf").read_text(), deployment, cert, key, snippet
    )
    (folder / "sites-enabled" / "rakor").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {folder}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # `user` only means something to a master running as root (how the check is meant to run).
    user = f"user {NGINX_USER};" if os.geteuid() == 0 else "# not root: workers run as the caller"
    (folder / "nginx.conf").write_text(
        f"""# Debian's /etc/nginx/nginx.conf reduced to what the site needs (bench/deploy_check.py).
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{
    worker_connections 256;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {folder}/logs/access.log;
{temp_paths}
    include {folder}/sites-enabled/*;
}}
"""
    )
    nginx = [NGINX, "-p", f"{folder}/", "-c", str(folder / "nginx.conf")]
    tested = subprocess.run([*nginx, "-t"], capture_output=True, text=True, check=False)
    output = (tested.stderr + tested.stdout).strip()
    check(tested.returncode == 0, f"nginx -t failed:\n{output}")
    warnings = [line for line in output.splitlines() if "[warn]" in line]
    check(not warnings, "nginx -t warns:\n" + "\n".join(warnings))
    note(step, f"nginx -t: syntax is ok, test is successful ({', '.join(changes)} adapted)")
    service = start_service(deployment, "nginx", [*nginx, "-g", "daemon off;"], folder, "SIGQUIT")
    wait_for_port(service, deployment.http_port)
    wait_for_port(service, deployment.https_port)
    note(
        step,
        f"nginx {sys_version(NGINX)} on :{deployment.http_port} and "
        f":{deployment.https_port}, workers as {user.split()[1].rstrip(';')}",
    )


def sys_version(nginx: str) -> str:
    output = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
    return output.stderr.strip().rsplit("/", 1)[-1]


# --- 4. a meeting, through the admin forms ------------------------------------------------


def sign_in(deployment: Deployment, session: requests.Session, step: Step) -> None:
    page_url = f"{deployment.base}/login"
    response, body = fetch(session, "GET", page_url)
    check(response.status_code == 200, f"GET /login answered {response.status_code}")
    note(step, f"GET /login 200; session cookie flags: {session_cookie_flags(response)}")
    form = form_in(body.decode(), page_url, "/login")
    data = form.values(email=ADMIN_EMAIL, password=deployment.admin_password)
    response, body = post_form(session, page_url, form, data)
    check(response.status_code == 302, f"sign-in answered {response.status_code}: {body[:300]!r}")
    note(step, f"POST /login (CSRF token, Referer) 302 -> {response.headers['Location']}")


def create_meeting(deployment: Deployment, step: Step) -> None:
    deployment.admin = session = client(deployment)
    sign_in(deployment, session, step)

    page_url = f"{deployment.base}/admin/meetings/new"
    response, body = fetch(session, "GET", page_url)
    check(response.status_code == 200, f"GET /admin/meetings/new answered {response.status_code}")
    form = form_in(body.decode(), page_url, "/admin/meetings/new")
    data = form.values(
        title="Rapat Koordinasi Uji Pemasangan (deploy_check)",
        date=date.today().isoformat(),
        start_time="09:00",
        venue="Ruang Jlamprang Setda Kota Pekalongan",
        chair_name="Achmad Afzan Arslan Djunaid",
        chair_position="Wali Kota Pekalongan",
        agenda="Pembukaan\nPaparan usulan kelurahan\nPenutup",
    )
    deployment.meeting_code = data.get("code", "")
    check(deployment.meeting_code, "the new meeting form offers no public code")
    response, body = post_form(session, page_url, form, data)
    check(response.status_code == 303, f"creating the meeting answered {response.status_code}")
    show_url = urljoin(page_url, response.headers["Location"])
    found = re.search(r"/admin/meetings/(\d+)$", urlsplit(show_url).path)
    check(found, f"the new meeting went to {show_url}")
    deployment.meeting_id = int(found.group(1))

    response, body = fetch(session, "GET", show_url)
    html = body.decode()
    public_url = f"{deployment.base}/m/{deployment.meeting_code}"
    check(public_url in html, f"the meeting page does not show {public_url} (RAKOR_PUBLIC_URL)")
    open_form = form_in(html, show_url, f"/meetings/{deployment.meeting_id}/open")
    response, _ = post_form(session, show_url, open_form, open_form.values())
    check(response.status_code == 303, f"opening the meeting answered {response.status_code}")
    status = query(SCRATCH_DB, "SELECT status FROM meeting WHERE id = %s", deployment.meeting_id)
    check(status == [("open",)], f"the meeting is {status}, not open")
    note(
        step,
        f"meeting {deployment.meeting_id} created and opened through the admin forms; "
        f"its page shows {public_url}",
    )


# --- 5. the HTTPS front -----------------------------------------------------------------


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def check_front(deployment: Deployment, step: Step) -> None:
    session = client(deployment)
    try:
        front_checks(deployment, session, step)
    finally:
        session.close()


def front_checks(deployment: Deployment, session: requests.Session, step: Step) -> None:
    path = f"/m/{deployment.meeting_code}?dari=poster"
    response, _ = fetch(session, "GET", f"http://127.0.0.1:{deployment.http_port}{path}")
    location = response.headers.get("Location", "")
    # $host carries no port: on a server that is https://<name>/..., on port 443.
    check(
        response.status_code == 301 and location == f"https://127.0.0.1{path}",
        f"HTTP answered {response.status_code} -> {location!r}, not 301 to https://127.0.0.1{path}",
    )
    acme = "/.well-known/acme-challenge/check"
    challenge, _ = fetch(session, "GET", f"http://127.0.0.1:{deployment.http_port}{acme}")
    check(challenge.status_code != 301, "the ACME challenge is redirected too")
    note(
        step,
        f"http :{deployment.http_port}{path} 301 -> {location}; "
        f"ACME challenge not redirected ({challenge.status_code})",
    )

    protocol = negotiated_protocol(deployment)
    check(protocol == "h2", f"TLS negotiated {protocol!r}, not h2 (`listen ... ssl http2`)")
    note(step, "TLS with the self-signed certificate verified; ALPN offers h2")

    response, body = fetch(session, "GET", f"{deployment.base}/healthz")
    health = json.loads(body) if response.status_code == 200 else {}
    check(
        health.get("database") == "ok", f"/healthz answered {response.status_code} {body[:200]!r}"
    )
    note(step, f"GET /healthz 200 {json.dumps(health, sort_keys=True)}")

    page_url = f"{deployment.base}/m/{deployment.meeting_code}"
    response, body = fetch(session, "GET", page_url)
    check(response.status_code == 200, f"GET /m/<code> answered {response.status_code}")
    csp = one_header(response, "Content-Security-Policy")
    check("unsafe-inline" not in csp and "default-src 'self'" in csp, f"CSP is {csp!r}")
    check("frame-ancestors 'none'" in csp, f"CSP lacks frame-ancestors 'none': {csp!r}")
    hsts = one_header(response, "Strict-Transport-Security")
    check(re.search(r"max-age=\d{7,}", hsts), f"HSTS is {hsts!r}")
    for name, value in SECURITY_HEADERS.items():
        check(one_header(response, name) == value, f"{name} is not {value!r} on the form")
    note(
        step,
        f"form page: CSP without unsafe-inline, HSTS {hsts!r}, nosniff, DENY, "
        "same-origin, each once (HSTS is the app's: it saw X-Forwarded-Proto https)",
    )

    # requests asks for gzip (Accept-Encoding) and undoes it: the body is the page's text.
    encoding = response.headers.get("Content-Encoding", "")
    vary = ", ".join(all_headers(response, "Vary"))
    check(encoding == "gzip", f"the form page is sent with Content-Encoding {encoding!r}")
    check("Accept-Encoding" in vary, f"the form page's Vary is {vary!r}")
    note(step, "form page compressed by nginx (Content-Encoding gzip, Vary: Accept-Encoding)")

    stylesheet = re.search(r'<link[^>]+href="(/static/[^"?]+\.css)(\?v=[0-9a-f]+)?"', body.decode())
    check(stylesheet, "the form page links no stylesheet under /static/")
    static_path, version = stylesheet.group(1), stylesheet.group(2)
    check(version, f"the form page links {static_path} without ?v=<version>")
    response, css = fetch(session, "GET", deployment.base + static_path + version)
    check(response.status_code == 200, f"GET {static_path} answered {response.status_code}")
    check(css == (ROOT / static_path.lstrip("/")).read_bytes(), f"{static_path} differs from disk")
    one_header(response, "Strict-Transport-Security")
    check(one_header(response, "X-Content-Type-Options") == "nosniff", "static: no nosniff")
    cache = ", ".join(all_headers(response, "Cache-Control"))
    check(
        "public" in cache and "max-age=31536000" in cache and "immutable" in cache,
        f"versioned static Cache-Control is {cache!r}",
    )
    encoding = response.headers.get("Content-Encoding", "")
    check(encoding == "gzip", f"{static_path} is sent with Content-Encoding {encoding!r}")
    check(
        "Content-Security-Policy" not in response.headers,
        f"{static_path} carries the app's CSP: it went through gunicorn",
    )
    check(content_type(response) == "text/css", f"{static_path} is {content_type(response)}")
    unversioned, _ = fetch(session, "GET", deployment.base + static_path)
    day = ", ".join(all_headers(unversioned, "Cache-Control"))
    check(
        "max-age=86400" in day and "immutable" not in day,
        f"unversioned static Cache-Control is {day!r}",
    )
    time.sleep(0.2)  # a request line would be written right after the response
    proxied = [line for line in request_lines(deployment) if "static" in line.get("route", "")]
    check(not proxied, f"the app logged static requests: {proxied}")
    note(
        step,
        f"{static_path}{version}: 200 from disk by nginx (no app log line, no CSP), HSTS, "
        f"nosniff, gzip, Cache-Control {cache!r}; without ?v=: {day!r}",
    )

    forged = "forged-by-client-0001"
    response, _ = fetch(
        session, "GET", f"{deployment.base}/healthz", headers={"X-Request-ID": forged}
    )
    request_id = response.headers.get("X-Request-ID", "")
    check(REQUEST_ID.match(request_id), f"X-Request-ID is {request_id!r}, not nginx's $request_id")
    line = wait_for_request_line(deployment, request_id=request_id)
    check(line.get("route") == "/healthz" and line.get("status") == 200, f"log line {line}")
    note(
        step,
        f"X-Request-ID {request_id} (nginx's, the client's {forged!r} replaced) is in "
        "the app's JSON log",
    )


def negotiated_protocol(deployment: Deployment) -> str | None:
    context = ssl.create_default_context(cafile=str(deployment.cert))
    context.set_alpn_protocols(["h2", "http/1.1"])
    address = ("127.0.0.1", deployment.https_port)
    with (
        socket.create_connection(address, timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.selected_alpn_protocol()


# --- 6. a participant's input -----------------------------------------------------------


def participant_input(deployment: Deployment, step: Step) -> None:
    # From 127.0.0.2: nginx sees that address, gunicorn sees only nginx's 127.0.0.1.
    deployment.participant = session = client(deployment, PARTICIPANT_ADDRESS)
    page_url = f"{deployment.base}/m/{deployment.meeting_code}"
    response, body = fetch(session, "GET", page_url)
    check(response.status_code == 200, f"GET /m/<code> answered {response.status_code}")
    note(step, f"GET /m/<code> 200; session cookie flags: {session_cookie_flags(response)}")
    form = form_in(body.decode(), page_url, f"/m/{deployment.meeting_code}")
    kelurahan = {label: value for value, label in form.choices("unit_kelurahan").items()}
    check("Krapyak" in kelurahan, "no kelurahan Krapyak in the form")
    pillars = [value for value in form.choices("pillar") if value]
    title = f"Pelatihan membatik untuk pemuda putus sekolah ({secrets.token_hex(3)})"
    data = form.values(
        submitter_name="Agus Priyanto",
        role="lurah",
        unit_kelurahan=kelurahan["Krapyak"],
        position="Lurah Krapyak",
        phone="0812-2712-3456",
        kind="usulan",
        pillar=pillars[0],
        title=title,
        description="Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05.",
        location=kelurahan["Krapyak"],
        target_group="pencari_kerja",
        beneficiaries="40",
        cost="Rp 75.000.000",
    )
    check(data.get("csrf_token") and data.get("client_token"), "the form has no csrf/client token")
    response, body = fetch(
        session,
        "POST",
        page_url,
        data=data,
        headers={"Referer": page_url, "X-Forwarded-For": FORGED_ADDRESS},
    )
    location = response.headers.get("Location", "")
    found = re.fullmatch(r"(?:https://[^/]+)?/receipt/([A-Za-z0-9-]+)", location)
    check(
        response.status_code == 303 and found,
        f"POST /m/<code> answered {response.status_code} -> {location!r}: {body[:300]!r}",
    )
    deployment.receipt_code = found.group(1)
    note(step, f"POST /m/<code> (csrf_token, client_token) 303 -> /receipt/{found.group(1)}")
    # The limit counted this send: step 8 finds its key in Redis.

    response, body = fetch(session, "GET", urljoin(page_url, location))
    check(response.status_code == 200, f"the receipt page answered {response.status_code}")
    check(title in body.decode(), "the receipt page does not show the input's title")
    logged = (deployment.nginx_dir / "logs" / "rakor.access.log").read_text()
    check('"GET /receipt/..."' in logged, "nginx's access log has no line for the receipt")
    check(
        deployment.receipt_code not in logged,
        "nginx's access log holds the receipt code (a secret of the address)",
    )
    note(step, "nginx's access log names /receipt/... without the code")
    rows = query(
        SCRATCH_DB,
        "SELECT s.title, s.submitter_name, s.source FROM submission s JOIN meeting m "
        "ON m.id = s.meeting_id WHERE s.receipt_code = %s AND m.code = %s",
        deployment.receipt_code,
        deployment.meeting_code,
    )
    check(rows == [(title, "Agus Priyanto", "web")], f"the submission row is {rows}")
    note(step, "receipt page 200 with the title; the row is in `submission`")
    line = wait_for_request_line(deployment, method="POST", route="/m/<code>", status=303)
    note(step, f"the app logged POST /m/<code> 303 in {line.get('ms')} ms (no path, no address)")
    failures = [line for line in request_lines(deployment) if line.get("status", 0) >= 500]
    check(not failures, f"the app answered 5xx: {failures}")
    guide_finds_failures(deployment, step)


def guide_finds_failures(deployment: Deployment, step: Step) -> None:
    """The guide's `journalctl ... | jq ...` on the web log: no 5xx, and it would find one."""
    command = re.search(
        r"journalctl -u rakor-web -o cat \| (jq [^`\n]+)`",
        (ROOT / "docs" / "DEPLOY.md").read_text(),
    )
    check(command, "docs/DEPLOY.md has no `journalctl -u rakor-web -o cat | jq ...` command")
    if shutil.which("jq") is None:
        note(step, "jq is not installed: the guide's jq command is not tried")
        return
    jq = shlex.split(command.group(1))
    log = deployment.services["rakor-web"].log
    found = run([*jq, str(log)]).stdout.strip()
    check(found == "", f"the guide's jq finds failures: {found[:300]}")
    planted = deployment.tmp / "planted.log"
    planted.write_text(log.read_text() + '{"status": 503, "route": "/planted"}\n')
    found = run([*jq, str(planted)]).stdout
    check("/planted" in found, f"the guide's jq misses a 503 line: {found!r}")
    note(step, f"`{command.group(1)}` on the web log: no 5xx (and it finds a planted 503)")


# --- 7. the minutes PDF, rendered by the RQ worker ------------------------------------------


def minutes_pdf(deployment: Deployment, step: Step) -> None:
    session = deployment.admin
    pdf_url = f"{deployment.base}/admin/meetings/{deployment.meeting_id}/minutes.pdf"
    # A GET only reads: with no PDF yet it offers the button that makes one.
    response, body = fetch(session, "GET", pdf_url)
    check(response.status_code == 200, f"GET minutes.pdf answered {response.status_code}, not 200")
    make = form_in(body.decode(), pdf_url, "/minutes.pdf")
    response, body = post_form(session, pdf_url, make, make.values())
    check(response.status_code == 303, f"POST minutes.pdf answered {response.status_code}, not 303")
    response, body = fetch(session, "GET", pdf_url)
    check(response.status_code == 202, f"GET minutes.pdf answered {response.status_code}, not 202")
    html = body.decode()
    poll = re.search(r'data-poll-url="([^"]+)"', html)
    done = re.search(r'data-done-url="([^"]+)"', html)
    check(poll and done, "the progress page has no poll/done URLs")
    job_id = int(re.search(r"/jobs/(\d+)\.json", poll.group(1)).group(1))
    note(step, f"POST minutes.pdf 303, then GET 202: progress page, render job {job_id}")

    started = time.monotonic()
    status: dict = {}
    seen = []
    while time.monotonic() - started < RENDER_TIMEOUT_S:
        response, body = fetch(session, "GET", urljoin(pdf_url, poll.group(1)))
        check(response.status_code == 200, f"the progress poll answered {response.status_code}")
        status = json.loads(body)
        if not seen or seen[-1] != (status["status"], status["progress"]):
            seen.append((status["status"], status["progress"]))
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    check(status.get("status") == "done", f"the render job ended as {status}")
    trail = " -> ".join(f"{s} {p}%" for s, p in seen)
    note(step, f"progress polled: {trail} ({time.monotonic() - started:.1f} s)")

    response, pdf = fetch(session, "GET", urljoin(pdf_url, status["done_url"]))
    check(
        response.status_code == 200 and content_type(response) == "application/pdf",
        f"the download answered {response.status_code} {content_type(response)}",
    )
    check(pdf.startswith(b"%PDF-"), f"the download starts with {pdf[:8]!r}")
    digest = hashlib.sha256(pdf).hexdigest()
    check(response.headers.get("X-Content-SHA256") == digest, "X-Content-SHA256 does not match")
    note(
        step,
        f"downloaded {len(pdf):,} bytes of PDF ({pdf[:8].decode(errors='replace')}), "
        f"SHA-256 as announced",
    )

    # A 202 means the job went to the queue (without Redis the request renders the PDF
    # itself and answers 200); the worker's log shows that it ran it.
    worker_log = deployment.services["rakor-worker@1"].log.read_text(errors="replace")
    ran = re.search(rf"rakor-documents: \S*run_render_job\({job_id}\b", worker_log)
    check(ran, f"the worker's log does not show run_render_job({job_id}, ...)")
    ok = re.search(r"rakor-documents: Job OK \(([^)]+)\)", worker_log)
    check(ok, "the worker's log shows no 'Job OK'")
    note(step, f"the worker's log: run_render_job({job_id}, ...) ... Job OK ({ok.group(1)})")


# --- 8. rate limits in Redis --------------------------------------------------------------


def shared_rate_limits(deployment: Deployment, step: Step) -> None:
    limits = deployment.redis(LIMITS_REDIS_DB)
    keys = sorted(limits.scan_iter(count=1000))
    check(keys, f"no keys in Redis db {LIMITS_REDIS_DB}")
    submit_keys = [k for k in keys if "submissions.meeting" in k]
    check(submit_keys, f"no rate-limit key for the public form in db {LIMITS_REDIS_DB}: {keys}")
    check(
        all(PARTICIPANT_ADDRESS in k for k in submit_keys),
        f"the form's limit does not count the participant's address: {submit_keys}",
    )
    check(not any(FORGED_ADDRESS in k for k in keys), "a forged X-Forwarded-For was counted")
    login_keys = [k for k in keys if "auth.login" in k]
    check(login_keys, f"no rate-limit key for the sign-in: {keys}")
    counts = {k: limits.get(k) for k in submit_keys}
    note(
        step,
        f"db {LIMITS_REDIS_DB}: {len(keys)} keys, e.g. {submit_keys[0]} = {counts[submit_keys[0]]}",
    )
    note(
        step,
        f"counted per {PARTICIPANT_ADDRESS} (nginx's X-Forwarded-For through ProxyFix), "
        f"not 127.0.0.1 and not the forged {FORGED_ADDRESS}",
    )


# --- 9. backup and a restore drill ------------------------------------------------------


def backup_and_drill(deployment: Deployment, step: Step) -> None:
    command, workdir, _ = unit_command("rakor-backup.service", deployment.hostname)
    note(step, f"rakor-backup: {shlex.join(command)}")
    written = run(command, env=deployment.env, cwd=workdir).stdout
    found = re.search(r"Backup written: (\S+)", written)
    check(found, f"flask backup said {written!r}")
    dump = Path(found.group(1))
    if not dump.is_absolute():
        dump = workdir / dump
    backup_dir = Path(deployment.env["RAKOR_BACKUP_DIR"])
    check(dump.parent == backup_dir and dump.suffix == ".dump", f"the backup is {dump}")
    check(dump.read_bytes()[:5] == b"PGDMP", f"{dump.name} is not a pg_dump custom file")
    mode = stat.S_IMODE(dump.stat().st_mode)
    check(mode == 0o600, f"{dump.name} has mode {oct(mode)}, not 0600")
    note(step, f"{dump.name} in RAKOR_BACKUP_DIR, {dump.stat().st_size:,} bytes, mode 0600")

    drop_database(DRILL_DB)
    deployment.databases.append(DRILL_DB)
    psql(f'CREATE DATABASE "{DRILL_DB}"')
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
    restored = run(
        [*flask, "restore", str(dump), "--into", database_url(DRILL_DB), "--yes"],
        env=deployment.env,
    ).stdout.strip()
    inputs = query(
        DRILL_DB, "SELECT count(*) FROM submission WHERE receipt_code = %s", deployment.receipt_code
    )
    check(inputs == [(1,)], "the restored database lacks the participant's input")
    documents = query(
        DRILL_DB,
        "SELECT count(*) FROM meeting_document WHERE meeting_id = %s",
        deployment.meeting_id,
    )
    check(documents[0][0] >= 1, "the restored database lacks the rendered minutes")
    note(step, f"flask restore --into {DRILL_DB} --yes: {restored}")
    note(step, "the drill database holds the input and the minutes PDF")
    drop_database(DRILL_DB)
    deployment.databases.remove(DRILL_DB)


# --- the run ----------------------------------------------------------------------------


def tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return "(no file)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def show_logs(deployment: Deployment) -> None:
    for name, service in deployment.services.items():
        print(f"\n--- last lines of {name}'s log ({service.log}) ---\n{tail(service.log)}")
    error_log = deployment.nginx_dir / "logs" / "error.log"
    if error_log.exists():
        print(f"\n--- last lines of nginx's error.log ---\n{tail(error_log)}")


def clean_up(deployment: Deployment, keep_temp: bool) -> None:
    for service in reversed(list(deployment.services.values())):
        stop_service(service)
    for name in list(deployment.databases):
        try:
            drop_database(name)
        except CheckFailed as error:
            print(f"      could not drop {name}: {error}")
    if keep_temp:
        print(f"\nKept {deployment.tmp}")
    else:
        shutil.rmtree(deployment.tmp, ignore_errors=True)


def follow_the_guide(deployment: Deployment, report: Report) -> None:
    with report.step("env file from deploy/rakor.env.example, loaded with set -a") as step:
        write_env_file(deployment, step)
    with report.step("db upgrade, seed, users create --role admin (scratch database)") as step:
        prepare_database(deployment, step)
    with report.step("services: Redis, gunicorn, RQ worker (unit ExecStarts), nginx") as step:
        start_redis(deployment, step)
        start_gunicorn(deployment, step)
        start_worker(deployment, step)
        start_nginx(deployment, step)
    with report.step("test data for the check: a meeting via the admin forms") as step:
        create_meeting(deployment, step)
    with report.step("HTTPS front: redirect, healthz, headers, static, request id") as step:
        check_front(deployment, step)
    with report.step("a participant's input through nginx, receipt, row") as step:
        participant_input(deployment, step)
    with report.step("minutes PDF requested by staff, rendered by the RQ worker") as step:
        minutes_pdf(deployment, step)
    with report.step("rate limits shared in Redis, per client address") as step:
        shared_rate_limits(deployment, step)
    with report.step("flask backup (the backup unit) and a restore drill") as step:
        backup_and_drill(deployment, step)


def interrupted(_signum, _frame) -> None:
    """A SIGTERM (a CI timeout) cleans up like Ctrl+C does."""
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, interrupted)
    report = Report()
    deployment = Deployment(tmp=Path(tempfile.mkdtemp(prefix="rakor-deploy-check-")))
    (deployment.tmp / "logs").mkdir()
    print(f"Following docs/DEPLOY.md in {deployment.tmp} (repository {ROOT})")
    failed = True
    try:
        follow_the_guide(deployment, report)
        failed = False
    except CheckFailed:
        show_logs(deployment)
    except KeyboardInterrupt:
        print("\nInterrupted.")
    except Exception:
        traceback.print_exc()
        show_logs(deployment)
    finally:
        clean_up(deployment, args.keep_temp)
    report.summary(failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
