"""Finding inputs that say the same thing, so the secretariat can merge them.

Many lurah raise the same problem in their own words ("Pemutakhiran data DTKS di
Kelurahan Krapyak", "Pemutakhiran DTKS kelurahan Medono"). Texts are compared
after normalising them:

1. lowercase, accents folded, punctuation turned into spaces, whitespace folded;
2. STOP_WORDS dropped: Indonesian function words plus words nearly every input of
   a poverty meeting contains (kota, kelurahan, program, bantuan, kami, mohon...),
   which would otherwise make everything look alike;
3. the city's own place names dropped (every kecamatan and kelurahan, and the
   city's name): the same proposal from two wards is exactly what a merge is for,
   and the wards remain visible as the co-proposers.

Scoring: RapidFuzz `token_set_ratio` (word order and repeated words do not matter)
on the title and on the description, weighted TITLE_WEIGHT : 1 - TITLE_WEIGHT.
A pair is a candidate from SIMILARITY_THRESHOLD (0-100). Both were tuned on the
demo meeting's 59 inputs: its intended near-duplicates (BPJS Ketenagakerjaan for
fishermen, loan sharks and "bank plecit") score 66-86, unrelated inputs stay
below 64. Fuzzy matching does not know synonyms: "pemutakhiran" and "verifikasi
dan validasi" do not match; the suggestions help, they do not replace reading.

Nothing is stored: suggestions are computed when a page is opened. Titles and
descriptions never change after submission, which is what would make caching
the normalised texts safe if a city ever outgrows this.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select

from app.extensions import db
from app.models import Kecamatan, Kelurahan, Letterhead, Submission
from app.review.queries import meeting_submissions, merged_counts

TITLE_WEIGHT = 0.7
SIMILARITY_THRESHOLD = 65.0
SUGGESTION_LIMIT = 5
# The meeting-wide page compares every pair, so it looks at this many inputs at most
# (the newest not yet merged): half a million title pairs, about a second of work.
GROUP_SCAN_LIMIT = 1000
GROUP_DISPLAY_LIMIT = 100

# Function words, then words nearly every input of a poverty meeting contains.
FUNCTION_WORDS = (
    *("yang", "dan", "di", "ke", "dari", "untuk", "dengan", "pada", "bagi", "dalam", "atau"),
    *("ini", "itu", "agar", "serta", "oleh", "para", "adalah", "akan", "juga", "sudah"),
    *("belum", "telah", "masih", "sangat", "lebih", "banyak", "tersebut", "sehingga"),
    *("karena", "namun", "tetapi", "tapi", "supaya", "maupun", "hingga", "sampai", "secara"),
    *("setiap", "tiap", "per", "sebagai", "antara", "terhadap", "dapat", "bisa", "perlu"),
    *("harus", "mohon", "kami", "kita", "mereka", "ada", "yakni", "bahwa", "saat", "sejak"),
)
MEETING_WORDS = (
    *("kota", "kabupaten", "kecamatan", "kelurahan", "kel", "kec", "desa", "rt", "rw"),
    *("warga", "masyarakat", "program", "kegiatan", "bantuan", "usulan", "masukan"),
)
STOP_WORDS = frozenset(FUNCTION_WORDS + MEETING_WORDS)

_NOT_WORD = re.compile(r"[\W_]+")


class Normaliser:
    """Turns a text into the words that matter for comparison (see the module docstring).

    Results are remembered by text: a meeting's titles are normalised once per
    process, not on every page (the result depends only on the text and the place
    names, so a remembered answer is never stale).
    """

    MEMO_LIMIT = 50_000

    def __init__(self, place_names: Iterable[str] = ()):
        phrases = {fold(name) for name in place_names}
        phrases = sorted((p for p in phrases if p), key=len, reverse=True)
        # Whole words only: "Tirto" goes, "tirtonadi" stays.
        self._places = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
            if phrases
            else None
        )
        self._memo: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        found = self._memo.get(text)
        if found is None:
            found = self._normalise(text)
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            self._memo[text] = found
        return found

    def _normalise(self, text: str) -> str:
        folded = fold(text)
        if self._places is not None:
            folded = self._places.sub(" ", folded)
        return " ".join([word for word in folded.split() if word not in STOP_WORDS])


def fold(text: str) -> str:
    """Lowercase, accents removed, every run of punctuation or space made one space."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def city_normaliser() -> Normaliser:
    """A normaliser that also drops the names of this installation's kecamatan and kelurahan."""
    names = set(db.session.scalars(select(Kecamatan.name)))
    names.update(db.session.scalars(select(Kelurahan.name)))
    # The city's own name ("Kota Pekalongan") is in half the inputs.
    names.update(db.session.scalars(select(Letterhead.city)))
    return _normaliser_for(tuple(sorted(names)))


