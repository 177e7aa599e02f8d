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

# Similarities computed at once in training are held dense: at most this many values (32 MiB of float64).
_CHUNK_VALUES = 1 << 22


def phrasing_buckets(normalised_texts) -> list[np.ndarray]:
    """Hashed word 1-2 grams of each normalised text (`classifier.text.normalise`), function
    words kept, in text order."""
    return [np.concatenate(word_buckets(WORD_PATTERN.findall(text))) for text in normalised_texts]


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
        rows = phrasing_buckets(normalise_all(texts))
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
        queries = sublinear_tfidf(counts[test], idf, 1.0)
        step = max(1, _CHUNK_VALUES // max(1, len(train)))
        return np.vstack([
            self._tally((queries[start:start + step] @ support).toarray(), labels[train], n_classes)
            for start in range(0, len(test), step)
        ] or [np.zeros((0, n_classes))])

    def fit_from_counts(self, counts: sparse.csr_matrix, buckets: np.ndarray, labels: np.ndarray,
                        n_classes: int) -> PastCases:
        """Remember every counted row as a past case of class column `labels[i]`."""
        idf = self._idf(counts, np.arange(counts.shape[0]))
        kept = idf > 0
        self.buckets_ = buckets[kept]
        self.idf_ = idf[kept]
        # Stored transposed (n-grams x texts, float32): a text's similarities gather the rows of its n-grams.
        self.support_ = sublinear_tfidf(counts[:, kept], self.idf_, 1.0).T.tocsr().astype(np.float32)
        self.labels_ = np.asarray(labels, dtype=np.intp)
        self.n_classes_ = n_classes
        return self

    def votes(self, normalised_texts) -> np.ndarray:
        """Votes of the fitted past cases for each normalised text (the routing analysis has
        normalised it already: `Analysis.normalised`); columns are class columns.

        Texts come one at a time from intake, so each is computed with NumPy on the stored arrays:
        building SciPy matrices for one row cost more than the arithmetic (about 0.5 ms a text)."""
        support, n_support = self.support_, self.support_.shape[1]
        votes = np.zeros((len(normalised_texts), self.n_classes_))
        for i, row in enumerate(phrasing_buckets(normalised_texts)):
            buckets, counts = np.unique(row, return_counts=True)
            where = np.searchsorted(self.buckets_, buckets).clip(max=max(len(self.buckets_) - 1, 0))
            known = self.buckets_[where] == buckets if len(self.buckets_) else np.zeros(len(buckets), bool)
            columns = where[known]
            values = (1.0 + np.log(counts[known])) * self.idf_[columns]
            norm = np.sqrt(values @ values)
            if norm == 0:
                continue
            starts = support.indptr[columns]
            lengths = support.indptr[columns + 1] - starts
            entries = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            similarity = np.bincount(support.indices[entries], minlength=n_support,
                                     weights=support.data[entries] * np.repeat(values / norm, lengths))
            votes[i] = self._tally(similarity[None], self.labels_, self.n_classes_)[0]
        return votes

    def _tally(self, similarity: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
        """Votes from each row's similarities to the past cases (columns) whose classes are `labels`."""
        votes = np.zeros((len(similarity), n_classes))
        k = min(self.k, similarity.shape[1])
        if k == 0:
            return votes
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weight = np.take_along_axis(similarity, nearest, axis=1).clip(min=0) ** self.power
        np.add.at(votes, (np.repeat(np.arange(len(similarity)), k), labels[nearest].ravel()), weight.ravel())
        total = votes.sum(axis=1, keepdims=True)
        return np.divide(votes, total, out=np.zeros_like(votes), where=total > 0)
