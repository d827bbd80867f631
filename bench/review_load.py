"""Review queue and live view with a 10,000-input meeting: p95 server time beside /healthz.

    .venv/bin/python bench/review_load.py [--db sqlite|postgres|both] [--requests 200]
        [--inputs 10000] [--other-inputs 3000] [--http] [--pg-url URL]

For each database it builds a fresh one (a SQLite file in a temporary folder, or
the PostgreSQL database `rakor_bench_review`, dropped and created again), loads it
with the real CLI (`db upgrade`, `seed`, `demo`, `users create`), then tops the
demo meeting up to `--inputs` inputs and adds a second meeting with
`--other-inputs`, so that every query has to pick one meeting's rows out of the
table. The new inputs are copies of the demo meeting's, varied: title, time of
day, pillar, and every review status (some merged into another input).

Server time is measured in-process: a child process with the app's production
configuration signs a secretariat account in through `app.test_client()` and
times each request, the view, its queries and its template, without sockets or a
load client. `--http` also measures the same requests over HTTP (one `requests`
client, one at a time) against gunicorn with deploy/gunicorn.conf.py. The
requests are interleaved (rounds of every kind, shuffled), so whatever else the
machine does weighs on all alike, and GET /healthz (one `SELECT 1`) is measured
the same way in the same run as the baseline. Every request is checked once
first: the queue must report the number of matching inputs counted here, the live
view the meeting's total.

Prints a table (per request: p50, p95 and p99 server time, the p95 as a multiple
of /healthz's, and the p95 of the CPU time the app spent on it in-process, which
other work on a shared machine hardly changes), writes
bench/results/review-<timestamp>.json, and exits 1 when a p95 server time is
above TARGET_P95_MS or a request failed.
"""

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    CSRF_FIELD,
    DEMO_MEETING_CODE,
    RESULTS_DIR,
    ROOT,
    Gunicorn,
    app_environment,
    create_user,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    load_demo_data,
    machine,
)

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench_review"
TARGET_P95_MS = 100.0
PAGE_SIZE = 50  # the queue's page size, repeated: the check must not trust the app
STAFF_EMAIL = "bench-review@rakor.test"
OTHER_MEETING_CODE = "rakor2023-bench"
SEARCH_WORD = "lansia"
WARMUP_REQUESTS = 3  # per kind, checked, before the measured ones
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
STATUS_WEIGHTS = {"received": 42, "accepted": 25, "follow_up": 13, "declined": 10, "merged": 10}
TITLE_VARIANTS = ("{title}", "{title}", "{title} (RW {rw:02d})", "Lanjutan: {title}")


# --- the data -----------------------------------------------------------------------------


