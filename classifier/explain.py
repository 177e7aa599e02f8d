"""Why the router chose a department: the words of a text whose features pushed most towards it,
as readable words an officer can check rather than n-gram fragments."""
from __future__ import annotations

import re
from collections import defaultdict
from itertools import islice

import numpy as np
from sklearn.svm import LinearSVC

from classifier.pipelines import Analysis, RoutingFeatures
from classifier.text import FUNCTION_WORDS, WORD_PATTERN

_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


def explain(classifier: LinearSVC, features: RoutingFeatures, analysis: Analysis, x, column: int,
            limit: int = 5) -> list[str]:
    """Words of the text (`analysis`, its feature row `x`) whose features pushed most towards class `column`.

    A word counts as itself, a pair of neighbouring words is shared by its two words, and
    each character n-gram's weight is shared among the words it occurs in, so the reasons
    are readable words rather than fragments.
    """
    x = x.tocsr()
    x.sort_indices()
    weights = classifier.coef_
    row = column if weights.shape[0] > 1 else 0
    sign = 1.0 if weights.shape[0] > 1 or column == 1 else -1.0
    contribution = (x.indices, sign * x.data * weights[row, x.indices])
    evidence: dict[str, float] = defaultdict(float)
    tokens = analysis.tokens
    n_grams = 2 * len(tokens) - 1 if tokens else 0  # words, then pairs; the capitals mark is not a word
    known, first = np.unique(analysis.word_columns[:n_grams], return_index=True)  # each n-gram once
    values = _looked_up(contribution, known[known >= 0])
    for index, value in zip(first[known >= 0].tolist(), values.tolist(), strict=True):
        if index < len(tokens):
            evidence[tokens[index]] += value
        else:  # a pair's two words share its weight: function words may have stood between them
            pair = index - len(tokens)
            evidence[tokens[pair]] += value / 2
            evidence[tokens[pair + 1]] += value / 2
    for name, share in _char_evidence(features, analysis.char_tokens, contribution).items():
        evidence[name] += share
    ranked = sorted((phrase for phrase, weight in evidence.items() if weight > 0), key=evidence.__getitem__,
                    reverse=True)
    # Checked from the strongest down, so only the few words shown pay for the check.
    return list(islice((phrase for phrase in ranked if _names_a_topic(phrase)), limit))


def _char_evidence(features: RoutingFeatures, tokens: list[str],
                   contribution: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
    """Each token's share of the char n-gram contributions: an n-gram found in k distinct
    tokens gives each of them 1/k of its weight (edge punctuation is left out of the names)."""
    distinct = list(dict.fromkeys(tokens))
    columns = [features.char_columns(token) for token in distinct]
    if not distinct or not sum(len(c) for c in columns):
        return {}
    n_word, n_char = features.n_word_features_, len(features.idf_[1])
    owner = np.repeat(np.arange(len(distinct)), [len(c) for c in columns])
    pairs = np.unique(owner * n_char + np.concatenate(columns))  # each (token, n-gram) once
    owner, grams = pairs // n_char, pairs % n_char
    _, which, tokens_with = np.unique(grams, return_inverse=True, return_counts=True)
    value = _looked_up(contribution, n_word + grams)
    shares = np.bincount(owner, weights=value / tokens_with[which], minlength=len(distinct))
    evidence: dict[str, float] = defaultdict(float)
    for token, share in zip(distinct, shares.tolist(), strict=True):
        name = _EDGE_PUNCTUATION.sub("", token)
        if name:
            evidence[name] += share
    return evidence


def _names_a_topic(phrase: str) -> bool:
    """False for an elided French function word ("n'a", "qu'il") and for a number, which the
    features read with its digits folded to 0 ("00,000"): their characters still count in the
    features, but as a reason they would tell an officer nothing."""
    return any(word not in FUNCTION_WORDS and not word.isdigit() for word in WORD_PATTERN.findall(phrase))


def _looked_up(contribution: tuple[np.ndarray, np.ndarray], columns: np.ndarray) -> np.ndarray:
    """Values of a sparse row (sorted indices, values) at `columns`, 0 where it has none."""
    indices, values = contribution
    if not len(indices):
        return np.zeros(len(columns))
    where = np.searchsorted(indices, columns).clip(max=len(indices) - 1)
    return np.where(indices[where] == columns, values[where], 0.0)
