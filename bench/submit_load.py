"""Submissions under load: Rakor's public form against a bare insert, under gunicorn.

    .venv/bin/python bench/submit_load.py [--db sqlite|postgres|both] [--clients 50]
        [--duration 10 | --requests N] [--rounds 3] [--warmup 2] [--quiet-wait 30]

For each database it builds a fresh one (a SQLite file in a temporary folder, or
the PostgreSQL database `rakor_bench` dropped and created again), migrates it and
loads the reference and demo data with the real CLI (`db upgrade`, `seed`, `demo`),
then starts two servers with `gunicorn -c bench/gunicorn_bench.py` on free loopback
ports, the submit rate limit raised for the run:

- the baseline, bench/baseline_app.py: one POST that inserts one row, answered 303;
- Rakor (`wsgi:app`): the demo meeting's form /m/rakor2024, a complete valid input
  per POST, answered 303 to /receipt/<code>.

The same load client (bench/loadclient.py) then drives them in turn, baseline then
Rakor, for several rounds, so that anything else running on the machine weighs on
both alike. Before each phase it waits (a bounded time) for the machine to be
quiet, and it records the CPU that other processes used meanwhile.

After the servers stop, every receipt code returned is looked up in `submission`
and the number of rows created must equal the number of receipts (the same for the
baseline's row ids).

Prints a table, writes the same figures to bench/results/<timestamp>.json, and
exits 1 when a target is missed (see TARGETS), so the script doubles as a check.
"""

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import baseline_app  # noqa: E402  (bench/ is not a package)
from loadclient import (  # noqa: E402
    LoadResult,
    Scenario,
    baseline_scenario,
    rakor_scenario,
    run_load,
)

BIN = Path(sys.executable).parent
GUNICORN_CONFIG = BENCH_DIR / "gunicorn_bench.py"
RESULTS_DIR = BENCH_DIR / "results"
MEETING_CODE = "rakor2024"  # the demo meeting made by `flask --app wsgi demo`
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench"
RAISED_RATE_LIMIT = "1000000 per minute"

TARGETS = {"min_ratio": 0.5, "max_p99_ms": 250.0, "max_errors": 0, "max_lost": 0}

CLI_TIMEOUT_S = 180
STARTUP_TIMEOUT_S = 30
STOP_TIMEOUT_S = 20
# "Quiet" means the rest of the machine keeps less than this many cores busy.
QUIET_BUSY_CORES = 0.25


# --- databases ---------------------------------------------------------------------


def fresh_sqlite(folder: Path) -> str:
    return f"sqlite:///{folder / 'rakor-bench.sqlite'}"


def fresh_postgres(url: str) -> str:
    """Drop and create the benchmark database, connected through the `postgres` database."""
    target = make_url(url)
    name = target.database
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing an unusual database name: {name!r}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url


def app_environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RAKOR_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        RAKOR_SUBMIT_RATE_LIMIT=RAISED_RATE_LIMIT,
        # `flask demo` in production only with a password said out loud (a throwaway database).
        RAKOR_DEMO_PASSWORD=os.environ.get("RAKOR_DEMO_PASSWORD", "sekretariat-demo-2024"),
        PYTHONUNBUFFERED="1",
    )
    return env


def load_rakor_data(env: dict[str, str]) -> None:
    for command in (["db", "upgrade"], ["seed"], ["demo"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *command],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=CLI_TIMEOUT_S,
            stdout=subprocess.DEVNULL,
        )


RECEIPTS_QUERY = "SELECT receipt_code FROM submission"
BASELINE_QUERY = "SELECT id FROM bench_baseline"


