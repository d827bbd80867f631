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
import contextlib
import math
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

REQUEST_TIMEOUT_S = 10.0
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
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


class _Connection:
    """One keep-alive HTTP/1.1 connection with its cookies: one phone in the meeting room.

    Written on asyncio's streams rather than a full client library, so that the load
    client, which shares the machine's two cores with the server, spends little of
    them: aiohttp took 0.6-0.7 ms of CPU per bare-insert request here, this about half
    (docs/PERFORMANCE.md), and it reaches the rate `ab` reaches. It speaks just what
    the two apps answer with: a status line, headers, and a body of a given
    Content-Length (Flask gives one to every answer); a body without one is read
    until the server closes. A chunked answer would stall until the timeout, which
    the run counts as an error, so it cannot pass unseen.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body); reconnects when the server closed."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status, headers, content = await self._response()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, content

    async def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        try:
            lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        except asyncio.IncompleteReadError as closed:
            raise ConnectionError("the server closed the connection") from closed
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie, _, _attributes = value.partition(";")
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key.strip()] = cookie_value.strip()
            headers[name] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()
            await self.close()
        return status, headers, body


async def _client(
    number: int,
    base_url: str,
    scenario: Scenario,
    clock: _Clock,
    result: LoadResult,
) -> None:
    address = urlsplit(base_url)
    connection = _Connection(address.hostname or "127.0.0.1", address.port or 80)
    try:
        await _run_client(number, connection, scenario, clock, result)
    finally:
        await connection.close()


async def _run_client(
    number: int,
    connection: _Connection,
    scenario: Scenario,
    clock: _Clock,
    result: LoadResult,
) -> None:
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            status, _headers, page = await connection.request("GET", scenario.page_path)
        if status != 200:
            raise ValueError(f"page answered {status}")
        state = scenario.prepare(page.decode("utf-8"), number)
    except (OSError, TimeoutError, ValueError):
        result.prepare_failures += 1
        return

    sent = 0
    while True:
        go_on, measured = clock.next_request()
        if not go_on:
            return
        sent += 1
        body = urlencode(scenario.form(state, number, sent)).encode("ascii")
        started = time.perf_counter()
        outcome = None
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                status, headers, content = await connection.request(
                    "POST", scenario.post_path, body, FORM_CONTENT_TYPE
                )
        except TimeoutError:
            outcome = "timeout"
            await connection.close()  # an answer may still come: not on this connection
        except (OSError, ValueError) as error:
            outcome = type(error).__name__
            await connection.close()
        ended = time.perf_counter()
        clock.ends.append(ended)
        result.total_requests += 1
        if outcome is None:
            location = headers.get("location", "")
            match = scenario.location.search(location)
            if status == 303 and match:
                result.receipts.append(match.group(1))
            else:
                outcome = f"http {status}"
                if len(result.error_samples) < ERROR_SAMPLES_KEPT:
                    result.error_samples.append(f"{status} {location} {content[:300]!r}")
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
