"""Submissions under load: Rakor's public form against a bare insert endpoint, with locust.

    .venv/bin/python bench/submit_load.py [--db sqlite|postgres|both] [--users 50]
        [--run-time 30] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench]

For each database it builds a fresh one (a SQLite file in a temporary folder, or the
PostgreSQL database `rakor_bench`, dropped and created again; never `test`), migrates
and loads it with the real CLI (`db upgrade`, `seed`, `demo`), adds the baseline's
table, and serves each app with gunicorn and deploy/gunicorn.conf.py on a free
loopback port: Rakor (`wsgi:app`, its submit rate limit raised for the run) and the
baseline (bench/baseline_app.py, the simplest Flask view that inserts a row).

Locust (headless, bench/submit_locustfile.py) then runs `--users` clients against
each in turn, baseline first, for `--run-time` seconds, with no pause between sends:
a Rakor send opens the form, posts a complete valid input and follows the answer to
the receipt (every tenth one posts twice, a double tap); a baseline send posts a
title and follows to the row. Afterwards the database is read: a send answered with
a receipt whose row is missing is lost; a title stored twice is duplicated.

Prints the figures, writes them to bench/results/submit-<time>.json, and exits 1 when
a target is missed (TARGETS, for the whole send: rate against the baseline's, p99
against the baseline's p99, nothing lost, nothing duplicated).
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
WHOLE_SEND = "whole send"

# What each side's sends leave in its database: (table, the acknowledged key's column).
STORED = {"Participant": ("submission", "receipt_code"), "Baseline": ("bench_baseline", "id")}


def run_locust(user_class: str, host: str, folder: Path, args, tag: str) -> dict:
    """One headless locust run; its figures per request name, and what it was answered."""
    prefix, acks = folder / user_class, folder / f"{user_class}-acks.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(folder / "locust.log", "ab") as log:
        subprocess.run(
            [
                str(common.BIN / "locust"),
                *("-f", str(LOCUSTFILE), user_class, "--headless", "--only-summary"),
                *("--users", str(args.users), "--spawn-rate", str(args.users)),
                *("--run-time", f"{args.run_time}s", "--stop-timeout", "10"),
                *("--host", host, "--csv", str(prefix), "--loglevel", "WARNING"),
                *("--exit-code-on-error", "0"),
            ],
            cwd=common.ROOT,
            env={**os.environ, "BENCH_ACKS": str(acks), "BENCH_TAG": tag},
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=args.run_time + 120,
            check=True,
        )
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
            if row["Name"] != "Aggregated"
        }
    client_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "requests": stats,
        "client_cores_busy": round(client_cpu_s / args.run_time, 2),
        "load_average_before": common.machine()["load_average"],
        "acknowledged": json.loads(acks.read_text()) if acks.exists() else [],
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
    for user_class, app in (("Baseline", "bench.baseline_app:app"), ("Participant", "wsgi:app")):
        tag = uuid.uuid4().hex[:6]
        with common.Gunicorn(env, folder / f"gunicorn-{user_class}.log", app=app) as server:
            run = run_locust(user_class, server.base_url, folder, args, tag)
        acks = run.pop("acknowledged")
        run["database_check"] = count_lost_and_duplicated(database_url, user_class, tag, acks)
        result["rakor" if user_class == "Participant" else "baseline"] = run
    rakor, baseline = result["rakor"]["requests"], result["baseline"]["requests"]
    result["rate_ratio"] = round(
        rakor[WHOLE_SEND]["rate_per_s"] / baseline[WHOLE_SEND]["rate_per_s"], 3
    )
    result["p99_ratio"] = round(rakor[WHOLE_SEND]["p99_ms"] / baseline[WHOLE_SEND]["p99_ms"], 2)
    check = result["rakor"]["database_check"]
    result["met"] = (
        result["rate_ratio"] >= TARGETS["min_rate_ratio"]
        and result["p99_ratio"] <= TARGETS["max_p99_ratio"]
        and check["lost"] <= TARGETS["max_lost"]
        and check["duplicated"] <= TARGETS["max_duplicated"]
    )
    return result


def print_result(result: dict) -> None:
    print(f"\n{result['database']}")
    columns = ("count", "failed", "rate/s", "p50 ms", "p99 ms")
    print(f"  {'':9} {'request':26} " + " ".join(f"{column:>7}" for column in columns))
    for side in ("baseline", "rakor"):
        for name, figures in result[side]["requests"].items():
            print(
                f"  {side:9} {name:26} {figures['count']:7d} {figures['failures']:6d}"
                f" {figures['rate_per_s']:7.1f} {figures['p50_ms']:7.0f} {figures['p99_ms']:7.0f}"
            )
        check = result[side]["database_check"]
        print(
            f"  {side:9} database: {check['stored']} stored, {check['lost']} lost,"
            f" {check['duplicated']} duplicated; the client kept"
            f" {result[side]['client_cores_busy']} cores busy;"
            f" load average before: {result[side]['load_average_before']}"
        )
    print(
        f"  whole send: rate {result['rate_ratio']:.0%} of the baseline's (target"
        f" >= {TARGETS['min_rate_ratio']:.0%}), p99 {result['p99_ratio']}x (target"
        f" <= {TARGETS['max_p99_ratio']}x): {'met' if result['met'] else 'MISSED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=int, default=30, help="seconds per app")
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
    report = {"machine": common.machine(), "users": args.users, "run_time_s": args.run_time}
    path = common.RESULTS_DIR / f"submit-{stamp}.json"
    path.write_text(json.dumps({**report, "targets": TARGETS, "results": results}, indent=2))
    print(f"\nwritten to {path.relative_to(common.ROOT)}")
    return 0 if all(result["met"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
