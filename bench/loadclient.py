"""A closed-loop HTTP load client: N concurrent clients, each with its own session.

Every client first opens the page once (its session cookie and whatever the page
holds, such as a CSRF token), then POSTs forms back to back without following
redirects. A success is a 303 whose Location matches the scenario's pattern; the
captured part (a receipt code, a row id) is kept so the caller can check it in
the database. Anything else is an error.

The run is bounded twice: by its own duration or request count, and by a hard
deadline after which every client is cancelled.
"""

import asyncio
import math
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

REQUEST_TIMEOUT_S = 10.0
ERROR_SAMPLES_KEPT = 5


@dataclass
class Scenario:
    """What one kind of client does: open a page once, then post forms."""

    name: str
    page_path: str
    post_path: str
    # (page html, client number) -> what the client needs for every POST
    prepare: Callable[[str, int], dict[str, Any]]
    # (prepared state, client number, request number) -> form fields
    form: Callable[[dict[str, Any], int, int], dict[str, str]]
    # A successful answer's Location; group 1 is the receipt to check later.
    location: re.Pattern[str]


@dataclass
class LoadResult:
    scenario: str
    clients: int
    warmup_s: float
    # The measured window: from the end of the warm-up to the end of the run.
    measured_s: float = 0.0
    # Requests started in the window: their latencies are the figures.
    measured_requests: int = 0
    # Requests finished in the window: the rate.
    completed_in_window: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    total_requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    prepare_failures: int = 0

    def add(self, other: "LoadResult") -> None:
        """Fold another run of the same scenario into this one (rounds of a benchmark)."""
        self.measured_s += other.measured_s
        self.measured_requests += other.measured_requests
        self.completed_in_window += other.completed_in_window
        self.latencies_ms += other.latencies_ms
        self.receipts += other.receipts
        self.total_requests += other.total_requests
        self.errors += other.errors
        self.error_samples += other.error_samples[: ERROR_SAMPLES_KEPT - len(self.error_samples)]
        self.prepare_failures += other.prepare_failures

    @property
    def error_count(self) -> int:
        return sum(self.errors.values()) + self.prepare_failures

    @property
    def rate(self) -> float:
        return self.completed_in_window / self.measured_s if self.measured_s else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the measured latencies, in milliseconds."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
        return ordered[rank - 1]


# --- the two scenarios -------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KELURAHAN_SELECT = re.compile(r'<select[^>]*name="unit_kelurahan"[^>]*>(.*?)</select>', re.S)
OPTION_ID = re.compile(r'<option[^>]*value="(\d+)"')
PILLAR_RADIO = re.compile(r'name="pillar"[^>]*value="(\d+)"')


def rakor_scenario(meeting_code: str) -> Scenario:
    run = uuid.uuid4().hex[:6]  # titles stay unique across runs on the same database

    def prepare(html: str, client: int) -> dict[str, Any]:
        csrf = CSRF_FIELD.search(html)
        select = KELURAHAN_SELECT.search(html)
        kelurahan = OPTION_ID.findall(select.group(1)) if select else []
        pillars = PILLAR_RADIO.findall(html)
        if not (csrf and kelurahan and pillars):
            raise ValueError("the form page lacks a csrf token, kelurahan or pillars")
        return {
            "csrf_token": csrf.group(1),
            "kelurahan": kelurahan[client % len(kelurahan)],
            "pillar": pillars[client % len(pillars)],
        }

    def form(state: dict[str, Any], client: int, number: int) -> dict[str, str]:
        return {
            "csrf_token": state["csrf_token"],
            "client_token": uuid.uuid4().hex,
            "submitter_name": f"Peserta Uji {client:02d}",
            "role": "lurah",
            "unit_kelurahan": state["kelurahan"],
            "unit_kecamatan": "",
            "unit_agency": "",
            "unit_organisation": "",
            "position": "Lurah",
            "phone": "0812-2712-3456",
            "kind": "usulan",
            "pillar": state["pillar"],
            "title": f"Usulan uji beban {run}-{client:02d}-{number:06d}",
            "description": (
                "Pelatihan keterampilan bagi warga miskin di kelurahan ini, "
                "dikirim oleh klien uji beban untuk mengukur kapasitas formulir."
            ),
            "location": "",
            "target_group": "umum",
            "program": "",
            "beneficiaries": "",
            "cost": "",
        }

    return Scenario(
        name="rakor",
        page_path=f"/m/{meeting_code}",
        post_path=f"/m/{meeting_code}",
        prepare=prepare,
        form=form,
        location=re.compile(r"/receipt/([A-Z0-9]+)$"),
    )


