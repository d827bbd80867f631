"""Benchmark: the paper import against two hostile XLSX files ("zip bombs").

    .venv/bin/python bench/import_limits.py

Files, built here and written to a temporary folder:

- baseline: a normal paper import, 2,000 filled rows of the template's 14 columns;
- million-cell row: a header row and one row of 1,000,000 cells (about 50 KB);
- 200 MB shared string: one string of 200 MB in sharedStrings.xml, used by a cell
  (about 205 KB);
- blank sheet at the caps: 19,997 rows of 5 empty cells under the header, the most
  rows and cells a sheet may hold (app/paper/limits.py): what a file tuned to pass every check up to
  the end of the sheet costs (it is refused there, having no input rows).

The database is a fresh SQLite file loaded through the CLI an operator uses
(`db upgrade`, `seed`, `demo`: bench/common.py). Each file then goes, in a fresh
process whose imports are done and whose app is built, through the function the
upload calls, `app.paper.services.import_workbook`, in a request context, as the
demo's secretariat account, into the demo meeting. Time is the wall time of that
call. Extra memory is the process's peak resident set size during the call minus
its resident size just before: Linux's high-water mark (VmHWM) is reset through
/proc/self/clear_refs before the call, so imports and set-up do not count, and
every byte Python, openpyxl or the XML parser touches does. The results are
printed as a Markdown table, each with its ratio to the baseline; no file is
written.

Target: a malicious file is refused within a few seconds and under
100 MiB of extra memory.
"""

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    DEMO_MEETING_CODE,
    DEMO_STAFF_EMAIL,
    app_environment,
    fresh_sqlite,
    load_demo_data,
    machine,
)

TIMEOUT_S = 900
MIB = 1024 * 1024
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
HEADERS = [
    "Nama",
    "Peran",
    "Unit",
    "Jabatan",
    "No HP",
    "Jenis",
    "Strategi (kode)",
    "Judul",
    "Uraian",
    "Lokasi (kelurahan)",
    "Sasaran",
    "Program",
    "Penerima manfaat",
    "Biaya (Rp)",
]
BASELINE_ROWS = 2_000
CASES = ("baseline", "million-cell row", "200 MB shared string", "blank sheet at the caps")


# --- the files ------------------------------------------------------------------------------


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def rebuilt(content: bytes, parts: dict) -> bytes:
    """The workbook with `parts` (name -> bytes chunks) added or put in place of its own."""
    source = zipfile.ZipFile(BytesIO(content))
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item.filename))
        for name, chunks in parts.items():
            with target.open(name, "w") as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return output.getvalue()


def baseline_rows() -> list[list]:
    """Filled paper forms as staff type them: a lurah's proposal, each with its own title."""
    return [
        [
            f"Peserta Rakor {n:04d}",
            "lurah",
            "Krapyak",
            "Lurah Krapyak",
            f"0812 2712 {n:04d}",
            "usulan",
            f"P{n % 4 + 1}",
            f"Pelatihan keterampilan kerja gelombang {n:04d}",
            "Pelatihan membatik tulis bagi pemuda putus sekolah di RW 05, dengan pendampingan "
            "pemasaran daring selama enam bulan dan bantuan alat kerja.",
            "Krapyak",
            "pencari_kerja",
            None,
            40,
            "Rp 75.000.000",
        ]
        for n in range(BASELINE_ROWS)
    ]


def sheet_part(*rows: bytes) -> list[bytes]:
    head = f'<worksheet xmlns="{NS}"><dimension ref="A1:N2"/><sheetData>'.encode()
    return [head, *rows, b"</sheetData></worksheet>"]


def header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADERS)
    return f'<row r="1">{cells}</row>'.encode()


def million_cell_row() -> bytes:
    cells = [b"<c><v>1</v></c>" * 10_000] * 100
    return rebuilt(
        workbook([]), {SHEET: sheet_part(header_row(), b'<row r="2">', *cells, b"</row>")}
    )


