"""Resilience: no input with a receipt is lost, and a database outage is a clear 503 page.

    .venv/bin/python bench/resilience.py [worker-kill] [pg-restart] [db-unavailable]
        [--db sqlite|postgres|both] [--clients 50] [--duration 10] [--pg-url URL]

With no scenario named, all three run, on both databases where they apply:

- worker-kill (SQLite, PostgreSQL): the real app under gunicorn
  (bench/gunicorn_bench.py), 50 clients sending the demo meeting's form for
  `--duration` seconds; a worker is killed with SIGKILL at 30 % and the other
  original worker at 65 % of the run. gunicorn must respawn each; every receipt code
  a client got must be a row in `submission`. Requests in flight on a killed worker
  lose their connection and get no receipt: they are counted apart, and only they
  may have left a row without a receipt.
- pg-restart (PostgreSQL): a throwaway cluster of the script's own (initdb on a free
  port in a temporary folder, removed at the end, whatever happens) under the same
  load is restarted with `pg_ctl restart -m fast` at 25 % of the run, then stopped
  at 55 % and started again two seconds later. The app is not restarted: requests
  must succeed again within RECOVERY_LIMIT_S of PostgreSQL accepting connections,
  every failure must be the Indonesian 503 page (no 500, no stack trace), and every
  receipt must be in the database.
- db-unavailable (SQLite, PostgreSQL): the public form, its POST, /healthz and a
  signed-in staff page, with the database unreachable (a stopped cluster; a SQLite
  file in a missing folder) and read-only (`default_transaction_read_only` on the
  cluster; SQLite opened with `mode=ro`): 503 with the Indonesian page, never a
  stack trace, and no row written. Then the database comes back and the same
  gunicorn accepts the same form again.

The worker-kill run on PostgreSQL uses `--pg-url` (default: the database
`rakor_resilience` on the machine's PostgreSQL, dropped and created again); the
machine's PostgreSQL itself is never restarted. Prints a PASS/FAIL table, writes
everything to bench/results/resilience-<timestamp>.json, and exits 1 when a check
fails. 1.5 to 2.5 minutes on two cores, depending on what else runs on them.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from loadclient import CSRF_FIELD, REQUEST_TIMEOUT_S, Scenario, rakor_scenario  # noqa: E402
from submit_load import (  # noqa: E402
    MEETING_CODE,
    RECEIPTS_QUERY,
    RESULTS_DIR,
    ROOT,
    STARTUP_TIMEOUT_S,
    Gunicorn,
    app_environment,
    free_port,
    fresh_postgres,
    fresh_sqlite,
    gunicorn_settings,
    load_rakor_data,
    machine,
    stored_keys,
)

SCENARIOS = ("worker-kill", "pg-restart", "db-unavailable")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_resilience"
THROWAWAY_DATABASE = "rakor"

# What the participant must see when the database is away (app/errors/handlers.py).
UNAVAILABLE_TITLE = "Layanan sedang tidak tersedia"
UNAVAILABLE_MESSAGE = "Basis data tidak dapat dihubungi. Coba lagi beberapa saat lagi."
# Words that would betray a stack trace or a driver message in a page.
LEAK_MARKERS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "OperationalError")

STAFF_EMAIL = "sekretariat@rakor.test"  # made by `flask --app wsgi demo`
STAFF_PASSWORD = "sekretariat-demo-2024"
STAFF_PAGE = "/admin/"

KILL_AT = (0.30, 0.65)  # shares of the run at which a worker is killed
RESPAWN_LIMIT_S = 10.0
RESTART_AT = 0.25  # pg_ctl restart -m fast
STOP_AT = 0.55  # pg_ctl stop -m fast, then start after OUTAGE_S
OUTAGE_S = 2.0
RECOVERY_LIMIT_S = 5.0
PG_CTL_TIMEOUT_S = 60


# --- checks and figures ------------------------------------------------------------


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

    def check(self, scenario: str, database: str, name: str, passed: bool, detail: str = ""):
        self.checks.append(Check(scenario, database, name, bool(passed), detail))
        mark = "PASS" if passed else "FAIL"
        print(f"  {mark}  {scenario}/{database}: {name}  {detail}", flush=True)

    def crashed(self, scenario: str, database: str, error: BaseException) -> None:
        last = traceback.format_exception_only(error)[-1].strip()
        self.check(scenario, database, "scenario ran to the end", False, last)
        traceback.print_exc()

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)


# --- what a client saw -------------------------------------------------------------

RECEIPT = "receipt"
UNAVAILABLE_PAGE = "503 page"


def is_unavailable_page(status: int, body: str) -> bool:
    return (
        status == 503
        and UNAVAILABLE_TITLE in body
        and UNAVAILABLE_MESSAGE in body
        and not any(marker in body for marker in LEAK_MARKERS)
    )


def classify(status: int, location: str, body: str, scenario: Scenario) -> tuple[str, str | None]:
    """(kind, receipt code) of one answer to the form's POST."""
    match = scenario.location.search(location)
    if status == 303 and match:
        return RECEIPT, match.group(1)
    if is_unavailable_page(status, body):
        return UNAVAILABLE_PAGE, None
    return f"http {status}", None


