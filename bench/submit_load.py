"""Submissions under load: Rakor's public form against a bare insert endpoint, with locust.

    .venv/bin/python bench/submit_load.py [--db sqlite|postgres|both] [--users 50]
        [--run-time 30] [--path-time 10]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench]

For each database it builds a fresh one (a SQLite file in a temporary folder, or the
PostgreSQL database `rakor_bench`, dropped and created again; never `test`), migrates
and loads it with the real CLI (`db upgrade`, `seed`, `demo`), adds the baseline's
table, and serves each app with gunicorn and deploy/gunicorn.conf.py on a free
loopback port: Rakor (`wsgi:app`, its submit rate limit raised for the run) and the
baseline (bench/baseline_app.py, the simplest Flask view that inserts a row).

Locust (headless, one process, FastHttpUser, bench/submit_locustfile.py) then runs
`--users` clients against each in turn, baseline first, for `--run-time` seconds,
with no pause between sends. What is compared is the submission itself: a Rakor
client opens the form once, and when every client has it open the figures start
from zero; it then posts complete valid inputs, each answered 303 to its receipt
(every tenth posted twice, a double tap, which must get the same receipt); a
baseline client posts a title, answered 303 to its row. Neither follows the
answer. Then, for information, `--path-time` seconds of the whole participant
path on Rakor (form, send, receipt for every input). Afterwards the database is
read: a send answered with a receipt whose row is missing is lost; a title stored
twice is duplicated.

Beside the rates it reports the CPU gunicorn spent per send over the whole locust
run (its workers, those that max_requests replaced included; for Rakor, opening the
forms included) and how many cores locust
itself kept busy, since client and server share this machine.

Prints the figures, writes them to bench/results/submit-<time>.json, and exits 1 when
a target is missed (TARGETS: the rate of first sends against the baseline's, their
p99 against the baseline's p99, nothing lost, nothing duplicated).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_app
import common

LOCUSTFILE = common.BENCH_DIR / "submit_locustfile.py"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench"
TARGETS = {"min_rate_ratio": 0.30, "max_p99_ratio": 4.0, "max_lost": 0, "max_duplicated": 0}
SEND = "send"  # the locust entry compared: a complete input posted, answered 303
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# What each side's sends leave in its database: (table, the acknowledged key's column).
STORED = {
    "Participant": ("submission", "receipt_code"),
    "Visitor": ("submission", "receipt_code"),
    "Baseline": ("bench_baseline", "id"),
}


def server_cpu_seconds(server: common.Gunicorn) -> float:
    """CPU used so far by gunicorn: the master, its live workers and the workers it reaped
    (Linux /proc: utime and stime, and the master's cutime and cstime)."""
    used = 0.0
    for pid, own_fields in ((server.process.pid, 4), *((pid, 2) for pid in server.workers())):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker that just stopped: the master's cutime has it
        used += sum(int(value) for value in fields[11 : 11 + own_fields]) / CLOCK_TICKS
    return used


def run_locust(
    user_class: str, server: common.Gunicorn, folder: Path, args, run_time: int, tag: str
) -> dict:
    """One headless locust run; its figures per request name, and what it was answered."""
    prefix, out = folder / user_class, folder / f"{user_class}-out.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = server_cpu_seconds(server)
    with open(folder / "locust.log", "ab") as log:
        subprocess.run(
            [
                str(common.BIN / "locust"),
                *("-f", str(LOCUSTFILE), user_class, "--headless", "--only-summary"),
                *("--users", str(args.users), "--spawn-rate", str(args.users)),
                *("--run-time", f"{run_time}s", "--stop-timeout", "10"),
                *("--host", server.base_url, "--csv", str(prefix), "--loglevel", "WARNING"),
                *("--exit-code-on-error", "0"),
            ],
            cwd=common.ROOT,
            env={**os.environ, "BENCH_OUT": str(out), "BENCH_TAG": tag},
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=run_time + 120,
            check=True,
        )
    server_cpu_s = server_cpu_seconds(server) - server_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"{prefix}_stats.csv", newline="") as stats_file:
        stats = {
            row["Name"]: {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rate_per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
            }
            for row in csv.DictReader(stats_file)
            if row["Name"] != "Aggregated" and int(row["Request Count"])
        }
    client_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    sends = stats.get(SEND, {}).get("count", 0)
    return {
        "requests": stats,
        "server_cpu_ms_per_send": round(server_cpu_s * 1000 / sends, 2) if sends else None,
        "client_cores_busy": round(client_cpu_s / run_time, 2),
        "load_average_before": common.machine()["load_average"],
        **(json.loads(out.read_text()) if out.exists() else {"acknowledged": []}),
    }


def count_lost_and_duplicated(database_url: str, user_class: str, tag: str, acks: list) -> dict:
    """Compare what the clients were answered with what the database holds."""
    table, key = STORED[user_class]
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT title, {key} FROM {table} WHERE title LIKE :tagged"),
                {"tagged": f"% {tag}-%"},
            ).all()
    finally:
        engine.dispose()
    stored = {(title, str(value)) for title, value in rows}
    titles = Counter(title for title, _value in rows)
    acknowledged = {ack["title"] for ack in acks}
    return {
        "acknowledged": len(acks),
        "stored": len(rows),
        "lost": sum((ack["title"], ack["key"]) not in stored for ack in acks),
        "duplicated": sum(count - 1 for count in titles.values()),
        # Stored, but the client stopped before it read the answer (the run's end).
        "stored_unacknowledged": sum(title not in acknowledged for title in titles),
    }


