"""The participants of bench/submit_load.py, for locust.

    locust -f bench/submit_locustfile.py Participant --host http://127.0.0.1:8000
    locust -f bench/submit_locustfile.py Baseline --host http://127.0.0.1:8001

`Participant` does what a person at the meeting does, with no pause between sends:
open the form of the demo meeting, send a complete valid input, follow the answer
to the receipt; every tenth send is posted twice (a double tap) and must get the
same receipt. `Baseline` sends a title to bench/baseline_app.py and follows to the
row. Each send is also reported as one "whole send" entry, from the first request
to the last. Every send that got its receipt is written to $BENCH_ACKS (JSON) when
locust quits, for the benchmark to look up in the database.
"""

import itertools
import json
import os
import re
import time
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, events, task

MEETING_CODE = os.environ.get("BENCH_MEETING", "rakor2024")  # the demo meeting
TAG = os.environ.get("BENCH_TAG") or uuid.uuid4().hex[:6]  # titles unique across runs
DOUBLE_TAP_EVERY = 10
FORM_ENCODED = {"Content-Type": "application/x-www-form-urlencoded"}

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLIENT_TOKEN = re.compile(r'name="client_token"[^>]*value="([0-9a-f]{32})"')
KELURAHAN_SELECT = re.compile(r'id="unit_kelurahan"[^>]*>(.*?)</select>', re.S)
OPTION_ID = re.compile(r'<option value="(\d+)"')
PILLAR_RADIO = re.compile(r'name="pillar"[^>]*value="(\d+)"')
RECEIPT = re.compile(r"/receipt/([A-Z0-9]{8})$")

user_numbers = itertools.count(1)
acknowledged: list[dict[str, str]] = []  # {"title", "key"}: a receipt code or a row id


@events.quitting.add_listener
def write_acknowledged(**_kwargs) -> None:
    if os.environ.get("BENCH_ACKS"):
        with open(os.environ["BENCH_ACKS"], "w") as out:
            json.dump(acknowledged, out)


def report_whole_send(user: FastHttpUser, started: float, problem: str | None) -> None:
    user.environment.events.request.fire(
        request_type="SEND",
        name="whole send",
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=RuntimeError(problem) if problem else None,
        context={},
    )


class Participant(FastHttpUser):
    def on_start(self) -> None:
        self.number = next(user_numbers)
        self.sends = 0

    @task
    def send(self) -> None:
        started = time.perf_counter()
        self.sends += 1
        report_whole_send(self, started, self.one_send())

    def one_send(self) -> str | None:
        page = self.client.get(f"/m/{MEETING_CODE}", name="form")
        html = page.text or ""
        csrf, token, select = (
            CSRF.search(html),
            CLIENT_TOKEN.search(html),
            KELURAHAN_SELECT.search(html),
        )
        pillars = PILLAR_RADIO.findall(html)
        if page.status_code != 200 or not (csrf and token and select and pillars):
            return f"form page: {page.status_code}"
        kelurahan = OPTION_ID.findall(select.group(1))
        title = f"Usulan uji {TAG}-{self.number:02d}-{self.sends:06d}"
        body = urlencode(
            {
                "csrf_token": csrf.group(1),
                "client_token": token.group(1),
                "submitter_name": f"Peserta Uji {self.number:02d}",
                "role": "lurah",
                "unit_kelurahan": kelurahan[self.number % len(kelurahan)],
                "unit_kecamatan": "",
                "unit_agency": "",
                "unit_organisation": "",
                "position": "Lurah",
                "phone": "0812-2712-3456",
                "kind": "usulan",
                "pillar": pillars[self.number % len(pillars)],
                "title": title,
                "description": "Pelatihan keterampilan bagi warga miskin di kelurahan ini.",
                "location": "",
                "target_group": "umum",
                "program": "",
                "beneficiaries": "40",
                "cost": "Rp 75.000.000",
            }
        )
        posts = 2 if self.sends % DOUBLE_TAP_EVERY == 0 else 1
        locations = set()
        for attempt in range(posts):
            answer = self.client.post(
                f"/m/{MEETING_CODE}",
                data=body,
                headers=FORM_ENCODED,
                allow_redirects=False,
                name="send" if attempt == 0 else "send again (double tap)",
            )
            if answer.status_code != 303:
                return f"send: {answer.status_code}"
            locations.add(answer.headers.get("Location", ""))
        receipt = RECEIPT.search(locations.pop()) if len(locations) == 1 else None
        if receipt is None:
            return "a double tap got another receipt, or none"
        if self.client.get(receipt.group(0), name="receipt").status_code != 200:
            return "receipt page"
        acknowledged.append({"title": title, "key": receipt.group(1)})
        return None


class Baseline(FastHttpUser):
    def on_start(self) -> None:
        self.number = next(user_numbers)
        self.sends = 0

    @task
    def send(self) -> None:
        started = time.perf_counter()
        self.sends += 1
        title = f"Baris uji {TAG}-{self.number:02d}-{self.sends:06d}"
        answer = self.client.post(
            "/insert",
            data=urlencode({"title": title}),
            headers=FORM_ENCODED,
            allow_redirects=False,
            name="send",
        )
        location = answer.headers.get("Location", "") if answer.status_code == 303 else ""
        problem = None if location else f"send: {answer.status_code}"
        if location and self.client.get(location, name="row").status_code == 200:
            acknowledged.append({"title": title, "key": location.rsplit("/", 1)[1]})
        elif location:
            problem = "row page"
        report_whole_send(self, started, problem)
