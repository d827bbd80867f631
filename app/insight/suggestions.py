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
from threadpoolctl import threadpool_limits

from app.insight.themes import MAX_CHAR_FEATURES, Analysed, Text, fitted, unit_rows

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
    words = fitted(TfidfVectorizer(analyzer=analysed.terms, sublinear_tf=True), indices)
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=2 if len(texts) > 1 else 1,
        max_features=MAX_CHAR_FEATURES,
    )
    char_matrix = fitted(chars, [" ".join(w) for w in analysed.words])
    return unit_rows(hstack([words, char_matrix]).tocsr())


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

    with threadpool_limits(limits=1):  # as for themes: see app/insight/themes.py
        return learnt_suggestions(usable, targets)


def learnt_suggestions(
    usable: Sequence[tuple[Text, int]], targets: Sequence[Text]
) -> dict[int, Suggestion]:
    example_ids = {text.id for text, _ in usable}
    others = [text for text in targets if text.id not in example_ids]
    matrix = features([text for text, _ in usable] + others)
    known, unknown = matrix[: len(usable)], matrix[len(usable) :]
    # An example with no word left (stop words, digits) teaches nothing.
    taught = np.flatnonzero(known.getnnz(axis=1))
    usable = [usable[i] for i in taught]
    if len(usable) < MIN_EXAMPLES or len({pillar for _, pillar in usable}) < 2:
        return {}
    known = known[taught]
    labels = np.array([pillar for _, pillar in usable])

    def model() -> LogisticRegression:
        # tol 3e-3 instead of 1e-4: a fraction of the fitting time on 5,000 inputs, with the
        # same suggestions and confidences on the demo meetings (bench/themes.py).
        return LogisticRegression(C=10.0, tol=3e-3, max_iter=500, class_weight="balanced")

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