def shared_string_of_200_mb() -> bytes:
    content = workbook([])
    types = zipfile.ZipFile(BytesIO(content)).read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{STRINGS}" ContentType="{STRINGS_TYPE}" />'
    strings = [f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'.encode()]
    strings += [b"A" * MIB] * 200
    strings += [b"</t></si></sst>"]
    return rebuilt(
        content,
        {
            "[Content_Types].xml": [types.replace("</Types>", override + "</Types>").encode()],
            STRINGS: strings,
            SHEET: sheet_part(header_row(), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
        },
    )


def blank_sheet_at_the_caps() -> bytes:
    from openpyxl.utils import get_column_letter

    from app.paper.limits import MAX_CELLS, MAX_SCANNED_ROWS

    letters = [get_column_letter(n) for n in range(1, MAX_CELLS // MAX_SCANNED_ROWS + 1)]
    # Each cell named by its address, as Excel writes them: the part then unpacks about
    # 6 times, within the ratio a real workbook has.
    rows = []
    for number in range(2, 2 + (MAX_CELLS - len(HEADERS)) // len(letters)):
        cells = "".join(f'<c r="{letter}{number}"/>' for letter in letters)
        rows.append(f'<row r="{number}">{cells}</row>'.encode())
    return rebuilt(workbook([]), {SHEET: sheet_part(header_row(), *rows)})


def build(folder: Path) -> dict[str, Path]:
    makers = {
        "baseline": lambda: workbook(baseline_rows()),
        "million-cell row": million_cell_row,
        "200 MB shared string": shared_string_of_200_mb,
        "blank sheet at the caps": blank_sheet_at_the_caps,
    }
    files = {}
    for case, make in makers.items():
        path = folder / (case.replace(" ", "-") + ".xlsx")
        path.write_bytes(make())
        files[case] = path
    return files


# --- one measured import, in a process of its own ----------------------------------------


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(path: Path) -> dict:
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Meeting, User
    from app.paper.services import import_workbook
    from app.services import Refused

    app = create_app()
    content = path.read_bytes()
    with app.test_request_context():
        meeting = db.session.scalar(select(Meeting).filter_by(code=DEMO_MEETING_CODE))
        actor = db.session.scalar(select(User).filter_by(email=DEMO_STAFF_EMAIL))
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
        before = status_kib("VmRSS")
        start = time.perf_counter()
        try:
            result = import_workbook(meeting, actor, content, filename=path.name)
            outcome = f"imported {result.imported} of {result.rows}"
        except Refused as refused:
            outcome = f"refused ({refused.code}): {refused}"
        seconds = time.perf_counter() - start
        peak = status_kib("VmHWM")
    return {
        "seconds": seconds,
        "extra_mib": (peak - before) / 1024,
        "outcome": outcome,
        "bytes": len(content),
    }


def run_case(env: dict[str, str], path: Path) -> dict:
    command = [sys.executable, __file__, "--measure", str(path)]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{path.name}: exit {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    with tempfile.TemporaryDirectory(prefix="rakor-import-limits-") as temp:
        folder = Path(temp)
        env = app_environment(fresh_sqlite(folder))
        load_demo_data(env)
        files = build(folder)
        results = {case: run_case(env, files[case]) for case in CASES}

    base = results["baseline"]
    print(f"machine: {json.dumps(machine())}\n")
    print("| file | size | wall time | extra peak RSS | time / base | memory / base | outcome |")
    print("|---|---|---|---|---|---|---|")
    for case in CASES:
        result = results[case]
        print(
            f"| {case} | {result['bytes'] / 1024:,.0f} KB | {result['seconds']:.2f} s "
            f"| {result['extra_mib']:.1f} MiB | {result['seconds'] / base['seconds']:.3f}x "
            f"| {result['extra_mib'] / max(base['extra_mib'], 0.1):.3f}x "
            f"| {result['outcome'][:90]} |"
        )


if __name__ == "__main__":
    main()
