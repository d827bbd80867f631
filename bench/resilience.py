"""Resilience: no input with a receipt is lost, and a database outage is a clear 503 page.

    .venv/bin/python bench/resilience.py [worker-kill] [pg-restart] [db-unavailable]
        [--db sqlite|postgres|both] [--clients 50] [--duration 10] [--pg-url URL]

With no scenario named, all three run, on both databases where they apply. Every
server is the real app under gunicorn (deploy/gunicorn.conf.py, 2 workers x 2
threads) on a fresh database loaded with the real CLI (bench/common.py).

- worker-kill (SQLite, PostgreSQL): 50 participants send the demo meeting's form
  for `--duration` seconds; one gunicorn worker is killed with SIGKILL at 30 % of
  the run and the other original one at 65 %. Every receipt a participant got must
  be a row in `submission`; the only failures allowed are the connections cut by a
  kill; gunicorn replaces each worker and receipts keep coming.
- pg-restart (PostgreSQL): the same load on a throwaway cluster of the script's own
  (initdb on a free port in a temporary folder, removed at the end whatever
  happens), restarted with `pg_ctl restart -m fast` at 25 % of the run, then
  stopped at 55 % and started again two seconds later. The app is not restarted:
  requests must succeed again within RECOVERY_LIMIT_S of PostgreSQL accepting
  connections, every failure must be the Indonesian 503 page, and every receipt
  must be in the database.
- db-unavailable (SQLite, PostgreSQL): the public form, its POST, /healthz and a
  signed-in staff page with the database read-only, then unreachable: 503 with
  the Indonesian page (the form itself still opens while reads work), never a
  stack trace, no row written; then the database comes back and the same form
  sent again gets a receipt.

The machine's PostgreSQL is only used for worker-kill (`--pg-url`, dropped and
created again); it is never restarted. Prints PASS/FAIL per check, writes
bench/results/resilience-<timestamp>.json and exits 1 when a check fails.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    CSRF_FIELD,
    DEMO_MEETING_CODE,
    DEMO_PASSWORD,
    DEMO_STAFF_EMAIL,
    RECEIPT_LOCATION,
    RESULTS_DIR,
    ROOT,
    Gunicorn,
    app_environment,
    count_rows,
    form_in,
    free_port,
    fresh_postgres,
    fresh_sqlite,
    load_demo_data,
    machine,
    public_input,
    receipt_codes,
)

SCENARIOS = ("worker-kill", "pg-restart", "db-unavailable")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_resilience"

# What the participant must see when the database is away (app/errors/handlers.py).
UNAVAILABLE_TITLE = "Layanan sedang tidak tersedia"
UNAVAILABLE_MESSAGE = "Basis data tidak dapat dihubungi. Coba lagi beberapa saat lagi."
# Words that would betray a stack trace or a driver message in a page.
LEAK_MARKERS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "OperationalError")
STAFF_PAGE = "/admin/"
FORM_PATH = f"/m/{DEMO_MEETING_CODE}"

# The same number of workers on any machine, so that two kills take both originals.
SERVER_SETTINGS = {"RAKOR_WORKERS": "2", "RAKOR_THREADS": "2"}
# As long as gunicorn lets a request run (deploy/gunicorn.conf.py): a phone waits as long.
REQUEST_TIMEOUT_S = 30.0
KILL_AT = (0.30, 0.65)  # shares of the run at which a worker is killed
RESPAWN_LIMIT_S = 10.0
RESTART_AT = 0.25  # pg_ctl restart -m fast
STOP_AT = 0.55  # pg_ctl stop -m fast, then start after OUTAGE_S
OUTAGE_S = 2.0
RECOVERY_LIMIT_S = 5.0
PG_CTL_TIMEOUT_S = 60


# --- checks -------------------------------------------------------------------------------


@dataclass
class Check:
    scenario: str
    database: str
    name: str
    passed: bool
    detail: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, dict] = field(default_factory=dict)

    def check(self, scenario: str, database: str, name: str, passed: object, detail: str = ""):
        self.checks.append(Check(scenario, database, name, bool(passed), detail))
        print(
            f"  {'PASS' if passed else 'FAIL'}  {scenario}/{database}: {name}  {detail}", flush=True
        )

    def crashed(self, scenario: str, database: str, error: BaseException) -> None:
        last = traceback.format_exception_only(error)[-1].strip()
        self.check(scenario, database, "scenario ran to the end", False, last)
        traceback.print_exc()

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)


# --- what a participant saw ---------------------------------------------------------------

RECEIPT = "receipt"
UNAVAILABLE_PAGE = "503 page"
LOST_CONNECTION = "lost connection"


def is_unavailable_page(response: requests.Response) -> bool:
    body = response.text
    return (
        response.status_code == 503
        and UNAVAILABLE_TITLE in body
        and UNAVAILABLE_MESSAGE in body
        and not any(marker in body for marker in LEAK_MARKERS)
    )


def outcome_of(response: requests.Response) -> tuple[str, str | None]:
    """(kind, receipt code) of one answer to the form's POST."""
    found = RECEIPT_LOCATION.search(response.headers.get("Location", ""))
    if response.status_code == 303 and found:
        return RECEIPT, found.group(1)
    if is_unavailable_page(response):
        return UNAVAILABLE_PAGE, None
    return f"http {response.status_code}", None


