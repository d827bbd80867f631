"""Follow-up register with 50,000 follow-ups over ten meetings: p95 server time beside /healthz.

    .venv/bin/python bench/follow_ups_register.py [--db sqlite|postgres|both] [--requests 200]
        [--follow-ups 50000] [--xlsx-requests 20] [--queries] [--http] [--pg-url URL]

For each database it builds a fresh one (a SQLite file in a temporary folder, or
the PostgreSQL database `rakor_bench_follow_ups`, dropped and created again, so a
second run at the same time needs a `--pg-url` of its own),
loads it with the real CLI (`db upgrade`, `seed`, `demo`, `users create` for a
secretariat account), then adds five agencies (25 in all), ten meetings a year
apart, inputs in them, and `--follow-ups` follow-ups spread over the meetings
and agencies (a few agencies carry far more than others): deadlines from a month
to a year and a half after their meeting (some past, so overdue while still
awaited), every status and percent, about half of them from an input (so the
input's pillar), and about 1.5 progress reports each, the latest of which the
follow-up repeats, as app/follow_ups/progress.py keeps it. The rows go in with
bulk inserts, a chunk at a time. A focal point account of the busiest agency is
made with the app's own `create_account` (the CLI makes no focal point: it names
no agency), in a child process with the app's configuration.

Server time is measured in-process: a child process with the app's production
configuration signs the secretariat account and the focal point in through
`app.test_client()` and times each request, the view, its queries and its
template, without sockets or a load client. `--http` also measures the same
requests over HTTP (a `requests` session each, one request at a time) against
gunicorn with deploy/gunicorn.conf.py. The requests are interleaved (rounds of
every kind, shuffled), so whatever else the machine does weighs on all alike,
and GET /healthz (one `SELECT 1`) is measured the same way in the same run as
the baseline. The XLSX export of one agency's follow-ups (a few thousand rows)
is a file, not a page: it runs in `--xlsx-requests` of the rounds, is reported
on its own line and has no target.

`--queries` then times each page's two queries alone (the counts per status and
the page's rows, built by app/follow_ups/register.py as the view builds them), so
a slow page shows whether its time goes to the database or to the template.

Every request is checked once first: status 200, and the register must report
the number of matching follow-ups counted here with SQL of this script's own
(the workbook: that many rows), and show as many rows as the page should hold.

Prints a table (per request: p50, p95 and p99 server time, the p95 as a multiple
of /healthz's, and the p95 of the CPU time the app spent on it in-process),
writes bench/results/follow-ups-<timestamp>.json, and exits 1 when a register
page's p95 server time is above TARGET_P95_MS or a request failed.
"""

import argparse
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import MetaData, and_, bindparam, create_engine, func, insert, not_, select, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    CSRF_FIELD,
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

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench_follow_ups"
TARGET_P95_MS = 100.0
PAGE_SIZE = 50  # the register's page size, repeated: the check must not trust the app
DEEP_PAGE = 200
STAFF_EMAIL = "bench-follow-ups@rakor.test"
FOCAL_EMAIL = "bench-focal@rakor.test"
WARMUP_REQUESTS = 3  # per kind, checked, before the measured ones
QUERY_REPEATS = 30  # per query, with --queries
CHUNK = 5_000  # rows per bulk insert
MEETINGS = 10
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Where the meetings are held: "today" and "overdue" are the register's, in WIB.
MEETING_ZONE = ZoneInfo("Asia/Jakarta")
CLOSED = ("done", "cancelled")  # app/domain.py CLOSED_FOLLOW_UP_STATUSES, repeated