def baseline_scenario() -> Scenario:
    return Scenario(
        name="baseline",
        page_path="/",
        post_path="/insert",
        prepare=lambda _html, _client: {},
        form=lambda _state, client, number: {"title": f"Baris uji {client:02d}-{number:06d}"},
        location=re.compile(r"/row/(\d+)$"),
    )


# --- the run ---------------------------------------------------------------------


class _Clock:
    """Phases shared by all clients: warm-up, then the measured window."""

    def __init__(self, warmup_s: float, duration_s: float | None, requests: int | None):
        self.start = time.perf_counter()
        self.measure_from = self.start + warmup_s
        self.stop_at = self.measure_from + duration_s if duration_s else None
        self.tickets = requests
        self.last_measured_end = self.measure_from
        self.ends: list[float] = []

    def window(self) -> tuple[float, float]:
        """The measured window, once the run is over."""
        end = self.stop_at if self.stop_at is not None else self.last_measured_end
        return self.measure_from, max(self.measure_from, end)

    def next_request(self) -> tuple[bool, bool]:
        """(go on, measured) for a request about to start."""
        now = time.perf_counter()
        if now < self.measure_from:
            return True, False
        if self.stop_at is not None and now >= self.stop_at:
            return False, False
        if self.tickets is not None:
            if self.tickets <= 0:
                return False, False
            self.tickets -= 1
        return True, True


async def _client(
    number: int,
    base_url: str,
    scenario: Scenario,
    clock: _Clock,
    result: LoadResult,
) -> None:
    # Its own cookie jar (unsafe=True: aiohttp otherwise drops cookies set by an IP
    # address) and its own connection, like one phone in the meeting room.
    jar = aiohttp.CookieJar(unsafe=True)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(
        base_url, cookie_jar=jar, timeout=timeout, connector=connector
    ) as session:
        try:
            async with session.get(scenario.page_path) as response:
                html = await response.text()
                if response.status != 200:
                    raise ValueError(f"page answered {response.status}")
            state = scenario.prepare(html, number)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            result.prepare_failures += 1
            return

        sent = 0
        while True:
            go_on, measured = clock.next_request()
            if not go_on:
                return
            sent += 1
            data = scenario.form(state, number, sent)
            started = time.perf_counter()
            outcome = None
            try:
                async with session.post(
                    scenario.post_path, data=data, allow_redirects=False
                ) as response:
                    body = await response.read()
                    location = response.headers.get("Location", "")
                    status = response.status
            except TimeoutError:
                outcome = "timeout"
            except aiohttp.ClientError as error:
                outcome = type(error).__name__
            ended = time.perf_counter()
            clock.ends.append(ended)
            result.total_requests += 1
            if outcome is None:
                match = scenario.location.search(location)
                if status == 303 and match:
                    result.receipts.append(match.group(1))
                else:
                    outcome = f"http {status}"
                    if len(result.error_samples) < ERROR_SAMPLES_KEPT:
                        result.error_samples.append(f"{status} {location} {body[:300]!r}")
            if outcome is not None:
                result.errors[outcome] += 1
            if measured:
                result.measured_requests += 1
                result.latencies_ms.append((ended - started) * 1000)
                clock.last_measured_end = max(clock.last_measured_end, ended)


async def run_load(
    base_url: str,
    scenario: Scenario,
    *,
    clients: int,
    warmup_s: float,
    duration_s: float | None,
    requests: int | None,
    hard_limit_s: float,
    on_window_start: Callable[[], None] | None = None,
) -> LoadResult:
    """Run `clients` concurrent clients; stop after the duration or the request count.

    `on_window_start` runs (in a thread, not to stall the clients) when the warm-up ends.
    """
    result = LoadResult(scenario=scenario.name, clients=clients, warmup_s=warmup_s)
    clock = _Clock(warmup_s, duration_s, requests)
    tasks = [
        asyncio.create_task(_client(n, base_url, scenario, clock, result)) for n in range(clients)
    ]
    if on_window_start is not None:

        async def mark_window_start() -> None:
            await asyncio.sleep(warmup_s)
            await asyncio.to_thread(on_window_start)

        marker = asyncio.create_task(mark_window_start())
    done, pending = await asyncio.wait(tasks, timeout=hard_limit_s)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=REQUEST_TIMEOUT_S)
        result.errors["cancelled at the hard time limit"] += len(pending)
    for task in done:
        if task.exception() is not None:
            result.errors[f"client crashed: {task.exception()!r}"] += 1
    if on_window_start is not None:
        await marker  # a run shorter than its warm-up still marks a start
    start, end = clock.window()
    result.measured_s = end - start
    result.completed_in_window = sum(1 for ended in clock.ends if start <= ended <= end)
    return result
