"""How alike two citizens' texts are: TF-IDF over character n-grams, compared by cosine.

Character n-grams (inside word boundaries) tolerate spelling, plural and word-order differences and work the same
in French, English, Arabic and Swahili without a tokenizer per language. Pure functions, no database.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

# Chosen on the labelled pairs in tests/insight/similar_pairs.csv (see docs/operations.md for the figures).
THRESHOLD = 0.7
COMPARED_CHARS = 400  # the opening of a report says what it is about; comparing more only costs time
PUNCTUATION = re.compile(r"[^\w\s]+", re.UNICODE)
SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, accents kept apart from letters, punctuation and runs of spaces removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return SPACES.sub(" ", PUNCTUATION.sub(" ", text)).strip()


def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarity of every pair of ``texts`` (1.0 on the diagonal), weighted within this set of texts."""
    cleaned = [normalise(t[: COMPARED_CHARS * 2])[:COMPARED_CHARS] for t in texts]
    if len(cleaned) < 2 or not any(cleaned):
        return np.ones((len(cleaned), len(cleaned)))
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform(cleaned)
    return linear_kernel(matrix)


def best_match(text: str, candidates: Sequence[str], threshold: float = THRESHOLD) -> Optional[tuple[int, float]]:
    """Index and similarity of the candidate most like ``text`` if it reaches ``threshold``, else None."""
    if not candidates:
        return None
    scores = similarity_matrix([text, *candidates])[0, 1:]
    index = int(np.argmax(scores))
    return (index, float(scores[index])) if scores[index] >= threshold else None


def same_place(a: Optional[str], b: Optional[str]) -> bool:
    """Places given by both citizens must match (normalised); a missing place never separates two reports."""
    if not a or not b:
        return True
    return normalise(a) == normalise(b)
