"""Benchmark: the minutes (notulen) of 100, 1,000 and 5,000 inputs against a naive render.

    .venv/bin/python bench/render_minutes.py                 # 100, 1,000 and 5,000 inputs
    .venv/bin/python bench/render_minutes.py --sizes 1000

For each size a closed meeting with that many inputs (the demo's texts, every
20th merged into the one before, up to 150 attendees, 10 follow-ups) is written
to a temporary SQLite database built by the real migrations. Two renders of it
are then measured, each in a fresh process whose imports are done:

- rakor: the job path, `start_document(..., here=True)`: the context built
  once, a RenderJob, the template, WeasyPrint in this one process through the
  restricted fetcher, the PDF stored;
- baseline: the same rows as one big WeasyPrint <table> with default settings.

Time is the wall time of the render, and its CPU time (`time.process_time()`),
which other work on a shared machine disturbs less. Peak memory is the
process's peak resident set size, `resource.getrusage(RUSAGE_SELF).ru_maxrss`,
imports included. The results are printed as a Markdown table; no file is
written.

Targets: at least 3 times faster than the baseline at 1,000 and 5,000 inputs;
peak memory at most 250 MiB at 1,000 and 400 MiB at 5,000. 100 inputs are shown
for information.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (100, 1000, 5000)
MEMORY_TARGETS = {1000: 250, 5000: 400}
SPEEDUP_TARGET = 3.0
TIMEOUT = 900


def make_app(database_url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False})


def populate(database_url: str, size: int) -> int:
    """A closed meeting with `size` inputs in the demo's words; its id."""
    from flask_migrate import upgrade

    from app.demo import MEETING, SUBMISSIONS, seed_agencies
    from app.extensions import db
    from app.models import (
        Agency,
        AgendaItem,
        Attendee,
        FollowUp,
        Kecamatan,
        Kelurahan,
        Meeting,
        Pillar,
        Submission,
    )
    from app.seed import seed_reference_data

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        seed_reference_data()
        seed_agencies()
        pillars = {p.code: p.id for p in db.session.scalars(db.select(Pillar))}
        kecamatan = {k.name: k.id for k in db.session.scalars(db.select(Kecamatan))}
        kelurahan = {k.name: k.id for k in db.session.scalars(db.select(Kelurahan))}
        agencies = {a.abbreviation: a.id for a in db.session.scalars(db.select(Agency))}
        meeting = Meeting(
            code=f"bench-{size}",
            title=MEETING["title"],
            date=date(2024, 1, 23),
            start_time=clock(9, 0),
            venue=MEETING["venue"],
            status="closed",
            chair_name=MEETING["chair_name"],
            chair_position=MEETING["chair_position"],
            notetaker_name=MEETING["notetaker_name"],
            notetaker_position=MEETING["notetaker_position"],
            notetaker_nip=MEETING["notetaker_nip"],
            opening=MEETING["opening"],
            conclusions="1. Pemutakhiran DTKS dilakukan setiap triwulan.\n2. Program dievaluasi.",
        )
        meeting.agenda_items = [
            AgendaItem(position=i, title=t, discussion="Dibahas.")
            for i, t in enumerate(MEETING["agenda"], 1)
        ]
        meeting.pillars = list(db.session.scalars(db.select(Pillar).order_by(Pillar.position)))
        db.session.add(meeting)
        db.session.flush()
        start = datetime(2024, 1, 23, 2, 0, tzinfo=UTC)
        rows = []
        for number in range(size):
            item = SUBMISSIONS[number % len(SUBMISSIONS)]
            role, unit = item["role"], item["unit"]
            rows.append(
                {
                    "meeting_id": meeting.id,
                    "receipt_code": f"B{size:05d}{number:06d}",
                    "idempotency_key": f"bench-{number}",
                    "source": "web",
                    "submitter_name": item["submitter_name"],
                    "role": role,
                    "kelurahan_id": kelurahan.get(unit) if role == "lurah" else None,
                    "kecamatan_id": kecamatan.get(unit) if role == "camat" else None,
                    "agency_id": agencies.get(unit) if role == "opd" else None,
                    "organisation": unit if role == "stakeholder" else "",
                    "position": item["position"],
                    "phone": "",
                    "kind": item["kind"],
                    "submitted_pillar_id": pillars[item["pillar"]],
                    "pillar_id": pillars[item["pillar"]],
                    "title": f"{item['title']} ({number + 1})"[:160],
                    "description": item["description"],
                    "location_id": kelurahan.get(item["location"]) if item["location"] else None,
                    "target_group": item["target_group"],
                    "submitted_at": start + timedelta(seconds=number),
                    "status": item["status"],
                    "decision_reason": item["decision_reason"],
                }
            )
        db.session.execute(db.insert(Submission), rows)
        ids = list(
            db.session.scalars(
                db.select(Submission.id)
                .where(Submission.meeting_id == meeting.id)
                .order_by(Submission.id)
            )
        )
        for index in range(1, len(ids), 20):
            db.session.execute(
                db.update(Submission)
                .where(Submission.id == ids[index])
                .values(status="merged", merged_into_id=ids[index - 1])
            )
        db.session.execute(
            db.insert(Attendee),
            [
                {
                    "meeting_id": meeting.id,
                    "name": f"Peserta {n}",
                    "position": "Lurah",
                    "unit": "Kelurahan",
                    "sex": "L" if n % 2 else "P",
                    "phone": "",
                    "created_at": start,
                }
                for n in range(1, min(size // 10, 150) + 1)
            ],
        )
        db.session.add_all(
            FollowUp(meeting_id=meeting.id, action=f"Tindak lanjut {n}", status="open")
            for n in range(1, 11)
        )
        db.session.commit()
        return meeting.id


# --- one measurement, in a process of its own ----------------------------------------------


def measure(database_url: str, meeting_id: int, mode: str) -> dict:
    import io

    from pypdf import PdfReader

    app = make_app(database_url)
    with app.app_context():
        from app.documents import jobs
        from app.documents.context import build_minutes_context

        started, cpu_started = time.perf_counter(), time.process_time()
        if mode == "rakor":
            outcome = jobs.start_document(meeting_id, "minutes", None, here=True)
            pdf = outcome.document.content
        else:
            pdf = naive_table_pdf(build_minutes_context(meeting_id))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {"seconds": seconds, "cpu": cpu, "peak_mib": round(peak_mib), "pages": pages}


def naive_table_pdf(context) -> bytes:
    """The same rows as one big table, the way a first attempt would do it."""
    from markupsafe import escape
    from weasyprint import HTML

    cells = []
    for section in context.pillars:
        for line in section.submissions:
            text = "<br>".join(str(escape(p)) for p in line.description)
            cells.append(
                f"<tr><td>{line.number}</td><td>{escape('; '.join(line.proposers))}</td>"
                f"<td><b>{escape(line.title)}</b><br>{text}</td><td>{escape(line.location)}</td>"
                f"<td>{escape(line.decision)} {escape(line.decision_reason)}</td></tr>"
            )
    html = (
        "<html><head><style>@page { size: A4; margin: 20mm;"
        ' @bottom-center { content: "Halaman " counter(page) " dari " counter(pages) } }'
        " body { font-family: 'DejaVu Sans', sans-serif; font-size: 9pt }"
        " table { border-collapse: collapse; width: 100% }"
        " td, th { border: 0.5pt solid #555; padding: 2pt; vertical-align: top }"
        " tr { break-inside: avoid }</style></head><body><table><thead><tr><th>No</th>"
        "<th>Dari</th><th>Masukan</th><th>Lokasi</th><th>Keputusan</th></tr></thead><tbody>"
        + "".join(cells)
        + "</tbody></table></body></html>"
    )
    return HTML(string=html).write_pdf()


def run_child(database_url: str, meeting_id: int, mode: str) -> dict:
    command = [sys.executable, __file__, "--child", mode, database_url, str(meeting_id)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ------------------------------------------------------------------------------


def verdict(size: int, rakor: dict, baseline: dict) -> str:
    speedup = baseline["seconds"] / rakor["seconds"]
    if size not in MEMORY_TARGETS:
        return "information"
    notes = ["time ok" if speedup >= SPEEDUP_TARGET else f"time below {SPEEDUP_TARGET:g}x"]
    limit = MEMORY_TARGETS[size]
    notes.append("memory ok" if rakor["peak_mib"] <= limit else f"memory over {limit} MiB")
    return ", ".join(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATABASE_URL", "MEETING_ID"))
    args = parser.parse_args()
    if args.child:
        mode, database_url, meeting_id = args.child
        print(json.dumps(measure(database_url, int(meeting_id), mode)))
        return

    import weasyprint

    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, WeasyPrint "
          f"{weasyprint.__version__}, load {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    print(
        "| inputs | pages | rakor time | CPU | peak | baseline time | CPU | peak "
        "| speed-up (time) | (CPU) | verdict |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory(prefix="rakor-bench-") as folder:
        for size in args.sizes:
            database_url = f"sqlite:///{folder}/minutes-{size}.sqlite"
            meeting_id = populate(database_url, size)
            rakor = run_child(database_url, meeting_id, "rakor")
            baseline = run_child(database_url, meeting_id, "baseline")
            print(
                f"| {size:,} | {rakor['pages']} | {rakor['seconds']:.2f} s | {rakor['cpu']:.2f} s "
                f"| {rakor['peak_mib']} MiB | {baseline['seconds']:.2f} s "
                f"| {baseline['cpu']:.2f} s | {baseline['peak_mib']} MiB "
                f"| {baseline['seconds'] / rakor['seconds']:.1f}x "
                f"| {baseline['cpu'] / rakor['cpu']:.1f}x | {verdict(size, rakor, baseline)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
