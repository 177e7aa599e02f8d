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
# A language needs this many training rows for a temperature and a threshold of its own (without them, its cases are
# never auto-routed).
_MIN_ROWS_FOR_LANGUAGE_THRESHOLD = 50
# A threshold no confidence reaches: nothing is auto-routed.
_NEVER = 1.01
# Weights tried for the past cases' votes beside the SVM's probabilities (see neighbour_weight).
# Above 0.3, votes of menu texts that share a sub-type ("…: No Access") outvoted the SVM on New
# York's data (docs/model-experiments.md).
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
    """Probabilities over the classes (the last axis)."""
    return softmax(scores / temperature, axis=-1)


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


def wilson_lower_bound(hits, n, z: float = 1.28):
    """One-sided Wilson lower bound on a success rate of `hits` out of `n` (arrays welcome; 0 where n is 0).

    z = 1.28 is a 90 % one-sided bound. Measured by grouped CV over three fold assignments
    (docs/model-experiments.md): CFPB's auto-routed cases are right 95.7–96.1 % of the time with it, 95.3–96.1 % with
    z = 1.0 (accuracy is flat near the top of its confidence), and z = 1.645 removed most of Arabic's routing."""
    hits, n = np.asarray(hits, dtype=float), np.asarray(n, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    p = hits / safe
    bound = (p + z * z / (2 * safe) - z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe))) / (1 + z * z / safe)
    return np.where(n > 0, bound, 0.0)


