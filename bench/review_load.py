"""The review queue and the live view with a 10,000-input meeting, under gunicorn and in-process.

    .venv/bin/python bench/review_load.py [--db sqlite|postgres|both] [--requests 200]
        [--concurrency 1 4] [--inputs 10000] [--other-inputs 3000] [--quiet-wait 15]

For each database it builds a fresh one (a SQLite file in a temporary folder, or
the PostgreSQL database `rakor_bench_review` dropped and created again), loads it
with the real CLI (`db upgrade`, `seed`, `demo`, `users create`), then tops the
demo meeting up to 10,000 inputs and adds a second meeting with a few thousand,
so that every query has to pick one meeting's rows out of the table. The inputs
are the demo's texts with variations (unit, RW, year, an added sentence), every
role, kind, pillar, kelurahan, kecamatan and agency, every review status (some
merged into another input) and submission times spread over the day. They are
inserted with SQLAlchemy Core executemany. PostgreSQL then gets the ANALYZE its
autovacuum would run after such a load; SQLite gets nothing (nothing runs it).

It then measures, with one real staff session (GET /login, the CSRF token, POST):

- over HTTP: gunicorn started as bench/submit_load.py starts it
  (`gunicorn -c bench/gunicorn_bench.py`, a free loopback port), `--requests`
  measured requests of every kind at each `--concurrency` (clients sharing one
  signed-in session and a keep-alive connection pool; the kinds interleaved, so
  that whatever else the machine does weighs on all alike), after warm-up
  requests that reach every worker. gunicorn's sync workers, the bench setting,
  answer `Connection: close`, so each request opens a new loopback connection
  anyway (the JSON counts those answers); /healthz pays the same;
- in-process: the same requests through `app.test_client()` against the same
  database, one after another, in a child process with the app's production
  configuration. This is the server's own time: the view, the queries, the
  template, without HTTP parsing, sockets or the load client.

GET /healthz, the cheapest route on the same stack (one `SELECT 1`), is measured
the same way in the same run, as the baseline.

Before measuring, every request is checked once: the queue must report the
number of inputs that match the filter (counted here independently of the app),
the live view the meeting's total.

Prints a table, writes the figures to bench/results/review-<timestamp>.json and
exits 1 when a p95 server time (the in-process figure) is not under TARGET_P95_MS,
or when a request failed. A p95 over HTTP with one client above it is reported,
not failed: it adds the socket, gunicorn and the load client, and on this shared
machine whatever else runs (the JSON records how much CPU other processes took).
"""

import argparse
import asyncio
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

import aiohttp
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

# The other benchmark's helpers, imported, not copied: the same databases, the same
# gunicorn, the same CPU accounting.
from submit_load import (  # noqa: E402  (bench/ is not a package)
    BIN,
    CLI_TIMEOUT_S,
    CpuMeter,
    Gunicorn,
    app_environment,
    fresh_postgres,
    fresh_sqlite,
    gunicorn_settings,
    load_rakor_data,
    machine,
    machine_busy_seconds,
    wait_for_quiet_machine,
)

from app.demo import DEMO_MEETING_CODE, INPUTS  # noqa: E402
from app.models import (  # noqa: E402
    Agency,
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Program,
    Submission,
    User,
    meeting_pillar,
)

RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rakor_bench_review"
TARGET_P95_MS = 100.0
PAGE_SIZE = 50  # app.review.queries.PAGE_SIZE, repeated: the check must not trust the app

STAFF_EMAIL = "bench-review@rakor.test"
STAFF_NAME = "Sekretariat (uji beban)"
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
OTHER_MEETING_CODE = "rakor2023-bench"

WARMUP_REQUESTS = 3  # per kind, before every measured phase (and checked)
WARMUP_ROUNDS = 3  # per kind, as many requests at once as gunicorn has workers
REQUEST_TIMEOUT_S = 30.0
PHASE_LIMIT_S = 900  # a measured phase over HTTP stops here, whatever is left
CHILD_TIMEOUT_S = 900  # and so does the in-process one

