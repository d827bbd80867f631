"""Benchmark: render the minutes (notulen) for 100, 1,000 and 5,000 inputs.

    .venv/bin/python bench/render_minutes.py            # all sizes, writes docs/PERFORMANCE.md
    .venv/bin/python bench/render_minutes.py --sizes 100 1000 --no-docs

For each size a meeting with that many inputs is written to a temporary SQLite
database (built by the real migrations), then two things are measured, each in
a fresh subprocess so that its peak memory is its own:

- rakor: the real path, `build_minutes_context` + `document_pdf` (context, HTML
  template, WeasyPrint through app.pdf's restricted fetcher);
- baseline: the naive way, the same rows as one big WeasyPrint <table> with
  default settings (no plain blocks, no paused garbage collector).

Time is the wall time of the render (imports and database set-up excluded, as
in a warm web or RQ worker); peak memory is the child's maximum resident set
size (`getrusage(RUSAGE_SELF).ru_maxrss` read by the child right after the
render), imports included. Targets on the 2-core
machine: 1,000 inputs in at most 3 s and 250 MiB, 5,000 in at most 15 s and
400 MiB, and at least 5 times faster than the baseline.
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
TARGETS = {1000: (3.0, 250), 5000: (15.0, 400)}
SPEEDUP_TARGET = 5.0
BASELINE_TIMEOUT = 900
DOC_SECTION = "## Rendering the minutes"
FULL_TEXT_LIMIT = 200  # app.reports.services.FULL_TEXT_LIMIT, the default


def make_app(database_url: str):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": False,
            "RAKOR_RENDER_SYNC": True,
        }
    )


# --- the data ------------------------------------------------------------------------


def populate(database_url: str, size: int) -> int:
    """A closed meeting with `size` inputs in the demo's words, 5 % merged, an attendance list."""
    from flask_migrate import upgrade

    from app.demo import seed_agencies
    from app.demo_content import INPUTS, MEETING
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
            item = INPUTS[number % len(INPUTS)]
            role, unit = item["role"], item["unit"]
            rows.append(
                {
                    "meeting_id": meeting.id,
                    "receipt_code": f"B{size:05d}{number:06d}"[:16],
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
        # Every 20th input is merged into the one before it.
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


# --- one measurement, in a child process -------------------------------------------------


def measure(database_url: str, meeting_id: int, mode: str) -> dict:
    import io

    app = make_app(database_url)
    with app.app_context():
        from app.reports.render import document_pdf, template_version
        from app.reports.services import build_minutes_context, source_digest

        # "-full" prints every input's description whatever the meeting's size.
        limit = 10**9 if mode.endswith("-full") else None
        started = time.perf_counter()
        cpu_started = time.process_time()
        context = build_minutes_context(meeting_id, full_text_limit=limit)
        if mode.startswith("rakor"):
            pdf = document_pdf(context, digest=source_digest(context, template_version()))
        else:
            pdf = naive_table_pdf(context)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    # The high-water mark of this process's resident memory, read before anything else runs.
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "pages": pages,
        "bytes": len(pdf),
        "peak_mib": round(peak_kib / 1024, 1),
    }


def naive_table_pdf(context) -> bytes:
    """The same rows as one big table, the way a first attempt would do it."""
    from markupsafe import escape
    from weasyprint import HTML

    cells = []
    for section in context.pillars:
        for line in section.inputs:
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


def run_child(database_url: str, meeting_id: int, mode: str, timeout: int) -> dict:
    """Run one measurement in a fresh process, so that its peak memory is its own.

    The machine's load average is kept with each figure: other work on the two
    cores slows a render down, and the reader should know.
    """
    command = [sys.executable, __file__, "--child", mode, database_url, str(meeting_id)]
    load = round(os.getloadavg()[0], 2)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "pages": None, "peak_mib": None, "timeout": timeout, "load": load}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = load
    return result


def child_main(mode: str, database_url: str, meeting_id: str) -> None:
    print(json.dumps(measure(database_url, int(meeting_id), mode)))


# --- the report ----------------------------------------------------------------------------


def verdict(size: int, rakor: dict, baseline: dict) -> str:
    notes = []
    target = TARGETS.get(size)
    if target and rakor["seconds"] is not None:
        seconds, mib = target
        notes.append("time ok" if rakor["seconds"] <= seconds else f"time over {seconds:g} s")
        notes.append("memory ok" if rakor["peak_mib"] <= mib else f"memory over {mib} MiB")
    if baseline.get("seconds") and rakor["seconds"]:
        speedup = baseline["seconds"] / rakor["seconds"]
        notes.append(f"{speedup:.1f}x" + ("" if speedup >= SPEEDUP_TARGET else " (below 5x)"))
    elif baseline.get("timeout"):
        notes.append(f"baseline over {baseline['timeout']} s")
    return ", ".join(notes)


