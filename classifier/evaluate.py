"""Reports on held-out predictions: routing quality overall, per class and per language,
calibration, the auto-route share and its accuracy, and urgency. Plain dicts (JSON-able)
plus a text formatter for the command line."""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from classifier.calibration import expected_calibration_error
from classifier.dataset import grouped_folds
from classifier.urgency_rules import LEVEL_RANK, RuleAssessment

# Label used for texts the model refused to read (too short, unsupported language).
NOT_ROUTED = "(not routed)"


def routing_report(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    confidence: Sequence[float],
    auto_routed: Sequence[bool],
    languages: Sequence[str | None] | None = None,
) -> dict:
    """Macro-F1, accuracy, per-class precision/recall, confusion matrix, ECE, auto-route share and accuracy."""
    y_true = np.asarray([str(label) for label in y_true], dtype=object)
    y_pred = np.asarray([NOT_ROUTED if label is None else str(label) for label in y_pred], dtype=object)
    confidence = np.asarray(confidence, dtype=float)
    auto_routed = np.asarray(auto_routed, dtype=bool)
    correct = y_true == y_pred
    labels = sorted(set(y_true))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    report = {
        "rows": int(len(y_true)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "expected_calibration_error": expected_calibration_error(confidence, correct),
        "auto_route_share": float(auto_routed.mean()) if len(auto_routed) else 0.0,
        "auto_route_accuracy": float(correct[auto_routed].mean()) if auto_routed.any() else None,
        "not_routed": int((y_pred == NOT_ROUTED).sum()),
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
            for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion": _confusion(y_true, y_pred, labels + ([NOT_ROUTED] if (y_pred == NOT_ROUTED).any() else [])),
    }
    if languages is not None:
        languages = np.asarray([code or "unknown" for code in languages], dtype=object)
        report["per_language"] = {}
        for code in sorted(set(languages)):
            rows = languages == code
            routed = auto_routed & rows
            report["per_language"][code] = {
                "rows": int(rows.sum()),
                "macro_f1": float(
                    f1_score(y_true[rows], y_pred[rows], labels=sorted(set(y_true[rows])), average="macro",
                             zero_division=0)
                ),
                "accuracy": float(correct[rows].mean()),
                "auto_route_share": float(routed.sum() / rows.sum()),
                "auto_route_accuracy": float(correct[routed].mean()) if routed.any() else None,
                "expected_calibration_error": expected_calibration_error(confidence[rows], correct[rows]),
            }
    return report


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]) -> dict:
    """Confusion matrix over `labels`. A file whose rows all map to one department (the demo's
    consumer-finance letters) is a 1 × 1 matrix, which scikit-learn warns about even though the
    labels are given: that warning would only clutter `civicly model train`'s report."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        return {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()}


def urgency_report(
    y_true: Sequence[str | None], y_pred: Sequence[str], scores: Sequence[float], sources: Sequence[str]
) -> dict:
    """Level macro-F1 and score-vs-level Spearman on the rows that have an urgency label."""
    rows = [i for i, level in enumerate(y_true) if level]
    report = {"rows": len(rows)}
    if not rows:
        return report
    true = [y_true[i] for i in rows]
    predicted = [y_pred[i] for i in rows]
    ranks = [LEVEL_RANK[level] for level in true]
    given = [scores[i] for i in rows]
    # Undefined (reported as None, without SciPy's warning) when the levels or the scores are all equal.
    rho = spearmanr(ranks, given).statistic if len(set(ranks)) > 1 and len(set(given)) > 1 else float("nan")
    report.update(
        {
            "macro_f1": float(f1_score(true, predicted, labels=sorted(set(true)), average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(true, predicted)),
            "spearman": None if np.isnan(rho) else float(rho),
            "share_from_model": float(np.mean([sources[i] == "model" for i in rows])),
            "label_counts": {level: true.count(level) for level in sorted(set(true))},
        }
    )
    return report


def urgency_out_of_fold(estimator, X, levels: np.ndarray, weights: np.ndarray, rules: list[RuleAssessment],
                        groups: list[str], cv: int) -> dict:
    """Level macro-F1 and score Spearman of an urgency estimator (`classifier.urgency.UrgencyModel`,
    with its similarity gate and the rules beside it) against the rules alone, on held-out labelled
    rows (grouped folds), so the card says how far the learned urgency can be trusted.

    The figures inform; they do not decide: dropping the learned model whenever it lost out of fold
    was tried, and on New York's data it left ranking to the rules more often than it avoided a bad
    model (docs/model-experiments.md)."""
    n_folds = min(cv, len(set(groups)))
    folds = grouped_folds(groups, n_folds) if n_folds >= 2 else []
    # Nothing to compare without folds that each have two levels to learn from.
    learned: list | None = [None] * len(levels) if folds else None
    for train, test in folds:
        if len(set(levels[train])) < 2:
            learned = None
            break
        fitted = clone(estimator).fit(X[train], levels[train], weights[train])
        for i, result in zip(test, fitted.predict(X[test], [rules[i] for i in test]), strict=True):
            learned[i] = result
    rows = np.repeat(np.arange(len(levels)), weights.astype(int))  # each text as often as it was labelled
    truth = levels[rows].tolist()

    def figures(results) -> dict:
        report = urgency_report(truth, [results[i][0] for i in rows], [results[i][1] for i in rows],
                                [results[i][2] for i in rows])
        return {"macro_f1": report["macro_f1"], "spearman": report["spearman"]}

    return {"rows": len(rows), "rules": figures([(r.level, r.score, "rules") for r in rules]),
            "learned": None if learned is None else figures(learned)}


def evaluate_model(model, texts, departments, languages=None, urgencies=None) -> dict:
    """Predict held-out texts with a fitted TriageModel and report routing and urgency."""
    return evaluate_predictions(model.predict(texts), departments, languages, urgencies)


def evaluate_predictions(predictions, departments, languages=None, urgencies=None) -> dict:
    """Report on `Prediction`s already made for labelled rows (so one prediction pass can serve
    several reports, e.g. overall and per file)."""
    report = routing_report(
        departments,
        [p.department for p in predictions],
        [p.confidence for p in predictions],
        [p.auto_routed for p in predictions],
        languages if languages is not None else [p.language for p in predictions],
    )
    report["triage_reasons"] = {}
    for p in predictions:
        if p.triage_reason:
            report["triage_reasons"][p.triage_reason] = report["triage_reasons"].get(p.triage_reason, 0) + 1
    if urgencies is not None:
        report["urgency"] = urgency_report(
            list(urgencies),
            [p.urgency for p in predictions],
            [p.urgency_score for p in predictions],
            [p.urgency_source for p in predictions],
        )
    return report


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def format_report(report: dict) -> str:
    """Human-readable summary of a report made by `routing_report` / `evaluate_model`."""
    lines = [
        f"rows {report['rows']}   macro-F1 {report['macro_f1']:.3f}   accuracy {report['accuracy']:.3f}   "
        f"ECE {report['expected_calibration_error']:.3f}",
        f"auto-routed {_pct(report['auto_route_share'])} of cases, "
        f"right {_pct(report['auto_route_accuracy'])} of the time",
    ]
    if report.get("triage_reasons"):
        lines.append("manual triage: " + ", ".join(f"{k} {v}" for k, v in sorted(report["triage_reasons"].items())))
    lines.append("")
    lines.append(f"{'department':40s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'rows':>6s}")
    for label, m in report["per_class"].items():
        lines.append(f"{label[:40]:40s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:6d}")
    if report.get("per_language"):
        lines.append("")
        lines.append(f"{'language':10s} {'rows':>6s} {'macro-F1':>8s} {'acc':>6s} {'auto':>7s} {'auto acc':>8s}")
        for code, m in report["per_language"].items():
            lines.append(
                f"{code:10s} {m['rows']:6d} {m['macro_f1']:8.3f} {m['accuracy']:6.3f} "
                f"{_pct(m['auto_route_share']):>7s} {_pct(m['auto_route_accuracy']):>8s}"
            )
    urgency = report.get("urgency")
    if urgency and urgency.get("rows"):
        rho = "n/a" if urgency["spearman"] is None else f"{urgency['spearman']:.3f}"
        lines.append("")
        lines.append(
            f"urgency on {urgency['rows']} labelled rows: macro-F1 {urgency['macro_f1']:.3f}, "
            f"Spearman {rho}, from the learned model {_pct(urgency['share_from_model'])}"
        )
    return "\n".join(lines)