def add_meeting_inputs(engine: Engine, inputs: int, other_inputs: int, seed: int) -> dict:
    """Top the demo meeting up to `inputs`, add another meeting; what the pages must show."""
    rng = random.Random(seed)
    tables = MetaData()
    tables.reflect(engine, only=["meeting", "meeting_pillar", "submission", "user", "pillar"])
    meeting, submission = tables.tables["meeting"], tables.tables["submission"]
    meeting_pillar = tables.tables["meeting_pillar"]
    with engine.begin() as connection:
        demo = (
            connection.execute(select(meeting).where(meeting.c.code == DEMO_MEETING_CODE))
            .one()
            ._asdict()
        )
        templates = [
            row._asdict()
            for row in connection.execute(
                select(submission).where(submission.c.meeting_id == demo["id"])
            )
        ]
        staff_id = connection.scalar(
            select(tables.tables["user"].c.id).where(tables.tables["user"].c.email == STAFF_EMAIL)
        )
        pillars = list(connection.scalars(select(tables.tables["pillar"].c.id)))
        receipts = set(connection.scalars(select(submission.c.receipt_code)))
        other = {
            **{k: v for k, v in demo.items() if k != "id"},
            "code": OTHER_MEETING_CODE,
            "title": "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2023",
            "date": demo["date"].replace(year=demo["date"].year - 1),
            "status": "closed",
        }
        other_id = connection.execute(insert(meeting).returning(meeting.c.id), other).scalar_one()
        connection.execute(
            insert(meeting_pillar),
            [{"meeting_id": other_id, "pillar_id": pillar} for pillar in pillars],
        )

    def receipt() -> str:
        while (code := "".join(rng.choices(RECEIPT_ALPHABET, k=8))) in receipts:
            pass
        receipts.add(code)
        return code

    def new_rows(meeting_id: int, count: int, prefix: str) -> list[dict]:
        start = min(t["submitted_at"] for t in templates)
        rows = []
        for n in range(count):
            row = dict(rng.choice(templates))
            del row["id"]
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            decided = status in ("accepted", "follow_up", "declined")
            submitted_at = start + timedelta(seconds=rng.uniform(0, 8 * 3600))
            row.update(
                meeting_id=meeting_id,
                receipt_code=receipt(),
                idempotency_key=f"{prefix}-{n:06d}",
                title=rng.choice(TITLE_VARIANTS).format(title=row["title"], rw=rng.randint(1, 12)),
                submitted_at=submitted_at,
                status=status,
                decision_reason="Dibahas dalam rapat." if decided else "",
                decided_at=submitted_at + timedelta(hours=2) if decided else None,
                decided_by_id=staff_id if decided else None,
                merged_into_id=None,
            )
            if status != "follow_up":
                row["responsible_agency_id"] = None
            if rng.random() < 0.17:  # moved to another pillar during review
                row["pillar_id"] = rng.choice(pillars)
            rows.append(row)
        return rows

    def insert_rows(rows: list[dict]) -> None:
        """The unmerged inputs first, then those merged into them (two per group on average)."""
        primaries = [row for row in rows if row["status"] != "merged"]
        merged = [row for row in rows if row["status"] == "merged"]
        with engine.begin() as connection:
            connection.execute(insert(submission), primaries)
            keys = [row["idempotency_key"] for row in rng.sample(primaries, len(merged) // 2 + 1)]
            ids = list(
                connection.scalars(
                    select(submission.c.id).where(submission.c.idempotency_key.in_(keys))
                )
            )
            for row in merged:
                row["merged_into_id"] = rng.choice(ids)
            if merged:
                connection.execute(insert(submission), merged)

    mine = templates + new_rows(demo["id"], inputs - len(templates), "bench")
    insert_rows(mine[len(templates) :])
    insert_rows(new_rows(other_id, other_inputs, "bench-other"))
    if engine.dialect.name == "postgresql":
        # What autovacuum would do after such a load, before anyone opened the queue.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))

    pillar = rng.choice(pillars)

    def matches_search(row: dict) -> bool:
        words = (row["title"], row["description"], row["submitter_name"], row["organisation"])
        return any(SEARCH_WORD in (word or "").lower() for word in words)

    return {
        "meeting_id": demo["id"],
        "pillar_id": pillar,
        "expected": {
            "total": len(mine),
            "received": sum(row["status"] == "received" for row in mine),
            "pillar": sum(row["pillar_id"] == pillar for row in mine),
            "search": sum(matches_search(row) for row in mine),
        },
    }


# --- the requests -------------------------------------------------------------------------


def request_kinds(data: dict) -> list[dict]:
    """Every measured request: its name, path, and what the page must say. Baseline first."""
    queue = f"/admin/meetings/{data['meeting_id']}/inputs"
    live = f"/admin/meetings/{data['meeting_id']}/live"
    expected = data["expected"]
    return [
        {"name": "healthz", "path": "/healthz", "check": "healthz"},
        {"name": "queue", "path": queue, "total": expected["total"]},
        {"name": "queue page 100", "path": f"{queue}?page=100", "total": expected["total"]},
        {"name": "queue status", "path": f"{queue}?status=received", "total": expected["received"]},
        {
            "name": "queue pillar, by title",
            "path": f"{queue}?pillar={data['pillar_id']}&sort=title",
            "total": expected["pillar"],
        },
        {"name": "queue search", "path": f"{queue}?q={SEARCH_WORD}", "total": expected["search"]},
        {"name": "live", "path": live, "check": "live", "total": expected["total"]},
        {"name": "live.json", "path": f"{live}.json", "check": "json", "total": expected["total"]},
    ]


RESULT_COUNT = re.compile(r'id="result-count">\s*([\d.,]+) masukan', re.S)
LIVE_TOTAL = re.compile(r"data-live-total>([\d.,]+)<")


def number(text: str | None) -> int | None:
    return int(re.sub(r"\D", "", text)) if text else None


def problem_with(kind: dict, status: int, body: str) -> str | None:
    """None when the answer is what the request must give, else what is wrong."""
    if status != 200:
        return f"status {status}"
    check = kind.get("check", "queue")
    if check == "healthz":
        return None if '"ok"' in body else "healthz not ok"
    if check == "json":
        total = json.loads(body).get("total")
    else:
        found = (LIVE_TOTAL if check == "live" else RESULT_COUNT).search(body)
        total = number(found.group(1)) if found else None
    if total != kind["total"]:
        return f"total {total}, not {kind['total']}"
    if check == "queue":
        page = (
            int(re.search(r"page=(\d+)", kind["path"]).group(1)) if "page=" in kind["path"] else 1
        )
        rows = max(0, min(PAGE_SIZE, kind["total"] - (page - 1) * PAGE_SIZE))
        if body.count('<td class="code">') != rows:
            return f"not {rows} rows on page {page}"
    return None


def schedule(kinds: list[dict], rounds: int, seed: int) -> list[dict]:
    """Every kind `rounds` times, interleaved: rounds of all kinds, each round shuffled."""
    rng = random.Random(seed)
    order = []
    for _ in range(rounds):
        batch = list(kinds)
        rng.shuffle(batch)
        order += batch
    return order


def percentiles(samples: list[float]) -> dict:
    """Nearest-rank p50/p95/p99 and the maximum, in milliseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}

    def rank(q: float) -> float:
        return round(ordered[max(1, math.ceil(q * len(ordered))) - 1], 1)

    return {
        "n": len(ordered),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": round(ordered[-1], 1),
    }


def measure(get, kinds: list[dict], rounds: int, seed: int) -> dict:
    """Time `get(path) -> (status, body)` for every kind; checked warm-up requests first."""
    for kind in kinds:
        for _ in range(WARMUP_REQUESTS):
            if problem := problem_with(kind, *get(kind["path"])):
                raise RuntimeError(f"{kind['name']}: {problem}")
    times: dict[str, list[float]] = {kind["name"]: [] for kind in kinds}
    cpu_times: dict[str, list[float]] = {kind["name"]: [] for kind in kinds}
    errors = []
    for kind in schedule(kinds, rounds, seed):
        started, cpu_started = time.perf_counter(), time.thread_time()
        status, _body = get(kind["path"])
        elapsed = (time.perf_counter() - started) * 1000
        if status == 200:
            times[kind["name"]].append(elapsed)
            cpu_times[kind["name"]].append((time.thread_time() - cpu_started) * 1000)
        else:
            errors.append(f"{kind['name']}: status {status}")
    return {
        "by_kind": {name: percentiles(values) for name, values in times.items()},
        # The CPU this thread spent: in-process, the app's own work (SQLite's included,
        # PostgreSQL's not), whatever else the machine runs; over HTTP, the client's.
        "cpu_by_kind": {name: percentiles(values) for name, values in cpu_times.items()},
        "errors": errors[:20],
        "error_count": len(errors),
    }


def in_process_child(spec_path: Path) -> int:
    """In a child whose environment names the database: time the app's views themselves."""
    spec = json.loads(spec_path.read_text())
    sys.path.insert(0, str(ROOT))
    from app import create_app

    client = create_app().test_client()
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "email": STAFF_EMAIL, "password": spec["password"]}
    if client.post("/login", data=form).status_code != 302:
        raise SystemExit("in-process sign-in failed")

    def get(path: str) -> tuple[int, str]:
        response = client.get(path)
        return response.status_code, response.get_data(as_text=True)

    result = measure(get, spec["kinds"], spec["rounds"], spec["seed"])
    Path(spec["out"]).write_text(json.dumps(result))
    return 0


def in_process(env: dict[str, str], spec: dict, folder: Path) -> dict:
    spec_path, out = folder / "in-process.json", folder / "in-process-result.json"
    spec_path.write_text(json.dumps({**spec, "out": str(out)}))
    command = [sys.executable, str(Path(__file__).resolve()), "--in-process-child", str(spec_path)]
    log = folder / "in-process.log"  # the app's request log, as under gunicorn
    with log.open("w") as stderr:
        done = subprocess.run(command, cwd=ROOT, env=env, stderr=stderr, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError("the in-process run failed:\n" + log.read_text()[-3000:])
    return json.loads(out.read_text())


def over_http(env: dict[str, str], spec: dict, folder: Path) -> dict:
    with Gunicorn(env, folder / "gunicorn.log") as server, requests.Session() as session:
        page = session.get(f"{server.base_url}/login", timeout=30)
        form = {
            "csrf_token": CSRF_FIELD.search(page.text).group(1),
            "email": STAFF_EMAIL,
            "password": spec["password"],
        }
        signed_in = session.post(
            f"{server.base_url}/login", data=form, allow_redirects=False, timeout=30
        )
        if signed_in.status_code != 302:
            raise RuntimeError(f"sign-in over HTTP answered {signed_in.status_code}")

        def get(path: str) -> tuple[int, str]:
            response = session.get(server.base_url + path, timeout=30)
            return response.status_code, response.text

        return measure(get, spec["kinds"], spec["rounds"], spec["seed"])


# --- one database, and the report ---------------------------------------------------------


def bench_database(database: str, args, folder: Path) -> dict:
    url = fresh_sqlite(folder) if database == "sqlite" else fresh_postgres(args.pg_url)
    env = app_environment(url)
    password = os.urandom(12).hex()
    print(f"[{database}] loading {make_url(url).render_as_string(hide_password=True)}", flush=True)
    load_demo_data(env)
    create_user(env, STAFF_EMAIL, "Sekretariat (uji beban)", "secretariat", password)
    engine = create_engine(url)
    try:
        loaded = time.perf_counter()
        data = add_meeting_inputs(engine, args.inputs, args.other_inputs, args.seed)
        print(f"[{database}] inputs added in {time.perf_counter() - loaded:.1f} s", flush=True)
    finally:
        engine.dispose()
    spec = {
        "password": password,
        "kinds": request_kinds(data),
        "rounds": args.requests,
        "seed": args.seed,
    }
    run = {"database": database, "data": data, "load_average_before": os.getloadavg()}
    run["in_process"] = in_process(env, spec, folder)
    if args.http:
        run["http"] = over_http(env, spec, folder)
    run["load_average_after"] = os.getloadavg()
    if database == "postgres" and not args.keep:
        drop_postgres(url)
    return run


def print_table(runs: list[dict]) -> None:
    http = any("http" in run for run in runs)
    header = (
        f"{'db':<9}{'request':<24}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'p95 x healthz':>15}{'CPU p95':>9}"
    )
    print("\nserver time (in-process, app.test_client())" + (", then HTTP p95" if http else ""))
    print(header + (f"{'HTTP p95':>10}" if http else ""))
    for run in runs:
        by_kind = run["in_process"]["by_kind"]
        base = by_kind["healthz"]["p95_ms"]
        for name, figures in by_kind.items():
            cpu = run["in_process"]["cpu_by_kind"][name]["p95_ms"]
            line = (
                f"{run['database']:<9}{name:<24}{figures['p50_ms']:>8.1f}{figures['p95_ms']:>8.1f}"
                f"{figures['p99_ms']:>8.1f}{figures['p95_ms'] / base:>15.1f}{cpu:>9.1f}"
            )
            if "http" in run:
                line += f"{run['http']['by_kind'][name]['p95_ms']:>10.1f}"
            print(line)


def missed_targets(run: dict) -> list[str]:
    missed = [
        f"{run['database']} {name}: p95 {figures['p95_ms']} ms > {TARGET_P95_MS:g} ms"
        for name, figures in run["in_process"]["by_kind"].items()
        if figures["p95_ms"] > TARGET_P95_MS
    ]
    for phase in ("in_process", "http"):
        if run.get(phase, {}).get("error_count"):
            missed.append(f"{run['database']} {phase}: {run[phase]['errors'][:3]}")
    return missed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per kind")
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs in the measured meeting")
    parser.add_argument("--other-inputs", type=int, default=3_000, help="inputs in another meeting")
    parser.add_argument("--http", action="store_true", help="also measure over HTTP (gunicorn)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--in-process-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 20 <= args.requests <= 5_000:
        parser.error("--requests must be between 20 and 5000")
    if not 200 <= args.inputs <= 200_000 or not 0 <= args.other_inputs <= 200_000:
        parser.error("--inputs must be between 200 and 200000, --other-inputs at most 200000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.in_process_child:
        return in_process_child(args.in_process_child)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="rakor-review-bench-") as folder:
        runs = [bench_database(database, args, Path(folder)) for database in databases]
    print_table(runs)
    missed = [message for run in runs for message in missed_targets(run)]
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/review_load.py", *sys.argv[1:]]),
        "machine": machine(),
        "target_p95_ms": TARGET_P95_MS,
        "settings": {k: v for k, v in vars(args).items() if k != "in_process_child"},
        "runs": runs,
        "missed_targets": missed,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"review-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nresults: {out.relative_to(ROOT)}")
    if missed:
        print("TARGET MISSED:\n  " + "\n  ".join(missed))
        return 1
    print(f"every p95 server time at most {TARGET_P95_MS:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
