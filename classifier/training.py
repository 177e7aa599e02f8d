"""Training, evaluating and activating model versions from data files: what ``civicly model`` runs, without a
command line or a database (officers' reviewed labels arrive as plain rows)."""
from __future__ import annotations

import csv
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from classifier import (
    Prediction,
    Registry,
    RegistryError,
    TrainingSet,
    TriageModel,
    describe_data_files,
    evaluate_model,
    evaluate_predictions,
    format_report,
    held_out_split,
    label_map_entry,
    load_label_map,
    load_training_data,
)
from classifier.dataset import URGENCY_LEVELS, read_csv_rows

DATABASE_SOURCE = "database"  # the source name of reviewed rows, counted apart in the model card
OUTPUT_COLUMNS = ("predicted_department", "confidence", "auto_routed", "predicted_urgency", "urgency_score")
PER_FILE_KEYS = (
    "rows", "macro_f1", "accuracy", "auto_route_share", "auto_route_accuracy", "expected_calibration_error",
)


class TrainingError(Exception):
    """Training or activation cannot be done as asked; the message says why, for the person who asked."""


class Echo(Protocol):
    """Where progress goes as it happens (``click.echo`` on the command line); ``err`` marks warnings."""

    def __call__(self, message: str, err: bool = False) -> None: ...


def silent(message: str, err: bool = False) -> None:
    """Progress nobody reads (the default)."""


@dataclass(frozen=True)
class TrainingPlan:
    """What to train on (data files, their label map) and what to do with the new version."""

    paths: Sequence[str] = ()
    label_map: str | None = None
    holdout: float = 0.2
    promote: bool = False
    force: bool = False  # promote even if worse than the active version


@dataclass(frozen=True)
class TrainedVersion:
    """A version saved in the registry, and whether it became the active one (replacing ``previous``)."""

    version: str
    report: dict
    promoted: bool = False
    previous: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """A version's report on labelled files, and which of them it was trained on (its figures are optimistic)."""

    version: str
    report: dict
    files_used_in_training: list[str]


def read_data(paths: Sequence[str], label_map_path: str | None,
              echo: Echo = silent) -> tuple[TrainingSet, dict | None]:
    """The labelled rows of ``paths`` with their labels mapped; says how many rows were skipped and why."""
    mapping = load_label_map(label_map_path) if label_map_path else None
    data = load_training_data(list(paths), mapping) if paths else TrainingSet()
    for reason, count in sorted(data.skipped_summary().items()):
        echo(f"skipped {count} row(s): {reason}", err=True)
    return data, mapping


def add_reviewed_examples(data: TrainingSet, examples: Iterable[Mapping[str, str]], mapping: dict | None) -> int:
    """Append reviewed rows (text, department; optional urgency, language), the label map applied; returns how many."""
    added = 0
    for example in examples:
        text, department = (example.get("text") or "").strip(), (example.get("department") or "").strip()
        if not text or not department:
            continue
        if mapping is not None:
            department = mapping.get(department, department)
        urgency = (example.get("urgency") or "").strip().lower()
        data.texts.append(text)
        data.departments.append(department)
        data.urgencies.append(urgency if urgency in URGENCY_LEVELS else None)
        data.languages.append((example.get("language") or "").strip() or None)
        data.sources.append(DATABASE_SOURCE)
        data.lines.append(0)
        added += 1
    return added


def metrics(model: TriageModel, data: TrainingSet) -> dict:
    """Report overall, then per source file, on held-out rows (one prediction pass)."""
    predictions = model.predict(data.texts)
    report = evaluate_predictions(predictions, data.departments, data.languages, data.urgencies)
    report["per_file"] = {}
    for source in sorted(set(data.sources)):
        rows = [i for i, name in enumerate(data.sources) if name == source]
        part = data.subset(rows)
        file_report = evaluate_predictions([predictions[i] for i in rows], part.departments, part.languages)
        report["per_file"][source] = {key: file_report[key] for key in PER_FILE_KEYS}
    return report


def no_worse(new: dict, active: dict) -> list[str]:
    """Reasons the new report is worse than the active one on the same rows (empty: promotable)."""
    problems = []
    if new["macro_f1"] + 1e-9 < active["macro_f1"]:
        problems.append(f"macro-F1 {new['macro_f1']:.3f} < active {active['macro_f1']:.3f}")
    new_acc, active_acc = new["auto_route_accuracy"], active["auto_route_accuracy"]
    if active_acc is not None and (new_acc is None or new_acc + 1e-9 < active_acc):
        new_text = "n/a" if new_acc is None else f"{new_acc:.3f}"
        problems.append(f"auto-routed accuracy {new_text} < active {active_acc:.3f}")
    return problems


def format_thresholds(out_of_fold: dict) -> str:
    """One line per language: from which confidence it is auto-routed, and how that held on unseen text groups."""
    lines = []
    for code, figures in sorted(out_of_fold["thresholds"].items()):
        worst = figures["worst_assignment"]
        if figures["threshold"] is None or worst is None:
            lines.append(f"{code}: never auto-routed (no confidence kept the accuracy target on every fold assignment)")
            continue
        lines.append(
            f"{code}: auto-routed from confidence {figures['threshold']:.2f}; lower bound on its accuracy "
            f"{figures['lower_bound']:.1%}; worst of {out_of_fold['fold_assignments']} fold assignments: "
            f"{worst['auto_route_share']:.0%} auto-routed, right {worst['auto_route_accuracy']:.1%}")
    return "\n".join(lines)