def stored_keys(database_url: str, query: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [str(value) for value in connection.scalars(text(query))]
    finally:
        engine.dispose()


@dataclass
class Check:
    """What the database holds after a run, against the receipts the clients got."""

    receipts: int
    distinct_receipts: int
    rows_created: int
    lost: int

    @property
    def duplicates(self) -> int:
        return (self.receipts - self.distinct_receipts) + abs(self.rows_created - self.receipts)


def check_receipts(receipts: list[str], stored_before: list[str], stored_after: list[str]) -> Check:
    given = set(receipts)
    return Check(
        receipts=len(receipts),
        distinct_receipts=len(given),
        rows_created=len(stored_after) - len(stored_before),
        lost=len(given - set(stored_after)),
    )


# --- gunicorn ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn in its own process group, always stopped on the way out."""

    def __init__(self, app: str, env: dict[str, str], log_path: Path, pythonpath: Path = ROOT):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.command = [
            str(BIN / "gunicorn"),
            "--config",
            str(GUNICORN_CONFIG),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--pythonpath",
            str(pythonpath),
            app,
        ]
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = None

    def __enter__(self) -> "Gunicorn":
        self.log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self.wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not healthy after {STARTUP_TIMEOUT_S} s; see {self.log_path}")

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return [pid]
        return [pid, *(int(worker) for worker in workers)]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            # TERM to the master: it stops its workers and exits (graceful_timeout).
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT_S)
        if self.log is not None and not self.log.closed:
            self.log.close()
            if self.log_path.stat().st_size == 0:
                self.log_path.unlink()  # kept only when gunicorn or the app said something