def markdown(results: list[dict], machine: str) -> str:
    lines = [
        DOC_SECTION,
        "",
        f"Measured by `bench/render_minutes.py` on {machine}. Each size is a closed meeting",
        "with that many inputs (the demo's texts, 5 % merged into another input, up to 150",
        "attendees, 10 follow-ups), rendered to a PDF by the real path",
        "(`build_minutes_context` + `document_pdf`: one query per section, the Jinja",
        "template, WeasyPrint through the restricted fetcher) and, in the same run, by a",
        "naive baseline: the same rows as one big WeasyPrint `<table>` with default",
        "settings. Each render runs in a fresh process; time is its wall time including",
        "the context (imports excluded, as in a warm worker), memory the process's peak",
        "RSS (imports included). CPU time is the process's own, which other work on the",
        "machine disturbs less; load is the 1-minute load average when the render",
        "started (other sessions share these two cores, and a load above 2 slows every",
        "wall time down).",
        "",
        "| inputs | pages | time | CPU time | peak memory | load | baseline time "
        "| baseline peak | speed-up | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results:
        rakor, base = row["rakor"], row["baseline"]
        base_time = f"{base['seconds']:.2f} s" if base.get("seconds") else "–"
        base_peak = f"{base['peak_mib']:.0f} MiB" if base.get("peak_mib") else "–"
        speedup = f"{base['seconds'] / rakor['seconds']:.1f}x" if base.get("seconds") else "–"
        label = f"{row['size']:,}" + (" with descriptions" if row.get("full_text") else "")
        lines.append(
            f"| {label} | {rakor['pages']} | {rakor['seconds']:.2f} s "
            f"| {rakor.get('cpu_seconds', 0):.2f} s "
            f"| {rakor['peak_mib']:.0f} MiB | {rakor.get('load', '')} | {base_time} "
            f"| {base_peak} | {speedup} | {row['verdict']} |"
        )
    lines += [
        "",
        "Targets: 1,000 inputs in at most 3 s and 250 MiB; 5,000 in at most 15 s and",
        "400 MiB; at least 5 times faster than the baseline.",
        "",
        "The speed-up grows with the size: the baseline's one long table costs more than",
        "its rows (and its memory runs away: nearly 1 GiB at 5,000 inputs), while the",
        "real path grows with the number of lines. At 100 and 1,000 inputs both are",
        "dominated by the same per-line work inside WeasyPrint, and the real path stays",
        "below the 5x target there; see the last paragraph for where the time goes.",
        "",
        "Above 200 inputs (`RAKOR_MINUTES_FULL_TEXT_LIMIT`) the minutes list each input's",
        "title, proposers, place and decision without its description (the full texts",
        'are on the review screens and in the Excel export); the row "with',
        'descriptions" shows what printing them would cost at 1,000 inputs.',
        "",
        "What makes the difference (see `static/css/report.css` and",
        "`app/reports/render.py`):",
        "",
        "- each input is two or three plain paragraphs, with no table, no wrapper block,",
        "  no rule between inputs and no inline markup: WeasyPrint's time and memory grow",
        "  with every box, and one bold `<b>` inside each input added about a third of",
        "  the memory at 5,000 inputs; a long table is slower still and its cost grows",
        "  faster than its rows (compare the baseline at 1,000 and 5,000);",
        "- the cyclic garbage collector is paused during the render (`gc_paused`): a long",
        "  document makes millions of small objects, and every automatic full collection",
        "  walks all of them (a third of the time at 5,000 inputs); reference counting",
        "  still frees memory as the render goes;",
        "- Liberation Sans (Arial's metrics) sets more words per line than DejaVu Sans:",
        "  fewer lines and pages; no web font is fetched;",
        "- the attendance and follow-up tables use the fixed table layout; one query per",
        "  section; the template gets plain dataclasses, never ORM objects.",
        "",
        "Where the time goes at 1,000 inputs on a quiet machine (WeasyPrint's own steps):",
        "reading the context and writing the HTML about 0.15 s, parsing and styling 0.4 s,",
        "laying out the pages 1.2 s, drawing them 0.7 s, fonts and writing the file",
        "0.3 s. WeasyPrint does almost all of it, per line of text; what is left to win",
        "lies in printing fewer lines.",
        "",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> Path:
    """Replace this section of docs/PERFORMANCE.md (other sections belong to other benchmarks)."""
    path = ROOT / "docs" / "PERFORMANCE.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    if DOC_SECTION in text:
        start = text.index(DOC_SECTION)
        rest = text[start + len(DOC_SECTION) :]
        following = rest.find("\n## ")
        end = start + len(DOC_SECTION) + following + 1 if following >= 0 else len(text)
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-docs", action="store_true", help="do not update PERFORMANCE.md")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--full-text",
        type=int,
        nargs="*",
        default=[1000],
        help="sizes also measured with every description printed (default: 1000)",
    )
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATABASE_URL", "MEETING_ID"))
    parser.add_argument("--docs-from", type=Path, help="rewrite the docs from a results file")
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return
    if args.docs_from:
        saved = json.loads(args.docs_from.read_text())
        print(f"updated: {write_docs(markdown(saved['results'], saved['machine']))}")
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="rakor-bench-") as folder:
        for size in args.sizes:
            database_url = f"sqlite:///{folder}/minutes-{size}.sqlite"
            meeting_id = populate(database_url, size)
            rakor = run_child(database_url, meeting_id, "rakor", timeout=600)
            baseline = (
                {"seconds": None, "peak_mib": None}
                if args.no_baseline
                else run_child(database_url, meeting_id, "baseline", BASELINE_TIMEOUT)
            )
            row = {"size": size, "rakor": rakor, "baseline": baseline}
            row["verdict"] = verdict(size, rakor, baseline)
            results.append(row)
            print(json.dumps(row), flush=True)
            if size in args.full_text and size > FULL_TEXT_LIMIT:
                # The same meeting with every description printed, for comparison.
                rakor = run_child(database_url, meeting_id, "rakor-full", timeout=600)
                baseline = (
                    {"seconds": None, "peak_mib": None}
                    if args.no_baseline
                    else run_child(database_url, meeting_id, "baseline-full", BASELINE_TIMEOUT)
                )
                row = {"size": size, "full_text": True, "rakor": rakor, "baseline": baseline}
                row["verdict"] = verdict(0, rakor, baseline)
                results.append(row)
                print(json.dumps(row), flush=True)

    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, WeasyPrint " + (
        __import__("weasyprint").__version__
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results" / f"render-minutes-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"results: {out}")
    if not args.no_docs:
        print(f"updated: {write_docs(markdown(results, machine))}")


if __name__ == "__main__":
    main()
