"""The scikit-learn building blocks: routing features and classifier, urgency pipeline, and
the two reference baselines of the shared data README (kept here so every comparison
measures them in the same run, on the same folds)."""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from classifier.text import normalise, normalise_all

# Character n-grams are read from the start of the text only: they matter for short texts
# and inflected words, and on long letters they would cost most of the training time.
CHAR_NGRAM_PREFIX = 3000


def opening(text: str) -> str:
    """The first CHAR_NGRAM_PREFIX characters of an already normalised text."""
    return text[:CHAR_NGRAM_PREFIX]


class RoutingFeatures(TransformerMixin, BaseEstimator):
    """Word 1-2 grams for topic words and char 2-5 grams inside word boundaries (weighted
    `char_weight`) for inflection, spelling variants, short texts and Arabic/Swahili morphology.
    TF-IDF with sublinear tf (long letters do not drown short ones), l2 per block.

    The text is analysed once into counts; `fold_matrix` then gives the TF-IDF matrix whose
    vocabulary (min_df) and idf come from a fold's training rows only, so out-of-fold scores
    used for calibration are honest without re-analysing the text for every fold.
    """

    def __init__(self, char_weight: float = 2.0, char_min_df: int = 2):
        self.char_weight = char_weight
        self.char_min_df = char_min_df

    @staticmethod
    def _analysers() -> tuple[CountVectorizer, CountVectorizer]:
        return (
            CountVectorizer(lowercase=False, ngram_range=(1, 2)),
            CountVectorizer(lowercase=False, preprocessor=opening, analyzer="char_wb", ngram_range=(2, 5)),
        )

    def count(self, texts) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list]:
        """Raw counts of all word and char n-grams of `texts` (and their vectorisers)."""
        normalised = normalise_all(texts)
        words, chars = self._analysers()
        return words.fit_transform(normalised), chars.fit_transform(normalised), [words, chars]

    def _blocks(self, counts, rows):
        """(kept columns, idf) per block, learned from `rows` only."""
        blocks = []
        for matrix, min_df in zip(counts, (1, self.char_min_df)):
            df = np.bincount(matrix[rows].indices, minlength=matrix.shape[1])
            keep = np.flatnonzero(df >= min_df)
            blocks.append((keep, np.log((1 + len(rows)) / (1 + df[keep])) + 1))
        return blocks

    def _weigh(self, counts, blocks) -> sparse.csr_matrix:
        parts = []
        for matrix, (keep, idf), weight in zip(counts, blocks, (1.0, self.char_weight)):
            part = matrix[:, keep].astype(np.float64)
            part.data = 1.0 + np.log(part.data)
            parts.append(normalize(part @ sparse.diags(idf)) * weight)
        return sparse.hstack(parts, format="csr")

    def fold_matrix(self, counts, train_rows) -> sparse.csr_matrix:
        """Features of every row, with vocabulary and idf fitted on `train_rows` only."""
        return self._weigh(counts, self._blocks(counts, train_rows))

    def fit_from_counts(self, counts, vectorisers) -> sparse.csr_matrix:
        """Fit on all counted rows; return their features. Keeps only the retained vocabulary."""
        blocks = self._blocks(counts, np.arange(counts[0].shape[0]))
        features = self._weigh(counts, blocks)
        self.word_vectoriser_, self.char_vectoriser_ = [
            self._pruned(vectoriser, keep) for vectoriser, (keep, _) in zip(vectorisers, blocks)
        ]
        self.idf_ = [idf for _, idf in blocks]
        return features

    @staticmethod
    def _pruned(vectoriser: CountVectorizer, keep: np.ndarray) -> CountVectorizer:
        names = vectoriser.get_feature_names_out()[keep]
        pruned = CountVectorizer(**{**vectoriser.get_params(), "vocabulary": {n: i for i, n in enumerate(names)}})
        pruned.fit([])
        return pruned

    def fit(self, texts, y=None) -> "RoutingFeatures":
        *counts, vectorisers = self.count(texts)
        self.fit_from_counts(counts, vectorisers)
        return self

    def transform(self, texts) -> sparse.csr_matrix:
        normalised = normalise_all(texts)
        counts = [self.word_vectoriser_.transform(normalised), self.char_vectoriser_.transform(normalised)]
        return self._weigh(counts, [(np.arange(len(idf)), idf) for idf in self.idf_])

    @property
    def n_word_features_(self) -> int:
        return len(self.idf_[0])


def make_routing_classifier(C: float = 0.3) -> LinearSVC:
    """A linear SVM with balanced class weights: small ministries count as much as big ones."""
    return LinearSVC(C=C, class_weight="balanced", random_state=0)


def make_urgency_pipeline() -> Pipeline:
    """Urgency level from words of the text; balanced so the rare level is not ignored."""
    return make_pipeline(
        TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
    )


def make_plain_baseline() -> Pipeline:
    """Shared README baseline 1: TF-IDF word 1-2 g + LogisticRegression()."""
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=2000))


def make_strong_baseline() -> Pipeline:
    """Shared README baseline 2: word 1-2 g + char_wb 2-5 g, LogisticRegression(C=10, balanced)."""
    return make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LogisticRegression(C=10, class_weight="balanced", max_iter=2000),
    )
