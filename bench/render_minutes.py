"""Benchmark: render the minutes (notulen) for 100, 1,000 and 5,000 inputs.

    .venv/bin/python bench/render_minutes.py            # all sizes, writes docs/PERFORMANCE.md
    .venv/bin/python bench/render_minutes.py --sizes 100 1000 --no-docs

For each size a meeting with that many inputs is written to a temporary SQLite
database (built by the real migrations), then two things are measured, each in
a fresh subprocess so that its peak memory is its own:

- rakor: the real path, `build_minutes_context` + `document_pdf` (context, HTML
  template, WeasyPrint through app.pdf's restricted fetcher; a long document is
  laid out in parts in processes forked for the render, app/reports/parallel.py);
- baseline: the naive way, the same rows as one big WeasyPrint <table> with
  default settings (one process, no plain blocks, no paused garbage collector).

Both are the first render of a process whose imports are done: nothing cached
from an earlier render. Time is the wall time of the render (imports and
database set-up excluded). CPU time adds up every process of the render: the
measuring process and the part processes it forked (RUSAGE_CHILDREN). Peak
memory is the measuring process's maximum resident set size
(`getrusage(RUSAGE_SELF).ru_maxrss`, imports included) plus, for each part
process, the memory it added: its private pages at its end (allocated, or
copied on write from the parent) or the growth of its resident set, whichever
is larger. Pages shared with the parent are counted once. Targets on the
2-core machine: 1,000 inputs in at most 3 s and 250 MiB, 5,000 in at most 15 s
and 400 MiB, and at least 5 times faster than the baseline.
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
# The warm measurements render this small meeting first, in the same process.
WARM_UP_CODE = "bench-warm-up"
WARM_UP_SIZE = 12
CONCLUSIONS = "1. Pemutakhiran DTKS dilakukan setiap triwulan.\n2. Program dievaluasi."


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

    from app.demo import INPUTS, MEETING, seed_agencies
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
        # The measured meeting, and a small one rendered first by the warm measurements.
        meeting_ids = {}
        for code, count, prefix in (
            (f"bench-{size}", size, "B"),
            (WARM_UP_CODE, WARM_UP_SIZE, "W"),
        ):
            meeting = Meeting(
                code=code,
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
                conclusions=CONCLUSIONS,
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
            for number in range(count):
                item = INPUTS[number % len(INPUTS)]
                role, unit = item["role"], item["unit"]
                rows.append(
                    {
                        "meeting_id": meeting.id,
                        "receipt_code": f"{prefix}{size:05d}{number:06d}"[:16],
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
                        "location_id": kelurahan.get(item["location"])
                        if item["location"]
                        else None,
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
                    for n in range(1, min(count // 10, 150) + 1)
                ],
            )
            db.session.add_all(
                FollowUp(meeting_id=meeting.id, action=f"Tindak lanjut {n}", status="open")
                for n in range(1, 11)
            )
            meeting_ids[code] = meeting.id
        db.session.commit()
        return meeting_ids[f"bench-{size}"]


# --- one measurement, in a child process -------------------------------------------------


def measure(database_url: str, meeting_id: int, mode: str) -> dict:
    import io

    app = make_app(database_url)
    with app.app_context():
        from app.reports.parallel import RenderStats, wait_for_ended_parts

        # "-full" prints every input's description whatever the meeting's size.
        limit = 10**9 if "-full" in mode else None
        if mode.endswith("+warm"):
            # A worker that has rendered before: the small meeting first, the same way.
            from app.extensions import db
            from app.models import Meeting

            warm_up = db.session.scalar(db.select(Meeting.id).filter_by(code=WARM_UP_CODE))
            render(warm_up, None, mode)
        stats = RenderStats()
        children_started = children_cpu()
        started = time.perf_counter()
        cpu_started = time.process_time()
        pdf = render(meeting_id, limit, mode, stats)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        # The part processes hand their memory back after the PDF is made: count their CPU.
        wait_for_ended_parts()
        cpu += children_cpu() - children_started
    # The high-water mark of this process's resident memory, read before anything else runs,
    # and what each part process added to it.
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parts_mib = sum(part.own_mib for part in stats.parts)
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "pages": pages,
        "bytes": len(pdf),
        "peak_mib": round(peak_kib / 1024 + parts_mib, 1),
        "processes": stats.processes if stats.parts else 1,
        "parts": [
            {"pages": part.pages, "seconds": part.seconds, "own_mib": part.own_mib}
            for part in stats.parts
        ],
        "fallback": stats.fallback,
    }


def render(meeting_id: int, limit: int | None, mode: str, stats=None) -> bytes:
    """The minutes' PDF the real way (rakor) or the naive way (baseline)."""
    from app.reports.render import document_pdf, template_version
    from app.reports.services import build_minutes_context, source_digest

    context = build_minutes_context(meeting_id, full_text_limit=limit)
    if mode.startswith("rakor"):
        digest = source_digest(context, template_version())
        return document_pdf(context, digest=digest, stats=stats)
    return naive_table_pdf(context)


