"""A room's rush behind one address: the public form's shipped rate limits against a
whole room on the venue's wifi.

    .venv/bin/python bench/room_rush.py [--db sqlite|postgres] [--participants 300]
        [--refused 100] [--threads 30]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench_rush]

It builds a fresh database (a SQLite file in a temporary folder, or the PostgreSQL
database `rakor_bench_rush`, dropped and created again; never `test`) with the real
CLI (`db upgrade`, `seed`, `demo`) and serves the real app (`wsgi:app`) with gunicorn
and deploy/gunicorn.conf.py on a loopback port, three times in one run:

- "limits off", the baseline: both public form limits raised to 1000000 per minute
  (config.py has no switch to turn Flask-Limiter off from the environment);
- "limits on": the shipped defaults of config.py (RAKOR_SUBMIT_RATE_LIMIT counts
  recorded inputs, RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT counts every send), with the
  default limit storage unless --storage says otherwise;
- "flood": the shipped defaults again, on a fresh server (fresh counters).

The rush, on each of the first two: `--participants` participants, each with a
requests session of its own (its own cookie and CSRF token), all from 127.0.0.1 (one
client address, as behind a venue's wifi), driven by `--threads` threads with no pause:
each opens the demo meeting's form, and one in three first sends it with the
description left empty (a validation error, answered 422; `--refused` of them in all)
before sending it complete (answered 303 to its receipt). Afterwards the database is
read: a receipt whose row is missing is lost, a title stored twice is duplicated.

The flood: the same address sends forms with a title typed and the description left
empty, from every thread, until the attempt limit has answered 429 a number of times
(or a cap of sends is reached). Every 429 must be the form itself with the typed title
in it, and say when to retry (Retry-After).

Prints a table, writes bench/results/room-rush-<time>.json, and exits 1 when a target
is missed: every participant's input recorded, 0 lost, 0 duplicated, no 429 for a
valid send of the rush, and every 429 of the flood the form with its title.
"""

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

sys.path.insert(0, str(common.ROOT))
# The shipped defaults of config.py, not whatever the caller's shell sets.
for name in ("RAKOR_SUBMIT_RATE_LIMIT", "RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT"):
    os.environ.pop(name, None)

from config import Config  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench_rush"
FORM_PATH = f"/m/{common.DEMO_MEETING_CODE}"
REQUEST_TIMEOUT_S = 60
UNLIMITED = "1000000 per minute"
SHIPPED = {
    "RAKOR_SUBMIT_RATE_LIMIT": Config.RAKOR_SUBMIT_RATE_LIMIT,
    "RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT": Config.RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT,
}
BASELINE = {"RAKOR_SUBMIT_RATE_LIMIT": UNLIMITED, "RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT": UNLIMITED}
FLOOD_429_WANTED = 50
TITLE_VALUE = re.compile(r'<input[^>]*id="title"[^>]*value="([^"]*)"')


@dataclass
class Rush:
    """What one rush's clients were answered."""

    valid: list[dict] = field(default_factory=list)  # title, status, receipt, seconds
    refused: list[dict] = field(default_factory=list)  # status, seconds
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)


def open_form(session: requests.Session, base_url: str) -> common.Form:
    page = session.get(base_url + FORM_PATH, timeout=REQUEST_TIMEOUT_S)
    page.raise_for_status()
    return common.form_in(page.text, page.url, FORM_PATH)