@dataclass
class Outcome:
    """One POST of the form, its times in seconds from the start of the load."""

    started: float
    ended: float
    kind: str
    receipt: str | None = None


@dataclass
class Load:
    outcomes: list[Outcome] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # bodies of unexpected answers
    form_failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome, body: str = "") -> None:
        with self.lock:
            self.outcomes.append(outcome)
            if outcome.kind.startswith("http") and len(self.samples) < 5:
                self.samples.append(body[:400])

    @property
    def receipts(self) -> list[str]:
        return [outcome.receipt for outcome in self.outcomes if outcome.receipt]

    def kinds(self) -> dict[str, int]:
        return dict(Counter(outcome.kind for outcome in self.outcomes).most_common())


def open_form(session: requests.Session, base_url: str, load: Load):
    """The public form as a phone gets it (a few tries); None if it never opened."""
    for _ in range(5):
        try:
            page = session.get(base_url + FORM_PATH, timeout=REQUEST_TIMEOUT_S)
            if page.status_code == 200:
                return form_in(page.text, page.url, FORM_PATH)
        except (requests.RequestException, ValueError):
            pass
        load.form_failures += 1
        time.sleep(0.5)
    return None


def participant(number: int, base_url: str, tag: str, start, clock: dict, load: Load):
    """One phone: opens the form, waits for the start, then sends complete inputs back to
    back until the end of the run."""
    session = requests.Session()
    form = open_form(session, base_url, load)
    start.wait()
    t0, stop_at = clock["t0"], clock["stop_at"]
    sent = 0
    while form is not None and time.perf_counter() < stop_at:
        sent += 1
        started = time.perf_counter()
        body = ""
        try:
            response = session.post(
                form.action,
                data=public_input(form, number, sent, tag),
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT_S,
            )
            kind, receipt = outcome_of(response)
            body = response.text
        except requests.Timeout:
            kind, receipt = "timeout", None
        except requests.ConnectionError:
            kind, receipt = LOST_CONNECTION, None
        load.add(Outcome(started - t0, time.perf_counter() - t0, kind, receipt), body)
    session.close()


def load_with_events(base_url: str, clients: int, duration_s: float, events) -> tuple[Load, list]:
    """`clients` participants, their forms open, send for `duration_s` while `events(t0)`
    breaks something."""
    load = Load()
    tag = uuid.uuid4().hex[:6]  # titles stay unique across runs on one database
    clock: dict = {}

    def starting_now() -> None:
        clock["t0"] = time.perf_counter()
        clock["stop_at"] = clock["t0"] + duration_s

    start = threading.Barrier(clients + 1, action=starting_now)
    threads = [
        threading.Thread(
            target=participant, args=(n, base_url, tag, start, clock, load), daemon=True
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait(timeout=clients * REQUEST_TIMEOUT_S)
    happened = events(clock["t0"])
    for thread in threads:
        thread.join(timeout=duration_s + 2 * REQUEST_TIMEOUT_S)
    return load, happened


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.perf_counter()))


def load_figures(load: Load, receipts: list[str], lost: list[str], rows_created: int) -> dict:
    return {
        "requests": len(load.outcomes),
        "receipts": len(receipts),
        "lost": len(lost),
        "rows_created": rows_created,
        "rows_without_receipt": rows_created - len(set(receipts)),
        "outcomes": load.kinds(),
        "form_page_failures": load.form_failures,
        "unexpected_samples": load.samples,
    }


