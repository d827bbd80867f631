"""Benchmark: a meeting's themes from 500, 1,000 and 5,000 inputs, against a plain TF-IDF fit.

    .venv/bin/python bench/themes.py                       # 500, 1,000, 5,000; recompute at 5,000
    .venv/bin/python bench/themes.py --sizes 5000 --rounds 5
    .venv/bin/python bench/themes.py --quick               # a smoke run: 500 inputs, one round
    .venv/bin/python bench/themes.py --blas-threads 1      # numpy's BLAS on one thread

The inputs are made from the demo meetings' 74 (app/demo/rakor2024.json and
rakor2025.json, their "submissions"), recombined and perturbed with a fixed seed:
each takes one input's title and some of its sentences, adds sentences of other
inputs (mostly of the same pillar), and is then roughened the way typed input is:
typos, chat abbreviations ("yg", "utk"), polite filler words, RT/RW numbers, other
figures, a ward's name. So 5,000 inputs share the demo's vocabulary and themes
without being 68 copies of 74 texts.

Each measurement runs in a fresh process, so its memory is that run's alone:

- themes: `find_themes(texts)` (app/insight/themes.py), what "Hitung ulang tema"
  computes: Indonesian stemming, two TF-IDF matrices, the clustering (exact
  average linkage up to 400 inputs, truncated SVD and Birch above), and each
  theme's description;
- stages: the same, split into `TextModel(texts)`, `.groups()` and every
  `.describe(group)`, to show where the time goes;
- baseline: the same texts (title twice, then the description, as the theme
  finder reads them) through scikit-learn's `TfidfVectorizer()` with its
  defaults, `fit_transform`: what reading the texts into vectors costs at all;
- suggestions (at the recompute size): `suggest_pillars(examples, texts)`
  (app/insight/suggestions.py) with the reviewed inputs as examples, the other
  half of what recompute computes;
- recompute: `app.insight.services.recompute(meeting_id)` on a SQLite database
  built by the app's own migrations (flask_migrate's `upgrade`, as
  bench/render_minutes.py does), holding the demo's reference data and one
  meeting with `--recompute-size` inputs whose review status is their source's
  (about six in seven reviewed): the themes, the pillar suggestions learnt from
  the reviewed inputs, and the rows written. Each round starts from a copy of
  the same database, so every round is a first computation.

Time is the call's wall time and its CPU time (`time.process_time()`, which other
work on a shared machine disturbs less). Memory is the child's peak resident set
size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) after the call, as a total and
as the increase over the child's resident size just before the call (imports and
the texts already made; for recompute, the app created). Every child of the engine
imports the same modules (importing app.insight loads the whole app, as a worker
has it), so the resident size before the call is the memory baseline: the peak is
also shown as a multiple of it. The time baseline is the plain TF-IDF fit at the same
size. Each figure is the median of `--rounds` rounds; the ratios compare medians
measured in the same run.

numpy's BLAS (OpenBLAS) and scikit-learn's OpenMP run a thread per core unless told
otherwise; `--blas-threads N` tells every child, to compare with what a worker gets
when its environment sets OPENBLAS_NUM_THREADS and OMP_NUM_THREADS.

Targets: themes (`find_themes`) for 5,000 inputs in at most TARGET_SECONDS of wall
time and TARGET_MIB of memory over what the process held before the call: the
imports are the app's, which a worker has loaded whether it computes themes or not.
The results are printed as Markdown tables; no file is written. Exits 1 when a
target is missed.
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine  # noqa: E402

SIZES = (500, 1000, 5000)
ROUNDS = 3
SEED = 2024
TARGET_SIZE = 5000
TARGET_SECONDS = 5.0
TARGET_MIB = 300
TIMEOUT_S = 900
DEMO_FILES = ("rakor2024.json", "rakor2025.json")
CASES = ("baseline", "themes", "stages")  # at every size; recompute and suggestions once

# What people add when they type on a phone: (word, what it becomes).
ABBREVIATIONS = {
    "yang": "yg",
    "untuk": "utk",
    "dengan": "dgn",
    "dan": "dan/atau",
    "tidak": "tdk",
    "sudah": "sdh",
    "karena": "krn",
    "belum": "blm",
    "masyarakat": "masy.",
    "kelurahan": "kel.",
}
FILLERS = (
    "mohon",
    "kiranya",
    "sekali",
    "juga",
    "benar-benar",
    "secepatnya",
    "bapak/ibu",
    "sangat",
    "terus",
    "lagi",
)
OPENINGS = (
    "",
    "",
    "",
    "Usulan: ",
    "Mohon ",
    "Permohonan ",
    "Lanjutan: ",
)
CLOSINGS = (
    "",
    "",
    "Demikian usulan kami, atas perhatiannya diucapkan terima kasih.",
    "Mohon ditindaklanjuti oleh OPD terkait.",
    "Hal ini sudah kami sampaikan pada musrenbang kelurahan.",
    "Data lengkap ada di kantor kelurahan.",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
# Figures, but not years ("tahun 2024"), which stay as written.
NUMBER = re.compile(r"\b(?!(?:19|20)\d\d\b)\d[\d.]*\b")


# --- the texts ----------------------------------------------------------------------------


def demo_inputs() -> list[dict]:
    inputs: list[dict] = []
    for name in DEMO_FILES:
        content = json.loads((ROOT / "app" / "demo" / name).read_text(encoding="utf-8"))
        inputs.extend(content["submissions"])
    return inputs


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # two letters swapped
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if kind == 2:  # a letter doubled
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aiueonrst") + word[i + 1 :]  # a wrong key


def roughen(rng: random.Random, text: str, wards: list[str], rate: float) -> str:
    """Typos, abbreviations and filler words at about `rate` of the words; other figures."""
    text = NUMBER.sub(lambda m: str(rng.randrange(1, 10 ** min(len(m.group()), 4))), text)
    words = []
    for word in text.split(" "):
        roll = rng.random()
        if roll < rate:
            word = typo(rng, word)
        elif roll < 2 * rate and word.lower() in ABBREVIATIONS:
            word = ABBREVIATIONS[word.lower()]
        elif roll < 2.5 * rate:
            words.append(rng.choice(FILLERS))
        words.append(word)
    text = " ".join(words)
    if rng.random() < 0.4:
        text += f" Lokasi di RT {rng.randrange(1, 16):02d} RW {rng.randrange(1, 13):02d}"
        text += f" Kelurahan {rng.choice(wards)}." if rng.random() < 0.6 else "."
    return text


def synthetic_inputs(size: int, seed: int) -> list[dict]:
    """`size` inputs recombined from the demo's: title, description, pillar, kind, status."""
    rng = random.Random(seed)
    demo = demo_inputs()
    by_pillar: dict[str, list[dict]] = {}
    for item in demo:
        by_pillar.setdefault(item["pillar"], []).append(item)
    wards = sorted({item["location"] for item in demo if item["location"]})
    made = []
    for _ in range(size):
        base = rng.choice(demo)
        own = sentences(base["description"])
        kept = rng.sample(own, k=rng.randint(1, len(own)))
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            pool = by_pillar[base["pillar"]] if rng.random() < 0.7 else demo
            kept.append(rng.choice(sentences(rng.choice(pool)["description"])))
        rng.shuffle(kept)
        kept.append(rng.choice(CLOSINGS))
        rate = rng.choice((0.0, 0.02, 0.05, 0.1))
        title = rng.choice(OPENINGS) + roughen(rng, base["title"], wards, rate / 2)
        made.append(
            {
                "title": title.strip()[:160],
                "description": roughen(rng, " ".join(kept).strip(), wards, rate),
                "pillar": base["pillar"],
                "kind": base["kind"],
                # A merged input needs its target: counted as accepted here.
                "status": "accepted" if base["status"] == "merged" else base["status"],
            }
        )
    return made