def _routed_counts(confidence: np.ndarray, correct: np.ndarray, weights: np.ndarray,
                   thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each threshold: how many cases (weighted) have a confidence at or above it, and how many are right."""
    order = np.argsort(confidence, kind="stable")
    ascending = confidence[order]
    n_above = np.concatenate([np.cumsum(weights[order][::-1])[::-1], [0.0]])
    hits_above = np.concatenate([np.cumsum((correct * weights)[order][::-1])[::-1], [0.0]])
    first = np.searchsorted(ascending, thresholds, side="left")
    return n_above[first], hits_above[first]


def choose_threshold(confidence, correct, target_accuracy: float = 0.95, min_cases: int = 20, z: float = 1.28,
                     weights=None) -> float:
    """Lowest confidence threshold whose auto-routed cases (confidence >= threshold) are right at least
    `target_accuracy` of the time, by a lower confidence bound, on out-of-fold predictions of one fold assignment
    (see `choose_common_threshold` for several)."""
    return choose_common_threshold([confidence], [correct], target_accuracy, min_cases, z, weights)


def choose_common_threshold(confidences, corrects, target_accuracy: float = 0.95, min_cases: int = 20,
                            z: float = 1.28, weights=None, per_text: bool = False) -> float:
    """Lowest confidence threshold at which, on *every* fold assignment's out-of-fold predictions (one array per
    assignment in `confidences` and `corrects`, same rows), the cases at or above it number at least `min_cases` and
    are right at least `target_accuracy` of the time by the Wilson lower bound (`wilson_lower_bound`).

    Picking the widest cut whose measured accuracy reaches the target favours cuts that were lucky on these rows
    (the best of many cuts), and one fold assignment may be lucky as a whole: the bound, and the worst assignment,
    must reach the target instead. Returns a value above 1 (nothing auto-routed) when no threshold does.
    `weights` counts each row as that many identical cases; with `per_text`, the bound must also hold with each
    row (each distinct text) counted once. A text filed a thousand times is one draw, not a thousand: on New York's
    311 data, where one menu text is a third of the cases, case-counted out-of-fold accuracy was 97 % with every case
    routed while the distinct texts were right 84 % of the time, and unseen texts were routed wrongly at 0.5-0.8."""
    confidences = [np.asarray(c, dtype=float) for c in confidences]
    weights = np.ones(len(confidences[0])) if weights is None else np.asarray(weights, dtype=float)
    weightings = [weights, np.ones(len(weights))] if per_text else [weights]
    candidates = np.unique(np.concatenate(confidences))
    holds = np.ones(len(candidates), dtype=bool)
    for confidence, correct in zip(confidences, corrects, strict=True):
        for weighting in weightings:
            n, hits = _routed_counts(confidence, np.asarray(correct, dtype=float), weighting, candidates)
            holds &= (n >= min_cases) & (wilson_lower_bound(hits, n, z) >= target_accuracy)
    return float(candidates[holds][0]) if holds.any() else _NEVER


def routed_by_assignment(confidences, corrects, weights, threshold: float, z: float = 1.28) -> list[dict]:
    """Per fold assignment: the share of cases auto-routed at `threshold`, their accuracy and its lower bound."""
    weights = np.asarray(weights, dtype=float)
    figures = []
    for confidence, correct in zip(confidences, corrects, strict=True):
        n, hits = _routed_counts(np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float), weights,
                                 np.array([threshold]))
        figures.append({
            "auto_route_share": float(n[0] / weights.sum()) if weights.sum() else 0.0,
            "auto_route_accuracy": float(hits[0] / n[0]) if n[0] else None,
            "lower_bound": float(wilson_lower_bound(hits, n, z)[0]) if n[0] else None,
        })
    return figures


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
    share few phrasings are better left to the SVM (docs/model-experiments.md)."""
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
    and the past cases mixed), overall and per language; `scores` holds one (rows × classes) array
    per fold assignment.

    Each language with enough rows gets its own temperature (margins of French letters and of
    English menus do not mean the same) and its own threshold, so easy languages cannot lower the
    bar for hard ones and the accuracy target holds per language, on every fold assignment.
    """
    assignments = len(scores)
    stacked, stacked_truth = scores.reshape(-1, scores.shape[-1]), np.tile(true_columns, assignments)
    stacked_weights = np.tile(weights, assignments)
    overall = fit_temperature(stacked, stacked_truth, stacked_weights)
    by_language = {
        code: languages == code for code in known_languages
        if weights[languages == code].sum() >= _MIN_ROWS_FOR_LANGUAGE_THRESHOLD
    }
    temperatures = {
        code: fit_temperature(scores[:, rows].reshape(-1, scores.shape[-1]), np.tile(true_columns[rows], assignments),
                              np.tile(weights[rows], assignments))
        for code, rows in by_language.items()
    }
    temperature = np.array([temperatures.get(code, overall) for code in languages])
    probabilities = calibrated_probabilities(scores, temperature[None, :, None])
    confidence = probabilities.max(axis=2)
    correct = probabilities.argmax(axis=2) == true_columns[None, :]

    def threshold(rows) -> float:
        # Never below MIN_AUTO_CONFIDENCE, whatever the aggregate says: when a language's
        # confident cases are nearly all right, the cut could otherwise fall on cases the model
        # itself thinks more likely wrong than right.
        chosen = choose_common_threshold(confidence[:, rows], correct[:, rows], target_accuracy, weights=weights[rows],
                                         per_text=True)
        return max(MIN_AUTO_CONFIDENCE, chosen)

    overall_threshold = threshold(np.ones(len(languages), dtype=bool))
    # A language the model was trained on with too few rows to bound its accuracy is never auto-routed: the overall
    # threshold holds on the other languages' cases, which says nothing of this one's.
    thresholds = {code: threshold(by_language[code]) if code in by_language else _NEVER for code in known_languages}
    routed = confidence >= np.array([thresholds.get(code, overall_threshold) for code in languages])[None, :]
    stacked_routed, stacked_correct = routed.reshape(-1), correct.reshape(-1)
    out_of_fold = {
        "rows": int(weights.sum()),
        "fold_assignments": assignments,
        "accuracy": float(np.average(stacked_correct, weights=stacked_weights)),
        "expected_calibration_error": expected_calibration_error(confidence.reshape(-1), stacked_correct,
                                                                 weights=stacked_weights),
        "auto_route_share": float(np.average(stacked_routed, weights=stacked_weights)),
        "auto_route_accuracy": (
            float(np.average(stacked_correct[stacked_routed], weights=stacked_weights[stacked_routed]))
            if stacked_routed.any() else None),
        "thresholds": {
            code: _threshold_figures(confidence[:, rows], correct[:, rows], weights[rows], thresholds[code])
            for code, rows in ((code, languages == code) for code in known_languages)
        },
    }
    return Calibration(overall, temperatures, overall_threshold, thresholds, out_of_fold)


def _threshold_figures(confidence: np.ndarray, correct: np.ndarray, weights: np.ndarray, threshold: float) -> dict:
    """What the model card says of one language's threshold: the lowest lower bound over the fold assignments, and
    the assignment whose auto-routed cases were least often right."""
    per_assignment = routed_by_assignment(confidence, correct, weights, threshold)
    for figures, per_text in zip(per_assignment, routed_by_assignment(confidence, correct, np.ones(len(weights)),
                                                                      threshold), strict=True):
        figures["distinct_texts_accuracy"] = per_text["auto_route_accuracy"]
    routed = [figures for figures in per_assignment if figures["auto_route_accuracy"] is not None]
    worst = min(routed, key=lambda figures: figures["auto_route_accuracy"]) if routed else None
    return {
        "threshold": threshold if threshold <= 1.0 else None,
        "rows": int(weights.sum()),
        "lower_bound": min(figures["lower_bound"] for figures in routed) if routed else None,
        "worst_assignment": worst,
        "ece": expected_calibration_error(confidence.reshape(-1), correct.reshape(-1),
                                          weights=np.tile(weights, len(confidence))),
    }