STATUS_WEIGHTS = {"received": 42, "accepted": 25, "follow_up": 13, "declined": 10, "merged": 10}
SOURCE_WEIGHTS = {"web": 85, "paper": 10, "import": 5}


# --- the data ------------------------------------------------------------------------


class Reference:
    """The seeded reference rows the generated inputs point at, by name."""

    def __init__(self, engine: Engine):
        with engine.connect() as connection:
            self.pillars = dict(connection.execute(select(Pillar.code, Pillar.id)).all())
            self.kecamatan = dict(connection.execute(select(Kecamatan.name, Kecamatan.id)).all())
            self.kelurahan = dict(connection.execute(select(Kelurahan.name, Kelurahan.id)).all())
            self.kelurahan_kecamatan = dict(
                connection.execute(select(Kelurahan.id, Kelurahan.kecamatan_id)).all()
            )
            self.agencies = dict(connection.execute(select(Agency.abbreviation, Agency.id)).all())
            self.programs = dict(connection.execute(select(Program.name, Program.id)).all())
            self.receipts = set(connection.scalars(select(Submission.receipt_code)))
            self.staff_id = connection.scalar(select(User.id).where(User.email == STAFF_EMAIL))


def person_names() -> tuple[list[str], list[str], list[str]]:
    """First names, family names and degrees, taken apart from the demo's submitters."""
    firsts, lasts, degrees = set(), set(), set()
    for item in INPUTS:
        name, _, degree = item["submitter_name"].partition(", ")
        words = name.replace("Dr. ", "").replace("Ir. ", "").split()
        if len(words) >= 2:
            firsts.add(words[0])
            lasts.add(words[-1])
        if degree:
            degrees.add(degree)
    return sorted(firsts), sorted(lasts), sorted(degrees)


TITLE_VARIANTS = (
    "{title}",
    "{title}",
    "{title} di Kelurahan {kelurahan}",
    "{title} (RW {rw:02d})",
    "Lanjutan: {title}",
    "{title} tahun {year}",
)
EXTRA_SENTENCES = (
    "",
    " Usulan ini sudah dibahas dalam musyawarah kelurahan dan disepakati ketua RT/RW.",
    " Data pendukung dapat kami sampaikan menyusul kepada sekretariat.",
    " Kami mohon kegiatan ini dianggarkan pada perubahan APBD tahun berjalan.",
    " Masukan serupa pernah kami sampaikan pada rakor tahun lalu namun belum ditindaklanjuti.",
)