def timed_post(session: requests.Session, url: str, data: dict) -> tuple[requests.Response, float]:
    started = time.perf_counter()
    answer = session.post(url, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    return answer, time.perf_counter() - started


def participant(number: int, base_url: str, tag: str, refuse_first: bool, rush: Rush) -> None:
    """One participant's phone: the form, maybe a refused send, then the complete one."""
    session = requests.Session()  # a cookie and a CSRF token of its own
    try:
        form = open_form(session, base_url)
        data = common.public_input(form, number % 100, number, tag)
        if refuse_first:  # the description forgotten: a validation error
            answer, seconds = timed_post(session, form.action, {**data, "description": ""})
            rush.add("refused", {"status": answer.status_code, "seconds": seconds})
        answer, seconds = timed_post(session, form.action, data)
        found = common.RECEIPT_LOCATION.search(answer.headers.get("Location", ""))
        receipt = found.group(1) if answer.status_code == 303 and found else None
        rush.add(
            "valid",
            {
                "title": data["title"],
                "status": answer.status_code,
                "receipt": receipt,
                "seconds": seconds,
            },
        )
    except (requests.RequestException, ValueError) as error:
        rush.add("errors", f"participant {number}: {error!r}")
    finally:
        session.close()


def percentile(values: list[float], share: float) -> float | None:
    """The value below which `share` of them fall (nearest rank), in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return round(ordered[rank - 1] * 1000, 1)


def stored_rows(database_url: str, tag: str) -> list[tuple[str, str]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [
                (title, code)
                for title, code in connection.execute(
                    text("SELECT title, receipt_code FROM submission WHERE title LIKE :tagged"),
                    {"tagged": f"% {tag}-%"},
                )
            ]
    finally:
        engine.dispose()


def run_rush(server: common.Gunicorn, database_url: str, args) -> dict:
    tag = uuid.uuid4().hex[:6]
    rush = Rush()
    refused_every = max(1, round(args.participants / args.refused)) if args.refused else 0
    refusing = [
        bool(refused_every)
        and number % refused_every == 0
        and number // refused_every < args.refused
        for number in range(args.participants)
    ]
    load_before = common.machine()["load_average"]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        for number in range(args.participants):
            pool.submit(participant, number, server.base_url, tag, refusing[number], rush)
    wall_s = time.perf_counter() - started

    rows = stored_rows(database_url, tag)
    stored = set(rows)
    titles = Counter(title for title, _code in rows)
    acknowledged = [item for item in rush.valid if item["receipt"]]
    sends = rush.valid + rush.refused
    valid_seconds = [item["seconds"] for item in rush.valid]
    all_seconds = [item["seconds"] for item in sends]
    return {
        "tag": tag,
        "participants": args.participants,
        "recorded": len(titles),
        "rows": len(rows),
        "valid_statuses": dict(Counter(str(item["status"]) for item in rush.valid)),
        "refused_statuses": dict(Counter(str(item["status"]) for item in rush.refused)),
        "answered_429": sum(item["status"] == 429 for item in sends),
        "valid_answered_429": sum(item["status"] == 429 for item in rush.valid),
        "lost": sum((item["title"], item["receipt"]) not in stored for item in acknowledged),
        "duplicated": sum(count - 1 for count in titles.values()),
        "client_errors": rush.errors,
        "send_ms": {
            "p50": percentile(valid_seconds, 0.50),
            "p95": percentile(valid_seconds, 0.95),
            "p99": percentile(valid_seconds, 0.99),
            "mean": round(statistics.fmean(valid_seconds) * 1000, 1) if valid_seconds else None,
        },
        "all_sends_ms": {
            "p50": percentile(all_seconds, 0.50),
            "p95": percentile(all_seconds, 0.95),
            "p99": percentile(all_seconds, 0.99),
        },
        "sends": len(sends),
        "wall_s": round(wall_s, 2),
        "load_average_before": load_before,
    }


def per_minute(limit: str) -> int:
    """The per-minute figure of a limit string ("800 per minute;4000 per hour")."""
    for part in limit.split(";"):
        amount, _per, unit = part.strip().split()
        if unit.startswith("minute"):
            return int(amount)
    raise ValueError(f"no per-minute limit in {limit!r}")


def run_flood(server: common.Gunicorn, args) -> dict:
    """Sends with the description left empty until the attempt limit answers 429."""
    workers = len(server.workers()) or 1
    # With memory:// each worker counts on its own: the limit once per worker.
    cap = per_minute(SHIPPED["RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT"]) * workers * 2 + 200
    lock = threading.Lock()
    outcome = {
        "sends": 0,
        "statuses": Counter(),
        "first_429_at": None,
        "answered_429": 0,
        "with_title": 0,
        "with_retry_after": 0,
        "errors": [],
    }

    def flood(thread: int) -> None:
        session = requests.Session()
        try:
            form = open_form(session, server.base_url)
            while True:
                with lock:
                    if outcome["answered_429"] >= FLOOD_429_WANTED or outcome["sends"] >= cap:
                        return
                    outcome["sends"] += 1
                    number = outcome["sends"]
                title = f"Banjir uji {thread:02d}-{number:06d}"
                data = common.public_input(form, thread, number, "flood")
                answer, _seconds = timed_post(
                    session, form.action, {**data, "title": title, "description": ""}
                )
                shown = TITLE_VALUE.search(answer.text)
                with lock:
                    outcome["statuses"][str(answer.status_code)] += 1
                    if answer.status_code != 429:
                        continue
                    outcome["answered_429"] += 1
                    if outcome["first_429_at"] is None:
                        outcome["first_429_at"] = number
                    if shown and unescape(shown.group(1)) == title:
                        outcome["with_title"] += 1
                    if answer.headers.get("Retry-After", "").isdigit():
                        outcome["with_retry_after"] += 1
        except (requests.RequestException, ValueError) as error:
            with lock:
                outcome["errors"].append(f"flood thread {thread}: {error!r}")
        finally:
            session.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        for thread in range(args.threads):
            pool.submit(flood, thread)
    outcome["wall_s"] = round(time.perf_counter() - started, 2)
    outcome["statuses"] = dict(outcome["statuses"])
    outcome["workers"] = workers
    outcome["cap"] = cap
    return outcome


def ratio(on, off) -> float | None:
    return round(on / off, 2) if on and off else None


def measure(database: str, database_url: str, folder: Path, args) -> dict:
    env = common.app_environment(database_url)
    common.load_demo_data(env)
    storage = {"RAKOR_RATELIMIT_STORAGE_URI": args.storage} if args.storage else {}
    result = {"database": database, "storage": args.storage or "memory:// (default)"}
    phases = (("limits_off", BASELINE), ("limits_on", SHIPPED))
    if args.on_first:
        phases = phases[::-1]
    result["order"] = [phase for phase, _limits in phases]
    for phase, limits in phases:
        settings = common.app_environment(database_url, **limits, **storage)
        with common.Gunicorn(settings, folder / f"gunicorn-{database}-{phase}.log") as server:
            result[phase] = run_rush(server, database_url, args)
            result[phase]["limits"] = limits
            result[phase]["workers"] = len(server.workers())
    settings = common.app_environment(database_url, **SHIPPED, **storage)
    with common.Gunicorn(settings, folder / f"gunicorn-{database}-flood.log") as server:
        result["flood"] = run_flood(server, args)
        result["flood"]["limits"] = SHIPPED

    on, off = result["limits_on"], result["limits_off"]
    result["ratios_on_off"] = {
        **{
            name: ratio(on["send_ms"][name], off["send_ms"][name]) for name in ("p50", "p95", "p99")
        },
        "wall": ratio(on["wall_s"], off["wall_s"]),
    }
    flood = result["flood"]
    rushes_met = all(
        rush["recorded"] == args.participants
        and rush["lost"] == 0
        and rush["duplicated"] == 0
        and rush["valid_answered_429"] == 0
        and not rush["client_errors"]
        for rush in (on, off)
    )
    flood_met = flood["answered_429"] > 0 and flood["with_title"] == flood["answered_429"]
    result["met"] = rushes_met and flood_met
    return result


def show(value, unit: str = "") -> str:
    return "-" if value is None else f"{value}{unit}"


def print_result(result: dict) -> None:
    on, off, flood = result["limits_on"], result["limits_off"], result["flood"]
    ratios = result["ratios_on_off"]
    print(f"\n{result['database']} (limit storage {result['storage']}, {on['workers']} workers)")
    print(f"  {'':24} {'limits off':>12} {'limits on':>12} {'on / off':>10}")
    rows = [
        ("recorded inputs", off["recorded"], on["recorded"], None),
        ("valid sends answered 303", off["valid_statuses"].get("303", 0),
         on["valid_statuses"].get("303", 0), None),
        ("refused sends (422)", off["refused_statuses"].get("422", 0),
         on["refused_statuses"].get("422", 0), None),
        ("answered 429", off["answered_429"], on["answered_429"], None),
        ("lost", off["lost"], on["lost"], None),
        ("duplicated", off["duplicated"], on["duplicated"], None),
        ("send p50", show(off["send_ms"]["p50"], " ms"), show(on["send_ms"]["p50"], " ms"),
         ratios["p50"]),
        ("send p95", show(off["send_ms"]["p95"], " ms"), show(on["send_ms"]["p95"], " ms"),
         ratios["p95"]),
        ("send p99", show(off["send_ms"]["p99"], " ms"), show(on["send_ms"]["p99"], " ms"),
         ratios["p99"]),
        ("wall time", show(off["wall_s"], " s"), show(on["wall_s"], " s"), ratios["wall"]),
    ]  # fmt: skip
    for name, before, after, factor in rows:
        shown = "" if factor is None else f"{factor}x"
        print(f"  {name:24} {before!s:>12} {after!s:>12} {shown:>10}")
    for phase, rush in (("limits off", off), ("limits on", on)):
        if rush["client_errors"]:
            print(f"  {phase}: {len(rush['client_errors'])} client errors, first:"
                  f" {rush['client_errors'][0]}")  # fmt: skip
    print(
        f"  flood: {flood['sends']} sends in {flood['wall_s']} s, first 429 at send"
        f" {show(flood['first_429_at'])}, {flood['answered_429']} answered 429,"
        f" {flood['with_title']} of them the form with the typed title,"
        f" {flood['with_retry_after']} with Retry-After; statuses {flood['statuses']}"
    )
    first = result[result["order"][0]]
    print(
        f"  order: {', '.join(result['order'])};"
        f" load average before: {first['load_average_before']}"
    )
    print(f"  targets: {'met' if result['met'] else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--refused", type=int, default=100, help="sends refused on the way")
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument(
        "--on-first", action="store_true", help="the rush with limits on before the baseline's"
    )
    parser.add_argument(
        "--storage", default="", help="RAKOR_RATELIMIT_STORAGE_URI (default: the app's own)"
    )
    args = parser.parse_args()
    if args.refused > args.participants:
        parser.error("--refused cannot exceed --participants (one refused send each at most)")

    with tempfile.TemporaryDirectory(prefix="rakor-rush-") as temporary:
        folder = Path(temporary)
        if args.db == "sqlite":
            result = measure("sqlite", common.fresh_sqlite(folder), folder, args)
        else:
            try:
                url = common.fresh_postgres(args.pg_url)
                result = measure("postgresql", url, folder, args)
            finally:
                common.drop_postgres(args.pg_url)
    print_result(result)

    common.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "machine": common.machine(),
        "participants": args.participants,
        "refused": args.refused,
        "threads": args.threads,
        "result": result,
    }
    path = common.RESULTS_DIR / f"room-rush-{stamp}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {path.relative_to(common.ROOT)}")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