def measure(database: str, database_url: str, folder: Path, args) -> dict:
    env = common.app_environment(database_url)
    common.load_demo_data(env)
    baseline_app.create_table(database_url)
    result = {"database": database}

    def run(side: str, user_class: str, server: common.Gunicorn, run_time: int) -> None:
        tag = uuid.uuid4().hex[:6]
        figures = run_locust(user_class, server, folder, args, run_time, tag)
        acks = figures.pop("acknowledged")
        figures["database_check"] = count_lost_and_duplicated(database_url, user_class, tag, acks)
        result[side] = figures

    log = folder / f"gunicorn-{database}-baseline.log"
    with common.Gunicorn(env, log, app="bench.baseline_app:app") as server:
        run("baseline", "Baseline", server, args.run_time)
    with common.Gunicorn(env, folder / f"gunicorn-{database}-rakor.log") as server:
        run("rakor", "Participant", server, args.run_time)
        if args.path_time:
            run("rakor_whole_path", "Visitor", server, args.path_time)
    rakor, baseline = result["rakor"]["requests"], result["baseline"]["requests"]
    result["rate_ratio"] = round(rakor[SEND]["rate_per_s"] / baseline[SEND]["rate_per_s"], 3)
    result["p99_ratio"] = round(rakor[SEND]["p99_ms"] / baseline[SEND]["p99_ms"], 2)
    checks = [
        result[side]["database_check"] for side in ("rakor", "rakor_whole_path") if side in result
    ]
    failures = sum(figures["failures"] for figures in rakor.values())
    failures += result["rakor"].get("form_opening", {}).get("failures", 0)
    result["met"] = (
        result["rate_ratio"] >= TARGETS["min_rate_ratio"]
        and result["p99_ratio"] <= TARGETS["max_p99_ratio"]
        and failures == 0
        and sum(check["lost"] for check in checks) <= TARGETS["max_lost"]
        and sum(check["duplicated"] for check in checks) <= TARGETS["max_duplicated"]
    )
    return result


def print_result(result: dict) -> None:
    print(f"\n{result['database']}")
    columns = ("count", "failed", "rate/s", "p50 ms", "p99 ms")
    print(f"  {'':16} {'request':26} " + " ".join(f"{column:>7}" for column in columns))
    for side in ("baseline", "rakor", "rakor_whole_path"):
        if side not in result:
            continue
        for name, figures in result[side]["requests"].items():
            print(
                f"  {side:16} {name[:26]:26} {figures['count']:7d} {figures['failures']:7d}"
                f" {figures['rate_per_s']:7.1f} {figures['p50_ms']:7.0f} {figures['p99_ms']:7.0f}"
            )
        check, run = result[side]["database_check"], result[side]
        if run.get("form_opening"):
            opening = run["form_opening"]
            print(
                f"  {side:16} before the clock: {opening['count']} forms opened,"
                f" {opening['failures']} failed, p50 {opening['p50_ms']:.0f} ms,"
                f" slowest {opening['max_ms']:.0f} ms"
            )
        print(
            f"  {side:16} database: {check['stored']} stored, {check['lost']} lost,"
            f" {check['duplicated']} duplicated; server CPU per send (whole run):"
            f" {run['server_cpu_ms_per_send']} ms; locust kept {run['client_cores_busy']}"
            f" cores busy; load average before: {run['load_average_before']}"
        )
    print(
        f"  send: rate {result['rate_ratio']:.0%} of the baseline's (target"
        f" >= {TARGETS['min_rate_ratio']:.0%}), p99 {result['p99_ratio']}x (target"
        f" <= {TARGETS['max_p99_ratio']}x): {'met' if result['met'] else 'MISSED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=int, default=30, help="seconds per app")
    parser.add_argument(
        "--path-time", type=int, default=10, help="seconds of the whole path (0: none)"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="rakor-submit-") as temporary:
        folder = Path(temporary)
        if args.db in ("sqlite", "both"):
            results.append(measure("sqlite", common.fresh_sqlite(folder), folder, args))
            print_result(results[-1])
        if args.db in ("postgres", "both"):
            try:
                url = common.fresh_postgres(args.pg_url)
                results.append(measure("postgresql", url, folder, args))
            finally:
                common.drop_postgres(args.pg_url)
            print_result(results[-1])

    common.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "machine": common.machine(),
        "users": args.users,
        "run_time_s": args.run_time,
        "path_time_s": args.path_time,
    }
    path = common.RESULTS_DIR / f"submit-{stamp}.json"
    path.write_text(json.dumps({**report, "targets": TARGETS, "results": results}, indent=2))
    print(f"\nwritten to {path.relative_to(common.ROOT)}")
    return 0 if all(result["met"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
