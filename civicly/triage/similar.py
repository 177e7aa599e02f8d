"""How alike two citizens' texts are: hashed character n-grams (sublinear counts), compared by cosine.

Character n-grams (inside word boundaries) tolerate spelling, plural and word-order differences and work the same
in French, English, Arabic and Swahili without a tokenizer per language. Hashing needs no fitting, so each text is
turned into a vector once per worker and kept: a new report is compared with the open ones in a few milliseconds
however long the queue. Pure functions, no database.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np
from scipy.sparse import csr_matrix, vstack
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

# Chosen on the labelled pairs of tests/insight/test_grouping_precision.py (see docs/operations.md for the figures).
THRESHOLD = 0.75
COMPARED_CHARS = 400  # the opening of a report says what it is about; comparing more only costs time
PUNCTUATION = re.compile(r"[^\w\s]+", re.UNICODE)
SPACES = re.compile(r"\s+")
_HASHER = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**20, alternate_sign=False,
                            norm=None, dtype=np.float32)


def normalise(text: str) -> str:
    """Lower case, accents kept apart from letters, punctuation and runs of spaces removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return SPACES.sub(" ", PUNCTUATION.sub(" ", text)).strip()


@lru_cache(maxsize=2048)
def _vector(text: str) -> csr_matrix:
    """One text as a unit-length row; cached, since the same open reports are compared with every new one."""
    row = _HASHER.transform([normalise(text[: COMPARED_CHARS * 2])[:COMPARED_CHARS]])
    row.data = np.log1p(row.data)
    return normalize(row)


def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarity of every pair of ``texts`` (1.0 on the diagonal for any non-empty text)."""
    if not texts:
        return np.ones((0, 0))
    rows = vstack([_vector(t) for t in texts])
    return (rows @ rows.T).toarray()


def best_match(text: str, candidates: Sequence[str], threshold: float = THRESHOLD) -> Optional[tuple[int, float]]:
    """Index and similarity of the candidate most like ``text`` if it reaches ``threshold``, else None."""
    if not candidates:
        return None
    scores = (vstack([_vector(c) for c in candidates]) @ _vector(text).T).toarray().ravel()
    index = int(np.argmax(scores))
    return (index, float(scores[index])) if scores[index] >= threshold else None


def same_place(a: Optional[str], b: Optional[str]) -> bool:
    """Places given by both citizens must match (normalised); a missing place never separates two reports."""
    if not a or not b:
        return True
    return normalise(a) == normalise(b)
