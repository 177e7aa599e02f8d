"""The scikit-learn building blocks: routing features and classifier, urgency pipeline, and
the two reference baselines of the shared data README (kept here so every comparison
measures them in the same run, on the same folds)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC
from sklearn.utils import murmurhash3_32

from classifier.text import WORD_PATTERN, content_words, normalise_all

CHAR_NGRAM_SIZES = range(2, 6)
# Features are hashed into 2**24 buckets per block: no vocabulary of strings is kept (the
# vocabularies used to be most of a worker's memory and of training's), and at this size
# two n-grams that matter rarely share a bucket.
HASH_BITS = 24
_SHIFT = np.uint64(64 - HASH_BITS)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier: spreads token hashes over the high bits
_CHAR_SEED = 1
# Per-worker memo of character columns per token; cleared when it reaches this size.
_CACHE_LIMIT = 50_000
# One extra word feature for a text written in capitals only. `normalise` folds case away, yet
# case says where a text comes from: in New York's 311 data only the housing agency's menu is
# in capitals, and without this a housing menu text never seen in training ("HEATING: HEAT")
# was routed by its fragments to the health department. No word of a text can spell the mark.
CAPITALS_MARK = "<capitals>"


def feature_texts(texts: list[str]) -> list[str]:
    """What the features read of each text: normalised, without function words."""
    return [content_words(text) for text in normalise_all(texts)]


def char_wb_grams(token: str) -> list[str]:
    """Character 2-5 grams of one white-space token padded with spaces, as scikit-learn's
    `char_wb` analyser makes them (a token shorter than n gives one gram, and stops there)."""
    padded = f" {token} "
    grams = []
    for n in CHAR_NGRAM_SIZES:
        grams.extend(padded[start:start + n] for start in range(max(1, len(padded) - n + 1)))
        if len(padded) <= n:
            break
    return grams


def in_capitals(text: str) -> bool:
    """True when none of the text's letters is lower case and most of them are upper case (an
    Arabic sentence quoting "NASA" is not in capitals). Counting letters is left to the rare
    texts that pass the two whole-string tests."""
    if text == text.lower() or text != text.upper():
        return False
    return 2 * sum(map(str.isupper, text)) >= sum(map(str.isalpha, text))


def _char_buckets(token: str) -> np.ndarray:
    return np.fromiter(
        (murmurhash3_32(gram, seed=_CHAR_SEED, positive=True) for gram in char_wb_grams(token)), dtype=np.uint64
    ) >> np.uint64(32 - HASH_BITS)


def word_buckets(tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Buckets of each word (unigram) and of each pair of neighbouring words (bigram), in text order."""
    hashes = np.fromiter((murmurhash3_32(token, positive=True) for token in tokens), dtype=np.uint64,
                         count=len(tokens))
    unigrams = (hashes * _MIX) >> _SHIFT
    bigrams = (((hashes[:-1] * _MIX) ^ hashes[1:]) * _MIX) >> _SHIFT
    return unigrams.astype(np.int64), bigrams.astype(np.int64)


_CAPITALS_BUCKET = word_buckets([CAPITALS_MARK])[0]


def _capitals_buckets(raw: str) -> np.ndarray:
    """The capitals mark's bucket when the raw (not normalised) text is in capitals; else none."""
    return _CAPITALS_BUCKET if in_capitals(raw) else _CAPITALS_BUCKET[:0]


def counted_rows(rows: list[np.ndarray], n_columns: int) -> sparse.csr_matrix:
    """CSR matrix of counts from one array of column ids (with repeats) per row."""
    indptr, indices, data = [0], [], []
    for columns in rows:
        unique, counts = np.unique(columns, return_counts=True)
        indices.append(unique)
        data.append(counts)
        indptr.append(indptr[-1] + len(unique))
    empty = np.zeros(0, dtype=np.int64)
    return sparse.csr_matrix(
        (np.concatenate(data or [empty]).astype(np.float64), np.concatenate(indices or [empty]), indptr),
        shape=(len(rows), n_columns),
    )


def sublinear_tfidf(counts: sparse.csr_matrix, idf: np.ndarray, weight: float) -> sparse.csr_matrix:
    """Sublinear tf × idf, each row scaled to length `weight` (computed on the stored values
    directly: for one text, building a diagonal matrix and validating cost more than the maths)."""
    part = counts.astype(np.float64)
    part.data = (1.0 + np.log(part.data)) * idf[part.indices]
    rows = np.repeat(np.arange(part.shape[0]), np.diff(part.indptr))
    norms = np.sqrt(np.bincount(rows, weights=part.data ** 2, minlength=part.shape[0]))
    part.data *= weight / np.where(norms > 0, norms, 1.0)[rows]
    return part