def check_receipts_kept(check, receipts, lost, rows_created) -> None:
    """The load ran, and every receipt a participant got names its own row."""
    check("load ran", receipts, f"{len(receipts)} receipts")
    check(
        "every receipt is in the database",
        not lost,
        f"{len(receipts)} receipts, {len(lost)} lost {lost[:5]}",
    )
    check(
        "receipts distinct, a row for each",
        len(set(receipts)) == len(receipts) and rows_created >= len(receipts),
        f"{rows_created} rows for {len(receipts)} receipts",
    )


# --- scenario 1: a worker killed mid-load -------------------------------------------------


def worker_kill(kind: str, url: str, args, report: Report, folder: Path) -> None:
    scenario = "worker-kill"
    check = partial(report.check, scenario, kind)
    env = app_environment(url, **SERVER_SETTINGS)
    print(f"[{scenario}/{kind}] preparing the database", flush=True)
    load_demo_data(env)
    before = receipt_codes(url)

    with Gunicorn(env, folder / f"{scenario}-{kind}.gunicorn.log") as server:
        originals = server.workers()

        def kill_workers(t0: float) -> list[dict]:
            kills = []
            for share, victim in zip(KILL_AT, originals, strict=False):
                sleep_until(t0 + share * args.duration)
                alive = server.workers()
                os.kill(victim, signal.SIGKILL)
                killed_at = time.perf_counter()
                respawned_in = None
                while time.perf_counter() - killed_at < RESPAWN_LIMIT_S:
                    now = server.workers()
                    if len(now) == len(originals) and set(now) - set(alive):
                        respawned_in = round(time.perf_counter() - killed_at, 2)
                        break
                    time.sleep(0.02)
                kills.append({"at_s": round(killed_at - t0, 2), "respawned_in_s": respawned_in})
            return kills

        print(f"[{scenario}/{kind}] {args.clients} clients for {args.duration:g} s", flush=True)
        load, kills = load_with_events(server.base_url, args.clients, args.duration, kill_workers)
        workers_after = len(server.workers())

    after = receipt_codes(url)
    receipts = load.receipts
    lost = sorted(set(receipts) - after)
    rows_created = len(after) - len(before)
    kinds = load.kinds()
    cut = kinds.get(LOST_CONNECTION, 0)
    others = {k: n for k, n in kinds.items() if k not in (RECEIPT, LOST_CONNECTION)}
    last_kill = kills[-1]["at_s"]
    receipts_after = sum(1 for o in load.outcomes if o.receipt and o.started > last_kill)
    report.figures[f"{scenario}/{kind}"] = load_figures(load, receipts, lost, rows_created) | {
        "kills": kills,
        "receipts_after_last_kill": receipts_after,
    }

    check_receipts_kept(check, receipts, lost, rows_created)
    check(
        "rows without a receipt only from cut connections",
        rows_created - len(receipts) <= cut,
        f"{rows_created - len(receipts)} rows without a receipt, {cut} cut connections",
    )
    check(
        "no failure but a connection cut by a kill",
        not others,
        f"{cut} cut connections, other failures {others or 'none'}",
    )
    check(
        "gunicorn replaced every killed worker",
        all(kill["respawned_in_s"] is not None for kill in kills)
        and workers_after == len(originals),
        ", ".join(f"respawned in {kill['respawned_in_s']} s" for kill in kills),
    )
    check(
        "receipts keep coming after the kills",
        receipts_after > 0,
        f"{receipts_after} receipts after the last kill at {last_kill:.1f} s",
    )


# --- a PostgreSQL cluster of our own ------------------------------------------------------