def is_connection_error(kind: str) -> bool:
    return kind.startswith("connection ")


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
    page_failures: int = 0

    @property
    def receipts(self) -> list[str]:
        return [outcome.receipt for outcome in self.outcomes if outcome.receipt]

    def kinds(self) -> dict[str, int]:
        return dict(Counter(outcome.kind for outcome in self.outcomes).most_common())

    def timeline(self, step_s: float = 0.5) -> list[list]:
        """[second, receipts, failed requests] for each step, by when the request ended."""
        buckets: dict[int, list[int]] = {}
        for outcome in self.outcomes:
            counts = buckets.setdefault(int(outcome.ended / step_s), [0, 0])
            counts[0 if outcome.receipt else 1] += 1
        return [[round(i * step_s, 1), *buckets[i]] for i in sorted(buckets)]


async def submitting_client(
    number: int, base_url: str, scenario: Scenario, t0: float, stop_at: float, load: Load
) -> None:
    """One participant's phone: opens the form, then sends it again and again until stop_at.

    Unlike bench/loadclient.py it keeps when each request started and ended and what
    came back, so that an outage can be lined up with the answers.
    """
    jar = aiohttp.CookieJar(unsafe=True)  # cookies set by an IP address
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(
        base_url, cookie_jar=jar, timeout=timeout, connector=connector
    ) as session:
        state = None
        sent = 0
        while time.perf_counter() < stop_at:
            if state is None:
                try:
                    async with session.get(scenario.page_path) as response:
                        html = await response.text()
                        if response.status == 200:
                            state = scenario.prepare(html, number)
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    pass
                if state is None:
                    load.page_failures += 1
                    await asyncio.sleep(0.2)
                continue
            sent += 1
            started = time.perf_counter()
            try:
                async with session.post(
                    scenario.post_path,
                    data=scenario.form(state, number, sent),
                    allow_redirects=False,
                ) as response:
                    body = (await response.read()).decode(errors="replace")
                    kind, receipt = classify(
                        response.status, response.headers.get("Location", ""), body, scenario
                    )
            except TimeoutError:
                kind, receipt, body = "timeout", None, ""
            except aiohttp.ClientError as error:
                kind, receipt, body = f"connection error ({type(error).__name__})", None, ""
            ended = time.perf_counter()
            load.outcomes.append(Outcome(started - t0, ended - t0, kind, receipt))
            if kind.startswith("http") and len(load.samples) < 5:
                load.samples.append(body[:400])


async def load_with_events(
    base_url: str,
    clients: int,
    duration_s: float,
    events: Callable[[float], Awaitable[dict]],
) -> tuple[Load, dict]:
    """`clients` participants for `duration_s`, while `events(t0)` breaks something."""
    scenario = rakor_scenario(MEETING_CODE)
    load = Load()
    t0 = time.perf_counter()
    stop_at = t0 + duration_s
    clients_done = asyncio.gather(
        *(submitting_client(n, base_url, scenario, t0, stop_at, load) for n in range(clients))
    )
    chaos = asyncio.create_task(events(t0))
    await asyncio.wait_for(clients_done, timeout=duration_s + 2 * REQUEST_TIMEOUT_S)
    return load, await asyncio.wait_for(chaos, timeout=PG_CTL_TIMEOUT_S)


async def sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.perf_counter()))