def children_cpu() -> float:
    """CPU time of the finished (reaped) child processes: the render's part processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def verdict(size: int, row: dict) -> str:
    """The targets: time and memory of the first render, and both speed-ups."""
    rakor = row["rakor"]
    notes = []
    target = TARGETS.get(size)
    if target and rakor["seconds"] is not None:
        seconds, mib = target
        notes.append("time ok" if rakor["seconds"] <= seconds else f"time over {seconds:g} s")
        notes.append("memory ok" if rakor["peak_mib"] <= mib else f"memory over {mib} MiB")
    for label, mine, theirs in (
        ("first", rakor, row["baseline"]),
        ("later", row.get("rakor_warm") or {}, row.get("baseline_warm") or {}),
    ):
        if theirs.get("seconds") and mine.get("seconds"):
            speedup = theirs["seconds"] / mine["seconds"]
            below = "" if speedup >= SPEEDUP_TARGET else " (below 5x)"
            notes.append(f"{label} {speedup:.1f}x{below}")
        elif theirs.get("timeout"):
            notes.append(f"baseline over {theirs['timeout']} s")
    return ", ".join(notes)


def seconds(result: dict | None) -> str:
    return f"{result['seconds']:.2f} s" if result and result.get("seconds") else "–"


def speedup(mine: dict | None, theirs: dict | None) -> str:
    if not (mine and theirs and mine.get("seconds") and theirs.get("seconds")):
        return "–"
    return f"{theirs['seconds'] / mine['seconds']:.1f}x"


def markdown(results: list[dict], machine: str) -> str:
    lines = [
        DOC_SECTION,
        "",
        "    .venv/bin/python bench/render_minutes.py            # all sizes, about 7 minutes",
        "",
        f"Measured by `bench/render_minutes.py` on {machine}. Each size is a closed meeting",
        "with that many inputs (the demo's texts, 5 % merged into another input, up to 150",
        "attendees, 10 follow-ups), rendered to a PDF by the real path",
        "(`build_minutes_context` + `document_pdf`: one query per section, the Jinja",
        "template, WeasyPrint through the restricted fetcher, a long document in parts on",
        "both cores) and, in the same run, by a naive baseline: the same rows as one big",
        "WeasyPrint `<table>` with default settings, in one process.",
        "",
        "Each render runs in a fresh process whose imports are done, and is timed twice,",
        "each time in a process of its own: the *first* render of that process (nothing",
        "cached: templates compiled, queries compiled, fonts loaded on the way), and a",
        "*later* render, after the process rendered a 12-input meeting the same way (the",
        "real path) or the same naive way (the baseline). The later render is the web",
        "process's render thread, which keeps its templates, compiled queries and fonts;",
        "an RQ job runs in a process forked from `DocumentWorker`, which compiled the",
        "templates and loaded the fonts before its first job (its SQL statements are",
        "compiled afresh). Time is wall time including the context; CPU time adds up",
        "every process of the render; peak memory is the rendering process's peak RSS",
        "(imports included) plus what each part process added to it (its private pages",
        "at its end, or the growth of its resident set if larger), for the first render.",
        "Load is the 1-minute load average when the render started (this benchmark's",
        "own previous renders included): other sessions share these two cores, and a",
        "load above 1 slows the parallel render down more than the one-process baseline.",
        "",
        "| inputs | pages | processes | first render | later render | CPU (first) "
        "| peak memory | load | baseline first | baseline later | baseline peak "
        "| speed-up first | speed-up later | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results:
        rakor, base = row["rakor"], row["baseline"]
        warm, base_warm = row.get("rakor_warm"), row.get("baseline_warm")
        base_peak = f"{base['peak_mib']:.0f} MiB" if base.get("peak_mib") else "–"
        label = f"{row['size']:,}" + (" with descriptions" if row.get("full_text") else "")
        lines.append(
            f"| {label} | {rakor['pages']} | {rakor.get('processes', 1)} | {seconds(rakor)} "
            f"| {seconds(warm)} | {rakor.get('cpu_seconds', 0):.2f} s "
            f"| {rakor['peak_mib']:.0f} MiB | {rakor.get('load', '')} | {seconds(base)} "
            f"| {seconds(base_warm)} | {base_peak} | {speedup(rakor, base)} "
            f"| {speedup(warm, base_warm)} | {row['verdict']} |"
        )
    return "\n".join(lines) + "\n" + PROSE


PROSE = """
Targets: 1,000 inputs in at most 3 s and 250 MiB; 5,000 in at most 15 s and
400 MiB; at least 5 times faster than the baseline.

How the real path gets there (`app/reports/parallel.py`, `app/reports/render.py`,
`app/pdf.py`, `static/css/report.css`):