def postgres_bindir() -> Path:
    """The newest Debian PostgreSQL install, else wherever pg_config says."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
        return Path(found.stdout.strip())
    raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl) found")


def process_alive(pid: int | None) -> bool:
    """Running, as opposed to gone or exited and waiting to be reaped (a zombie)."""
    if not pid:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class ThrowawayCluster:
    """initdb + pg_ctl in a temporary folder on a free port; removed on the way out.

    initdb refuses to run as root, so under root the folder belongs to `postgres`
    and the commands run through `runuser -u postgres --`.
    """

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.folder: Path | None = None
        self.postmaster_pid: int | None = None
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str) -> None:
        # Output to a file, not a pipe: a server started by `pg_ctl restart` keeps
        # pg_ctl's stdout and stderr, and a pipe would never close.
        with open(self.folder / "pg_ctl.log", "ab") as output:
            done = subprocess.run(
                [*self.as_owner, str(self.bindir / program), *args],
                timeout=PG_CTL_TIMEOUT_S,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if done.returncode != 0:
            said = (self.folder / "pg_ctl.log").read_text(errors="replace")[-600:]
            raise RuntimeError(f"{program} {args[0]} failed ({done.returncode}): {said}")

    def pg_ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.run("pg_ctl", action, "-D", str(self.data), "-w", "-t", "30", *args, "-o", options)
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            self.postmaster_pid = int(pid_file.read_text().split()[0])

    def __enter__(self) -> "ThrowawayCluster":
        self.folder = Path(tempfile.mkdtemp(prefix="rakor-resilience-pg-"))
        try:
            if self.as_owner:
                shutil.chown(self.folder, "postgres", "postgres")
            self.run(
                "initdb",
                *("-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"),
                *("--locale=C.UTF-8", "--no-sync"),
            )
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.remove()

    def start(self) -> None:
        self.pg_ctl("start", "-l", str(self.folder / "postgres.log"))

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def remove(self) -> None:
        if self.folder is None:
            return
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (subprocess.SubprocessError, OSError, RuntimeError):
                if self.postmaster_pid:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.postmaster_pid, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)

    def removed(self) -> tuple[bool, str]:
        folder_gone = self.folder is not None and not self.folder.exists()
        deadline = time.monotonic() + 10
        while process_alive(self.postmaster_pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # the postmaster can outlive its pid file by a moment
        server_gone = not process_alive(self.postmaster_pid)
        return folder_gone and server_gone, (
            f"{self.folder} {'gone' if folder_gone else 'still there'}, "
            f"postmaster {self.postmaster_pid} {'gone' if server_gone else 'still running'}"
        )


# --- scenario 2: PostgreSQL restarted under load ------------------------------------------


def pg_restart(cluster: ThrowawayCluster, server: Gunicorn, url: str, args, report) -> None:
    scenario, kind = "pg-restart", "postgres"
    check = partial(report.check, scenario, kind)
    before = receipt_codes(url)
    workers_before = server.workers()

    def break_postgres(t0: float) -> list[dict]:
        sleep_until(t0 + RESTART_AT * args.duration)
        began = time.perf_counter()
        cluster.restart()
        restart = {"event": "pg_ctl restart -m fast", "at_s": began - t0}
        restart["ready_s"] = time.perf_counter() - t0
        sleep_until(t0 + STOP_AT * args.duration)
        began = time.perf_counter()
        cluster.stop()
        time.sleep(OUTAGE_S)
        cluster.start()
        stop = {"event": f"pg_ctl stop -m fast, start {OUTAGE_S:g} s later", "at_s": began - t0}
        stop["ready_s"] = time.perf_counter() - t0
        return [restart, stop]

    print(f"[{scenario}] {args.clients} clients for {args.duration:g} s", flush=True)
    load, events = load_with_events(server.base_url, args.clients, args.duration, break_postgres)
    after = receipt_codes(url)
    receipts = load.receipts
    lost = sorted(set(receipts) - after)
    rows_created = len(after) - len(before)
    kinds = load.kinds()

    # Each event owns the answers from its start to the next event's start. Recovery is
    # from PostgreSQL accepting connections (pg_ctl -w returned) to the later of the last
    # failure and the first receipt for a request sent after that moment.
    bounds = [event["at_s"] for event in events] + [float("inf")]
    for index, event in enumerate(events):
        window = [o for o in load.outcomes if bounds[index] <= o.ended < bounds[index + 1]]
        failed = [o for o in window if o.kind != RECEIPT]
        ready = event["ready_s"]
        first_receipt = min(
            (o.ended for o in window if o.receipt and o.started >= ready), default=None
        )
        last_failure = max((o.ended for o in failed), default=ready)
        event["down_s"] = round(ready - event["at_s"], 2)
        event["failed_requests"] = len(failed)
        event["recovery_s"] = (
            None if first_receipt is None else round(max(first_receipt, last_failure) - ready, 2)
        )
        event["at_s"], event["ready_s"] = round(event["at_s"], 2), round(ready, 2)
    report.figures[scenario] = load_figures(load, receipts, lost, rows_created) | {"events": events}

    check_receipts_kept(check, receipts, lost, rows_created)
    unavailable = kinds.get(UNAVAILABLE_PAGE, 0)
    check(
        "rows without a receipt only from 503 answers",
        rows_created - len(receipts) <= unavailable,
        f"{rows_created} rows for {len(receipts)} receipts, {unavailable} 503 pages",
    )
    others = {k: n for k, n in kinds.items() if k not in (RECEIPT, UNAVAILABLE_PAGE)}
    check(
        "every failure is the Indonesian 503 page",
        not others,
        f"{unavailable} 503 pages, other failures {others or 'none'}",
    )
    check(
        "the outage was seen",
        events[-1]["failed_requests"] > 0,
        f"{events[-1]['failed_requests']} failed requests while PostgreSQL was stopped",
    )
    for event in events:
        check(
            f"receipts again within {RECOVERY_LIMIT_S:g} s after: {event['event']}",
            event["recovery_s"] is not None and event["recovery_s"] <= RECOVERY_LIMIT_S,
            f"{event['recovery_s']} s after PostgreSQL was ready (down {event['down_s']} s)",
        )
    check(
        "no app restart: the same gunicorn workers throughout",
        server.workers() == workers_before,
        f"workers {workers_before} -> {server.workers()}",
    )


# --- scenario 3: read-only, then unreachable ----------------------------------------------


class Visitor:
    """One browser (a cookie jar for every server on 127.0.0.1) and, for a participant, the
    form as typed: the same fields until `next_input`, so a resend is the same input."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.form = None
        self.sent = 0

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)

    def post(self, url: str, data: dict) -> requests.Response:
        return self.session.post(url, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)

    def sign_in(self, base_url: str) -> requests.Response:
        page = self.get(f"{base_url}/login")
        csrf = CSRF_FIELD.search(page.text)
        credentials = {"email": DEMO_STAFF_EMAIL, "password": DEMO_PASSWORD}
        return self.post(f"{base_url}/login", {"csrf_token": csrf and csrf.group(1), **credentials})

    def open_form(self, base_url: str) -> requests.Response:
        page = self.get(base_url + FORM_PATH)
        if page.status_code == 200:
            self.form = form_in(page.text, page.url, FORM_PATH)
        return page

    def send_form(self, base_url: str) -> requests.Response:
        return self.post(base_url + FORM_PATH, public_input(self.form, 1, self.sent, "outage"))

    def next_input(self) -> None:
        self.sent += 1