@dataclass(frozen=True)
class Analysis:
    """One normalised text as the features read it."""

    tokens: list[str]  # words (two letters or more), in order
    word_columns: np.ndarray  # column of each word, of each pair of neighbours, of the capitals mark; -1: unknown
    char_tokens: list[str]  # white-space tokens, for char n-grams
    normalised: str  # the whole normalised text, function words kept: the past cases read it


class RoutingFeatures(TransformerMixin, BaseEstimator):
    """Word 1-2 grams for topic words and char 2-5 grams inside word boundaries (weighted
    `char_weight`) for inflection, spelling variants, short texts and Arabic/Swahili morphology.
    TF-IDF with sublinear tf (long letters do not drown short ones), l2 per block. The word block
    also holds the capitals mark (`CAPITALS_MARK`) of texts in capitals.

    N-grams are hashed, and only the buckets seen in training (char: in `char_min_df` texts)
    are kept, as sorted arrays (`buckets_`). The text is analysed once into counts; `fold_matrix`
    then gives the TF-IDF matrix whose kept buckets and idf come from a fold's training rows
    only, so out-of-fold scores used for calibration are honest without re-analysing the text.
    """

    def __init__(self, char_weight: float = 2.0, char_min_df: int = 2):
        self.char_weight = char_weight
        self.char_min_df = char_min_df

    # -------------------------------------------------------------- analysis
    def count(self, texts) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list[np.ndarray]]:
        """Counts of the word and char buckets of `texts`, over the buckets they use (returned last)."""
        word_rows, char_rows, cache = [], [], {}
        texts = [str(text) for text in texts]
        for raw, text in zip(texts, feature_texts(texts), strict=True):
            word_rows.append(np.concatenate([*word_buckets(WORD_PATTERN.findall(text)), _capitals_buckets(raw)]))
            tokens = text.split()
            for token in tokens:
                if token not in cache:
                    cache[token] = _char_buckets(token).astype(np.int64)
            char_rows.append(np.concatenate([cache[token] for token in tokens] or [np.zeros(0, np.int64)]))
        blocks, used = [], []
        for rows in (word_rows, char_rows):
            buckets = np.concatenate(rows or [np.zeros(0, np.int64)])
            columns = np.flatnonzero(np.bincount(buckets, minlength=1 << HASH_BITS))
            column_of = np.zeros(1 << HASH_BITS, dtype=np.int64)  # bucket -> column (a dense table: no sort)
            column_of[columns] = np.arange(len(columns))
            ends = np.cumsum([len(row) for row in rows])
            blocks.append(counted_rows(np.split(column_of[buckets], ends[:-1]) if rows else [], len(columns)))
            used.append(columns)
        return blocks[0], blocks[1], used

    def _blocks(self, counts, rows):
        """(kept columns, idf) per block, learned from `rows` only."""
        blocks = []
        for matrix, min_df in zip(counts, (1, self.char_min_df), strict=True):
            df = np.bincount(matrix[rows].indices, minlength=matrix.shape[1])
            keep = np.flatnonzero(df >= min_df)
            blocks.append((keep, np.log((1 + len(rows)) / (1 + df[keep])) + 1))
        return blocks

    def _weigh(self, counts, blocks) -> sparse.csr_matrix:
        return sparse.hstack(
            [sublinear_tfidf(matrix[:, keep], idf, weight)
             for matrix, (keep, idf), weight in zip(counts, blocks, (1.0, self.char_weight), strict=True)],
            format="csr",
        )

    def fold_matrix(self, counts, train_rows) -> sparse.csr_matrix:
        """Features of every row, with kept buckets and idf fitted on `train_rows` only."""
        return self._weigh(counts, self._blocks(counts, train_rows))

    def fit_from_counts(self, counts, used) -> sparse.csr_matrix:
        """Fit on all counted rows; return their features."""
        blocks = self._blocks(counts, np.arange(counts[0].shape[0]))
        self.buckets_ = [columns[keep] for columns, (keep, _) in zip(used, blocks, strict=True)]
        self.idf_ = [idf for _, idf in blocks]
        self._char_cache = {}
        return self._weigh(counts, blocks)

    def fit(self, texts, y=None) -> RoutingFeatures:
        *counts, used = self.count(texts)
        self.fit_from_counts(counts, used)
        return self

    # ------------------------------------------------------------ prediction
    def _columns(self, block: int, buckets: np.ndarray) -> np.ndarray:
        """Column of each bucket in the fitted block, -1 for buckets not kept in training."""
        kept = self.buckets_[block]
        if not len(kept):
            return np.full(len(buckets), -1, dtype=np.int64)
        where = np.searchsorted(kept, buckets).clip(max=len(kept) - 1)
        return np.where(kept[where] == buckets, where, -1)

    def word_columns(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Columns of each word and of each pair of neighbouring words (-1: unknown)."""
        unigrams, bigrams = word_buckets(tokens)
        return self._columns(0, unigrams), self._columns(0, bigrams)

    def char_columns(self, token: str) -> np.ndarray:
        """Columns (within the char block) of a white-space token's char n-grams, memoised per worker."""
        cache = self.__dict__.setdefault("_char_cache", {})
        columns = cache.get(token)
        if columns is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            columns = self._columns(1, _char_buckets(token).astype(np.int64))
            cache[token] = columns = columns[columns >= 0]
        return columns

    def analyse(self, texts) -> list[Analysis]:
        """Each text's words, its word n-gram columns (-1: unknown) and its char tokens."""
        analyses = []
        texts = [str(text) for text in texts]
        for raw, normalised in zip(texts, normalise_all(texts), strict=True):
            text = content_words(normalised)
            tokens = WORD_PATTERN.findall(text)
            columns = [*self.word_columns(tokens), self._columns(0, _capitals_buckets(raw))]
            analyses.append(Analysis(tokens, np.concatenate(columns), text.split(), normalised))
        return analyses

    def transform(self, texts) -> sparse.csr_matrix:
        return self.transform_analysed(self.analyse(texts))

    def transform_analysed(self, analyses: list[Analysis]) -> sparse.csr_matrix:
        """Features of analysed texts (the explanation reuses the same analysis).

        Built row by row with NumPy and handed to SciPy once: for one text, SciPy's checks on the
        intermediate matrices (counts, weights, a stack of two blocks) cost more than the maths."""
        n_word = len(self.idf_[0])
        indptr, indices, data = [0], [], []
        for analysis in analyses:
            words = analysis.word_columns[analysis.word_columns >= 0]
            chars = np.concatenate([self.char_columns(t) for t in analysis.char_tokens] or [np.zeros(0, np.int64)])
            for columns, idf, weight, offset in ((words, self.idf_[0], 1.0, 0),
                                                 (chars, self.idf_[1], self.char_weight, n_word)):
                unique, counts = np.unique(columns, return_counts=True)
                values = (1.0 + np.log(counts)) * idf[unique]
                norm = np.sqrt(values @ values)
                indices.append(unique + offset)
                data.append(values * (weight / norm) if norm > 0 else values)
            indptr.append(indptr[-1] + len(indices[-2]) + len(indices[-1]))
        empty = np.zeros(0)
        # float32, as the classifier's coefficients are kept: the product needs no upcast copy.
        return sparse.csr_matrix(
            (np.concatenate(data or [empty]).astype(np.float32), np.concatenate(indices or [empty]).astype(np.int32),
             np.asarray(indptr, dtype=np.int32)),
            shape=(len(analyses), n_word + len(self.idf_[1])),
        )

    @property
    def n_word_features_(self) -> int:
        return len(self.idf_[0])

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_char_cache", None)  # a per-worker memo, rebuilt on use
        return state


def make_routing_classifier(C: float = 0.05, tol: float = 1e-4) -> LinearSVC:
    """A linear SVM with balanced class weights: small ministries count as much as big ones."""
    return LinearSVC(C=C, class_weight="balanced", random_state=0, tol=tol)
def make_urgency_classifier() -> LogisticRegression:
    """Urgency level from the routing word features; balanced so the rare level is not ignored."""
    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)


def make_plain_baseline() -> Pipeline:
    """Shared README baseline 1: TF-IDF word 1-2 g + LogisticRegression()."""
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=2000))


def make_strong_baseline() -> Pipeline:
    """Shared README baseline 2: word 1-2 g + char_wb 2-5 g, LogisticRegression(C=10, balanced)."""
    return make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LogisticRegression(C=10, class_weight="balanced", max_iter=2000),
    )
