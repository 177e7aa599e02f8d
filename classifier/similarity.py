"""How alike two citizens' reports are: texts as hashed character n-grams (sublinear counts), compared by cosine;
places by their normalised names. Used to group similar reports (civicly's triage/groups.py, through civicly.classify).

Character n-grams (inside word boundaries) tolerate spelling, plural and word-order differences and work the same
in French, English, Arabic and Swahili without a tokenizer per language. Hashing needs no fitting, so each text is
turned into a vector once per process and kept: a new report is compared with a few hundred open ones in about a
millisecond. Pure functions, no database.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

# Chosen on the labelled pairs of tests/insight/test_grouping_precision.py (see docs/operations.md for the figures).
THRESHOLD = 0.75
COMPARED_CHARS = 400  # the opening of a report says what it is about; comparing more only costs time
OPENING = COMPARED_CHARS * 2  # characters read from a text: enough for COMPARED_CHARS once normalised
PUNCTUATION = re.compile(r"[^\w\s]+", re.UNICODE)
SPACES = re.compile(r"\s+")
_HASHER = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**20, alternate_sign=False,
                            norm=None, dtype=np.float32)


def normalise(text: str) -> str:
    """Lower case, accents kept apart from letters, punctuation and runs of spaces removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return SPACES.sub(" ", PUNCTUATION.sub(" ", text)).strip()


@lru_cache(maxsize=4096)
def _vector(text: str) -> tuple[np.ndarray, np.ndarray]:
    """One text as a unit-length sparse row: its column indices (sorted) and weights. Cached, since the same open
    reports are compared with every new one; the key is only the opening compared, so long texts cost no more."""
    row = _HASHER.transform([normalise(text[:OPENING])[:COMPARED_CHARS]])
    row.data = np.log1p(row.data)
    row = normalize(row)
    row.sort_indices()
    return row.indices.astype(np.int64), row.data.astype(np.float32)


def opening(text: str) -> str:
    """The part of a text that is compared (before normalising): all a caller needs to read of it."""
    return (text or "")[:OPENING]


def _rows(texts: Sequence[str]) -> csr_matrix:
    vectors = [_vector(opening(t)) for t in texts]
    indptr = np.zeros(len(vectors) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(indices) for indices, _w in vectors])
    indices = np.concatenate([i for i, _w in vectors]) if vectors else np.zeros(0, dtype=np.int64)
    weights = np.concatenate([w for _i, w in vectors]) if vectors else np.zeros(0, dtype=np.float32)
    return csr_matrix((weights, indices, indptr), shape=(len(vectors), _HASHER.n_features))


def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarity of every pair of ``texts`` (1.0 on the diagonal for any non-empty text)."""
    if not texts:
        return np.ones((0, 0))
    rows = _rows(texts)
    return (rows @ rows.T).toarray()


def similarities(text: str, candidates: Sequence[str]) -> np.ndarray:
    """Cosine similarity of ``text`` with each candidate: ``text``'s weights are scattered into a dense row kept per
    thread, and each candidate's weights multiplied by what they meet there (no sparse matrix is built, so a few
    hundred candidates take about half a millisecond once their vectors are cached)."""
    if not candidates:
        return np.zeros(0, dtype=np.float32)
    own_indices, own_weights = _vector(opening(text))
    vectors = [_vector(opening(c)) for c in candidates]
    lengths = np.fromiter((len(indices) for indices, _w in vectors), dtype=np.int64, count=len(vectors))
    indices = np.concatenate([i for i, _w in vectors])
    weights = np.concatenate([w for _i, w in vectors])
    dense = _dense_row()
    dense[own_indices] = own_weights
    try:
        products = dense[indices] * weights
    finally:
        dense[own_indices] = 0.0
    sums = np.concatenate(([0.0], np.cumsum(products, dtype=np.float64)))
    ends = np.cumsum(lengths)
    return (sums[ends] - sums[ends - lengths]).astype(np.float32)


_local = threading.local()


def _dense_row() -> np.ndarray:
    """A zeroed row of every hashed column (4 MiB), one per thread, zeroed again after each use."""
    if not hasattr(_local, "row"):
        _local.row = np.zeros(_HASHER.n_features, dtype=np.float32)
    return _local.row


def most_similar(text: str, candidates: Sequence[str], threshold: float = THRESHOLD) -> tuple[int, float] | None:
    """Index and similarity of the candidate most like ``text`` if it reaches ``threshold``, else None."""
    if not candidates:
        return None
    found = similarities(text, candidates)
    index = int(np.argmax(found))
    return (index, float(found[index])) if found[index] >= threshold else None


def same_place(a: str | None, b: str | None) -> bool:
    """Places given by both citizens must match (normalised); a missing place never separates two reports."""
    if not a or not b:
        return True
    return _place(a) == _place(b)


@lru_cache(maxsize=4096)
def _place(place: str) -> str:
    return normalise(place)