# Agencies the seed does not have (25 in all with its 20).
EXTRA_AGENCIES = [
    ("RSUD Bendan", "Rumah Sakit Umum Daerah Bendan"),
    ("Kec. Pekalongan Barat", "Kecamatan Pekalongan Barat"),
    ("Kec. Pekalongan Timur", "Kecamatan Pekalongan Timur"),
    ("Kec. Pekalongan Utara", "Kecamatan Pekalongan Utara"),
    ("Kec. Pekalongan Selatan", "Kecamatan Pekalongan Selatan"),
]
# The busiest agency (the focal point's, and the one filtered and exported) gets this
# weight against 1 to 6 for the others: a few thousand of 50,000 follow-ups.
BUSY_AGENCY = "Dinsos P2KB"
BUSY_WEIGHT = 8
ACTION_VARIANTS = ("{action}", "{action}", "{action} (tahap {n})", "Lanjutan: {action}")
NOTES = (
    "Sudah dikoordinasikan dengan kelurahan.",
    "Anggaran diusulkan dalam APBD Perubahan.",
    "Pendataan sasaran selesai; pelaksanaan menunggu pencairan.",
    "Kegiatan berjalan sesuai jadwal.",
    "Terkendala cuaca; dilanjutkan bulan depan.",
    "",
)
# (final status, weight): once the deadline has passed, most work is done or dropped.
STATUSES_PAST = {"done": 55, "cancelled": 12, "in_progress": 22, "open": 11}
STATUSES_FUTURE = {"done": 15, "cancelled": 3, "in_progress": 50, "open": 32}
# How many reports before the final one: with an open follow-up mostly none at all.
REPORTS_OPEN = {0: 75, 1: 25}
REPORTS_STARTED = {1: 45, 2: 35, 3: 15, 4: 5}