def brief(response: requests.Response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def check_unavailable(check, what: str, response: requests.Response) -> None:
    leaks = any(marker in response.text for marker in LEAK_MARKERS)
    check(
        f"{what}: Indonesian 503 page",
        is_unavailable_page(response),
        brief(response) + (" (leaks a stack trace)" if leaks else ""),
    )


def read_only_answers(check, participant, staff, base) -> None:
    """A read-only database: the form opens; its POST and /healthz say 503."""
    page = participant.open_form(base)
    check("read-only: the form still opens", page.status_code == 200, brief(page))
    check_unavailable(check, "read-only: POST of the form", participant.send_form(base))
    health = participant.get(f"{base}/healthz")
    check(
        "read-only: /healthz answers 503",
        health.status_code == 503,
        health.text.strip()[:80],
    )
    staff_page = staff.get(base + STAFF_PAGE)
    check(
        "read-only: staff pages still open",
        staff_page.status_code == 200,
        brief(staff_page),
    )


def unreachable_answers(check, participant, staff, base) -> None:
    """An unreachable database: the form, its POST, a staff page and /healthz say 503."""
    answers = {
        "GET the form": participant.get(base + FORM_PATH),
        "POST of the form": participant.send_form(base),
        f"signed-in staff page {STAFF_PAGE}": staff.get(base + STAFF_PAGE),
    }
    for what, response in answers.items():
        check_unavailable(check, f"unreachable: {what}", response)
    health = participant.get(f"{base}/healthz")
    check(
        "unreachable: /healthz answers 503",
        health.status_code == 503,
        health.text.strip()[:80],
    )


def check_receipt(check, what: str, response: requests.Response) -> None:
    check(what, outcome_of(response)[0] == RECEIPT, brief(response))


def pg_unavailable(cluster: ThrowawayCluster, server: Gunicorn, url: str, report) -> None:
    scenario, kind = "db-unavailable", "postgres"
    check = partial(report.check, scenario, kind)
    base = server.base_url
    staff, participant = Visitor(), Visitor()
    signed_in = staff.sign_in(base)
    check("staff sign in first", signed_in.status_code == 302, brief(signed_in))

    # Read-only: every new transaction on the cluster is READ ONLY (as on a hot standby);
    # open connections pick it up on the reload.
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("ALTER SYSTEM SET default_transaction_read_only = on"))
            connection.execute(text("SELECT pg_reload_conf()"))
        time.sleep(1.0)
        rows = count_rows(url)
        read_only_answers(check, participant, staff, base)
        check("read-only: no row written", count_rows(url) == rows, f"{rows} rows")
        with admin.connect() as connection:
            connection.execute(text("SET default_transaction_read_only = off"))
            connection.execute(text("ALTER SYSTEM RESET default_transaction_read_only"))
            connection.execute(text("SELECT pg_reload_conf()"))
        time.sleep(1.0)
    finally:
        admin.dispose()
    resent = participant.send_form(base)
    check_receipt(check, "read-only lifted: the same form sent again gets a receipt", resent)
    participant.next_input()

    workers = server.workers()
    cluster.stop()  # unreachable: nothing listens on its port
    unreachable_answers(check, participant, staff, base)
    cluster.start()
    resent = participant.send_form(base)
    check_receipt(check, "back up: the same form sent again gets a receipt", resent)
    check("back up: no app restart", server.workers() == workers, f"workers {workers}")
    staff_page = staff.get(base + STAFF_PAGE)
    check(
        "back up: staff still signed in",
        staff_page.status_code == 200,
        brief(staff_page),
    )


