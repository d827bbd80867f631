"""Pillar suggestions: a classifier learnt from the pillars the secretariat has set.

Pure functions of the texts and their tags: no database. The examples are the inputs
a secretariat has reviewed (this meeting's and earlier meetings'), with the pillar
they carry after review. An input that is itself an example is judged by a model that
did not see it (cross-validation), so a suggestion never merely repeats its own tag.

A suggestion is shown beside the tag, never written into it.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize

from app.insight.themes import Analysed, Text

# Fewer examples than this, or fewer than two pillars among them, teach nothing useful.
MIN_EXAMPLES = 12
MIN_PER_PILLAR = 2
FOLDS = 5


@dataclass(frozen=True)
class Suggestion:
    pillar_id: int
    confidence: float  # the model's probability for that pillar, 0..1


def features(texts: Sequence[Text]):
    analysed = Analysed(texts)
    indices = list(range(len(texts)))
    words = TfidfVectorizer(analyzer=analysed.terms, sublinear_tf=True).fit_transform(indices)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
    try:
        char_matrix = chars.fit_transform(" ".join(w) for w in analysed.words)
    except ValueError:  # too few texts for a character n-gram to appear twice
        return normalize(words.tocsr())
    return normalize(hstack([words, char_matrix]).tocsr())


def suggest_pillars(
    examples: Sequence[tuple[Text, int]], targets: Sequence[Text]
) -> dict[int, Suggestion]:
    """A suggestion for each target text (by id), learnt from (text, pillar id) examples.

    Empty when the examples cannot teach a model (too few, or one pillar only).
    """
    counts = Counter(pillar for _, pillar in examples)
    usable = [(text, pillar) for text, pillar in examples if counts[pillar] >= MIN_PER_PILLAR]
    pillars = {pillar for _, pillar in usable}
    if len(usable) < MIN_EXAMPLES or len(pillars) < 2 or not targets:
        return {}

    example_ids = {text.id for text, _ in usable}
    others = [text for text in targets if text.id not in example_ids]
    matrix = features([text for text, _ in usable] + others)
    labels = np.array([pillar for _, pillar in usable])
    known, unknown = matrix[: len(usable)], matrix[len(usable) :]

    def model() -> LogisticRegression:
        return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")

    wanted = {text.id for text in targets}
    suggestions: dict[int, Suggestion] = {}
    if others:
        fitted = model().fit(known, labels)
        for text, row in zip(others, fitted.predict_proba(unknown), strict=True):
            suggestions[text.id] = best(fitted.classes_, row)

    # Examples among the targets: each judged by a model trained without its own fold.
    folds = min(FOLDS, min(Counter(labels.tolist()).values()))
    if any(text.id in wanted for text, _ in usable):
        splitter = StratifiedKFold(n_splits=max(folds, 2), shuffle=True, random_state=0)
        for train, test in splitter.split(known, labels):
            if len(set(labels[train].tolist())) < 2:
                continue
            fitted = model().fit(known[train], labels[train])
            for index, row in zip(test, fitted.predict_proba(known[test]), strict=True):
                text = usable[index][0]
                if text.id in wanted:
                    suggestions[text.id] = best(fitted.classes_, row)
    return suggestions


def best(classes, probabilities) -> Suggestion:
    column = int(np.argmax(probabilities))
    return Suggestion(int(classes[column]), round(float(probabilities[column]), 4))