def texts_for(size: int, seed: int) -> list:
    from app.insight.themes import Text

    return [
        Text(number + 1, item["title"], item["description"])
        for number, item in enumerate(synthetic_inputs(size, seed))
    ]


def reviewed_examples(size: int, seed: int, texts: list) -> list:
    """(text, pillar) of the reviewed inputs, as recompute's `reviewed_examples` reads them."""
    pillars = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}
    made = synthetic_inputs(size, seed)
    return [
        (text, pillars[item["pillar"]])
        for text, item in zip(texts, made, strict=True)
        if item["status"] != "received"
    ]


# --- the database for recompute -----------------------------------------------------------


def make_app(database_url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False})


def populate(database_url: str, size: int, seed: int) -> int:
    """A closed meeting with `size` synthetic inputs, by the app's own migrations; its id."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Meeting, Pillar, Submission
    from app.seed import seed_reference_data

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        seed_reference_data()
        pillars = {p.code: p.id for p in db.session.scalars(db.select(Pillar))}
        meeting = Meeting(
            code=f"bench-themes-{size}",
            title="Rapat Koordinasi Penanggulangan Kemiskinan (uji tema)",
            date=date(2024, 1, 23),
            start_time=clock(9, 0),
            venue="Ruang Rapat Bappeda",
            status="closed",
        )
        meeting.pillars = list(db.session.scalars(db.select(Pillar).order_by(Pillar.position)))
        db.session.add(meeting)
        db.session.flush()
        start = datetime(2024, 1, 23, 2, 0, tzinfo=UTC)
        rows = [
            {
                "meeting_id": meeting.id,
                "receipt_code": f"T{number:07d}",
                "idempotency_key": f"bench-themes-{number}",
                "source": "web",
                "submitter_name": f"Peserta {number % 300 + 1}",
                "role": "stakeholder",
                "organisation": "Forum Warga",
                "position": "Anggota",
                "phone": "",
                "kind": item["kind"],
                "submitted_pillar_id": pillars[item["pillar"]],
                "pillar_id": pillars[item["pillar"]],
                "title": item["title"],
                "description": item["description"],
                "target_group": "umum",
                "submitted_at": start + timedelta(seconds=number),
                "status": item["status"],
                "decision_reason": "",
            }
            for number, item in enumerate(synthetic_inputs(size, seed))
        ]
        db.session.execute(db.insert(Submission), rows)
        db.session.commit()
        meeting_id = meeting.id
        # The last connection closed writes the WAL back into the file each round copies.
        db.session.remove()
        db.engine.dispose()
        return meeting_id


# --- one measurement, in a process of its own ---------------------------------------------


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(case: str, size: int, seed: int, database_url: str, meeting_id: int) -> dict:
    import gc

    # The same imports in every child, so the resident size before the call compares
    # (app.insight's package loads the app's views with it, as a worker has them).
    from sklearn.feature_extraction.text import TfidfVectorizer

    from app.insight import themes
    from app.insight.suggestions import suggest_pillars

    stages: dict[str, float] = {}
    if case == "recompute":
        from app.insight.services import recompute

        app = make_app(database_url)
        context = app.app_context()
        context.push()
        texts = []
    else:
        texts = texts_for(size, seed)
        examples = reviewed_examples(size, seed, texts)
    gc.collect()
    before = resident_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    if case == "baseline":
        matrix = TfidfVectorizer().fit_transform(
            f"{t.title}. {t.title}. {t.description}" for t in texts
        )
        outcome = {"features": matrix.shape[1]}
    elif case == "themes":
        found = themes.find_themes(texts)
        outcome = themed(len(ids) for ids, _ in found)
    elif case == "stages":
        model = themes.TextModel(texts)
        stages["model"] = time.process_time() - cpu_started
        groups = model.groups()
        stages["groups"] = time.process_time() - cpu_started - stages["model"]
        for group in groups:
            model.describe(group)
        stages["describe"] = time.process_time() - cpu_started - stages["model"] - stages["groups"]
        outcome = themed(len(group) for group in groups)
    elif case == "suggestions":
        found = suggest_pillars(examples, texts)
        outcome = {"suggestions": len(found)}
    else:
        result = recompute(meeting_id)
        outcome = {"themes": result.themes, "themed": result.themed_inputs, "largest": None}
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": peak,
        "extra_mib": peak - before,
        "before_mib": before,
        "stages": stages,
        **outcome,
    }


def themed(sizes) -> dict:
    sizes = list(sizes)
    return {"themes": len(sizes), "themed": sum(sizes), "largest": max(sizes, default=0)}


# Set by --blas-threads for every child: the thread pools of OpenBLAS and OpenMP.
CHILD_ENV = dict(os.environ)


def run_child(case: str, size: int, seed: int, database_url: str = "", meeting_id: int = 0):
    command = [sys.executable, __file__, "--child", case, str(size), str(seed)]
    command += [database_url or "-", str(meeting_id)]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{case} at {size}: exit {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict]) -> dict:
    """Each figure's median over the rounds (the outcome is the same in every round)."""
    middle = dict(runs[0])
    for key in ("seconds", "cpu", "peak_mib", "extra_mib", "before_mib"):
        middle[key] = statistics.median(run[key] for run in runs)
    for stage in runs[0]["stages"]:
        middle["stages"][stage] = statistics.median(run["stages"][stage] for run in runs)
    return middle


