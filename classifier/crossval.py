"""Grouped 5-fold cross-validation of TriageModel against the shared README's two baselines,
file by file, measured in the same run on the same folds.

    python -m classifier.crossval data/nyc311_requests_en.csv [more.csv ...] [--repeats N] [--json]

Baselines have no threshold of their own: their auto-route figures use the best threshold
chosen on their own test predictions (an upper bound for them), ours uses the threshold
each fold's model chose on its training data.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from classifier.calibration import choose_threshold
from classifier.dataset import DatasetError, grouped_folds, load_training_data
from classifier.evaluate import routing_report, urgency_report
from classifier.model import TriageModel
from classifier.pipelines import make_plain_baseline, make_strong_baseline

BASELINES = {"plain baseline": make_plain_baseline, "strong baseline": make_strong_baseline}


def _baseline_report(make, texts, y, folds, languages) -> dict:
    predicted = np.empty(len(y), dtype=object)
    confidence = np.zeros(len(y))
    for train, test in folds:
        model = make().fit([texts[i] for i in train], y[train])
        probabilities = model.predict_proba([texts[i] for i in test])
        predicted[test] = model.classes_[probabilities.argmax(axis=1)]
        confidence[test] = probabilities.max(axis=1)
    threshold = choose_threshold(confidence, predicted == y)
    return routing_report(y, predicted, confidence, confidence >= threshold, languages)


def _model_reports(texts, y, urgencies, languages, folds) -> tuple[dict, dict]:
    predictions = [None] * len(y)
    top1 = np.empty(len(y), dtype=object)
    for train, test in folds:
        model = TriageModel().fit(
            [texts[i] for i in train], y[train], [urgencies[i] for i in train], [languages[i] for i in train]
        )
        for i, prediction in zip(test, model.predict([texts[i] for i in test]), strict=True):
            predictions[i] = prediction
        top1[test] = model.predict_departments([texts[i] for i in test])
    routing = routing_report(
        y,
        [p.department for p in predictions],
        [p.confidence for p in predictions],
        [p.auto_routed for p in predictions],
        languages,
    )
    # The classifier's own top-1 for every text, as the baselines are scored; the figures
    # above count the texts it refused to read (manual triage) as errors.
    every = routing_report(y, top1, [p.confidence for p in predictions], [p.auto_routed for p in predictions])
    routing["top1_every_text"] = {key: every[key] for key in ("macro_f1", "accuracy")}
    urgency = urgency_report(
        urgencies, [p.urgency for p in predictions], [p.urgency_score for p in predictions],
        [p.urgency_source for p in predictions],
    )
    return routing, urgency


def crossvalidate_file(path: str, n_splits: int = 5, baselines: bool = True, seed: int | None = None) -> dict:
    """Reports for our model and both baselines on one file, with shared grouped folds
    (GroupKFold's own assignment, or groups shuffled with `seed`)."""
    data = load_training_data([path])
    y = np.asarray(data.departments, dtype=object)
    folds = grouped_folds(data.group_keys(), n_splits, seed)
    started = time.perf_counter()
    ours, urgency = _model_reports(data.texts, y, data.urgencies, data.languages, folds)
    result = {"file": path, "seed": seed, "rows": len(y), "skipped": data.skipped_summary(), "urgency": urgency,
              "models": {"TriageModel": ours}, "seconds": {"TriageModel": time.perf_counter() - started}}
    for name, make in BASELINES.items() if baselines else ():
        started = time.perf_counter()
        result["models"][name] = _baseline_report(make, data.texts, y, folds, data.languages)
        result["seconds"][name] = time.perf_counter() - started
    return result


def format_result(result: dict) -> str:
    assignment = "" if result["seed"] is None else f", groups shuffled with seed {result['seed']}"
    lines = [f"== {result['file']} ({result['rows']} rows, grouped 5-fold CV{assignment})"]
    lines.append(f"{'model':16s} {'macro-F1':>8s} {'acc':>6s} {'auto':>7s} {'auto acc':>8s} {'ECE':>6s} "
                 f"{'min recall':>10s}")
    for name, m in result["models"].items():
        auto_acc = "n/a" if m["auto_route_accuracy"] is None else f"{m['auto_route_accuracy']:.1%}"
        min_recall = min(c["recall"] for c in m["per_class"].values())
        lines.append(
            f"{name:16s} {m['macro_f1']:8.3f} {m['accuracy']:6.3f} {m['auto_route_share']:7.1%} {auto_acc:>8s} "
            f"{m['expected_calibration_error']:6.3f} {min_recall:10.3f}"
        )
    every = result["models"]["TriageModel"]["top1_every_text"]
    lines.append(f"ours, top-1 of every text (not-read texts included): macro-F1 {every['macro_f1']:.3f}, "
                 f"accuracy {every['accuracy']:.3f}; not read: {result['models']['TriageModel']['not_routed']}")
    ours = result["models"]["TriageModel"]["per_class"]
    strong = result["models"].get("strong baseline", {}).get("per_class")
    lines.append("per-class recall (ours" + (" / strong baseline" if strong else "") + "): " + ", ".join(
        f"{label} {ours[label]['recall']:.2f}" + (f"/{strong[label]['recall']:.2f}" if strong else "") for label in ours
    ))
    for language, m in result["models"]["TriageModel"].get("per_language", {}).items():
        auto_acc = "n/a" if m["auto_route_accuracy"] is None else f"{m['auto_route_accuracy']:.1%}"
        lines.append(f"  ours, language {language}: macro-F1 {m['macro_f1']:.3f}, accuracy {m['accuracy']:.3f}, "
                     f"auto-routed {m['auto_route_share']:.1%} at {auto_acc}")
    urgency = result["urgency"]
    if urgency.get("rows"):
        lines.append(
            f"urgency: {urgency['rows']} labelled rows {urgency['label_counts']}, macro-F1 {urgency['macro_f1']:.3f}, "
            f"Spearman {urgency['spearman'] if urgency['spearman'] is None else round(urgency['spearman'], 3)}, "
            f"learned model used on {urgency['share_from_model']:.0%}"
        )
    return "\n".join(lines)


def format_repeats(runs: list[dict]) -> str:
    """Mean and spread of each model's macro-F1 and accuracy over fold assignments of one file,
    then ours minus each baseline assignment by assignment: both models see the same folds, so
    the paired difference is what separates them (the spread of each model mostly reflects how
    hard each assignment's folds happen to be). Ours is given as served (texts it refused to
    read count as errors) and by its top-1 for every text, as the baselines are scored."""
    ours = {"ours": lambda run: run["models"]["TriageModel"],
            "ours, top-1": lambda run: run["models"]["TriageModel"]["top1_every_text"]}
    baselines = {name: (lambda run, name=name: run["models"][name])
                 for name in runs[0]["models"] if name != "TriageModel"}
    lines = [f"== {runs[0]['file']}: {len(runs)} fold assignments (mean, min–max)"]
    for name, of in [("TriageModel", ours["ours"]), ("ours, top-1", ours["ours, top-1"]), *baselines.items()]:
        for metric in ("macro_f1", "accuracy"):
            values = [of(run)[metric] for run in runs]
            lines.append(f"{name:16s} {metric:9s} {np.mean(values):.3f} ({min(values):.3f}–{max(values):.3f})")
    lines.extend(_auto_route_lines(runs))
    for label, mine in ours.items():
        for name, theirs in baselines.items():
            for metric in ("macro_f1", "accuracy"):
                gaps = [mine(run)[metric] - theirs(run)[metric] for run in runs]
                lines.append(
                    f"{label} − {name}, {metric}: {np.mean(gaps):+.3f} ({min(gaps):+.3f} to {max(gaps):+.3f}), "
                    f"ahead on {sum(gap > 0 for gap in gaps)} of {len(gaps)}"
                )
    return "\n".join(lines)


def _auto_route_lines(runs: list[dict]) -> list[str]:
    """Ours, overall and per language: the auto-routed share and its accuracy on the mean and on the worst fold
    assignment (the one whose auto-routed cases were least often right), and the calibration error."""
    reports = [run["models"]["TriageModel"] for run in runs]
    scopes = {"all": reports}
    for code in reports[0].get("per_language", {}):
        scopes[code] = [report["per_language"][code] for report in reports]
    lines = []
    for scope, figures in scopes.items():
        accuracies = [f["auto_route_accuracy"] for f in figures if f["auto_route_accuracy"] is not None]
        worst = min((f for f in figures if f["auto_route_accuracy"] is not None),
                    key=lambda f: f["auto_route_accuracy"], default=None)
        shares = [f["auto_route_share"] for f in figures]
        worst_text = ("never auto-routed" if worst is None else
                      f"worst assignment {worst['auto_route_share']:.1%} at {worst['auto_route_accuracy']:.1%}; "
                      f"routed on {len(accuracies)} of {len(figures)} assignments")
        mean_accuracy = f"{np.mean(accuracies):.1%}" if accuracies else "n/a"
        ece = [f["expected_calibration_error"] for f in figures if "expected_calibration_error" in f]
        lines.append(f"ours, {scope}: auto-routed {np.mean(shares):.1%} at {mean_accuracy} (mean); {worst_text}"
                     + (f"; ECE {np.mean(ece):.3f}" if ece else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="training CSV files, each cross-validated on its own")
    parser.add_argument("--folds", type=int, default=5, help="number of grouped folds (default 5)")
    parser.add_argument("--json", action="store_true", help="print the full reports as JSON")
    parser.add_argument("--no-baselines", action="store_true", help="measure only TriageModel (much faster)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="fold assignments per file: GroupKFold's own, then groups shuffled with seeds 1, 2, …; "
                             "prints each model's mean macro-F1 and accuracy over them and ours minus each baseline, "
                             "assignment by assignment (default 1)")
    args = parser.parse_args(argv)
    results = []
    for path in args.files:
        runs = []
        for repeat in range(args.repeats):
            try:
                result = crossvalidate_file(path, args.folds, not args.no_baselines, repeat or None)
            except DatasetError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            runs.append(result)
            if not args.json:
                print(format_result(result), flush=True)
        results += runs
        if args.repeats > 1 and not args.json:
            print(format_repeats(runs), flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