# --- the data -----------------------------------------------------------------------------


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def add_follow_ups(engine: Engine, count: int, seed: int, today: date) -> dict:
    """Agencies, ten meetings, their inputs, `count` follow-ups and their progress reports."""
    rng = random.Random(seed)
    tables = MetaData()
    tables.reflect(
        engine,
        only=[
            "agency",
            "meeting",
            "meeting_pillar",
            "submission",
            "user",
            "pillar",
            "follow_up",
            "follow_up_progress",
        ],
    )
    agency, meeting = tables.tables["agency"], tables.tables["meeting"]
    submission, follow_up = tables.tables["submission"], tables.tables["follow_up"]
    progress = tables.tables["follow_up_progress"]
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(agency),
            [{"abbreviation": a, "name": n, "active": True} for a, n in EXTRA_AGENCIES],
        )
        agencies = dict(connection.execute(select(agency.c.abbreviation, agency.c.id)).all())
        pillars = list(connection.scalars(select(tables.tables["pillar"].c.id)))
        staff_id = connection.scalar(
            select(tables.tables["user"].c.id).where(tables.tables["user"].c.email == STAFF_EMAIL)
        )
        demo = connection.execute(select(meeting).order_by(meeting.c.date.desc())).first()._asdict()
        templates = [row._asdict() for row in connection.execute(select(submission))]
        actions = list(connection.scalars(select(follow_up.c.action)))
        receipts = set(connection.scalars(select(submission.c.receipt_code)))
        # A meeting each February, the last one already held.
        last_year = today.year if date(today.year, 2, 6) < today else today.year - 1
        meetings = []
        for year in range(last_year - MEETINGS + 1, last_year + 1):
            row = {k: v for k, v in demo.items() if k != "id"}
            row.update(
                code=f"rakor{year}-tl",
                title=f"Rapat Koordinasi Penanggulangan Kemiskinan Tahun {year} (uji register)",
                date=date(year, 2, 6),
                status="closed",
                created_at=now,
                updated_at=now,
            )
            meeting_id = connection.execute(
                insert(meeting).returning(meeting.c.id), row
            ).scalar_one()
            meetings.append({"id": meeting_id, "date": row["date"], "year": year})
        connection.execute(
            insert(tables.tables["meeting_pillar"]),
            [{"meeting_id": m["id"], "pillar_id": p} for m in meetings for p in pillars],
        )

    def receipt() -> str:
        while (code := "".join(rng.choices(RECEIPT_ALPHABET, k=8))) in receipts:
            pass
        receipts.add(code)
        return code

    # Inputs the follow-ups come from: one for every two follow-ups that have one.
    inputs_per_meeting = max(1, count // MEETINGS // 4)
    input_rows = []
    for m in meetings:
        for n in range(inputs_per_meeting):
            row = dict(rng.choice(templates))
            del row["id"]
            submitted_at = datetime(m["year"], 2, 6, 2, tzinfo=UTC) + timedelta(
                seconds=rng.uniform(-7 * 86400, 5 * 3600)
            )
            pillar = rng.choice(pillars)
            row.update(
                meeting_id=m["id"],
                receipt_code=receipt(),
                idempotency_key=f"bench-tl-{n:06d}",
                submitted_at=submitted_at,
                pillar_id=pillar,
                submitted_pillar_id=pillar,
                status="follow_up",
                decision_reason="Dibahas dalam rapat.",
                decided_at=submitted_at + timedelta(hours=3),
                decided_by_id=staff_id,
                merged_into_id=None,
                responsible_agency_id=rng.choice(list(agencies.values())),
            )
            input_rows.append(row)
    with engine.begin() as connection:
        for start in range(0, len(input_rows), CHUNK):
            connection.execute(insert(submission), input_rows[start : start + CHUNK])
        inputs_of: dict[int, list[int]] = {m["id"]: [] for m in meetings}
        for input_id, meeting_id in connection.execute(
            select(submission.c.id, submission.c.meeting_id).where(
                submission.c.meeting_id.in_(list(inputs_of))
            )
        ):
            inputs_of[meeting_id].append(input_id)

    agency_weights = {
        agency_id: BUSY_WEIGHT if abbreviation == BUSY_AGENCY else rng.randint(1, 6)
        for abbreviation, agency_id in agencies.items()
    }
    follow_up_rows, reports = [], []
    for n in range(count):
        m = meetings[n % MEETINGS]
        deadline = m["date"] + timedelta(days=rng.randint(30, 540))
        if rng.random() < 0.04:
            deadline = None  # no deadline agreed: never overdue
        past = deadline is not None and deadline < today
        final = pick(rng, STATUSES_PAST if past else STATUSES_FUTURE)
        entries = pick(rng, REPORTS_OPEN if final == "open" else REPORTS_STARTED)
        # Reports come in from the meeting until a year past the deadline, never later
        # than today.
        until = min(today, (deadline or m["date"] + timedelta(days=365)) + timedelta(days=365))
        days = (until - m["date"]).days
        on = sorted(m["date"] + timedelta(days=rng.randint(0, days)) for _ in range(entries))
        steps = sorted(rng.sample(range(1, 100), entries))
        history = []
        for i, day in enumerate(on):
            last = i == entries - 1
            status = final if last else ("open" if i == 0 and rng.random() < 0.2 else "in_progress")
            # The rules of progress.check_report: open is 0 %, done 100 %, work going on
            # below 100 % (and rising); a cancelled follow-up keeps how far it got.
            if status == "cancelled":
                percent = history[-1]["percent"] if history else 0
            else:
                percent = {"open": 0, "done": 100}.get(status, steps[i])
            history.append(
                {
                    "reported_on": day,
                    "status": status,
                    "percent": percent,
                    "note": rng.choice(NOTES),
                    "channel": rng.choice(("staff", "xlsx")),
                    "user_id": staff_id,
                    "idempotency_key": f"bench-{n}-{i}",
                    "evidence_type": "",
                    "evidence_name": "",
                    "evidence_sha256": "",
                    "created_at": datetime.combine(day, datetime.min.time(), UTC)
                    + timedelta(hours=3),
                }
            )
        latest = history[-1] if history else None
        source = rng.choice(inputs_of[m["id"]]) if rng.random() < 0.5 else None
        created = datetime.combine(m["date"], datetime.min.time(), UTC) + timedelta(hours=5)
        follow_up_rows.append(
            {
                "meeting_id": m["id"],
                "submission_id": source,
                "action": rng.choice(ACTION_VARIANTS).format(
                    action=rng.choice(actions), n=rng.randint(2, 4)
                ),
                "agency_id": pick(rng, agency_weights),
                "deadline": deadline,
                "status": latest["status"] if latest else "open",
                "percent": latest["percent"] if latest else 0,
                "progress_note": latest["note"] if latest else "",
                "reported_on": latest["reported_on"] if latest else None,
                "created_at": created,
                "updated_at": latest["created_at"] if latest else created,
            }
        )
        reports.append(history)

    with engine.begin() as connection:
        for start in range(0, count, CHUNK):
            rows = follow_up_rows[start : start + CHUNK]
            ids = connection.scalars(
                insert(follow_up).returning(follow_up.c.id, sort_by_parameter_order=True), rows
            ).all()
            entries = [
                {**entry, "follow_up_id": follow_up_id}
                for follow_up_id, history in zip(ids, reports[start : start + CHUNK], strict=True)
                for entry in history
            ]
            if entries:
                connection.execute(insert(progress), entries)
    if engine.dialect.name == "postgresql":
        # What autovacuum would do after such a load, before anyone opened the register.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # Since PostgreSQL 13 autovacuum also vacuums a table after many inserts, which
            # sets the visibility map that index-only scans rely on.
            connection.execute(text("VACUUM ANALYZE"))

    busy = agencies[BUSY_AGENCY]
    middle = meetings[MEETINGS // 2]
    pillar = rng.choice(pillars)
    return {
        "today": today.isoformat(),
        "follow_ups": count,
        "progress_entries": sum(len(history) for history in reports),
        "inputs": len(input_rows),
        "agencies": len(agencies),
        "meeting_ids": [m["id"] for m in meetings],
        "agency_id": busy,
        "meeting_id": middle["id"],
        "year": middle["year"],
        "pillar_id": pillar,
        "status": "in_progress",
    }


def expected_counts(engine: Engine, data: dict) -> dict:
    """How many follow-ups each filter must find, counted with this script's own SQL."""
    tables = MetaData()
    tables.reflect(engine, only=["follow_up", "meeting", "submission"])
    follow_up, meeting = tables.tables["follow_up"], tables.tables["meeting"]
    submission = tables.tables["submission"]
    today = date.fromisoformat(data["today"])
    overdue = and_(
        follow_up.c.deadline.is_not(None),
        follow_up.c.deadline < today,
        not_(follow_up.c.status.in_(CLOSED)),
    )
    agency = follow_up.c.agency_id == data["agency_id"]
    status = follow_up.c.status == data["status"]
    conditions = {
        "total": [],
        "agency": [agency],
        "status": [status],
        "overdue": [overdue],
        "meeting": [follow_up.c.meeting_id == data["meeting_id"]],
        "year": [
            follow_up.c.meeting_id.in_(
                select(meeting.c.id).where(
                    meeting.c.date >= date(data["year"], 1, 1),
                    meeting.c.date < date(data["year"] + 1, 1, 1),
                )
            )
        ],
        "pillar": [
            follow_up.c.submission_id.in_(
                select(submission.c.id).where(submission.c.pillar_id == data["pillar_id"])
            )
        ],
        "combined": [agency, status, overdue],
    }
    with engine.connect() as connection:
        counts = {
            name: connection.scalar(select(func.count()).select_from(follow_up).where(*where))
            for name, where in conditions.items()
        }
    if not all(counts.values()):
        raise RuntimeError(f"a filter finds nothing, the data is wrong: {counts}")
    return counts


# --- the requests -------------------------------------------------------------------------


def request_kinds(data: dict, expected: dict) -> list[dict]:
    """Every measured request: its name, path, who asks, and what the page must say.

    Baseline first; the XLSX export last, flagged as a file."""
    register = "/admin/follow-ups"
    agency = f"agency={data['agency_id']}"
    status = f"status={data['status']}"
    return [
        {"name": "healthz", "path": "/healthz", "check": "healthz"},
        {"name": "register", "path": register, "total": expected["total"]},
        {"name": "agency", "path": f"{register}?{agency}", "total": expected["agency"]},
        {"name": "status", "path": f"{register}?{status}", "total": expected["status"]},
        {"name": "overdue", "path": f"{register}?overdue=1", "total": expected["overdue"]},
        {
            "name": "meeting",
            "path": f"{register}?meeting={data['meeting_id']}",
            "total": expected["meeting"],
        },
        {"name": "year", "path": f"{register}?year={data['year']}", "total": expected["year"]},
        {
            "name": "pillar",
            "path": f"{register}?pillar={data['pillar_id']}",
            "total": expected["pillar"],
        },
        {
            "name": "agency+status+overdue",
            "path": f"{register}?{agency}&{status}&overdue=1",
            "total": expected["combined"],
        },
        {
            "name": f"page {DEEP_PAGE}",
            "path": f"{register}?page={DEEP_PAGE}",
            "total": expected["total"],
            "page": DEEP_PAGE,
        },
        {
            "name": "focal point",
            "path": register,
            "as": "focal",
            "total": expected["agency"],
            "only_agency": data["agency_id"],
        },
        {
            "name": "xlsx, one agency",
            "path": f"{register.removesuffix('/')}.xlsx?{agency}",
            "check": "xlsx",
            "file": True,
            "total": expected["agency"],
        },
    ]


RESULT_COUNT = re.compile(r'id="result-count">\s*([\d.,]+) tindak lanjut', re.S)
# A row of the register links to its follow-up's page (the pagination and the export do not).
ROW_LINK = re.compile(r'href="/admin/follow-ups/(\d+)"')


def number(text: str | None) -> int | None:
    return int(re.sub(r"\D", "", text)) if text else None


def workbook_rows(content: bytes) -> int:
    """The follow-ups in an exported workbook: the rows of its first sheet under the header."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return sum(1 for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) if row[0])
    finally:
        book.close()


def problem_with(kind: dict, status: int, body: bytes) -> str | None:
    """None when the answer is what the request must give, else what is wrong."""
    if status != 200:
        return f"status {status}"
    check = kind.get("check", "register")
    if check == "healthz":
        return None if b'"ok"' in body else "healthz not ok"
    if check == "xlsx":
        if not body.startswith(b"PK"):
            return "not an XLSX file"
        rows = workbook_rows(body)
        return None if rows == kind["total"] else f"{rows} rows, not {kind['total']}"
    page_text = body.decode()
    found = RESULT_COUNT.search(page_text)
    total = number(found.group(1)) if found else None
    if total != kind["total"]:
        return f"total {total}, not {kind['total']}"
    page = kind.get("page", 1)
    rows = max(0, min(PAGE_SIZE, kind["total"] - (page - 1) * PAGE_SIZE))
    shown = len(set(ROW_LINK.findall(page_text)))
    if shown != rows:
        return f"{shown} rows on page {page}, not {rows}"
    return None


# Copied from bench/review_load.py (not in common.py): the schedule and the percentiles.
def schedule(kinds: list[dict], rounds: int, file_rounds: int, seed: int) -> list[dict]:
    """Every kind `rounds` times, interleaved: rounds of all kinds, each round shuffled; a
    file only in `file_rounds` of them, spread evenly."""
    rng = random.Random(seed)
    every = max(1, rounds // max(1, file_rounds))
    order = []
    for number_ in range(rounds):
        batch = [k for k in kinds if not k.get("file") or number_ % every == 0]
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


def agencies_lookup(database_url: str):
    """`agencies_of(follow_up_ids) -> {agency_id}`, read from the database directly."""
    engine = create_engine(database_url)

    def agencies_of(ids: list[int]) -> set[int]:
        with engine.connect() as connection:
            query = text("SELECT DISTINCT agency_id FROM follow_up WHERE id IN :ids")
            return set(
                connection.scalars(query.bindparams(bindparam("ids", expanding=True)), {"ids": ids})
            )

    return agencies_of


def measure(get, kinds: list[dict], rounds: int, file_rounds: int, seed: int, agencies_of) -> dict:
    """Time `get(kind) -> (status, body)` for every kind; checked warm-up requests first
    (a focal point's page must list its own agency's follow-ups only)."""
    for kind in kinds:
        for _ in range(1 if kind.get("file") else WARMUP_REQUESTS):
            status, body = get(kind)
            if problem := problem_with(kind, status, body):
                raise RuntimeError(f"{kind['name']}: {problem}")
            if "only_agency" in kind:
                shown = agencies_of([int(i) for i in ROW_LINK.findall(body.decode())])
                if shown != {kind["only_agency"]}:
                    raise RuntimeError(f"{kind['name']}: follow-ups of the agencies {shown}")
    times: dict[str, list[float]] = {kind["name"]: [] for kind in kinds}
    cpu_times: dict[str, list[float]] = {kind["name"]: [] for kind in kinds}
    errors = []
    for kind in schedule(kinds, rounds, file_rounds, seed):
        started, cpu_started = time.perf_counter(), time.thread_time()
        status, _body = get(kind)
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


def focal_account_child(spec_path: Path) -> int:
    """In a child with the app's environment: the focal point account, as an admin makes it."""
    spec = json.loads(spec_path.read_text())
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.users.services import create_account

    with create_app().app_context():
        create_account(
            None,
            email=FOCAL_EMAIL,
            name="Focal Point (uji register)",
            role="focal",
            password=spec["password"],
            agency_id=spec["agency_id"],
        )
    return 0


def make_focal_account(env: dict[str, str], agency_id: int, password: str, folder: Path) -> None:
    spec_path = folder / "focal.json"
    spec_path.write_text(json.dumps({"agency_id": agency_id, "password": password}))
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--focal-account-child",
        str(spec_path),
    ]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError("making the focal point account failed:\n" + done.stderr[-3000:])


def in_process_child(spec_path: Path) -> int:
    """In a child whose environment names the database: time the app's views themselves."""
    spec = json.loads(spec_path.read_text())
    sys.path.insert(0, str(ROOT))
    from app import create_app

    app = create_app()
    clients = {}
    for who, email in (("staff", STAFF_EMAIL), ("focal", FOCAL_EMAIL)):
        client = app.test_client()
        token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
        form = {"csrf_token": token, "email": email, "password": spec["password"]}
        if client.post("/login", data=form).status_code != 302:
            raise SystemExit(f"in-process sign-in of {email} failed")
        clients[who] = client

    def get(kind: dict) -> tuple[int, bytes]:
        response = clients[kind.get("as", "staff")].get(kind["path"])
        return response.status_code, response.get_data()

    agencies_of = agencies_lookup(os.environ["DATABASE_URL"])
    result = measure(
        get, spec["kinds"], spec["rounds"], spec["file_rounds"], spec["seed"], agencies_of
    )
    if spec["queries"]:
        result["queries"] = query_times(app, spec["kinds"], spec["focal_agency_id"])
    Path(spec["out"]).write_text(json.dumps(result))
    return 0


def query_times(app, kinds: list[dict], focal_agency_id: int) -> dict:
    """Each register page's two queries, built by app/follow_ups/register.py as the view
    builds them, timed alone and fully fetched: where a slow page's time goes."""
    from werkzeug.datastructures import MultiDict

    from app.extensions import db
    from app.follow_ups import register as queries
    from app.i18n import local_today

    times = {}
    with app.test_request_context():
        today = local_today()
        for kind in kinds:
            if kind.get("check") in ("healthz", "xlsx"):
                continue
            args = MultiDict(parse_qsl(urlsplit(kind["path"]).query))
            scope = focal_agency_id if kind.get("as") == "focal" else None
            filters = queries.RegisterFilters.from_args(args, scope=scope)
            statements = {
                "counts": queries.counts_query(filters, today),
                "rows": queries.page_query(filters, today, queries.page_number(args)),
            }
            times[kind["name"]] = {}
            for name, statement in statements.items():
                samples = []
                for attempt in range(QUERY_REPEATS + 2):  # the first two warm the caches
                    started = time.perf_counter()
                    db.session.execute(statement).all()
                    if attempt >= 2:
                        samples.append((time.perf_counter() - started) * 1000)
                times[kind["name"]][name] = percentiles(samples)
            db.session.rollback()
    return times


def in_process(env: dict[str, str], spec: dict, folder: Path) -> dict:
    spec_path, out = folder / "in-process.json", folder / "in-process-result.json"
    spec_path.write_text(json.dumps({**spec, "out": str(out)}))
    command = [sys.executable, str(Path(__file__).resolve()), "--in-process-child", str(spec_path)]
    log = folder / "in-process.log"  # the app's request log, as under gunicorn
    with log.open("w") as stderr:
        done = subprocess.run(command, cwd=ROOT, env=env, stderr=stderr, timeout=3600, check=False)
    if done.returncode != 0:
        raise RuntimeError("the in-process run failed:\n" + log.read_text()[-3000:])
    return json.loads(out.read_text())


def over_http(env: dict[str, str], spec: dict, folder: Path) -> dict:
    with Gunicorn(env, folder / "gunicorn.log") as server:
        sessions = {}
        for who, email in (("staff", STAFF_EMAIL), ("focal", FOCAL_EMAIL)):
            session = sessions[who] = requests.Session()
            page = session.get(f"{server.base_url}/login", timeout=30)
            form = {
                "csrf_token": CSRF_FIELD.search(page.text).group(1),
                "email": email,
                "password": spec["password"],
            }
            signed_in = session.post(
                f"{server.base_url}/login", data=form, allow_redirects=False, timeout=30
            )
            if signed_in.status_code != 302:
                raise RuntimeError(f"sign-in of {email} over HTTP answered {signed_in.status_code}")

        def get(kind: dict) -> tuple[int, bytes]:
            response = sessions[kind.get("as", "staff")].get(
                server.base_url + kind["path"], timeout=60
            )
            return response.status_code, response.content

        try:
            agencies_of = agencies_lookup(env["DATABASE_URL"])
            return measure(
                get, spec["kinds"], spec["rounds"], spec["file_rounds"], spec["seed"], agencies_of
            )
        finally:
            for session in sessions.values():
                session.close()


# --- one database, and the report ---------------------------------------------------------


def bench_database(database: str, args, folder: Path) -> dict:
    url = fresh_sqlite(folder) if database == "sqlite" else fresh_postgres(args.pg_url)
    env = app_environment(url)
    password = os.urandom(12).hex()
    print(f"[{database}] loading {make_url(url).render_as_string(hide_password=True)}", flush=True)
    load_demo_data(env)
    create_user(env, STAFF_EMAIL, "Sekretariat (uji register)", "secretariat", password)
    engine = create_engine(url)
    try:
        loaded = time.perf_counter()
        today = datetime.now(MEETING_ZONE).date()
        data = add_follow_ups(engine, args.follow_ups, args.seed, today)
        print(
            f"[{database}] {data['follow_ups']} follow-ups, {data['progress_entries']} progress"
            f" reports added in {time.perf_counter() - loaded:.1f} s",
            flush=True,
        )
        data["expected"] = expected_counts(engine, data)
    finally:
        engine.dispose()
    make_focal_account(env, data["agency_id"], password, folder)
    spec = {
        "password": password,
        "kinds": request_kinds(data, data["expected"]),
        "rounds": args.requests,
        "file_rounds": args.xlsx_requests,
        "seed": args.seed,
        "queries": args.queries,
        "focal_agency_id": data["agency_id"],
    }
    run = {"database": database, "data": data, "load_average_before": os.getloadavg()}
    run["in_process"] = in_process(env, spec, folder)
    if args.http:
        run["http"] = over_http(env, spec, folder)
    run["load_average_after"] = os.getloadavg()
    if datetime.now(MEETING_ZONE).date() != today:
        run["warning"] = "the day changed in WIB during the run: overdue counts may differ"
    if database == "postgres" and not args.keep:
        drop_postgres(url)
    return run


def print_table(runs: list[dict], kinds: list[dict]) -> None:
    http = any("http" in run for run in runs)
    files = {kind["name"] for kind in kinds if kind.get("file")}
    header = (
        f"{'db':<9}{'request':<24}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'p95 x healthz':>15}{'CPU p95':>9}"
    )
    print("\nserver time (in-process, app.test_client())" + (", then HTTP p95" if http else ""))
    print(header + (f"{'HTTP p95':>10}" if http else ""))
    for section in ("pages", "files"):
        if section == "files":
            print(f"\nfiles (no target)\n{header}" + (f"{'HTTP p95':>10}" if http else ""))
        for run in runs:
            by_kind = run["in_process"]["by_kind"]
            base = by_kind["healthz"]["p95_ms"]
            for name, figures in by_kind.items():
                if (name in files) != (section == "files") or not figures["n"]:
                    continue
                cpu = run["in_process"]["cpu_by_kind"][name]["p95_ms"]
                line = (
                    f"{run['database']:<9}{name:<24}{figures['p50_ms']:>8.1f}"
                    f"{figures['p95_ms']:>8.1f}{figures['p99_ms']:>8.1f}"
                    f"{figures['p95_ms'] / base:>15.1f}{cpu:>9.1f}"
                )
                if "http" in run:
                    line += f"{run['http']['by_kind'][name]['p95_ms']:>10.1f}"
                print(line)


def print_queries(runs: list[dict]) -> None:
    """The page's p50 beside its two queries' p50: the rest is the view and its template."""
    if not any("queries" in run["in_process"] for run in runs):
        return
    print("\nqueries alone (app/follow_ups/register.py), p50 ms")
    print(f"{'db':<9}{'request':<24}{'page':>8}{'counts':>8}{'rows':>8}{'rest':>8}")
    for run in runs:
        for name, timed in run["in_process"].get("queries", {}).items():
            page = run["in_process"]["by_kind"][name]["p50_ms"]
            counts, rows = timed["counts"]["p50_ms"], timed["rows"]["p50_ms"]
            print(
                f"{run['database']:<9}{name:<24}{page:>8.1f}{counts:>8.1f}{rows:>8.1f}"
                f"{page - counts - rows:>8.1f}"
            )


def missed_targets(run: dict, kinds: list[dict]) -> list[str]:
    files = {kind["name"] for kind in kinds if kind.get("file")}
    missed = [
        f"{run['database']} {name}: p95 {figures['p95_ms']} ms > {TARGET_P95_MS:g} ms"
        for name, figures in run["in_process"]["by_kind"].items()
        if name not in files and figures["p95_ms"] > TARGET_P95_MS
    ]
    for phase in ("in_process", "http"):
        if run.get(phase, {}).get("error_count"):
            missed.append(f"{run['database']} {phase}: {run[phase]['errors'][:3]}")
    return missed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument(
        "--xlsx-requests", type=int, default=20, help="measured XLSX exports (a file is slower)"
    )
    parser.add_argument("--follow-ups", type=int, default=50_000, help="follow-ups added")
    parser.add_argument("--http", action="store_true", help="also measure over HTTP (gunicorn)")
    parser.add_argument(
        "--queries", action="store_true", help="also time each page's two queries alone"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--in-process-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--focal-account-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 20 <= args.requests <= 5_000:
        parser.error("--requests must be between 20 and 5000")
    if not 1 <= args.xlsx_requests <= args.requests:
        parser.error("--xlsx-requests must be between 1 and --requests")
    if not 20_000 <= args.follow_ups <= 500_000:
        # Fewer would leave the deep page empty.
        parser.error("--follow-ups must be between 20000 and 500000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.in_process_child:
        return in_process_child(args.in_process_child)
    if args.focal_account_child:
        return focal_account_child(args.focal_account_child)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="rakor-follow-ups-bench-") as folder:
        runs = [bench_database(database, args, Path(folder)) for database in databases]
    kinds = request_kinds(runs[0]["data"], runs[0]["data"]["expected"])
    print_table(runs, kinds)
    print_queries(runs)
    missed = [message for run in runs for message in missed_targets(run, kinds)]
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/follow_ups_register.py", *sys.argv[1:]]),
        "machine": machine(),
        "target_p95_ms": TARGET_P95_MS,
        "settings": {
            k: v
            for k, v in vars(args).items()
            if k not in ("in_process_child", "focal_account_child")
        },
        "runs": runs,
        "missed_targets": missed,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"follow-ups-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nresults: {out.relative_to(ROOT)}")
    host = report["machine"]
    print(
        f"host: {host['cores']} cores, {host['cpu_model']}, Python {host['python']},"
        f" load {host['load_average']}"
    )
    if missed:
        print("TARGET MISSED:\n  " + "\n  ".join(missed))
        return 1
    print(f"every register page's p95 server time at most {TARGET_P95_MS:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
