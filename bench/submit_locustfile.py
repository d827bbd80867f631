"""The clients of bench/submit_load.py, for locust.

    locust -f bench/submit_locustfile.py Participant --host http://127.0.0.1:8000
    locust -f bench/submit_locustfile.py Visitor --host http://127.0.0.1:8000
    locust -f bench/submit_locustfile.py Baseline --host http://127.0.0.1:8001

`Participant` is a person at the meeting with the form already open: it opens the
demo meeting's form once when it starts (the session cookie, the CSRF token, the
lists to choose from) and waits for the other clients to have theirs open; then the
figures start from zero, and it sends complete valid inputs back to back, each with a
fresh client token of its own making (32 hex digits, as the form's own; the server
takes any such token, so the form need not be opened again), and does not follow
the answer (303 to /receipt/<code>). Every tenth send is posted twice, a double tap,
and must be answered with the same receipt. `Baseline` posts a title to
bench/baseline_app.py and does not follow the answer (303 to /row/<id>) either.
`Visitor` walks the whole path for each input: opens the form, sends, reads the
receipt, reported as one "whole path" entry besides its requests.

Every send answered with a receipt (or a row) is written to $BENCH_OUT (JSON) when
locust quits, for the benchmark to look up in the database, with the figures of the
participants' form opening. Run with one locust process: the acknowledgements, the
users' numbers and the wait for the forms to open live in it.
"""

import itertools
import json
import os
import re
import time
import uuid
from urllib.parse import urlencode

from gevent.event import Event
from locust import FastHttpUser, events, task

MEETING_CODE = os.environ.get("BENCH_MEETING", "rakor2025")  # the demo meeting
TAG = os.environ.get("BENCH_TAG") or uuid.uuid4().hex[:6]  # titles unique across runs
DOUBLE_TAP_EVERY = 10
FORM_ENCODED = {"Content-Type": "application/x-www-form-urlencoded"}

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KELURAHAN_SELECT = re.compile(r'id="unit_kelurahan"[^>]*>(.*?)</select>', re.S)
OPTION_ID = re.compile(r'<option value="(\d+)"')
PILLAR_RADIO = re.compile(r'name="pillar"[^>]*value="(\d+)"')
RECEIPT = re.compile(r"/receipt/([A-Z0-9]{8})$")

FORM_OPENING = "form (once per user)"
OPENING_WAIT_S = 120

user_numbers = itertools.count(1)
acknowledged: list[dict[str, str]] = []  # {"title", "key"}: a receipt code or a row id
forms_open = itertools.count(1)
all_forms_open = Event()
form_opening: dict[str, float] = {}  # the participants' form opening, before the reset


@events.quitting.add_listener
def write_results(**_kwargs) -> None:
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "w") as out:
            json.dump({"acknowledged": acknowledged, "form_opening": form_opening}, out)