class InputMaker:
    """Realistic inputs: a demo input as the template, its unit, time and status varied."""

    def __init__(self, ref: Reference, rng: random.Random):
        self.ref = ref
        self.rng = rng
        self.firsts, self.lasts, self.degrees = person_names()
        self.organisations = sorted({i["unit"] for i in INPUTS if i["role"] == "stakeholder"})
        self.kelurahan = sorted(ref.kelurahan)
        self.kecamatan = sorted(ref.kecamatan)
        self.agencies = sorted(ref.agencies)
        self.pillars = sorted(ref.pillars)

    def receipt(self) -> str:
        while True:
            code = "".join(self.rng.choice(RECEIPT_ALPHABET) for _ in range(8))
            if code not in self.ref.receipts:
                self.ref.receipts.add(code)
                return code

    def weighted(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def make(self, meeting_id: int, key: str, start: datetime, status: str) -> dict:
        rng, ref = self.rng, self.ref
        item = rng.choice(INPUTS)
        role = item["role"]
        kelurahan = rng.choice(self.kelurahan)
        kecamatan = rng.choice(self.kecamatan)
        agency = rng.choice(self.agencies)
        organisation = rng.choice(self.organisations)
        unit = {"lurah": kelurahan, "camat": kecamatan, "opd": agency}.get(role, organisation)
        position = {
            "lurah": f"Lurah {kelurahan}",
            "camat": f"Camat {kecamatan}",
            "opd": f"Kepala {agency}",
        }.get(role, item["position"])
        name = f"{rng.choice(self.firsts)} {rng.choice(self.lasts)}"
        if rng.random() < 0.7:
            name += f", {rng.choice(self.degrees)}"
        title = rng.choice(TITLE_VARIANTS).format(
            title=item["title"], kelurahan=kelurahan, rw=rng.randint(1, 12), year=2024
        )[:160]
        submitted_pillar = ref.pillars[item["pillar"]]
        # About one input in six is moved to another pillar during review.
        pillar = ref.pillars[rng.choice(self.pillars)] if rng.random() < 0.17 else submitted_pillar
        location = item["location"] if rng.random() < 0.6 else rng.choice(self.kelurahan)
        submitted_at = start + timedelta(seconds=rng.uniform(-1800, 8 * 3600))
        decided = status not in ("received", "merged")
        beneficiaries = item["beneficiaries"]
        return {
            "meeting_id": meeting_id,
            "receipt_code": self.receipt(),
            "idempotency_key": key,
            "source": self.weighted(SOURCE_WEIGHTS),
            "submitter_name": name[:120],
            "role": role,
            "kelurahan_id": ref.kelurahan[unit] if role == "lurah" else None,
            "kecamatan_id": ref.kecamatan[unit] if role == "camat" else None,
            "agency_id": ref.agencies[unit] if role == "opd" else None,
            "organisation": unit if role == "stakeholder" else "",
            "position": position[:120],
            "phone": f"08{rng.randint(11, 59)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            if rng.random() < 0.6
            else "",
            "kind": item["kind"],
            "submitted_pillar_id": submitted_pillar,
            "pillar_id": pillar,
            "title": title,
            "description": item["description"] + rng.choice(EXTRA_SENTENCES),
            "location_id": ref.kelurahan.get(location) if location else None,
            "target_group": item["target_group"],
            "program_id": ref.programs.get(item["program"]) if item["program"] else None,
            "beneficiaries": (
                max(1, beneficiaries + rng.randint(-10, 10)) if beneficiaries else None
            ),
            "cost": item["cost"],
            "submitted_at": submitted_at,
            "status": status,
            "decision_reason": (
                (item["decision_reason"] or "Dibahas dalam rapat.")
                if status in ("accepted", "declined", "follow_up")
                else ""
            ),
            "decided_at": submitted_at + timedelta(hours=rng.uniform(1, 48)) if decided else None,
            "decided_by_id": ref.staff_id if decided else None,
            "merged_into_id": None,
            "responsible_agency_id": (
                ref.agencies[rng.choice(self.agencies)] if status == "follow_up" else None
            ),
        }


def add_inputs(
    engine: Engine, maker: InputMaker, meeting_id: int, count: int, start: datetime, prefix: str
) -> None:
    """`count` inputs for the meeting: first the unmerged ones, then those merged into them."""
    rng = maker.rng
    statuses = [maker.weighted(STATUS_WEIGHTS) for _ in range(count)]
    rows = [
        maker.make(meeting_id, f"{prefix}-{n:06d}", start, status)
        for n, status in enumerate(statuses)
    ]
    primaries = sorted(
        (r for r in rows if r["status"] != "merged"), key=lambda r: r["submitted_at"]
    )
    merged = sorted((r for r in rows if r["status"] == "merged"), key=lambda r: r["submitted_at"])
    table = Submission.__table__
    with engine.begin() as connection:
        connection.execute(insert(table), primaries)
        ids = dict(
            connection.execute(
                select(Submission.idempotency_key, Submission.id).where(
                    Submission.meeting_id == meeting_id,
                    Submission.idempotency_key.like(f"{prefix}-%"),
                )
            ).all()
        )
        # Groups of a primary and the originals merged into it, two on average.
        groups = [
            ids[r["idempotency_key"]] for r in rng.sample(primaries, max(1, len(merged) // 2))
        ]
        for row in merged:
            row["merged_into_id"] = rng.choice(groups)
        if merged:
            connection.execute(insert(table), merged)


def load_inputs(url: str, args, rng: random.Random) -> dict:
    """Top the demo meeting up to `args.inputs`, add the other meeting; the ids."""
    engine = create_engine(url)
    try:
        ref = Reference(engine)
        maker = InputMaker(ref, rng)
        with engine.begin() as connection:
            demo = connection.execute(
                select(Meeting.id, Meeting.date, Meeting.start_time).where(
                    Meeting.code == DEMO_MEETING_CODE
                )
            ).one()
            existing = connection.scalar(
                select(func.count()).select_from(Submission).where(Submission.meeting_id == demo.id)
            )
            other_id = connection.execute(
                insert(Meeting.__table__).returning(Meeting.id),
                {
                    "code": OTHER_MEETING_CODE,
                    "title": "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2023",
                    "date": date(2023, 1, 24),
                    "start_time": demo.start_time,
                    "venue": "Ruang Buketan Setda Kota Pekalongan",
                    "status": "closed",
                },
            ).scalar_one()
            connection.execute(
                insert(meeting_pillar),
                [{"meeting_id": other_id, "pillar_id": pid} for pid in ref.pillars.values()],
            )
        start = datetime.combine(demo.date, demo.start_time, UTC) - timedelta(hours=7)
        add_inputs(engine, maker, demo.id, args.inputs - existing, start, "bench")
        other_start = datetime.combine(date(2023, 1, 24), demo.start_time, UTC) - timedelta(hours=7)
        add_inputs(engine, maker, other_id, args.other_inputs, other_start, "bench-2023")
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
        return {
            "meeting_id": demo.id,
            "other_meeting_id": other_id,
            **expected_counts(engine, demo.id, ref),
        }
    finally:
        engine.dispose()


def expected_counts(engine: Engine, meeting_id: int, ref: Reference) -> dict:
    """What the queue must report for each filter, counted here in Python, not by the app."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Submission.pillar_id,
                Submission.status,
                Submission.kecamatan_id,
                Submission.kelurahan_id,
                Submission.location_id,
                Submission.title,
                Submission.description,
                Submission.submitter_name,
                Submission.organisation,
                Submission.meeting_id,
            )
        ).all()
        total_all = len(rows)
    mine = [r for r in rows if r.meeting_id == meeting_id]
    pillar = ref.pillars["P2"]
    kecamatan = ref.kecamatan["Pekalongan Utara"]
    in_kecamatan = {k for k, kec in ref.kelurahan_kecamatan.items() if kec == kecamatan}

    def has_dtks(r) -> bool:
        words = (r.title, r.description, r.submitter_name, r.organisation)
        return any("dtks" in (w or "").lower() for w in words)

    return {
        "table_rows": total_all,
        "pillar_id": pillar,
        "kecamatan_id": kecamatan,
        "expected": {
            "total": len(mine),
            "pillar": sum(r.pillar_id == pillar for r in mine),
            "status": sum(r.status == "received" for r in mine),
            "kecamatan": sum(
                r.kecamatan_id == kecamatan
                or r.kelurahan_id in in_kecamatan
                or r.location_id in in_kecamatan
                for r in mine
            ),
            "search": sum(has_dtks(r) for r in mine),
            "merged": sum(r.status == "merged" for r in mine),
        },
    }


def create_staff(env: dict[str, str], password: str) -> None:
    subprocess.run(
        [
            str(BIN / "flask"),
            "--app",
            "wsgi",
            "users",
            "create",
            STAFF_EMAIL,
            "--name",
            STAFF_NAME,
            "--role",
            "secretariat",
            "--password-stdin",
        ],
        cwd=ROOT,
        env=env,
        input=password + "\n",
        text=True,
        check=True,
        timeout=CLI_TIMEOUT_S,
        stdout=subprocess.DEVNULL,
    )


# --- the requests --------------------------------------------------------------------


def request_kinds(data: dict) -> list[dict]:
    """(name, path, what the page must say) for every measured request, the baseline first."""
    queue = f"/admin/meetings/{data['meeting_id']}/inputs"
    live = f"/admin/meetings/{data['meeting_id']}/live"
    expected = data["expected"]
    return [
        {"name": "healthz", "path": "/healthz", "check": "healthz"},
        {"name": "queue", "path": queue, "total": expected["total"]},
        {
            "name": "queue page 100",
            "path": f"{queue}?page=100",
            "total": expected["total"],
            "page": 100,
        },
        {
            "name": "queue pillar",
            "path": f"{queue}?pillar={data['pillar_id']}",
            "total": expected["pillar"],
        },
        {"name": "queue status", "path": f"{queue}?status=received", "total": expected["status"]},
        {
            "name": "queue kecamatan",
            "path": f"{queue}?kecamatan={data['kecamatan_id']}",
            "total": expected["kecamatan"],
        },
        {"name": "queue q=dtks", "path": f"{queue}?q=dtks", "total": expected["search"]},
        {"name": "queue sort title", "path": f"{queue}?sort=title", "total": expected["total"]},
        {
            "name": "queue q+sort title",
            "path": f"{queue}?q=dtks&sort=title",
            "total": expected["search"],
        },
        {"name": "live", "path": live, "check": "live", "total": expected["total"]},
        {"name": "live.json", "path": f"{live}.json", "check": "json", "total": expected["total"]},
    ]


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RESULT_COUNT = re.compile(r'id="result-count">\s*([\d.,]+) masukan', re.S)
LIVE_TOTAL = re.compile(r"data-live-total>([\d.,]+)<")
FIRST_SHOWN = re.compile(r"menampilkan ([\d.,]+)")


def digits(value: str) -> int:
    return int(re.sub(r"\D", "", value))


def check_answer(kind: dict, status: int, body: str) -> str | None:
    """None when the answer is what the request must give, else what is wrong."""
    if status != 200:
        return f"status {status}"
    check = kind.get("check", "queue")
    if check == "healthz":
        return None if '"ok"' in body else "healthz not ok"
    if check == "json":
        total = json.loads(body).get("total")
        return None if total == kind["total"] else f"live.json total {total} != {kind['total']}"
    if check == "live":
        found = LIVE_TOTAL.search(body)
        total = digits(found.group(1)) if found else None
        return None if total == kind["total"] else f"live total {total} != {kind['total']}"
    found = RESULT_COUNT.search(body)
    total = digits(found.group(1)) if found else None
    if total != kind["total"]:
        return f"queue total {total} != {kind['total']}"
    pages = max(1, -(-kind["total"] // PAGE_SIZE))
    page = min(kind.get("page", 1), pages)
    first = FIRST_SHOWN.search(body)
    if kind["total"] and (not first or digits(first.group(1)) != (page - 1) * PAGE_SIZE + 1):
        return f"page {page} does not start at input {(page - 1) * PAGE_SIZE + 1}"
    if body.count('<td class="code">') != min(PAGE_SIZE, kind["total"] - (page - 1) * PAGE_SIZE):
        return "not a full page of rows"
    return None


def percentiles(samples: list[float]) -> dict:
    """Nearest-rank p50/p95/p99 and the maximum, in milliseconds."""
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return round(ordered[max(1, min(len(ordered), math.ceil(q * len(ordered)))) - 1], 2)

    if not ordered:
        return {"n": 0}
    return {
        "n": len(ordered),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": round(ordered[-1], 2),
    }


def schedule(kinds: list[dict], per_kind: int, rng: random.Random) -> list[dict]:
    """Every kind `per_kind` times, interleaved: rounds of all kinds, each round shuffled."""
    order = []
    for _round in range(per_kind):
        batch = list(kinds)
        rng.shuffle(batch)
        order += batch
    return order


# --- over HTTP -----------------------------------------------------------------------


async def sign_in(session: aiohttp.ClientSession, password: str) -> None:
    async with session.get("/login") as response:
        html = await response.text()
    token = CSRF_FIELD.search(html)
    if not token:
        raise RuntimeError("the sign-in page has no CSRF token")
    form = {"csrf_token": token.group(1), "email": STAFF_EMAIL, "password": password}
    async with session.post("/login", data=form, allow_redirects=False) as response:
        if response.status != 302:
            raise RuntimeError(f"sign-in answered {response.status}, not a redirect")


async def warm_up(base_url: str, jar: aiohttp.CookieJar, kinds: list[dict]) -> None:
    """Every worker answers every kind a few times first (templates, SQL compiled per worker).

    Sync workers take one connection at a time, so `WORKERS` requests in flight
    together land on different workers.
    """
    workers = gunicorn_settings()["workers"]
    connector = aiohttp.TCPConnector(limit=workers)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(
        base_url, cookie_jar=jar, timeout=timeout, connector=connector
    ) as session:

        async def one(kind: dict) -> None:
            async with session.get(kind["path"]) as response:
                await response.read()

        for kind in kinds:
            for _round in range(WARMUP_ROUNDS):
                await asyncio.gather(*(one(kind) for _ in range(workers)))


async def http_phase(
    base_url: str, password: str, kinds: list[dict], concurrency: int, per_kind: int, seed: int
) -> dict:
    """`concurrency` clients share one signed-in session and a keep-alive pool."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies set by 127.0.0.1 are kept
    latencies: dict[str, list[float]] = {kind["name"]: [] for kind in kinds}
    errors: list[str] = []
    connections = {"closed_by_server": 0}
    async with aiohttp.ClientSession(
        base_url, cookie_jar=jar, timeout=timeout, connector=connector
    ) as session:
        await sign_in(session, password)
        rng = random.Random(seed)
        await warm_up(base_url, session.cookie_jar, kinds)
        for kind in kinds:  # warm-up, and a check of every answer
            for _ in range(WARMUP_REQUESTS):
                async with session.get(kind["path"]) as response:
                    problem = check_answer(kind, response.status, await response.text())
                if problem:
                    raise RuntimeError(f"{kind['name']}: {problem}")
        queue = schedule(kinds, per_kind, rng)

        async def client() -> None:
            while queue:
                kind = queue.pop()
                started = time.perf_counter()
                try:
                    async with session.get(kind["path"]) as response:
                        body = await response.read()
                        status = response.status
                        if response.headers.get("Connection", "").lower() == "close":
                            connections["closed_by_server"] += 1
                except (aiohttp.ClientError, TimeoutError) as error:
                    errors.append(f"{kind['name']}: {type(error).__name__}")
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    errors.append(f"{kind['name']}: status {status} {body[:200]!r}")
                    continue
                latencies[kind["name"]].append(elapsed)

        await asyncio.wait_for(
            asyncio.gather(*(client() for _ in range(concurrency))),
            timeout=PHASE_LIMIT_S,
        )
    return {
        "concurrency": concurrency,
        "by_kind": {name: percentiles(values) for name, values in latencies.items()},
        "errors": errors[:20],
        "error_count": len(errors),
        "responses_with_connection_close": connections["closed_by_server"],
    }


# --- in-process (the child) ----------------------------------------------------------


def in_process_child(spec_path: Path) -> int:
    """Run in a child whose environment names the database: time the views themselves."""
    spec = json.loads(spec_path.read_text())
    from app import create_app

    app = create_app()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = CSRF_FIELD.search(login)
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": STAFF_EMAIL, "password": spec["password"]},
    )
    if answer.status_code != 302:
        raise SystemExit(f"in-process sign-in answered {answer.status_code}")
    kinds = spec["kinds"]
    for kind in kinds:
        for _ in range(WARMUP_REQUESTS):
            response = client.get(kind["path"])
            problem = check_answer(kind, response.status_code, response.get_data(as_text=True))
            if problem:
                raise SystemExit(f"in-process {kind['name']}: {problem}")
    latencies: dict[str, list[float]] = {kind["name"]: [] for kind in kinds}
    errors = []
    for kind in schedule(kinds, spec["per_kind"], random.Random(spec["seed"])):
        started = time.perf_counter()
        response = client.get(kind["path"])
        response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            errors.append(f"{kind['name']}: status {response.status_code}")
            continue
        latencies[kind["name"]].append(elapsed)
    result = {
        "concurrency": 1,
        "by_kind": {name: percentiles(values) for name, values in latencies.items()},
        "errors": errors[:20],
        "error_count": len(errors),
    }
    Path(spec["out"]).write_text(json.dumps(result))
    return 0


def in_process_phase(env: dict[str, str], spec: dict, folder: Path) -> dict:
    spec_path = folder / "in-process-spec.json"
    out = folder / "in-process-result.json"
    spec_path.write_text(json.dumps({**spec, "out": str(out)}))
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--in-process-child", str(spec_path)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=CHILD_TIMEOUT_S,
    )
    return json.loads(out.read_text())


# --- one database --------------------------------------------------------------------


def bench_database(kind: str, args, folder: Path, stamp: str, cores: int) -> dict:
    url = fresh_sqlite(folder) if kind == "sqlite" else fresh_postgres(args.pg_url)
    database = make_url(url).database if kind == "postgres" else None
    env = app_environment(url)
    password = os.urandom(12).hex()
    print(f"[{kind}] preparing {make_url(url).render_as_string(hide_password=True)}", flush=True)
    prepared = time.perf_counter()
    load_rakor_data(env)
    create_staff(env, password)
    loaded = time.perf_counter()
    data = load_inputs(url, args, random.Random(args.seed))
    inserted = time.perf_counter() - loaded
    print(
        f"[{kind}] {data['expected']['total']} inputs in meeting {data['meeting_id']}, "
        f"{data['table_rows']} rows in the table ({inserted:.1f} s to insert); "
        f"expected {data['expected']}",
        flush=True,
    )
    kinds = request_kinds(data)
    run: dict = {
        "database": kind,
        "prepare_s": round(time.perf_counter() - prepared, 1),
        "insert_s": round(inserted, 1),
        "data": data,
        "http": [],
    }
    log = RESULTS_DIR / f"review-{stamp}-{kind}.gunicorn.log"
    with Gunicorn("wsgi:app", env, log) as server:
        for concurrency in args.concurrency:
            busy = wait_for_quiet_machine(args.quiet_wait)
            meter = CpuMeter(server, database)
            before = meter.snapshot()
            wall = time.perf_counter()
            phase = asyncio.run(
                http_phase(server.base_url, password, kinds, concurrency, args.requests, args.seed)
            )
            wall = time.perf_counter() - wall
            cpu = meter.used(before, meter.snapshot())
            phase["wall_s"] = round(wall, 2)
            phase["cpu_s"] = {name: round(value, 2) for name, value in cpu.items()}
            phase["busy_cores_before"] = round(busy, 2)
            phase["other_load_share"] = round(cpu["other"] / (wall * cores), 2)
            run["http"].append(phase)
            print_phase(kind, f"HTTP, {concurrency} client(s)", phase)

    busy = wait_for_quiet_machine(args.quiet_wait)
    wall = time.perf_counter()
    machine_before = machine_busy_seconds()
    phase = in_process_phase(
        env,
        {"password": password, "kinds": kinds, "per_kind": args.requests, "seed": args.seed},
        folder,
    )
    wall = time.perf_counter() - wall
    phase["wall_s"] = round(wall, 2)
    phase["busy_cores_before"] = round(busy, 2)
    # The child keeps one core busy (and, on PostgreSQL, its backend part of another).
    phase["machine_busy_cores"] = round((machine_busy_seconds() - machine_before) / wall, 2)
    run["in_process"] = phase
    print_phase(kind, "in-process (server time)", phase)
    return run


# --- report --------------------------------------------------------------------------


def with_ratios(phase: dict) -> None:
    """Each kind's p50 and p95 as a multiple of the baseline's (GET /healthz)."""
    base = phase["by_kind"]["healthz"]
    for figures in phase["by_kind"].values():
        if figures.get("n"):
            figures["p50_x_healthz"] = round(figures["p50_ms"] / base["p50_ms"], 1)
            figures["p95_x_healthz"] = round(figures["p95_ms"] / base["p95_ms"], 1)


def print_phase(kind: str, title: str, phase: dict) -> None:
    with_ratios(phase)
    print(f"[{kind}] {title}: {phase['error_count']} errors, {phase['wall_s']} s")
    print(f"  {'request':<18}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'x healthz':>11}")
    for name, figures in phase["by_kind"].items():
        if not figures.get("n"):
            print(f"  {name:<18} no answers")
            continue
        print(
            f"  {name:<18}{figures['p50_ms']:>8.1f}{figures['p95_ms']:>8.1f}"
            f"{figures['p99_ms']:>8.1f}{figures['max_ms']:>8.1f}"
            f"{figures['p50_x_healthz']:>6.1f}/{figures['p95_x_healthz']:<4.1f}"
        )
    print(flush=True)


def over_target(run: dict, phase: dict, label: str) -> list[str]:
    over = []
    for name, figures in phase["by_kind"].items():
        if not figures.get("n"):
            over.append(f"{run['database']} {label} {name}: no answers")
        elif not figures["p95_ms"] < TARGET_P95_MS:
            over.append(
                f"{run['database']} {label} {name}: p95 {figures['p95_ms']} ms "
                f">= {TARGET_P95_MS:.0f} ms"
            )
    return over


def missed_targets(run: dict) -> list[str]:
    """The target is on server time: the in-process p95. Any failed request misses it too."""
    missed = over_target(run, run["in_process"], "in-process")
    for phase in [run["in_process"], *run["http"]]:
        if phase["error_count"]:
            missed.append(f"{run['database']}: {phase['error_count']} errors {phase['errors'][:3]}")
    return missed


def http_warnings(run: dict) -> list[str]:
    """One client over HTTP is server time plus the socket, gunicorn and the client: reported."""
    warnings = []
    for phase in run["http"]:
        if phase["concurrency"] == 1:
            warnings += over_target(run, phase, "HTTP c=1")
    return warnings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per kind")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs in the measured meeting")
    parser.add_argument("--other-inputs", type=int, default=3_000, help="inputs in another meeting")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=15.0,
        help="seconds to wait, before each phase, for other processes to quieten (0: no wait)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite file (to look into it afterwards)"
    )
    parser.add_argument("--in-process-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 10 <= args.requests <= 5_000:
        parser.error("--requests must be between 10 and 5000")
    if not all(1 <= c <= 16 for c in args.concurrency):
        parser.error("--concurrency must be between 1 and 16")
    if not 100 <= args.inputs <= 200_000 or not 0 <= args.other_inputs <= 200_000:
        parser.error("--inputs must be between 100 and 200000, --other-inputs at most 200000")
    if not 0 <= args.quiet_wait <= 600:
        parser.error("--quiet-wait must be between 0 and 600 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.in_process_child:
        return in_process_child(args.in_process_child)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    about = machine()
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(exist_ok=True)
    if args.keep:
        folder = tempfile.mkdtemp(prefix="rakor-review-bench-")
        print(f"keeping the SQLite database in {folder}", flush=True)
        runs = [bench_database(kind, args, Path(folder), stamp, about["nproc"]) for kind in kinds]
    else:
        with tempfile.TemporaryDirectory(prefix="rakor-review-bench-") as folder:
            runs = [
                bench_database(kind, args, Path(folder), stamp, about["nproc"]) for kind in kinds
            ]

    missed = [message for run in runs for message in missed_targets(run)]
    warnings = [message for run in runs for message in http_warnings(run)]
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/review_load.py", *sys.argv[1:]]),
        "machine": about,
        "gunicorn": gunicorn_settings(),
        "load": {
            "requests_per_kind": args.requests,
            "concurrency": args.concurrency,
            "warmup_per_kind": WARMUP_REQUESTS,
            "warmup_rounds_over_all_workers": WARMUP_ROUNDS,
            "inputs": args.inputs,
            "other_inputs": args.other_inputs,
            "seed": args.seed,
        },
        "target_p95_ms": TARGET_P95_MS,
        "runs": runs,
        "missed_targets": missed,
        "http_one_client_over_target": warnings,
    }
    out = RESULTS_DIR / f"review-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    if warnings:
        print(
            "over HTTP with one client (not the target, see the JSON):\n  " + "\n  ".join(warnings)
        )
    if missed:
        print("TARGET MISSED:\n  " + "\n  ".join(missed))
        return 1
    print(f"all p95 server times under {TARGET_P95_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
