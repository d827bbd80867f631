"""Grouping inputs into themes: Indonesian text, TF-IDF, and agglomerative clustering.

Pure functions of the texts: no database, no Flask. app/insight/services.py stores
what they find and keeps the secretariat's own choices across recomputations.

How a text becomes a vector:
- words are folded to ASCII lower case, Indonesian and meeting stop words dropped,
  and each word stemmed with Sastrawi (a stemmer made for Indonesian), so "bantuan",
  "dibantu" and "membantu" meet as "bantu";
- stems and stem pairs are weighted by TF-IDF, and so are character n-grams of the
  unstemmed words, so that typos and spelling variants ("sembako"/"sembakau",
  "posyandu"/"pos yandu") still share most of their weight;
- both halves count equally, the title twice (it is what the participant chose to
  say first).

Clustering is scikit-learn's average-linkage agglomerative clustering on cosine
distance, cut at a fixed distance: the number of themes follows from the texts, and
near-identical inputs always join first. Up to 2,500 inputs it is exact, on every
pair's distance. Above, the vectors are first reduced with truncated SVD (latent
semantic analysis) and Birch folds near-identical texts into subclusters before the
linkage, which keeps memory bounded; the themes found there are coarser.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

import numpy as np
import stopwordsiso
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from scipy.sparse import csr_matrix, hstack
from sklearn.cluster import AgglomerativeClustering, Birch
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_distances
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

# Words of every input at a coordination meeting, which say nothing about its subject.
MEETING_WORDS = frozenset(
    """
    usul usulan mengusulkan diusulkan mohon memohon perlu diperlukan harap diharapkan
    kota pekalongan kelurahan kecamatan kel kec wilayah warga masyarakat penduduk
    program kegiatan pemerintah pemkot dinas opd rt rw kk orang unit paket buah
    tahun bulan hari kali agar supaya dapat bisa sudah belum masih lebih kurang
    banyak sedikit baik perlu segera tolong terutama khususnya
    """.split()  # noqa: SIM905 (a word list reads better as prose)
)
WORD = re.compile(r"[a-z]+")
MIN_WORD = 3

# Cosine distance at which two groups stop merging (average linkage). Chosen on the
# demo meetings' 74 inputs and tests/test_themes.py's fixed inputs: re-worded copies of
# one proposal sit well below it, proposals on different subjects above it.
CUT_DISTANCE = 0.85
# Up to this many inputs the linkage is exact, on every pair's cosine distance (about
# 150 MiB at 2,500); above, in an SVD-reduced space (see the module docstring).
EXACT_UP_TO = 2_500
SVD_COMPONENTS = 120
# Character n-grams kept (the most frequent): bounds the vectors' memory at thousands
# of inputs; a meeting of a few hundred has fewer than this.
MAX_CHAR_FEATURES = 30_000
# Birch's subcluster radius on unit vectors: 0.5 is a cosine distance of about 0.125.
SUBCLUSTER_RADIUS = 0.5
MIN_THEME_SIZE = 2
LABEL_TERMS = 3
MAX_PHRASE = 3


@dataclass(frozen=True)
class Text:
    """An input as the theme finder sees it."""

    id: int
    title: str
    description: str


@dataclass(frozen=True)
class Description:
    terms: tuple[str, ...]  # characteristic terms, as participants wrote them
    label: str
    representative_id: int


@cache
def stop_words() -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords("id")) | MEETING_WORDS


@cache
def stemmer():
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return stemmer().stem(word) or word


def fold(text: str) -> str:
    """Lower case ASCII: accents and typographic letters reduced to their base letter."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def content_words(text: str) -> list[str]:
    stops = stop_words()
    return [w for w in WORD.findall(fold(text)) if len(w) >= MIN_WORD and w not in stops]


def full_text(text: Text) -> str:
    return f"{text.title}. {text.title}. {text.description}"


class Analysed:
    """The words of many texts, stemmed once each, with the surface forms behind each stem."""

    def __init__(self, texts: Sequence[Text]):
        stops = stop_words()
        self.surface: dict[str, Counter[str]] = defaultdict(Counter)
        self.stems: list[list[str]] = []
        self.words: list[list[str]] = []
        for text in texts:
            words = content_words(full_text(text))
            stems = []
            for word in words:
                root = stem(word)
                if root in stops or len(root) < MIN_WORD:
                    continue
                stems.append(root)
                self.surface[root][word] += 1
            self.words.append(words)
            self.stems.append(stems)

    def terms(self, index: int) -> list[str]:
        """Stems and stem pairs of one text: what the word half of its vector counts."""
        stems = self.stems[index]
        return stems + [f"{a} {b}" for a, b in pairwise(stems) if a != b]

    def spelled(self, term: str) -> str:
        """A stem or pair as participants most often wrote it ("bantu" -> "bantuan")."""
        return " ".join(self.surface[s].most_common(1)[0][0] for s in term.split(" "))