class FormUser(FastHttpUser):
    """What a client of Rakor's form does: open it, fill it in, post it."""

    abstract = True

    def open_form(self, name: str) -> None:
        """The session cookie, the CSRF token and the lists, from the form page."""
        self.csrf = self.pillars = self.kelurahan = None
        page = self.client.get(f"/m/{MEETING_CODE}", name=name)
        html = page.text or ""
        csrf, select = CSRF.search(html), KELURAHAN_SELECT.search(html)
        if page.status_code == 200 and csrf and select:
            self.csrf = csrf.group(1)
            self.kelurahan = OPTION_ID.findall(select.group(1))
            self.pillars = PILLAR_RADIO.findall(html)

    def body(self, title: str) -> str:
        """A complete, valid lurah's proposal, with a fresh client token."""
        return urlencode(
            {
                "csrf_token": self.csrf,
                "client_token": uuid.uuid4().hex,
                "submitter_name": f"Peserta Uji {self.number:02d}",
                "role": "lurah",
                "unit_kelurahan": self.kelurahan[self.number % len(self.kelurahan)],
                "unit_kecamatan": "",
                "unit_agency": "",
                "unit_organisation": "",
                "position": "Lurah",
                "phone": "0812-2712-3456",
                "kind": "usulan",
                "pillar": self.pillars[self.number % len(self.pillars)],
                "title": title,
                "description": "Pelatihan keterampilan bagi warga miskin di kelurahan ini.",
                "location": "",
                "target_group": "umum",
                "program": "",
                "beneficiaries": "40",
                "cost": "Rp 75.000.000",
            }
        )

    def post_and_check(self, title: str, body: str, double_tap: bool) -> str | None:
        """Post (twice on a double tap); the receipt path, or None when it went wrong."""
        locations = set()
        for name in ("send", "send again (double tap)")[: 2 if double_tap else 1]:
            with self.client.post(
                f"/m/{MEETING_CODE}",
                data=body,
                headers=FORM_ENCODED,
                allow_redirects=False,
                name=name,
                catch_response=True,
            ) as answer:
                receipt = RECEIPT.search(answer.headers.get("Location", ""))
                if answer.status_code != 303 or receipt is None:
                    answer.failure(f"answered {answer.status_code}, not 303 to a receipt")
                    return None
                locations.add(receipt.group(0))
        if len(locations) != 1:
            self.environment.events.request.fire(
                request_type="CHECK",
                name="double tap answered with another receipt",
                response_time=0,
                response_length=0,
                exception=RuntimeError(" ".join(sorted(locations))),
                context={},
            )
            return None
        path = locations.pop()
        acknowledged.append({"title": title, "key": path.rsplit("/", 1)[1]})
        return path


class Participant(FormUser):
    """Opens the form once, then sends back to back."""

    def on_start(self) -> None:
        self.number = next(user_numbers)
        self.sends = 0
        self.open_form(FORM_OPENING)
        if next(forms_open) == self.environment.parsed_options.num_users:
            # The last form is open: what counts from here on is the sends.
            stats = self.environment.stats
            entry = stats.get(FORM_OPENING, "GET")
            form_opening.update(
                count=entry.num_requests,
                failures=entry.num_failures,
                p50_ms=entry.get_response_time_percentile(0.5),
                max_ms=entry.max_response_time,
            )
            stats.reset_all()
            all_forms_open.set()
        all_forms_open.wait(timeout=OPENING_WAIT_S)

    @task
    def send(self) -> None:
        if not (self.csrf and self.kelurahan and self.pillars):
            self.open_form(FORM_OPENING)  # it did not open: try again
            return
        self.sends += 1
        title = f"Usulan uji {TAG}-{self.number:02d}-{self.sends:06d}"
        self.post_and_check(title, self.body(title), self.sends % DOUBLE_TAP_EVERY == 0)


class Visitor(FormUser):
    """The whole path of one input: open the form, send, read the receipt."""

    def on_start(self) -> None:
        self.number = next(user_numbers)
        self.sends = 0

    @task
    def send(self) -> None:
        started = time.perf_counter()
        self.sends += 1
        self.open_form("form")
        problem = "form page"
        if self.csrf and self.kelurahan and self.pillars:
            title = f"Usulan jalur {TAG}-{self.number:02d}-{self.sends:06d}"
            path = self.post_and_check(title, self.body(title), double_tap=False)
            problem = "send"
            if path is not None:
                ok = self.client.get(path, name="receipt").status_code == 200
                problem = None if ok else "receipt page"
        self.environment.events.request.fire(
            request_type="PATH",
            name="whole path",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=RuntimeError(problem) if problem else None,
            context={},
        )


class Baseline(FastHttpUser):
    def on_start(self) -> None:
        self.number = next(user_numbers)
        self.sends = 0

    @task
    def send(self) -> None:
        self.sends += 1
        title = f"Baris uji {TAG}-{self.number:02d}-{self.sends:06d}"
        with self.client.post(
            "/insert",
            data=urlencode({"title": title}),
            headers=FORM_ENCODED,
            allow_redirects=False,
            name="send",
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location", "")
            if answer.status_code != 303 or not location.startswith("/row/"):
                answer.failure(f"answered {answer.status_code}, not 303 to a row")
                return
        acknowledged.append({"title": title, "key": location.rsplit("/", 1)[1]})
