"""Benchmark: what sealing a final notulen costs, against rendering it.

    .venv/bin/python bench/sign.py                     # the demo's 59 inputs and 1,000, 5 rounds
    .venv/bin/python bench/sign.py --sizes 59 --rounds 9

For each size a closed meeting with that many inputs is built as in
bench/render_minutes.py and its minutes rendered once as the archive keeps them
(tagged PDF/A-3a). Then, round after round in one process:

- render: `render_pdf` of the same HTML, as finalising does;
- seal 1: the first signature (`engine.seal_pdf` with a throwaway seal of
  app/signing/pki.py, its stamp drawn and the result checked as in production);
- seal 2: the second signature, on the first one's output.

- verify: `verify_pdf` of the twice-sealed file, what /verify does with an upload
  (pyHanko's integrity and trust checks, Rakor's own review of what each revision
  after a signature changed);
- verify, pyHanko's review: the baseline for it, `validate_pdf_signature` of each
  signature with pyHanko's default difference analysis (at most 3 rounds: it is slow).

Each figure is the median CPU time (`time.process_time()`); the ratio compares
each step with the render. The files' sizes show what one signature adds. The
results are printed as a Markdown table; no file is written.
"""

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import render_minutes  # noqa: E402

DEMO_INPUTS = 59  # app/demo's rakor2024
PASSWORD = "bench-seal"
# Two stamps side by side near the foot of the last page (x1, y1, x2, y2 in points).
BOXES = [(56.0, 60.0, 290.0, 140.0), (305.0, 60.0, 539.0, 140.0)]


def measure(size: int, rounds: int, folder: Path) -> dict[str, tuple[float, int]]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pypdf import PdfReader

    from app.documents import render
    from app.documents.pdf import render_pdf
    from app.signing.engine import seal_pdf
    from app.signing.pki import Authority
    from app.signing.stamp import Stamp
    from app.signing.verify import validation_context, verify_pdf

    authority = Authority.create("Bench CA")
    roots = folder / f"ca-{size}.pem"
    roots.write_bytes(authority.root.pem())
    seal_file = folder / f"seal-{size}.p12"
    seal_file.write_bytes(
        authority.issue("Segel Bench").pkcs12(PASSWORD, [authority.root.certificate])
    )
    url = f"sqlite:///{folder}/bench-{size}.sqlite"
    meeting_id = render_minutes.populate(url, size)
    app = render_minutes.make_app(url)
    app.config.update(RAKOR_TRUST_ROOTS=str(roots), RAKOR_TRUST_CRLS="")
    times: dict[str, list[float]] = {
        "render": [],
        "seal 1": [],
        "seal 2": [],
        "verify": [],
        "verify, pyHanko's review": [],
    }
    sizes: dict[str, int] = {}
    with app.app_context():
        context, digest = render.build_context("minutes", meeting_id)
        html = render.document_html(context, digest=digest)
        for _ in range(rounds):
            started = time.process_time()
            pdf = render_pdf(html, pdf_variant="pdf/a-3a")
            times["render"].append(time.process_time() - started)
            sizes["render"] = len(pdf)
            last_page = len(PdfReader(io.BytesIO(pdf)).pages) - 1
            signed = pdf
            for index, name in enumerate(("seal 1", "seal 2")):
                stamp = Stamp(
                    signer_name=f"Penanda Tangan {index + 1}",
                    signer_title="Jabatan",
                    signed_at=datetime.now(UTC),
                    verify_url="https://rakor.example.go.id/verify/" + "0" * 64,
                )
                started = time.process_time()
                signed = seal_pdf(
                    signed,
                    box=(last_page, *BOXES[index]),
                    stamp=stamp,
                    reason="Bench",
                    p12_path=str(seal_file),
                    p12_password=PASSWORD,
                ).pdf
                times[name].append(time.process_time() - started)
                sizes[name] = len(signed)
            started = time.process_time()
            report = verify_pdf(signed, app.config)
            times["verify"].append(time.process_time() - started)
            assert [check.valid for check in report.signatures] == [True, True], report
            sizes["verify"] = len(signed)
            if len(times["verify, pyHanko's review"]) < 3:
                started = time.process_time()
                context = validation_context(app.config)
                for signature in PdfFileReader(io.BytesIO(signed)).embedded_signatures:
                    assert validate_pdf_signature(signature, context).bottom_line
                times["verify, pyHanko's review"].append(time.process_time() - started)
                sizes["verify, pyHanko's review"] = len(signed)
    return {name: (statistics.median(values), sizes[name]) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[DEMO_INPUTS, 1000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| inputs | step | median CPU | ratio to render | file |")
    print("| ---: | --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            results = measure(size, args.rounds, Path(folder))
            render_time = results["render"][0]
            for name, (cpu, file_size) in results.items():
                print(
                    f"| {size:,} | {name} | {cpu:.3f} s | {cpu / render_time:.3f} "
                    f"| {file_size // 1024} KiB |"
                )


if __name__ == "__main__":
    main()