class TextModel:
    """The vectors of a set of texts, and what can be read from them."""

    def __init__(self, texts: Sequence[Text]):
        self.texts = list(texts)
        self.analysed = Analysed(self.texts)
        indices = list(range(len(self.texts)))
        self.word_vectoriser = TfidfVectorizer(
            analyzer=self.analysed.terms, sublinear_tf=True, dtype=np.float32
        )
        words = fitted(self.word_vectoriser, indices)
        chars = fitted(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(3, 5),
                sublinear_tf=True,
                max_features=MAX_CHAR_FEATURES,
                dtype=np.float32,
            ),
            [" ".join(words) for words in self.analysed.words],
        )
        self.word_matrix = words
        self.matrix = unit_rows(hstack([words, chars]).tocsr())

    def __len__(self) -> int:
        return len(self.texts)

    def groups(self) -> list[list[int]]:
        """Indices of texts that belong together, largest group first; no group of one.

        A text with no word left to compare ("Lain-lain", digits only) joins no group.
        """
        rows = np.flatnonzero(self.matrix.getnnz(axis=1))
        if len(rows) < MIN_THEME_SIZE:
            return []
        # One maths thread: with a thread per core, numpy's and scikit-learn's threads
        # compete with each other and with the web workers (bench/themes.py).
        with threadpool_limits(limits=1):
            labels = self.cluster(self.matrix[rows])
        members: dict[int, list[int]] = defaultdict(list)
        for row, label in zip(rows, labels, strict=True):
            members[int(label)].append(int(row))
        groups = [group for group in members.values() if len(group) >= MIN_THEME_SIZE]
        return sorted(groups, key=lambda group: (-len(group), group[0]))

    @staticmethod
    def cluster(points) -> np.ndarray:
        exact = points.shape[0] <= EXACT_UP_TO or min(points.shape) <= SVD_COMPONENTS
        linkage = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed" if exact else "cosine",
            linkage="average",
            distance_threshold=CUT_DISTANCE,
        )
        if exact:
            return linkage.fit_predict(cosine_distances(points))
        # Two power iterations instead of five: half the time, the same groups here.
        reduced = TruncatedSVD(n_components=SVD_COMPONENTS, n_iter=2, random_state=0)
        dense = normalize(reduced.fit_transform(points))
        # Birch first folds texts that are all but identical into subclusters, so the
        # average linkage runs on those instead of on every pair of texts.
        return Birch(threshold=SUBCLUSTER_RADIUS, n_clusters=linkage).fit_predict(dense)

    def describe(self, indices: Sequence[int]) -> Description:
        """A group's characteristic terms, its label, and the text closest to its centre."""
        rows = list(indices)
        centre = np.asarray(self.matrix[rows].mean(axis=0)).ravel()
        closeness = self.matrix[rows] @ centre
        representative = self.texts[rows[int(np.argmax(closeness))]].id

        present = self.word_matrix[rows] > 0
        # A term weighs by how strongly and how widely it marks the group's members; a
        # stem pair must be shared by half of them, or it is one input's phrase.
        coverage = np.asarray(present.sum(axis=0)).ravel() / len(rows)
        weights = np.asarray(self.word_matrix[rows].mean(axis=0)).ravel() * coverage
        # Terms in more than half of the meeting's inputs name no theme, unless the theme
        # is most of the meeting: then they are all it has.
        spread = np.asarray((self.word_matrix > 0).sum(axis=0)).ravel()
        common = spread > max(len(self.texts) // 2, 2)
        terms = self.label_terms(np.where(common, 0, weights), coverage)
        if not terms:
            terms = self.label_terms(weights, coverage)
        return Description(terms=terms, label=", ".join(terms), representative_id=representative)

    def label_terms(self, weights: np.ndarray, coverage: np.ndarray) -> tuple[str, ...]:
        """The heaviest terms, as participants spelled them, overlapping pairs joined."""
        vocabulary = self.word_vectoriser.get_feature_names_out()
        chosen: list[list[str]] = []  # phrases of stems
        covered: set[str] = set()
        for column in np.argsort(-weights):
            if weights[column] <= 0 or len(chosen) == LABEL_TERMS:
                break
            words = str(vocabulary[column]).split(" ")
            if len(words) > 1 and coverage[column] < 0.5:
                continue
            if set(words) <= covered:
                continue  # "bantu pangan" already said "bantu" and "pangan"
            if len(words) == 1:
                chosen.append(words)
            elif not add_pair(chosen, covered, words):
                continue
            covered |= set(words)
        return tuple(self.analysed.spelled(" ".join(phrase)) for phrase in chosen)


def fitted(vectoriser: TfidfVectorizer, documents) -> csr_matrix:
    """The documents' TF-IDF rows; no columns when no document has a word left."""
    try:
        return vectoriser.fit_transform(documents)
    except ValueError:  # "empty vocabulary": every text was stop words or digits
        return csr_matrix((len(documents), 0), dtype=np.float32)


def unit_rows(matrix: csr_matrix) -> csr_matrix:
    """Rows scaled to length 1 (cosine); a matrix with no columns stays as it is."""
    return normalize(matrix) if matrix.shape[1] else matrix


def add_pair(chosen: list[list[str]], covered: set[str], pair: list[str]) -> bool:
    """Add a stem pair to a label's phrases; False when it only repeats a word said.

    Pairs that overlap make one phrase: "kepala keluarga" after "perempuan kepala" gives
    "perempuan kepala keluarga". A pair replaces the single words it contains.
    """
    first, second = pair
    for phrase in chosen:
        if phrase[-1] == first and second not in phrase and len(phrase) < MAX_PHRASE:
            phrase.append(second)
            return True
        if phrase[0] == second and first not in phrase and len(phrase) < MAX_PHRASE:
            phrase.insert(0, first)
            return True
    if covered & set(pair):
        singles = [phrase for phrase in chosen if len(phrase) == 1 and phrase[0] in pair]
        if not singles:
            return False  # one of its words is already inside a longer phrase
        for phrase in singles:
            chosen.remove(phrase)
    chosen.append(list(pair))
    return True


def find_themes(texts: Sequence[Text]) -> list[tuple[list[int], Description]]:
    """The themes of a set of texts: their members' ids and description, largest first."""
    model = TextModel(texts)
    return [([model.texts[i].id for i in group], model.describe(group)) for group in model.groups()]
