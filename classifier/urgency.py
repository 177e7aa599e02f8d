"""Urgency learned from labelled history: a small estimator over the routing word features, with
the keyword rules (`classifier.urgency_rules`) deciding wherever that history says nothing about a text."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator

from classifier.dataset import URGENCY_LEVELS, distinct_rows, group_key
from classifier.pipelines import make_urgency_classifier
from classifier.urgency_rules import LEVEL_RANK, LEVEL_SCORES, RuleAssessment

# One text's urgency: (level, score, source, reasons), source being "model" or "rules".
Urgency = tuple[str, float, str, list[str]]


@dataclass(frozen=True)
class UrgencyExamples:
    """The labelled rows urgency can learn from: each distinct (text, level) once, counted `weights` times."""

    keys: list[str]  # `group_key` of each text
    texts: list[str]
    levels: np.ndarray
    weights: np.ndarray


def urgency_examples(texts: list[str], urgencies, min_examples: int) -> tuple[dict[str, int], UrgencyExamples | None]:
    """Labelled rows per level, and the examples of the levels with at least `min_examples` rows
    (None unless two levels have that many: one level teaches nothing)."""
    if urgencies is None:
        return {}, None
    labelled = [(text, level) for text, level in zip(texts, urgencies, strict=True) if level in URGENCY_LEVELS]
    counts = dict(Counter(level for _, level in labelled))
    learnable = {level for level, n in counts.items() if n >= min_examples}
    if len(learnable) < 2:
        return counts, None
    labelled = [(group_key(text), level, text) for text, level in labelled if level in learnable]
    rows, weights = distinct_rows((key, level) for key, level, _ in labelled)
    examples = UrgencyExamples(
        keys=[labelled[i][0] for i in rows],
        texts=[labelled[i][2] for i in rows],
        levels=np.array([labelled[i][1] for i in rows], dtype=object),
        weights=weights,
    )
    return counts, examples


def rules_only(rules: list[RuleAssessment]) -> list[Urgency]:
    """The keyword rules' urgency, presented as theirs."""
    return [(r.level, r.score, "rules", r.reasons) for r in rules]


class UrgencyModel(BaseEstimator):
    """Urgency levels from word features (the routing model's TF-IDF of word 1-2 grams, so urgency
    costs one product at prediction), trusted only for texts close to the labelled history.

    Parameters
    ----------
    min_similarity: cosine similarity to a labelled text needed to trust the learned level for a
        text; below it the keyword rules decide.
    """

    def __init__(self, min_similarity: float = 0.5):
        self.min_similarity = min_similarity

    def fit(self, X, levels: np.ndarray, sample_weight: np.ndarray) -> UrgencyModel:
        """Learn the levels of the labelled rows `X` (each counted `sample_weight` times)."""
        self.classifier_ = make_urgency_classifier().fit(X, levels, sample_weight=sample_weight)
        # Stored transposed (features x texts, CSR): a new text's similarities are then one sparse
        # product with no conversion of a matrix as wide as the vocabulary.
        self.support_ = X.T.tocsr()
        self.n_labelled_ = int(sample_weight.sum())
        return self

    def predict(self, X, rules: list[RuleAssessment]) -> list[Urgency]:
        """The learned level where a text is close enough to the labelled history, the rules'
        otherwise, and the rules' when they find a higher level (`rules`: their assessment of each text)."""
        vectors = X.astype(np.float64)
        similarity = (vectors @ self.support_).toarray().max(axis=1)
        model = self.classifier_
        margins = vectors @ model.coef_.T + model.intercept_
        probabilities = softmax(margins, axis=1) if len(model.classes_) > 2 else _binary_probabilities(margins)
        levels = model.classes_
        values = np.array([LEVEL_SCORES[level] for level in levels])
        results: list[Urgency] = []
        for i, rule in enumerate(rules):
            if similarity[i] < self.min_similarity:
                results.append((rule.level, rule.score, "rules", rule.reasons))
                continue
            level = str(levels[int(np.argmax(probabilities[i]))])
            score = float(probabilities[i] @ values)
            if LEVEL_RANK[rule.level] > LEVEL_RANK[level]:
                results.append(
                    (rule.level, max(rule.score, score), "rules",
                     rule.reasons + [f"raised from '{level}' given by the learned model"])
                )
                continue
            results.append(
                (level, score, "model",
                 [f"learned from {self.n_labelled_} labelled past cases; closest is {similarity[i]:.0%} similar"])
            )
        return results


def _binary_probabilities(margins: np.ndarray) -> np.ndarray:
    """[P(first class), P(second class)] of a two-class logistic regression's margins."""
    second = 1.0 / (1.0 + np.exp(-margins.ravel()))
    return np.column_stack([1.0 - second, second])