def model_card(data: TrainingSet, training: TrainingSet, held_out: TrainingSet, fitted: TriageModel, report: dict,
               label_map_path: str | None, mapping: dict | None) -> dict:
    """What a version was trained on, how, and how it did on the rows held out: saved beside the model."""
    return {
        "data_files": describe_data_files(data.files),
        "database_examples": data.sources.count(DATABASE_SOURCE),
        "label_map": label_map_entry(label_map_path, mapping),
        "rows": {"train": len(training), "held_out": len(held_out), "skipped": len(data.skipped)},
        "class_counts": {label: training.departments.count(label) for label in sorted(set(training.departments))},
        "params": fitted.get_params(),
        "threshold": fitted.threshold_,
        "thresholds_per_language": fitted.thresholds_,
        # Per language: the threshold, the lowest lower bound on its accuracy and the worst fold assignment.
        "auto_route_thresholds": fitted.out_of_fold_["thresholds"],
        "expected_auto_route_share": fitted.out_of_fold_["auto_route_share"],
        "out_of_fold": fitted.out_of_fold_,
        "urgency_label_counts": fitted.urgency_counts_,
        "urgency_label_counts_by_language": fitted.urgency_counts_by_language_,
        "urgency_learned": fitted.urgency_model_ is not None,
        "urgency_out_of_fold": fitted.urgency_out_of_fold_,
        "metrics": report,
    }


def train(registry: Registry, plan: TrainingPlan, reviewed: Iterable[Mapping[str, str]] | None = None,
          echo: Echo = silent) -> TrainedVersion:
    """Train a version on the plan's files (and ``reviewed`` rows), evaluate it on held-out rows, save it, and
    activate it if asked and no worse than the active version on the same rows."""
    started = time.perf_counter()
    data, mapping = read_data(plan.paths, plan.label_map, echo)
    if reviewed is not None:
        echo(f"added {add_reviewed_examples(data, reviewed, mapping)} reviewed example(s) from the database")
    if len(set(data.departments)) < 2:
        raise TrainingError("at least two departments with examples are needed to train")
    train_rows, test_rows = held_out_split(data.group_keys(), plan.holdout)
    training, held_out = data.subset(train_rows), data.subset(test_rows)
    echo(f"training on {len(training)} rows, {len(set(training.departments))} departments "
         f"(holding out {len(held_out)} rows for evaluation)...")
    try:
        fitted = TriageModel().fit(training.texts, training.departments, training.urgencies, training.languages)
    except ValueError as error:
        raise TrainingError(f"training failed: {error}") from None
    echo(f"trained in {time.perf_counter() - started:.0f} s")
    echo(format_thresholds(fitted.out_of_fold_))
    echo("evaluating...")
    report = metrics(fitted, held_out)
    version = registry.save(fitted, model_card(data, training, held_out, fitted, report, plan.label_map, mapping))
    echo(format_report(report))
    echo(f"\nsaved version {version} ({time.perf_counter() - started:.0f} s in all)")
    if not plan.promote:
        return TrainedVersion(version, report)
    previous = promote_if_no_worse(registry, version, report, held_out, plan.force, echo)
    return TrainedVersion(version, report, promoted=True, previous=previous)


def promote_if_no_worse(registry: Registry, version: str, report: dict, held_out: TrainingSet, force: bool,
                        echo: Echo = silent) -> str | None:
    """Activate ``version`` unless the active one does better on the same held-out rows; returns the one replaced."""
    active = registry.active_version()
    try:
        active_model = None if active is None or force else registry.load(active)[0]
    except RegistryError as error:  # e.g. saved by an older model format: nothing this version can be compared with
        echo(f"the active version cannot be loaded ({error}); promoting without comparison")
        active_model = None
    if active_model is not None:
        problems = no_worse(report, evaluate_model(active_model, held_out.texts, held_out.departments,
                                                   held_out.languages))
        if problems:
            raise TrainingError(
                f"version {version} saved but not promoted: {'; '.join(problems)} (on the same held-out rows). "
                "Use --force to promote anyway."
            )
    registry.promote(version)
    return active


def evaluate(registry: Registry, paths: Sequence[str], label_map_path: str | None, version: str | None = None,
             echo: Echo = silent) -> Evaluation:
    """How a version (default: the active one) routes and ranks labelled files."""
    fitted, card = registry.load(version)
    data, _ = read_data(paths, label_map_path, echo)
    report = metrics(fitted, data)
    report["version"] = card["version"]
    trained_on = {entry["sha256"] for entry in card.get("data_files", [])}
    return Evaluation(card["version"], report, [f.path for f in data.files if f.sha256 in trained_on])


def predict_text(registry: Registry, text: str, version: str | None = None) -> tuple[str, Prediction]:
    """The version used and its prediction for one text."""
    fitted, card = registry.load(version)
    return card["version"], fitted.predict([text])[0]


def predict_file(registry: Registry, source: str, target: str, version: str | None = None) -> tuple[str, int]:
    """Copy every row of the CSV ``source`` to ``target`` with the version's predictions added; returns the version
    used and how many rows were written."""
    fitted, card = registry.load(version)
    header, rows = read_csv_rows(Path(source), ("text",))
    predictions = fitted.predict([row.get("text") or "" for row in rows])
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header + [c for c in OUTPUT_COLUMNS if c not in header])
        writer.writeheader()
        for row, p in zip(rows, predictions, strict=True):
            writer.writerow({
                **row,
                "predicted_department": p.department or "",
                "confidence": f"{p.confidence:.4f}",
                "auto_routed": "true" if p.auto_routed else "false",
                "predicted_urgency": p.urgency,
                "urgency_score": f"{p.urgency_score:.4f}",
            })
    return card["version"], len(rows)