@functools.lru_cache(maxsize=4)
def _normaliser_for(place_names: tuple[str, ...]) -> Normaliser:
    return Normaliser(place_names)


# --- scoring ---------------------------------------------------------------------------


def combined(title_score: float, description_score: float) -> float:
    return TITLE_WEIGHT * title_score + (1 - TITLE_WEIGHT) * description_score


def title_floor(threshold: float) -> float:
    """The lowest title score that can still reach `threshold` (with a perfect description).

    Comparing titles first with this cut-off loses no candidate, and only the
    candidates' descriptions need reading and comparing.
    """
    return max(0.0, (threshold - (1 - TITLE_WEIGHT) * 100) / TITLE_WEIGHT)


def description_floor(threshold: float, title_score: float) -> float:
    """The description score that, with this title score, just reaches `threshold`."""
    return max(0.0, (threshold - TITLE_WEIGHT * title_score) / (1 - TITLE_WEIGHT) - 1e-9)


@dataclass(frozen=True)
class Title:
    """An input's id and normalised title."""

    id: int
    text: str


def meeting_titles(meeting_id: int, normalise: Normaliser, limit: int | None = None) -> list[Title]:
    """The normalised titles of the meeting's inputs that can still be merged, newest first."""
    query = (
        select(Submission.id, Submission.title)
        .where(Submission.meeting_id == meeting_id, Submission.merged_into_id.is_(None))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [Title(row.id, normalise(row.title)) for row in db.session.execute(query)]


def meeting_descriptions(ids: Iterable[int], normalise: Normaliser) -> dict[int, str]:
    """Normalised descriptions by input id, read in chunks (databases cap IN lists)."""
    ids = list(ids)
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.session.execute(
            select(Submission.id, Submission.description).where(Submission.id.in_(chunk))
        )
        found.update({row.id: normalise(row.description) for row in rows})
    return found


Describe = Callable[[list[int]], dict[int, str]]


def best_matches(
    title: str,
    description: str,
    others: list[Title],
    describe: Describe,
    *,
    limit: int = SUGGESTION_LIMIT,
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[tuple[int, float]]:
    """(id, score) of the `limit` inputs most like this title and description, best first.

    Titles are ranked first; descriptions are read in small batches, best titles
    first, and reading stops once no later title could reach the current top `limit`.
    """
    by_title = process.extract(
        title,
        [other.text for other in others],
        scorer=fuzz.token_set_ratio,
        score_cutoff=title_floor(threshold),
        limit=None,
    )
    best: list[tuple[int, float]] = []
    for start in range(0, len(by_title), 50):
        batch = by_title[start : start + 50]
        if len(best) >= limit and combined(batch[0][1], 100) < best[limit - 1][1]:
            break
        texts = describe([others[index].id for _text, _score, index in batch])
        for _text, title_score, index in batch:
            other_id = others[index].id
            score = combined(
                title_score, fuzz.token_set_ratio(description, texts.get(other_id, ""))
            )
            if score >= threshold:
                best.append((other_id, score))
        best.sort(key=lambda pair: (-pair[1], -pair[0]))
    return best[:limit]


@dataclass(frozen=True)
class Suggestion:
    submission: Submission
    score: float


def suggestions_for(submission: Submission, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Inputs of the same meeting that look like `submission`, best first.

    Inputs already merged are left out: their primary stands for them.
    """
    normalise = city_normaliser()
    others = [
        title
        for title in meeting_titles(submission.meeting_id, normalise)
        if title.id != submission.id
    ]
    matches = best_matches(
        normalise(submission.title),
        normalise(submission.description),
        others,
        lambda ids: meeting_descriptions(ids, normalise),
        limit=limit,
    )
    loaded = {s.id: s for s in meeting_submissions(submission.meeting_id, [i for i, _ in matches])}
    return [Suggestion(loaded[i], score) for i, score in matches if i in loaded]


# --- across the meeting ----------------------------------------------------------------


def similar_pairs(
    titles: list[Title], describe: Describe, threshold: float = SIMILARITY_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Every pair (id, id, score) scoring at least `threshold`.

    RapidFuzz's `cdist` would compare all titles in one call but needs NumPy, which
    Rakor does not ship; one `extract` per title over the titles after it is the
    same comparisons.
    """
    texts = [title.text for title in titles]
    floor = title_floor(threshold)
    by_title = []
    for i, title in enumerate(titles[:-1]):
        if not title.text:
            continue
        for _text, score, offset in process.extract(
            title.text, texts[i + 1 :], scorer=fuzz.token_set_ratio, score_cutoff=floor, limit=None
        ):
            by_title.append((title.id, titles[i + 1 + offset].id, score))
    descriptions = describe(sorted({i for pair in by_title for i in pair[:2]}))
    pairs = []
    for a, b, title_score in by_title:
        # RapidFuzz gives up early (answers 0) below the cut-off this title still needs.
        description_score = fuzz.token_set_ratio(
            descriptions.get(a, ""),
            descriptions.get(b, ""),
            score_cutoff=description_floor(threshold, title_score),
        )
        score = combined(title_score, description_score)
        if score >= threshold:
            pairs.append((a, b, score))
    return pairs


@dataclass
class DuplicateGroup:
    """Inputs linked by pairs above the threshold (a connected group), oldest first."""

    members: list[Submission]
    best_score: float
    # How many inputs were already merged into each member.
    merged_counts: dict[int, int] = field(default_factory=dict)

    @property
    def suggested_primary(self) -> Submission:
        """The member that already has the most merged inputs, else the oldest."""
        return min(
            self.members,
            key=lambda s: (-self.merged_counts.get(s.id, 0), s.submitted_at, s.id),
        )


@dataclass(frozen=True)
class DuplicateReport:
    groups: list[DuplicateGroup]
    compared: int
    capped: bool
    more_groups: int


def connected_groups(pairs: list[tuple[int, int, float]]) -> list[tuple[list[int], float]]:
    """Ids linked directly or through others, with each group's best pair score, best first."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _score in pairs:
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    best: dict[int, float] = {}
    for a, _b, score in pairs:
        best[root(a)] = max(best.get(root(a), 0.0), score)
    for i in parent:
        members.setdefault(root(i), []).append(i)
    groups = [(sorted(ids), best[r]) for r, ids in members.items()]
    groups.sort(key=lambda group: (-group[1], -len(group[0]), group[0][0]))
    return groups


def duplicate_groups(meeting_id: int) -> DuplicateReport:
    """Groups of look-alike inputs across the meeting, computed now (nothing is stored)."""
    normalise = city_normaliser()
    titles = meeting_titles(meeting_id, normalise, limit=GROUP_SCAN_LIMIT + 1)
    capped = len(titles) > GROUP_SCAN_LIMIT
    titles = titles[:GROUP_SCAN_LIMIT]
    pairs = similar_pairs(titles, lambda ids: meeting_descriptions(ids, normalise))
    found = connected_groups(pairs)
    shown = found[:GROUP_DISPLAY_LIMIT]
    ids = [i for group_ids, _score in shown for i in group_ids]
    loaded = {s.id: s for s in meeting_submissions(meeting_id, ids)}
    counts = merged_counts(ids)
    groups = []
    for group_ids, score in shown:
        members = sorted((loaded[i] for i in group_ids), key=lambda s: (s.submitted_at, s.id))
        groups.append(DuplicateGroup(members, score, {i: counts.get(i, 0) for i in group_ids}))
    return DuplicateReport(groups, len(titles), capped, len(found) - len(shown))