# --- where the CPU went ------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (Linux /proc); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_backends(database: str | None) -> list[int]:
    """The PostgreSQL server processes serving `database` (their title names it)."""
    if not database:
        return []
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            pids.append(int(cmdline.parent.name))
    return pids


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy so far, whoever used them (/proc/stat)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used during one phase by the server, the database, the load client and the rest."""

    def __init__(self, server: Gunicorn, database: str | None):
        self.server = server
        self.database = database

    def snapshot(self) -> dict:
        return {
            "server": {pid: process_cpu_seconds(pid) for pid in self.server.pids()},
            "postgres": {pid: process_cpu_seconds(pid) for pid in postgres_backends(self.database)},
            "client": time.process_time(),
            "machine": machine_busy_seconds(),
        }

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        def by_pid(name: str) -> float:
            return sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items())

        used = {
            "server": by_pid("server"),
            "postgres": by_pid("postgres"),
            "client": after["client"] - before["client"],
            "machine": after["machine"] - before["machine"],
        }
        # Whatever else ran meanwhile: the machine is shared (builds, other test runs).
        ours = used["server"] + used["postgres"] + used["client"]
        used["other"] = max(0.0, used["machine"] - ours)
        return used


def wait_for_quiet_machine(limit_s: float) -> float:
    """Wait, at most `limit_s`, until the machine is nearly idle; the busy cores seen last."""
    deadline = time.monotonic() + limit_s
    while True:
        before = machine_busy_seconds()
        time.sleep(1.0)
        busy = machine_busy_seconds() - before
        if busy < QUIET_BUSY_CORES or time.monotonic() >= deadline:
            return busy


# --- measuring ---------------------------------------------------------------------


@dataclass
class Phase:
    result: LoadResult
    cpu: dict[str, float]
    wall_s: float
    busy_cores_before: float


def measure(server: Gunicorn, scenario: Scenario, args, database: str | None) -> Phase:
    """One phase: warm-up, then the measured window; CPU is counted over the window only."""
    busy_before = wait_for_quiet_machine(args.quiet_wait)
    meter = CpuMeter(server, database)
    marks: dict[str, float | dict] = {}

    def window_starts() -> None:
        marks["cpu"] = meter.snapshot()
        marks["time"] = time.perf_counter()

    result = asyncio.run(
        run_load(
            server.base_url,
            scenario,
            clients=args.clients,
            warmup_s=args.warmup,
            duration_s=None if args.requests else args.duration,
            requests=args.requests,
            hard_limit_s=args.warmup + (args.duration or 0) + 60 + (args.requests or 0) / 20,
            on_window_start=window_starts,
        )
    )
    wall = time.perf_counter() - marks["time"]
    return Phase(result, meter.used(marks["cpu"], meter.snapshot()), wall, busy_before)


def summary(phases: list[Phase], check: Check, cores: int) -> dict:
    first = phases[0].result
    result = LoadResult(scenario=first.scenario, clients=first.clients, warmup_s=first.warmup_s)
    for phase in phases:
        result.add(phase.result)
    cpu = {name: sum(phase.cpu[name] for phase in phases) for name in phases[0].cpu}
    wall = sum(phase.wall_s for phase in phases)
    served = cpu["server"] + cpu["postgres"]
    return {
        "scenario": result.scenario,
        "clients": result.clients,
        "rounds": len(phases),
        "measured_s": round(result.measured_s, 2),
        "measured_requests": result.measured_requests,
        "completed_in_window": result.completed_in_window,
        "total_requests": result.total_requests,
        "rate_per_s": round(result.rate, 1),
        "rate_per_round": [round(phase.result.rate, 1) for phase in phases],
        "p50_ms": round(result.percentile(0.50), 1),
        "p90_ms": round(result.percentile(0.90), 1),
        "p99_ms": round(result.percentile(0.99), 1),
        "max_ms": round(max(result.latencies_ms, default=float("nan")), 1),
        "errors": result.error_count,
        "error_kinds": error_kinds(result),
        "error_samples": result.error_samples,
        "receipts": check.receipts,
        "rows_created": check.rows_created,
        "lost": check.lost,
        "duplicates": check.duplicates,
        "wall_s": round(wall, 2),
        "cpu_s": {name: round(value, 2) for name, value in cpu.items()},
        # Server-side CPU (gunicorn + PostgreSQL backends) per request in the measured
        # window: what one costs, whatever else the machine was doing.
        "server_cpu_ms_per_request": round(1000 * served / max(1, result.completed_in_window), 2),
        "other_load_share": round(cpu["other"] / (wall * cores), 2) if wall else 0.0,
    }


def error_kinds(result: LoadResult) -> dict[str, int]:
    kinds = dict(result.errors)
    if result.prepare_failures:
        kinds["form page could not be opened"] = result.prepare_failures
    return kinds


def log_path(prefix: str, kind: str, scenario: str) -> Path:
    return RESULTS_DIR / f"{prefix}-{kind}-{scenario}.gunicorn.log"


def bench_database(kind: str, args, workdir: Path, stamp: str, cores: int) -> dict:
    url = fresh_sqlite(workdir) if kind == "sqlite" else fresh_postgres(args.pg_url)
    database = make_url(url).database if kind == "postgres" else None
    env = app_environment(url)
    print(f"[{kind}] preparing {make_url(url).render_as_string(hide_password=True)}", flush=True)
    load_rakor_data(env)
    baseline_app.create_table(url)
    before = {
        "baseline": stored_keys(url, BASELINE_QUERY),
        "rakor": stored_keys(url, RECEIPTS_QUERY),
    }

    phases: dict[str, list[Phase]] = {"baseline": [], "rakor": []}
    with ExitStack() as servers:
        baseline = servers.enter_context(
            Gunicorn(
                "baseline_app:app",
                env,
                log_path(stamp, kind, "baseline"),
                pythonpath=BENCH_DIR,
            )
        )
        rakor = servers.enter_context(Gunicorn("wsgi:app", env, log_path(stamp, kind, "rakor")))
        for number in range(1, args.rounds + 1):
            for name, server, scenario in (
                ("baseline", baseline, baseline_scenario()),
                ("rakor", rakor, rakor_scenario(MEETING_CODE)),
            ):
                phase = measure(server, scenario, args, database)
                phases[name].append(phase)
                print(
                    f"[{kind}] round {number}/{args.rounds} {name}: "
                    f"{phase.result.rate:.0f}/s, p99 {phase.result.percentile(0.99):.0f} ms, "
                    f"{phase.result.error_count} errors, other processes "
                    f"{phase.cpu['other'] / phase.wall_s:.2f} cores",
                    flush=True,
                )

    checks = {
        "baseline": check_receipts(
            [r for p in phases["baseline"] for r in p.result.receipts],
            before["baseline"],
            stored_keys(url, BASELINE_QUERY),
        ),
        "rakor": check_receipts(
            [r for p in phases["rakor"] for r in p.result.receipts],
            before["rakor"],
            stored_keys(url, RECEIPTS_QUERY),
        ),
    }
    run = {name: summary(phases[name], checks[name], cores) for name in phases}
    base_rate = run["baseline"]["rate_per_s"]
    run["rakor"]["ratio_to_baseline"] = (
        round(run["rakor"]["rate_per_s"] / base_rate, 2) if base_rate else 0.0
    )
    return {"database": kind, **run}


def missed_targets(run: dict) -> list[str]:
    rakor = run["rakor"]
    missed = []
    if rakor["lost"] > TARGETS["max_lost"]:
        missed.append(f"{rakor['lost']} receipts not in the database")
    if rakor["duplicates"]:
        missed.append(f"rows created ({rakor['rows_created']}) != receipts ({rakor['receipts']})")
    if rakor["errors"] > TARGETS["max_errors"]:
        missed.append(f"{rakor['errors']} errors {rakor['error_kinds']}")
    if not rakor["p99_ms"] < TARGETS["max_p99_ms"]:
        missed.append(f"p99 {rakor['p99_ms']} ms >= {TARGETS['max_p99_ms']:.0f} ms")
    if not rakor["ratio_to_baseline"] >= TARGETS["min_ratio"]:
        missed.append(f"rate ratio {rakor['ratio_to_baseline']} < {TARGETS['min_ratio']}")
    return [f"{run['database']}: {message}" for message in missed]


# --- report ------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def gunicorn_settings() -> dict:
    settings: dict = {}
    exec(compile(GUNICORN_CONFIG.read_text(), str(GUNICORN_CONFIG), "exec"), settings)
    return {name: settings[name] for name in ("workers", "worker_class", "threads", "keepalive")}


COLUMNS = [
    ("db", "database", "<8"),
    ("app", "scenario", "<9"),
    ("req/s", "rate_per_s", ">7"),
    ("p50 ms", "p50_ms", ">7"),
    ("p99 ms", "p99_ms", ">7"),
    ("errors", "errors", ">6"),
    ("lost", "lost", ">5"),
    ("dup", "duplicates", ">4"),
    ("requests", "measured_requests", ">8"),
    ("ratio", "ratio_to_baseline", ">6"),
    ("cpu ms/req", "server_cpu_ms_per_request", ">10"),
    ("other load", "other_load_share", ">10"),
]


def table(runs: list[dict]) -> str:
    lines = ["  ".join(f"{title:{align}}" for title, _key, align in COLUMNS)]
    for run in runs:
        for row in (run["baseline"], run["rakor"]):
            values = {"database": run["database"], **row}
            lines.append(
                "  ".join(f"{values.get(key, '-')!s:{align}}" for _title, key, align in COLUMNS)
            )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds a phase")
    parser.add_argument(
        "--requests", type=int, default=None, help="measured requests a phase (not --duration)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="baseline/Rakor alternations")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds left out, each phase")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="seconds to wait, before each phase, for other processes to quieten (0: no wait)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 500:
        parser.error("--clients must be between 1 and 500")
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if args.requests is not None and not 1 <= args.requests <= 1_000_000:
        parser.error("--requests must be between 1 and 1000000")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    if not 0 <= args.quiet_wait <= 600:
        parser.error("--quiet-wait must be between 0 and 600 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    about = machine()
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rakor-bench-") as folder:
        runs = [bench_database(kind, args, Path(folder), stamp, about["nproc"]) for kind in kinds]

    missed = [message for run in runs for message in missed_targets(run)]
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/submit_load.py", *sys.argv[1:]]),
        "machine": about,
        "gunicorn": gunicorn_settings(),
        "load": {
            "clients": args.clients,
            "rounds": args.rounds,
            "warmup_s": args.warmup,
            "duration_s": None if args.requests else args.duration,
            "requests": args.requests,
        },
        "targets": TARGETS,
        "runs": runs,
        "missed_targets": missed,
    }
    out = RESULTS_DIR / f"{stamp}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print()
    print(
        f"{args.clients} clients, {args.rounds} rounds of {args.duration:g} s, "
        f"{about['nproc']} cores ({about['cpu_model']}), gunicorn {report['gunicorn']}"
    )
    print(table(runs))
    print("cpu ms/req: gunicorn + PostgreSQL CPU per request; other load: share of all cores")
    print("used by other processes during the phases (the load client runs on the same cores).")
    print(f"results: {out.relative_to(ROOT)}")
    if missed:
        print("TARGET MISSED:\n  " + "\n  ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