def count_rows(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM submission"))
    finally:
        engine.dispose()


def workers_of(server: Gunicorn) -> list[int]:
    return server.pids()[1:]


# --- scenario 1: a worker killed mid-load ------------------------------------------


def worker_kill(kind: str, url: str, args, report: Report, stamp: str) -> None:
    scenario = "worker-kill"
    env = app_environment(url)
    print(f"[{scenario}/{kind}] preparing the database", flush=True)
    load_rakor_data(env)
    before = stored_keys(url, RECEIPTS_QUERY)
    log = RESULTS_DIR / f"resilience-{stamp}-{scenario}-{kind}.gunicorn.log"

    with Gunicorn("wsgi:app", env, log) as server:
        expected_workers = len(workers_of(server))

        async def kill_workers(t0: float) -> dict:
            kills = []
            victims_left = list(workers_of(server))
            for share in KILL_AT:
                await sleep_until(t0 + share * args.duration)
                alive = workers_of(server)
                victim = next((pid for pid in victims_left if pid in alive), alive[0])
                os.kill(victim, signal.SIGKILL)
                killed_at = time.perf_counter()
                respawned_in = None
                while time.perf_counter() - killed_at < RESPAWN_LIMIT_S:
                    now_alive = workers_of(server)
                    fresh = [pid for pid in now_alive if pid not in alive]
                    if fresh and len(now_alive) == expected_workers:
                        respawned_in = time.perf_counter() - killed_at
                        break
                    await asyncio.sleep(0.02)
                kills.append(
                    {
                        "pid": victim,
                        "at_s": round(killed_at - t0, 2),
                        "respawned_in_s": None if respawned_in is None else round(respawned_in, 2),
                    }
                )
            return {"kills": kills}

        print(
            f"[{scenario}/{kind}] {args.clients} clients for {args.duration:g} s, "
            f"SIGKILL at {', '.join(f'{share:.0%}' for share in KILL_AT)}",
            flush=True,
        )
        load, events = asyncio.run(
            load_with_events(server.base_url, args.clients, args.duration, kill_workers)
        )
        workers_after = len(workers_of(server))

    after = stored_keys(url, RECEIPTS_QUERY)
    receipts = load.receipts
    lost = sorted(set(receipts) - set(after))
    rows_created = len(after) - len(before)
    kinds = load.kinds()
    connection_errors = sum(n for kind_, n in kinds.items() if is_connection_error(kind_))
    other_failures = {k: n for k, n in kinds.items() if k != RECEIPT and not is_connection_error(k)}
    kills = events["kills"]
    # A killed worker's connections fail once each, right after the kill; the clients
    # send again at once, and wait for whichever worker takes them on.
    starts = [kill["at_s"] for kill in kills] + [float("inf")]
    for index, kill in enumerate(kills):
        since, until = starts[index], starts[index + 1]
        kill["connection_errors"] = sum(
            1 for o in load.outcomes if is_connection_error(o.kind) and since <= o.ended < until
        )
        kill["slowest_answer_s"] = round(
            max(
                (o.ended - o.started for o in load.outcomes if since <= o.started < until),
                default=0.0,
            ),
            2,
        )
    last_kill = kills[-1]["at_s"]
    receipts_after = sum(1 for o in load.outcomes if o.receipt and o.ended > last_kill)
    report.figures[f"{scenario}/{kind}"] = load_figures(
        args, load, receipts, lost, rows_created, kinds
    ) | {
        "connection_errors": connection_errors,
        "kills": kills,
        "receipts_after_last_kill": receipts_after,
    }

    check = report.check
    check_receipts_kept(report, scenario, kind, receipts, lost)
    check(
        scenario,
        kind,
        "receipts distinct, a row for each",
        len(set(receipts)) == len(receipts) and rows_created >= len(receipts),
        f"{rows_created} rows for {len(receipts)} receipts",
    )
    check(
        scenario,
        kind,
        "rows without a receipt only from lost connections",
        rows_created - len(receipts) <= connection_errors,
        f"{rows_created - len(receipts)} rows without a receipt, "
        f"{connection_errors} connection errors",
    )
    check(
        scenario,
        kind,
        "connection errors only, at most one per client per kill",
        not other_failures
        and sum(kill["connection_errors"] for kill in kills) == connection_errors
        and all(kill["connection_errors"] <= args.clients for kill in kills),
        f"connection errors by kill {[kill['connection_errors'] for kill in kills]}, "
        f"other failures {other_failures or 'none'}",
    )
    check(
        scenario,
        kind,
        "gunicorn respawned every killed worker",
        all(kill["respawned_in_s"] is not None for kill in kills)
        and workers_after == expected_workers,
        ", ".join(f"pid {k['pid']} in {k['respawned_in_s']} s" for k in kills),
    )
    check(
        scenario,
        kind,
        "receipts keep coming after the kills",
        receipts_after > 0,
        f"{receipts_after} receipts after the last kill at {last_kill:.1f} s",
    )


# --- a PostgreSQL cluster of our own -------------------------------------------------


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

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

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

    def __enter__(self) -> "ThrowawayCluster":
        self.folder = Path(tempfile.mkdtemp(prefix="rakor-resilience-pg-"))
        try:
            if self.as_owner:
                shutil.chown(self.folder, "postgres", "postgres")
            self.run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
            self.start()
            self.postmaster_pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.remove()

    def start(self) -> None:
        self.pg_ctl("start", "-l", str(self.log))
        self.postmaster_pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")
        self.postmaster_pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def keep_log(self, destination: Path) -> None:
        if self.folder is not None and self.log.exists():
            shutil.copyfile(self.log, destination)

    def remove(self) -> None:
        if self.folder is None:
            return
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (subprocess.SubprocessError, OSError):
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


def process_alive(pid: int | None) -> bool:
    """Running, as opposed to gone or exited and waiting to be reaped (a zombie)."""
    if not pid:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def admin_engine(cluster: ThrowawayCluster):
    return create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")


# --- scenario 2: PostgreSQL restarted under load ----------------------------------


def pg_restart(cluster: ThrowawayCluster, server: Gunicorn, url: str, args, report: Report) -> None:
    scenario, kind = "pg-restart", "postgres"
    before = stored_keys(url, RECEIPTS_QUERY)
    workers_before = workers_of(server)

    async def break_postgres(t0: float) -> dict:
        events = []
        await sleep_until(t0 + RESTART_AT * args.duration)
        began = time.perf_counter()
        await asyncio.to_thread(cluster.restart)
        events.append(
            {
                "event": "pg_ctl restart -m fast",
                "at_s": began - t0,
                "ready_s": time.perf_counter() - t0,
            }
        )
        await sleep_until(t0 + STOP_AT * args.duration)
        began = time.perf_counter()
        await asyncio.to_thread(cluster.stop)
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(cluster.start)
        events.append(
            {
                "event": f"pg_ctl stop -m fast, start {OUTAGE_S:g} s later",
                "at_s": began - t0,
                "ready_s": time.perf_counter() - t0,
            }
        )
        return {"events": events}

    print(
        f"[{scenario}] {args.clients} clients for {args.duration:g} s; restart at "
        f"{RESTART_AT:.0%}, stop at {STOP_AT:.0%} for {OUTAGE_S:g} s",
        flush=True,
    )
    load, timeline = asyncio.run(
        load_with_events(server.base_url, args.clients, args.duration, break_postgres)
    )
    events = timeline["events"]
    after = stored_keys(url, RECEIPTS_QUERY)
    receipts = load.receipts
    lost = sorted(set(receipts) - set(after))
    rows_created = len(after) - len(before)
    kinds = load.kinds()

    # Each event owns the answers from its start to the next event's start.
    bounds = [event["at_s"] for event in events] + [float("inf")]
    for index, event in enumerate(events):
        window = [o for o in load.outcomes if bounds[index] <= o.ended < bounds[index + 1]]
        failed = [o for o in window if o.kind != RECEIPT]
        ready = event["ready_s"]
        first_receipt = min(
            (o.ended for o in window if o.receipt and o.started >= ready), default=None
        )
        last_failure = max((o.ended for o in failed), default=ready)
        event["outage_s"] = round(ready - event["at_s"], 2)
        event["failed_requests"] = len(failed)
        event["failures"] = dict(Counter(o.kind for o in failed))
        event["recovery_s"] = (
            None if first_receipt is None else round(max(first_receipt, last_failure) - ready, 2)
        )
        event["at_s"], event["ready_s"] = round(event["at_s"], 2), round(ready, 2)

    report.figures[scenario] = load_figures(args, load, receipts, lost, rows_created, kinds) | {
        "events": events,
        "recovery_limit_s": RECOVERY_LIMIT_S,
    }

    check = report.check
    check_receipts_kept(report, scenario, kind, receipts, lost)
    unavailable = kinds.get(UNAVAILABLE_PAGE, 0)
    check(
        scenario,
        kind,
        "rows without a receipt only from 503 answers",
        len(set(receipts)) == len(receipts) and 0 <= rows_created - len(receipts) <= unavailable,
        f"{rows_created} rows for {len(receipts)} receipts, {unavailable} 503 pages",
    )
    others = {k: n for k, n in kinds.items() if k not in (RECEIPT, UNAVAILABLE_PAGE)}
    check(
        scenario,
        kind,
        "every failure is the Indonesian 503 page",
        not others,
        f"{unavailable} 503 pages, other failures {others or 'none'}",
    )
    check(
        scenario,
        kind,
        "the outage was seen",
        events[-1]["failed_requests"] > 0,
        f"{events[-1]['failed_requests']} failed requests while PostgreSQL was stopped",
    )
    for event in events:
        check(
            scenario,
            kind,
            f"requests succeed within {RECOVERY_LIMIT_S:g} s after: {event['event']}",
            event["recovery_s"] is not None and event["recovery_s"] <= RECOVERY_LIMIT_S,
            f"recovered {event['recovery_s']} s after PostgreSQL was ready "
            f"(down {event['outage_s']} s, {event['failed_requests']} failed requests)",
        )
    workers_after = workers_of(server)
    check(
        scenario,
        kind,
        "no app restart: the same gunicorn workers throughout",
        workers_after == workers_before,
        f"workers {workers_before} -> {workers_after}",
    )


# --- scenario 3: unreachable and read-only ------------------------------------------


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""

    def brief(self) -> str:
        return f"{self.status}" + (f" -> {self.location}" if self.location else "")


class Visitor:
    """One browser: a cookie jar shared by every server on 127.0.0.1 (ports don't count)."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session
        self.form_state: dict | None = None
        self.sent = 0

    async def get(self, url: str) -> Answer:
        async with self.session.get(url, allow_redirects=False) as response:
            return Answer(
                response.status, await response.text(), response.headers.get("Location", "")
            )

    async def post(self, url: str, data: dict) -> Answer:
        async with self.session.post(url, data=data, allow_redirects=False) as response:
            return Answer(
                response.status, await response.text(), response.headers.get("Location", "")
            )

    async def sign_in(self, base_url: str) -> Answer:
        page = await self.get(f"{base_url}/login")
        csrf = CSRF_FIELD.search(page.body)
        return await self.post(
            f"{base_url}/login",
            {
                "csrf_token": csrf.group(1) if csrf else "",
                "email": STAFF_EMAIL,
                "password": STAFF_PASSWORD,
            },
        )

    async def open_form(self, base_url: str, scenario: Scenario) -> Answer:
        page = await self.get(f"{base_url}{scenario.page_path}")
        if page.status == 200:
            self.form_state = scenario.prepare(page.body, 1)
        return page

    def filled_form(self, scenario: Scenario) -> dict:
        """The form as typed; the same fields until `next_input` (a resend is the same input)."""
        return scenario.form(self.form_state, 1, self.sent)

    def next_input(self) -> None:
        self.sent += 1


def browser_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
    )


def check_unavailable(report: Report, scenario: str, kind: str, what: str, answer: Answer) -> None:
    report.check(
        scenario,
        kind,
        f"{what}: Indonesian 503 page",
        is_unavailable_page(answer.status, answer.body),
        answer.brief()
        + ("" if answer.status == 503 else f" {answer.body[:120]!r}")
        + (" (leaks a stack trace)" if any(m in answer.body for m in LEAK_MARKERS) else ""),
    )


def check_health(report: Report, scenario: str, kind: str, answer: Answer, expected: int) -> None:
    report.check(
        scenario,
        kind,
        f"/healthz answers {expected}",
        answer.status == expected,
        f"{answer.status} {answer.body.strip()[:80]}",
    )


def load_figures(args, load, receipts, lost, rows_created, kinds) -> dict:
    """What every scenario under load reports: requests, receipts, rows, outcomes."""
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "requests": len(load.outcomes),
        "receipts": len(receipts),
        "lost": len(lost),
        "rows_created": rows_created,
        "rows_without_receipt": rows_created - len(set(receipts)),
        "outcomes": kinds,
        "timeline": load.timeline(),
        "form_page_failures": load.page_failures,
        "unexpected_samples": load.samples,
    }


def check_receipts_kept(report, scenario, kind, receipts, lost) -> None:
    """The load ran, and every receipt a client got names a row in the database."""
    report.check(scenario, kind, "load ran", len(receipts) > 0, f"{len(receipts)} receipts")
    report.check(
        scenario,
        kind,
        "every receipt is in the database",
        not lost,
        f"{len(receipts)} receipts, {len(lost)} lost {lost[:5]}",
    )


async def unreachable_answers(report, scenario, kind, participant, staff, base, form) -> dict:
    """An unreachable database: the form, its POST, a staff page and /healthz say 503."""
    answers = {
        "GET the form": await participant.get(f"{base}{form.page_path}"),
        "POST of the form": await participant.post(
            f"{base}{form.post_path}", participant.filled_form(form)
        ),
        f"signed-in staff page {STAFF_PAGE}": await staff.get(f"{base}{STAFF_PAGE}"),
    }
    for what, answer in answers.items():
        check_unavailable(report, scenario, kind, f"unreachable: {what}", answer)
    health = await participant.get(f"{base}/healthz")
    check_health(report, scenario, kind, health, 503)
    return {what: answer.status for what, answer in answers.items()} | {"healthz": health.status}


async def read_only_answers(report, scenario, kind, participant, staff, base, form) -> dict:
    """A read-only database: the form opens, its POST and /healthz say 503."""
    page = await participant.open_form(base, form)
    report.check(
        scenario, kind, "read-only: the form still opens", page.status == 200, page.brief()
    )
    sent = await participant.post(f"{base}{form.post_path}", participant.filled_form(form))
    check_unavailable(report, scenario, kind, "read-only: POST of the form", sent)
    health = await participant.get(f"{base}/healthz")
    check_health(report, scenario, kind, health, 503)
    staff_page = await staff.get(f"{base}{STAFF_PAGE}")
    return {
        "form_page": page.status,
        "post": sent.status,
        "healthz": health.status,
        "staff_page": staff_page.status,
    }


async def pg_unavailable(
    cluster: ThrowawayCluster, server: Gunicorn, url: str, report: Report
) -> None:
    scenario, kind = "db-unavailable", "postgres"
    form = rakor_scenario(MEETING_CODE)
    base = server.base_url
    figures: dict[str, dict] = {}
    workers_before = workers_of(server)
    admin = admin_engine(cluster)
    async with browser_session() as staff_session, browser_session() as participant_session:
        staff, participant = Visitor(staff_session), Visitor(participant_session)
        try:
            signed_in = await staff.sign_in(base)
            report.check(
                scenario, kind, "staff sign in first", signed_in.status == 302, signed_in.brief()
            )
            await participant.open_form(base, form)

            # Read-only: every new transaction on the cluster is READ ONLY (as on a
            # hot standby). Already open connections pick it up on the reload.
            with admin.connect() as connection:
                connection.execute(text("ALTER SYSTEM SET default_transaction_read_only = on"))
                connection.execute(text("SELECT pg_reload_conf()"))
            await asyncio.sleep(1.0)
            rows = count_rows(url)
            figures["read-only"] = await read_only_answers(
                report, scenario, kind, participant, staff, base, form
            )
            report.check(
                scenario,
                kind,
                "read-only: no row written",
                count_rows(url) == rows,
                f"{rows} rows before and after",
            )
            with admin.connect() as connection:
                connection.execute(text("SET default_transaction_read_only = off"))
                connection.execute(text("ALTER SYSTEM RESET default_transaction_read_only"))
                connection.execute(text("SELECT pg_reload_conf()"))
            await asyncio.sleep(1.0)
            # The participant sends the same form again and now gets a receipt.
            resent = await participant.post(
                f"{base}{form.post_path}", participant.filled_form(form)
            )
            report.check(
                scenario,
                kind,
                "read-only lifted: the same form sent again gets a receipt",
                classify(resent.status, resent.location, resent.body, form)[0] == RECEIPT,
                resent.brief(),
            )
            participant.next_input()

            # Unreachable: the cluster is stopped; nothing listens on its port.
            await asyncio.to_thread(cluster.stop)
            figures["unreachable"] = await unreachable_answers(
                report, scenario, kind, participant, staff, base, form
            )

            began = time.perf_counter()
            await asyncio.to_thread(cluster.start)
            ready = time.perf_counter()
            resent = await participant.post(
                f"{base}{form.post_path}", participant.filled_form(form)
            )
            report.check(
                scenario,
                kind,
                "back up: the same form sent again gets a receipt, no app restart",
                classify(resent.status, resent.location, resent.body, form)[0] == RECEIPT
                and workers_of(server) == workers_before,
                f"{resent.brief()} {time.perf_counter() - ready:.2f} s after PostgreSQL was ready "
                f"(start took {ready - began:.2f} s)",
            )
            figures["back up"] = {
                "post": resent.status,
                "answered_s_after_ready": round(time.perf_counter() - ready, 2),
            }
            staff_page = await staff.get(f"{base}{STAFF_PAGE}")
            report.check(
                scenario,
                kind,
                "back up: staff still signed in",
                staff_page.status == 200,
                staff_page.brief(),
            )
        finally:
            admin.dispose()
    report.figures[f"{scenario}/{kind}"] = figures


class AnyHealthGunicorn(Gunicorn):
    """A gunicorn that is up once /healthz answers at all (503 included): a database down
    or read-only."""

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not up after {STARTUP_TIMEOUT_S} s; see {self.log_path}")


async def sqlite_unavailable(url: str, folder: Path, report: Report, stamp: str) -> None:
    scenario, kind = "db-unavailable", "sqlite"
    form = rakor_scenario(MEETING_CODE)
    path = make_url(url).database
    env = app_environment(url)  # one SECRET_KEY for all three servers: the cookie stays valid
    read_only = dict(env, DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true")
    missing = dict(env, DATABASE_URL=fresh_sqlite(folder / "missing-folder"))
    figures: dict[str, dict] = {}

    def log(name: str) -> Path:
        return RESULTS_DIR / f"resilience-{stamp}-{scenario}-{kind}-{name}.gunicorn.log"

    async with browser_session() as staff_session, browser_session() as participant_session:
        staff, participant = Visitor(staff_session), Visitor(participant_session)
        with Gunicorn("wsgi:app", env, log("writable")) as server:
            signed_in = await staff.sign_in(server.base_url)
            report.check(
                scenario, kind, "staff sign in first", signed_in.status == 302, signed_in.brief()
            )
            await participant.open_form(server.base_url, form)
        rows = count_rows(url)

        with AnyHealthGunicorn("wsgi:app", read_only, log("read-only")) as server:
            base = server.base_url
            figures["read-only"] = await read_only_answers(
                report, scenario, kind, participant, staff, base, form
            )
        report.check(
            scenario,
            kind,
            "read-only: no row written",
            count_rows(url) == rows,
            f"{rows} rows before and after",
        )

        with AnyHealthGunicorn("wsgi:app", missing, log("unreachable")) as server:
            base = server.base_url
            figures["unreachable"] = await unreachable_answers(
                report, scenario, kind, participant, staff, base, form
            )
    report.figures[f"{scenario}/{kind}"] = figures


# --- running it all ----------------------------------------------------------------


def run_sqlite(selected: list[str], args, report: Report, folder: Path, stamp: str) -> None:
    url = fresh_sqlite(folder)
    prepared = False
    if "worker-kill" in selected:
        try:
            worker_kill("sqlite", url, args, report, stamp)
            prepared = True
        except Exception as error:
            report.crashed("worker-kill", "sqlite", error)
    if "db-unavailable" in selected:
        try:
            if not prepared:
                print("[db-unavailable/sqlite] preparing the database", flush=True)
                load_rakor_data(app_environment(url))
            print("[db-unavailable/sqlite] read-only, then unreachable", flush=True)
            asyncio.run(sqlite_unavailable(url, folder, report, stamp))
        except Exception as error:
            report.crashed("db-unavailable", "sqlite", error)


def run_postgres(selected: list[str], args, report: Report, stamp: str) -> None:
    if "worker-kill" in selected:
        try:
            worker_kill("postgres", fresh_postgres(args.pg_url), args, report, stamp)
        except Exception as error:
            report.crashed("worker-kill", "postgres", error)

    on_cluster = [name for name in ("pg-restart", "db-unavailable") if name in selected]
    if not on_cluster:
        return
    cluster = ThrowawayCluster(postgres_bindir())
    try:
        with cluster:
            print(f"[{'+'.join(on_cluster)}] throwaway cluster on port {cluster.port}", flush=True)
            url = fresh_postgres(cluster.url(THROWAWAY_DATABASE))
            env = app_environment(url)
            load_rakor_data(env)
            log = RESULTS_DIR / f"resilience-{stamp}-pg-cluster.gunicorn.log"
            with Gunicorn("wsgi:app", env, log) as server:
                if "pg-restart" in on_cluster:
                    try:
                        pg_restart(cluster, server, url, args, report)
                    except Exception as error:
                        report.crashed("pg-restart", "postgres", error)
                if "db-unavailable" in on_cluster:
                    print("[db-unavailable/postgres] read-only, then unreachable", flush=True)
                    try:
                        asyncio.run(pg_unavailable(cluster, server, url, report))
                    except Exception as error:
                        report.crashed("db-unavailable", "postgres", error)
            if not report.passed:
                cluster.keep_log(RESULTS_DIR / f"resilience-{stamp}-pg-cluster.postgres.log")
    except Exception as error:
        report.crashed(on_cluster[0], "postgres", error)
    gone, detail = cluster.removed()
    report.check("cleanup", "postgres", "throwaway cluster stopped and removed", gone, detail)


COLUMNS = [("scenario", 15), ("db", 9), ("check", 72), ("result", 6)]


def checks_table(checks: list[Check]) -> str:
    lines = ["  ".join(f"{title:<{width}}" for title, width in COLUMNS) + "  detail"]
    for check in checks:
        values = (check.scenario, check.database, check.name, "PASS" if check.passed else "FAIL")
        cells = "  ".join(f"{value:<{width}}" for value, (_t, width) in zip(values, COLUMNS))
        lines.append(f"{cells}  {check.detail}")
    return "\n".join(lines)


def figures_table(figures: dict[str, dict]) -> str:
    lines = []
    for name, run in figures.items():
        if "receipts" in run:
            failed = {k: n for k, n in run["outcomes"].items() if k != RECEIPT}
            line = (
                f"{name:<22} {run['receipts']:>6} receipts, lost {run['lost']}, "
                f"{run['rows_without_receipt']} rows without a receipt; failures {failed or 'none'}"
            )
            if "kills" in run:
                line += "; by kill: " + ", ".join(
                    f"{k['connection_errors']} lost connections, respawn {k['respawned_in_s']} s, "
                    f"slowest answer {k['slowest_answer_s']} s"
                    for k in run["kills"]
                )
            if "events" in run:
                line += "; recovered in " + ", ".join(
                    f"{e['recovery_s']} s (down {e['outage_s']} s)" for e in run["events"]
                )
            lines.append(line)
        else:
            lines.append(f"{name:<22} " + "; ".join(f"{k}: {v}" for k, v in run.items()))
    return "\n".join(lines)


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
    if not 1 <= args.clients <= 500:
        parser.error("--clients must be between 1 and 500")
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
    if args.db in ("sqlite", "both") and set(selected) & {"worker-kill", "db-unavailable"}:
        with tempfile.TemporaryDirectory(prefix="rakor-resilience-") as folder:
            run_sqlite(selected, args, report, Path(folder), stamp)
    if args.db in ("postgres", "both"):
        run_postgres(selected, args, report, stamp)
    wall = time.perf_counter() - clock

    out = RESULTS_DIR / f"resilience-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "started_at": started.isoformat(timespec="seconds"),
                "command": " ".join([".venv/bin/python", "bench/resilience.py", *sys.argv[1:]]),
                "machine": machine(),
                "gunicorn": gunicorn_settings(),
                "wall_s": round(wall, 1),
                "passed": report.passed,
                "checks": [asdict(check) for check in report.checks],
                "figures": report.figures,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print()
    print(checks_table(report.checks))
    print()
    print(figures_table(report.figures))
    print(f"\n{wall:.0f} s; results: {out.relative_to(ROOT)}")
    failed = [check for check in report.checks if not check.passed]
    if failed or not report.checks:
        print(f"FAILED: {len(failed)} of {len(report.checks)} checks")
        return 1
    print(f"PASSED: all {len(report.checks)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
