"""Votes of the most similar past cases: a memory beside the linear SVM.

Many complaints follow a template or an earlier letter closely (consumers copy model letters;
offices answer the same request in the same words). The SVM generalises over topic words and
blurs such near-copies; the past cases that read most like a new text say where it belongs.
Similarity is read on the words as written — function words kept, as a copied phrasing shows in
them — while the SVM reads topic words only (`classifier.text.content_words`).

The text is hashed into word 1-2 grams once (`count`); `fold_votes` then weighs the counts with
a fold's training rows only, so the out-of-fold votes that set the mixing weight are honest.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator

from classifier.pipelines import counted_rows, sublinear_tfidf, word_buckets
from classifier.text import WORD_PATTERN, normalise_all

# Similarities computed at once are held dense: at most this many values (32 MiB of float64).
_CHUNK_VALUES = 1 << 22


def phrasing_buckets(texts) -> list[np.ndarray]:
    """Hashed word 1-2 grams of each normalised text, function words kept, in text order."""
    return [np.concatenate(word_buckets(WORD_PATTERN.findall(text))) for text in normalise_all(texts)]


class PastCases(BaseEstimator):
    """The `k` training texts most similar to a text (cosine of sublinear TF-IDF word 1-2 grams)
    vote for their departments, each with its similarity to the power `power`, so the closest
    count most. Votes are shares (a row sums to 1), or all zero when no training text shares a
    word with the text."""

    def __init__(self, k: int = 10, power: float = 4.0):
        self.k = k
        self.power = power

    def count(self, texts) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Counts of each text's n-gram buckets, over the buckets the texts use (returned second)."""
        rows = phrasing_buckets(texts)
        buckets = np.unique(np.concatenate(rows or [np.zeros(0, np.int64)]))
        return counted_rows([np.searchsorted(buckets, row) for row in rows], len(buckets)), buckets

    @staticmethod
    def _idf(counts: sparse.csr_matrix, rows) -> np.ndarray:
        """Smoothed idf from `rows`; 0 for n-grams none of them has, so a new text's unknown words
        do not dilute its similarity to the known ones."""
        df = np.bincount(counts[rows].indices, minlength=counts.shape[1])
        return np.where(df > 0, np.log((1 + len(rows)) / (1 + df)) + 1, 0.0)

    def fold_votes(self, counts: sparse.csr_matrix, labels: np.ndarray, n_classes: int, train, test) -> np.ndarray:
        """Votes for the `test` rows by the `train` rows, weighed with idf from `train` only."""
        idf = self._idf(counts, train)
        support = sublinear_tfidf(counts[train], idf, 1.0).T.tocsr()
        return self._votes(sublinear_tfidf(counts[test], idf, 1.0), support, labels[train], n_classes)

    def fit_from_counts(self, counts: sparse.csr_matrix, buckets: np.ndarray, labels: np.ndarray,
                        n_classes: int) -> "PastCases":
        """Remember every counted row as a past case of class column `labels[i]`."""
        idf = self._idf(counts, np.arange(counts.shape[0]))
        kept = idf > 0
        self.buckets_ = buckets[kept]
        self.idf_ = idf[kept]
        # Stored transposed (n-grams x texts, float32): a new text's similarities are one sparse product.
        self.support_ = sublinear_tfidf(counts[:, kept], self.idf_, 1.0).T.tocsr().astype(np.float32)
        self.labels_ = np.asarray(labels, dtype=np.intp)
        self.n_classes_ = n_classes
        return self

    def votes(self, texts) -> np.ndarray:
        """Votes of the fitted past cases for each text; columns are class columns."""
        rows = []
        for row in phrasing_buckets(texts):
            where = np.searchsorted(self.buckets_, row).clip(max=max(len(self.buckets_) - 1, 0))
            rows.append(where[self.buckets_[where] == row] if len(self.buckets_) else where[:0])
        queries = sublinear_tfidf(counted_rows(rows, len(self.buckets_)), self.idf_, 1.0)
        return self._votes(queries.astype(np.float32), self.support_, self.labels_, self.n_classes_)

    def _votes(self, queries, support, labels: np.ndarray, n_classes: int) -> np.ndarray:
        votes = np.zeros((queries.shape[0], n_classes))
        n_support = support.shape[1]
        k = min(self.k, n_support)
        if k == 0:
            return votes
        step = max(1, _CHUNK_VALUES // n_support)
        for start in range(0, queries.shape[0], step):
            similarity = (queries[start:start + step] @ support).toarray()
            nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
            weight = np.take_along_axis(similarity, nearest, axis=1).clip(min=0) ** self.power
            rows = np.repeat(np.arange(start, start + len(similarity)), k)
            np.add.at(votes, (rows, labels[nearest].ravel()), weight.ravel())
        total = votes.sum(axis=1, keepdims=True)
        return np.divide(votes, total, out=np.zeros_like(votes), where=total > 0)