# --- the report ---------------------------------------------------------------------------


def diversity(size: int, seed: int) -> str:
    made = synthetic_inputs(size, seed)
    titles = len({item["title"] for item in made})
    texts = len({(item["title"], item["description"]) for item in made})
    words = statistics.mean(len(item["description"].split()) for item in made)
    return (
        f"{size:,} inputs: {titles:,} distinct titles, {texts:,} distinct texts, "
        f"{words:.0f} words per description on average"
    )


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def verdict(size: int, case: str, result: dict) -> str:
    if size != TARGET_SIZE or case != "themes":
        return "information"
    notes = [
        "time ok" if result["seconds"] <= TARGET_SECONDS else f"time over {TARGET_SECONDS:g} s",
        "memory ok" if result["extra_mib"] <= TARGET_MIB else f"memory over {TARGET_MIB} MiB",
    ]
    return ", ".join(notes)


def themes_cell(result: dict) -> str:
    if result.get("themes") is None:
        return ""
    cell = f"{result['themes']} ({result['themed']:,} inputs"
    if result.get("largest"):
        cell += f", largest {result['largest']:,}"
    return cell + ")"


def print_tables(results: dict[tuple[int, str], dict], sizes: list[int]) -> bool:
    """The Markdown tables; True when a target is missed."""
    failed = False
    order = ("baseline", "themes", "suggestions", "recompute")
    print(
        "| inputs | run | themes (themed inputs) | wall | CPU | peak RSS | RSS before "
        "| increase | wall / baseline | CPU / baseline | peak / RSS before | verdict |"
    )
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for size, case in sorted(results, key=lambda key: (key[0], (order + CASES).index(key[1]))):
        if case == "stages":
            continue
        result, base = results[size, case], results[size, "baseline"]
        said = verdict(size, case, result)
        failed |= "over" in said
        print(
            f"| {size:,} | {case} | {themes_cell(result)} | {seconds(result['seconds'])} "
            f"| {seconds(result['cpu'])} | {result['peak_mib']:.0f} MiB "
            f"| {result['before_mib']:.0f} MiB | +{result['extra_mib']:.0f} MiB "
            f"| {result['seconds'] / base['seconds']:.0f}x | {result['cpu'] / base['cpu']:.0f}x "
            f"| {result['peak_mib'] / result['before_mib']:.2f}x | {said} |"
        )
    print("\nCPU time of each stage of the themes (median):\n")
    print("| inputs | TextModel(texts) | .groups() | .describe() of every theme |")
    print("| ---: | ---: | ---: | ---: |")
    for size in sizes:
        times = results[size, "stages"]["stages"]
        print(
            f"| {size:,} | {seconds(times['model'])} | {seconds(times['groups'])} "
            f"| {seconds(times['describe'])} |"
        )
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--recompute-size", type=int, default=TARGET_SIZE, help="0: no recompute run"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quick", action="store_true", help="500 inputs, one round")
    parser.add_argument(
        "--blas-threads", type=int, help="threads of numpy's BLAS and OpenMP (default: cores)"
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, size, seed, database_url, meeting_id = args.child
        print(json.dumps(measure(case, int(size), int(seed), database_url, int(meeting_id))))
        return
    if args.quick:
        args.sizes, args.rounds, args.recompute_size = [500], 1, 500
    if args.blas_threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            CHILD_ENV[name] = str(args.blas_threads)

    print(f"machine: {json.dumps(machine())}")
    threads = args.blas_threads or "the libraries' default"
    print(f"command: {' '.join(sys.argv)}; seed {args.seed}, median of {args.rounds} rounds")
    print(f"BLAS and OpenMP threads: {threads}")
    for size in args.sizes:
        print(diversity(size, args.seed))
    print(flush=True)

    results: dict[tuple[int, str], dict] = {}
    for size in args.sizes:
        for case in CASES:
            runs = [run_child(case, size, args.seed) for _ in range(args.rounds)]
            results[size, case] = median_of(runs)
    if args.recompute_size:
        size = args.recompute_size
        with tempfile.TemporaryDirectory(prefix="rakor-bench-themes-") as folder:
            source = Path(folder) / "themes.sqlite"
            meeting_id = populate(f"sqlite:///{source}", size, args.seed)
            runs = []
            for number in range(args.rounds):
                copy = Path(folder) / f"round-{number}.sqlite"
                shutil.copyfile(source, copy)
                url = f"sqlite:///{copy}"
                runs.append(run_child("recompute", size, args.seed, url, meeting_id))
                copy.unlink()
            results[size, "recompute"] = median_of(runs)
        for case in ("baseline", "suggestions"):
            if (size, case) not in results:
                runs = [run_child(case, size, args.seed) for _ in range(args.rounds)]
                results[size, case] = median_of(runs)

    failed = print_tables(results, args.sizes)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