def sqlite_unavailable(url: str, folder: Path, report: Report) -> None:
    """Three servers on one SECRET_KEY (so the staff cookie stays valid): the database
    writable, the same file opened read-only, then a file in a folder that does not exist."""
    scenario, kind = "db-unavailable", "sqlite"
    check = partial(report.check, scenario, kind)
    env = app_environment(url, **SERVER_SETTINGS)
    path = make_url(url).database
    read_only = dict(env, DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true")
    missing = dict(env, DATABASE_URL=fresh_sqlite(folder / "missing-folder"))
    staff, participant = Visitor(), Visitor()

    def log(name: str) -> Path:
        return folder / f"{scenario}-{kind}-{name}.gunicorn.log"

    with Gunicorn(env, log("writable")) as server:
        signed_in = staff.sign_in(server.base_url)
        check("staff sign in first", signed_in.status_code == 302, brief(signed_in))
    rows = count_rows(url)
    with Gunicorn(read_only, log("read-only"), up_when="answering") as server:
        read_only_answers(check, participant, staff, server.base_url)
    check("read-only: no row written", count_rows(url) == rows, f"{rows} rows")
    with Gunicorn(missing, log("unreachable"), up_when="answering") as server:
        unreachable_answers(check, participant, staff, server.base_url)
    with Gunicorn(env, log("back")) as server:
        resent = participant.send_form(server.base_url)
        check_receipt(check, "back up: the same form sent again gets a receipt", resent)


# --- running it all -----------------------------------------------------------------------


def run_sqlite(selected: list[str], args, report: Report, folder: Path) -> None:
    url = fresh_sqlite(folder)
    if "worker-kill" in selected:
        try:
            worker_kill("sqlite", url, args, report, folder)
        except Exception as error:
            report.crashed("worker-kill", "sqlite", error)
    if "db-unavailable" in selected:
        try:
            if "worker-kill" not in selected:
                load_demo_data(app_environment(url))
            print("[db-unavailable/sqlite] read-only, then unreachable", flush=True)
            sqlite_unavailable(url, folder, report)
        except Exception as error:
            report.crashed("db-unavailable", "sqlite", error)


def run_postgres(selected: list[str], args, report: Report, folder: Path) -> None:
    if "worker-kill" in selected:
        try:
            worker_kill("postgres", fresh_postgres(args.pg_url), args, report, folder)
        except Exception as error:
            report.crashed("worker-kill", "postgres", error)
    on_cluster = [name for name in ("pg-restart", "db-unavailable") if name in selected]
    if not on_cluster:
        return
    cluster = ThrowawayCluster(postgres_bindir())
    try:
        with cluster:
            print(f"[{'+'.join(on_cluster)}] throwaway cluster on port {cluster.port}", flush=True)
            url = fresh_postgres(cluster.url("rakor"))
            env = app_environment(url, **SERVER_SETTINGS)
            load_demo_data(env)
            with Gunicorn(env, folder / "pg-cluster.gunicorn.log") as server:
                if "pg-restart" in on_cluster:
                    try:
                        pg_restart(cluster, server, url, args, report)
                    except Exception as error:
                        report.crashed("pg-restart", "postgres", error)
                if "db-unavailable" in on_cluster:
                    print("[db-unavailable/postgres] read-only, then unreachable", flush=True)
                    try:
                        pg_unavailable(cluster, server, url, report)
                    except Exception as error:
                        report.crashed("db-unavailable", "postgres", error)
            if not report.passed and (cluster.folder / "postgres.log").exists():
                shutil.copyfile(cluster.folder / "postgres.log", folder / "pg-cluster.postgres.log")
    except Exception as error:
        report.crashed(on_cluster[0], "postgres", error)
    gone, detail = cluster.removed()
    report.check("cleanup", "postgres", "throwaway cluster stopped and removed", gone, detail)


def keep_logs(folder: Path, stamp: str) -> None:
    """The servers' logs beside the results, when a check failed."""
    for log in folder.glob("*.log"):
        shutil.copyfile(log, RESULTS_DIR / f"resilience-{stamp}-{log.name}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "scenarios", nargs="*", metavar="scenario", help=f"any of {', '.join(SCENARIOS)} (all)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load a run")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="database for worker-kill")
    args = parser.parse_args(argv)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    if not 1 <= args.clients <= 200:
        parser.error("--clients must be between 1 and 200")
    if not 6 <= args.duration <= 600:
        parser.error("--duration must be between 6 and 600 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    selected = args.scenarios or list(SCENARIOS)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(exist_ok=True)
    report = Report()
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rakor-resilience-") as name:
        folder = Path(name)
        if args.db in ("sqlite", "both") and set(selected) & {"worker-kill", "db-unavailable"}:
            sqlite_folder = folder / "sqlite"
            sqlite_folder.mkdir()
            run_sqlite(selected, args, report, sqlite_folder)
        if args.db in ("postgres", "both"):
            run_postgres(selected, args, report, folder)
        if not report.passed:
            keep_logs(folder, stamp)
            for sub in folder.iterdir():
                if sub.is_dir():
                    keep_logs(sub, stamp)
    wall = time.perf_counter() - clock

    out = RESULTS_DIR / f"resilience-{stamp}.json"
    result = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/resilience.py", *sys.argv[1:]]),
        "machine": machine(),
        "clients": args.clients,
        "duration_s": args.duration,
        "wall_s": round(wall, 1),
        "passed": report.passed,
        "checks": [asdict(check) for check in report.checks],
        "figures": report.figures,
    }
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print()
    for name, figures in report.figures.items():
        failures = {k: n for k, n in figures["outcomes"].items() if k != RECEIPT}
        line = (
            f"{name:<22} {figures['receipts']:>6} receipts, {figures['lost']} lost, "
            f"{figures['rows_without_receipt']} rows without a receipt; "
            f"failures {failures or 'none'}"
        )
        if "events" in figures:
            line += "; recovered in " + ", ".join(
                f"{e['recovery_s']} s (down {e['down_s']} s)" for e in figures["events"]
            )
        print(line)
    failed = [check for check in report.checks if not check.passed]
    print(f"\n{wall:.0f} s; results: {out.relative_to(ROOT)}")
    if failed or not report.checks:
        print(f"FAILED: {len(failed)} of {len(report.checks)} checks")
        for check in failed:
            print(f"  {check.scenario}/{check.database}: {check.name}  {check.detail}")
        return 1
    print(f"PASSED: all {len(report.checks)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
