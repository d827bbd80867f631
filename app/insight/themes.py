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

Clustering is average-linkage agglomerative clustering on cosine distance, cut at a
fixed distance: the number of themes follows from the texts, and near-identical
inputs always join first. Above a few hundred inputs the vectors are first reduced
with truncated SVD (latent semantic analysis), which keeps the clustering's memory
and time within the benchmark's bounds.
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
from scipy.sparse import hstack
from sklearn.cluster import AgglomerativeClustering, Birch
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

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
# Above this many inputs, cluster in an SVD-reduced space (see the module docstring).
REDUCE_ABOVE = 400
SVD_COMPONENTS = 120
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
        words = self.word_vectoriser.fit_transform(indices)
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2 if len(self.texts) > REDUCE_ABOVE else 1,
            dtype=np.float32,
        ).fit_transform(" ".join(words) for words in self.analysed.words)
        self.word_matrix = words
        self.matrix = normalize(hstack([words, chars]).tocsr())

    def __len__(self) -> int:
        return len(self.texts)

    def groups(self) -> list[list[int]]:
        """Indices of texts that belong together, largest group first; no group of one."""
        n = len(self.texts)
        if n < MIN_THEME_SIZE:
            return []
        linkage = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="average",
            distance_threshold=CUT_DISTANCE,
        )
        if n > REDUCE_ABOVE and min(self.matrix.shape) > SVD_COMPONENTS:
            reduced = TruncatedSVD(n_components=SVD_COMPONENTS, random_state=0)
            points = normalize(reduced.fit_transform(self.matrix))
            # Birch first folds texts that are all but identical into subclusters, so the
            # average linkage runs on those instead of every pair of texts.
            labels = Birch(threshold=SUBCLUSTER_RADIUS, n_clusters=linkage).fit_predict(points)
        else:
            labels = linkage.fit_predict(self.matrix.toarray())
        members: dict[int, list[int]] = defaultdict(list)
        for index, label in enumerate(labels):
            members[int(label)].append(index)
        groups = [group for group in members.values() if len(group) >= MIN_THEME_SIZE]
        return sorted(groups, key=lambda group: (-len(group), group[0]))

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
        # Terms in more than half of the meeting's inputs name no theme.
        spread = np.asarray((self.word_matrix > 0).sum(axis=0)).ravel()
        weights[spread > max(len(self.texts) // 2, 2)] = 0
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
        terms = tuple(self.analysed.spelled(" ".join(phrase)) for phrase in chosen)
        return Description(terms=terms, label=", ".join(terms), representative_id=representative)


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
