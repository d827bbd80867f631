"""Benchmark: what accessibility tags cost when the minutes are rendered.

    .venv/bin/python bench/render_tagged.py                  # 200 and 1,000 inputs, 3 rounds
    .venv/bin/python bench/render_tagged.py --sizes 200 --rounds 7

For each size a closed meeting with that many inputs is built as in
bench/render_minutes.py, its minutes turned into HTML once, and that HTML
rendered by `render_pdf` four ways, in turn, round after round, in one process:

- draft, untagged (the baseline) and draft, tagged PDF/UA-1 (what drafts get);
- final, PDF/A-3b untagged (the baseline) and final, tagged PDF/A-3a (what the
  archive gets).

Each figure is the median CPU time (`time.process_time()`, which other work on a
shared machine disturbs less than wall time) and the file's size. The ratios
compare each tagged render with its untagged baseline from the same rounds.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import render_minutes  # noqa: E402

VARIANTS = {
    "draft untagged": {"pdf_tags": False},
    "draft PDF/UA-1": {"pdf_variant": "pdf/ua-1"},
    "final PDF/A-3b untagged": {"pdf_variant": "pdf/a-3b", "pdf_tags": False},
    "final PDF/A-3a": {"pdf_variant": "pdf/a-3a"},
}
PAIRS = (("draft untagged", "draft PDF/UA-1"), ("final PDF/A-3b untagged", "final PDF/A-3a"))


def measure(size: int, rounds: int) -> dict[str, tuple[float, int]]:
    from app.documents import render
    from app.documents.pdf import render_pdf

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        meeting_id = render_minutes.populate(url, size)
        app = render_minutes.make_app(url)
        with app.app_context():
            context, digest = render.build_context("minutes", meeting_id)
            html = render.document_html(context, digest=digest)
            times: dict[str, list[float]] = {name: [] for name in VARIANTS}
            sizes: dict[str, int] = {}
            for _ in range(rounds):
                for name, options in VARIANTS.items():
                    started = time.process_time()
                    pdf = render_pdf(html, **options)
                    times[name].append(time.process_time() - started)
                    sizes[name] = len(pdf)
    return {name: (statistics.median(times[name]), sizes[name]) for name in VARIANTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| inputs | render | baseline CPU | tagged CPU | ratio | size |")
    print("| ---: | --- | ---: | ---: | ---: | --- |")
    for size in args.sizes:
        results = measure(size, args.rounds)
        for baseline, tagged in PAIRS:
            (base_time, base_size), (tag_time, tag_size) = results[baseline], results[tagged]
            print(
                f"| {size:,} | {tagged} | {base_time:.2f} s | {tag_time:.2f} s "
                f"| {tag_time / base_time:.2f} | {base_size // 1024} → {tag_size // 1024} KiB |"
            )


if __name__ == "__main__":
    main()
