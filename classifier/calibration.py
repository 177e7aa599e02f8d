"""Turning linear scores into honest probabilities, mixing them with the past cases' votes,
measuring how honest they are, and choosing the confidence above which a case may skip the
manual triage queue."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

# No case is auto-routed with a lower confidence (see calibrate).
MIN_AUTO_CONFIDENCE = 0.5
# A language needs this many training rows for a temperature and a threshold of its own.
_MIN_ROWS_FOR_LANGUAGE_THRESHOLD = 50
# Weights tried for the past cases' votes beside the SVM's probabilities (see neighbour_weight).
# Above 0.3, votes of menu texts that share a sub-type ("…: No Access") outvoted the SVM on New
# York's data (docs/models.md).
_NEIGHBOUR_WEIGHTS = (0.0, 0.1, 0.2, 0.3)


def fit_temperature(scores: np.ndarray, true_columns: np.ndarray, weights=None) -> float:
    """One temperature for softmax(scores / T) minimising log-loss on out-of-fold scores
    (each row counted `weights` times: the number of identical training rows it stands for).

    A single parameter cannot overfit the few hundred rows of a small file, and it keeps
    the ranking of the classes unchanged.
    """

    def loss(log_temperature: float) -> float:
        log_p = log_softmax(scores / np.exp(log_temperature), axis=1)
        return -float(np.average(log_p[np.arange(len(true_columns)), true_columns], weights=weights))

    result = minimize_scalar(loss, bounds=(-5.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def calibrated_probabilities(scores: np.ndarray, temperature: float) -> np.ndarray:
    return softmax(scores / temperature, axis=1)


def expected_calibration_error(confidence, correct, bins: int = 10, weights=None) -> float:
    """Mean gap between confidence and accuracy over equal-width confidence bins, weighted by bin size."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if len(confidence) == 0:
        return 0.0
    weights = np.ones(len(confidence)) if weights is None else np.asarray(weights, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            share = weights[in_bin]
            gap = np.average(confidence[in_bin], weights=share) - np.average(correct[in_bin], weights=share)
            error += share.sum() / weights.sum() * abs(gap)
    return float(error)


def choose_threshold(
    confidence, correct, target_accuracy: float = 0.95, min_cases: int = 20, z: float = 1.28, weights=None
) -> float:
    """Lowest confidence threshold whose auto-routed cases (confidence >= threshold) are right
    at least `target_accuracy` of the time, on out-of-fold predictions.

    Picking the widest cut whose measured accuracy reaches the target favours cuts that were
    lucky on these rows (the best of many cuts), so the Wilson lower bound must reach it
    instead: z = 1.28, a one-sided 90 % bound. Measured by grouped CV over three fold
    assignments (docs/models.md): CFPB's auto-routed cases are right 95.7–96.1 % of the time
    with it, 95.3–96.1 % with z = 1.0 (accuracy is flat near the top of its confidence), and
    z = 1.645 removed most of Arabic's routing.

    Returns a value above 1 (nothing auto-routed) when no threshold reaches the target with
    at least `min_cases` cases. `weights` counts each row as that many identical cases.
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    weights = np.ones(len(confidence)) if weights is None else np.asarray(weights, dtype=float)
    order = np.argsort(-confidence, kind="stable")
    sorted_confidence = confidence[order]
    n = np.cumsum(weights[order])
    p = np.cumsum(correct[order] * weights[order]) / n
    running_accuracy = (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)
    best = 1.01
    for k in range(len(order)):
        # Only cut between distinct confidence values: everything tied is routed together.
        if k + 1 < len(order) and sorted_confidence[k + 1] == sorted_confidence[k]:
            continue
        if n[k] >= min_cases and running_accuracy[k] >= target_accuracy:
            best = float(sorted_confidence[k])
    return best


def mixed(log_p: np.ndarray, votes: np.ndarray, weight: float) -> np.ndarray:
    """log((1 - weight) p + weight votes). A text no past case resembles has no votes, and its
    scores only shift by a constant, which softmax ignores: the SVM alone decides."""
    if not weight:
        return log_p
    with np.errstate(divide="ignore"):
        return np.logaddexp(np.log1p(-weight) + log_p, np.log(weight) + np.log(votes))


def neighbour_weight(log_p: np.ndarray, votes: np.ndarray, true_columns: np.ndarray, weights: np.ndarray) -> float:
    """The weight of the past cases' votes whose mix with the SVM's probabilities (`log_p`, out of
    fold), once calibrated, has the lowest out-of-fold log-loss. Learned per training set because it
    is a property of the data: letters that copy templates gain from the votes, short sentences that
    share few phrasings are better left to the SVM (docs/models.md)."""
    rows = np.arange(len(true_columns))

    def loss(weight: float) -> float:
        mix = mixed(log_p, votes, weight)
        log_q = log_softmax(mix / fit_temperature(mix, true_columns, weights), axis=1)
        return -float(np.average(log_q[rows, true_columns], weights=weights))

    return min(_NEIGHBOUR_WEIGHTS, key=loss)


@dataclass(frozen=True)
class Calibration:
    """Temperatures and auto-route thresholds, overall and per language, and how they fared out of fold."""

    temperature: float
    temperatures: dict[str, float]
    threshold: float
    thresholds: dict[str, float]
    out_of_fold: dict


def calibrate(scores: np.ndarray, true_columns: np.ndarray, languages: np.ndarray, known_languages: list[str],
              weights: np.ndarray, target_accuracy: float) -> Calibration:
    """Temperatures and auto-route thresholds from out-of-fold scores (log-probabilities of the SVM
    and the past cases mixed), overall and per language.

    Each language with enough rows gets its own temperature (margins of French letters and of
    English menus do not mean the same) and its own threshold, so easy languages cannot lower the
    bar for hard ones and the accuracy target holds per language.
    """
    overall = fit_temperature(scores, true_columns, weights)
    by_language = {
        code: languages == code for code in known_languages
        if weights[languages == code].sum() >= _MIN_ROWS_FOR_LANGUAGE_THRESHOLD
    }
    temperatures = {
        code: fit_temperature(scores[rows], true_columns[rows], weights[rows]) for code, rows in by_language.items()
    }
    temperature = np.array([temperatures.get(code, overall) for code in languages])
    probabilities = calibrated_probabilities(scores, temperature[:, None])
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == true_columns

    def threshold(rows) -> float:
        # Never below MIN_AUTO_CONFIDENCE, whatever the aggregate says: when a language's
        # confident cases are nearly all right, the cut could otherwise fall on cases the model
        # itself thinks more likely wrong than right.
        chosen = choose_threshold(confidence[rows], correct[rows], target_accuracy, weights=weights[rows])
        return max(MIN_AUTO_CONFIDENCE, chosen)

    overall_threshold = threshold(slice(None))
    thresholds = {code: threshold(rows) for code, rows in by_language.items()}
    routed = confidence >= np.array([thresholds.get(code, overall_threshold) for code in languages])
    out_of_fold = {
        "rows": int(weights.sum()),
        "accuracy": float(np.average(correct, weights=weights)),
        "expected_calibration_error": expected_calibration_error(confidence, correct, weights=weights),
        "auto_route_share": float(np.average(routed, weights=weights)),
        "auto_route_accuracy": float(np.average(correct[routed], weights=weights[routed])) if routed.any() else None,
    }
    return Calibration(overall, temperatures, overall_threshold, thresholds, out_of_fold)