- **Two parts at the same time.** WeasyPrint lays pages out one after another, so
  a document can only be cut where a new page starts whatever comes before: at a
  forced page break. A list of at least 50 items
  (`RAKOR_MINUTES_STRATEGY_PAGE_FROM`) therefore starts each strategy after the
  first on a new page; the attendance list always did. The PDF is cut there into
  as many runs of strategies as there are cores (two here), balanced by the length
  of their markup. The rendering process renders the smaller run and forks a
  process for the other, which starts with its imports, compiled templates and
  loaded fonts. Each part paginates, the page counts are exchanged, and only then
  does WeasyPrint lay out the page margins, so "Halaman X dari Y" counts over the
  whole file. pypdf joins the files, keeping the first part's metadata (title,
  author, language and, for the archived minutes, the PDF/A output intent and
  XMP), and the bookmarks are built again over all pages. The pages are the ones a
  single process makes: `tests/test_reports_parallel.py` compares the text, the
  page numbers and the bookmarks page by page, and the `pdftoppm -r 50` images of
  all 16 pages (100 inputs) and all 59 pages (1,000) are identical. A short
  document, a render that cannot fork (another thread inside WeasyPrint for more
  than 2 s: its locks would be copied locked) or a part that fails is rendered in
  one process: the same pages, slower.
- pydyf (WeasyPrint's PDF writer) compresses at zlib level 6 instead of 9: level 9
  took eight times as long for a file 4 % smaller, about 7 % of a render.
- Each thread keeps its WeasyPrint font configuration, so the fonts stay loaded
  from one render to the next (and in the forked part).
- While it waits for the other part, the rendering process collects the cycles
  its own layout left (the collector is paused during a render, `gc_paused`).
- As before: each input is two or three plain paragraphs, with no table, no
  wrapper block and no inline markup (WeasyPrint's time and memory grow with every
  box, and a long table costs more than its rows: compare the baseline at 1,000 and
  5,000 inputs); Liberation Sans (Arial's metrics) sets more words per line than
  DejaVu Sans; the attendance and follow-up tables use the fixed table layout; one
  query per section; the template gets plain dataclasses.

What it costs:

- **The look of a long list changes**: each strategy after the first starts on a
  new page. At 100 inputs the minutes have 16 pages instead of 14, at 1,000 inputs
  59 instead of 56; the pages before the second strategy are the same as before
  (the total in the footer aside). A meeting with fewer than 50 items keeps one
  flow. Setting `RAKOR_MINUTES_STRATEGY_PAGE_FROM` very high brings the old flow
  back, and the render then runs in one process.
- More CPU than one process (the CPU column: both processes start WeasyPrint, and
  the joining), and a larger file: each part embeds its own subset of the fonts
  (97 KB instead of 66 KB at 100 inputs, 975 KB instead of 830 KB at 5,000).
- Peak memory at 5,000 inputs is close to its target: each part process adds its
  pages and about 25 MiB it copies from the parent on write.
- It needs the second core. With other work on the machine (a load above 1) the
  two parts share one core and the render gains little, while the one-process
  baseline loses less.
- WeasyPrint's `layout.make_margin_boxes` is wrapped (once per process) to number
  the parts' pages; a render that is not a part goes straight through. It is
  WeasyPrint 70's internal function: if an upgrade stops calling it, the parts
  cannot be numbered, the render falls back to one process, and
  `test_minutes_in_parts_are_the_minutes_of_one_process` fails.

100 inputs stay below 5 times the baseline on a first render (and reach it only
just on a later one). The 16 pages split at the strategies into parts of 9 and 7
pages, and the longer part sets the time: about 0.25 s. A first render also pays
once for compiling the template and the queries and for starting WeasyPrint in
both processes (about 0.11 s). WeasyPrint itself is the floor: the same text as
bare paragraphs, without any of the minutes' styles, takes it 0.30 s in one
process. Tried and left out: the page footer as margin-box text instead of a
running element (3 % faster, a risk to the footer's look), the fixed table layout
for the letterhead and the recap (no change), no whitespace between the
paragraphs (no change), one process per strategy (only two cores).

Where the time goes at 1,000 inputs, later render, on a quiet machine: the
context 0.03 s, the digest 0.015 s, the HTML and the fork 0.015 s; then each part
(about 30 pages, both at the same time) parses its markup in 0.05 s, styles it in
0.045 s, builds its boxes in 0.03 s, lays out its pages in 0.41 s, draws them in
0.25 s and writes its file in 0.025 s; joining the two files takes 0.025 s.

"""


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
            variants = [("", False)]
            if size in args.full_text and size > FULL_TEXT_LIMIT:
                # The same meeting with every description printed, for comparison.
                variants.append(("-full", True))
            for suffix, full_text in variants:
                row: dict = {"size": size}
                if full_text:
                    row["full_text"] = True
                for key, mode, timeout in (
                    ("rakor", "rakor", 600),
                    ("rakor_warm", "rakor+warm", 600),
                    ("baseline", "baseline", BASELINE_TIMEOUT),
                    ("baseline_warm", "baseline+warm", BASELINE_TIMEOUT),
                ):
                    if args.no_baseline and key.startswith("baseline"):
                        row[key] = {"seconds": None, "peak_mib": None}
                        continue
                    mode = mode.replace("+", f"{suffix}+") if "+" in mode else mode + suffix
                    row[key] = run_child(database_url, meeting_id, mode, timeout)
                row["verdict"] = verdict(0 if full_text else size, row)
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
