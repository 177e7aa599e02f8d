"""Playing a labelled file as a deployment would live it: cases arrive in order, officers' decisions are the file's
labels, and the model is retrained every `step` decisions. Each step says, per language, how many labels the model had
seen, which share of the next block of cases it would have routed by itself, how often rightly, and its macro-F1 there:
after how many decisions a ministry's cases in one language are routed without an officer."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from classifier.dataset import TrainingSet, read_column
from classifier.model import TriageModel


@dataclass(frozen=True)
class ReplayStep:
    """What the model trained on the first `labels_seen` decisions did with the next block of cases."""

    labels_seen: int
    next_block: int
    per_language: dict[str, dict]

    def to_dict(self) -> dict:
        return {"labels_seen": self.labels_seen, "next_block": self.next_block, "per_language": self.per_language}


def arrival_order(data: TrainingSet, order: str | None) -> list[int]:
    """Row indices in the order cases arrived: the file's order, or by the files' `created_at` column (rows without a
    date keep their place after the dated ones, as cases filed before dates were recorded)."""
    if order is None:
        return list(range(len(data)))
    dates = {}
    for file in data.files:
        dates[file.path.rsplit("/", 1)[-1]] = read_column(file.path, order)
    stamps = [dates.get(source, {}).get(line) or "" for source, line in zip(data.sources, data.lines, strict=True)]
    return sorted(range(len(data)), key=lambda i: (stamps[i] == "", stamps[i], i))


def replay(data: TrainingSet, step: int, order: str | None = None, model: TriageModel | None = None,
           min_labels: int | None = None) -> list[ReplayStep]:
    """Retrain every `step` decisions (from `min_labels`, default `step`) and score each version on the next block."""
    if step < 1:
        raise ValueError("the step must be at least one decision")
    rows = arrival_order(data, order)
    template = model or TriageModel()
    steps = []
    for seen in range(min_labels or step, len(rows), step):
        past, block = rows[:seen], rows[seen:seen + step]
        known = data.subset(past)
        if len(set(known.departments)) < 2 or len(set(known.group_keys())) < 2:
            continue  # nothing to learn yet: every case still goes to an officer
        fitted = TriageModel(**template.get_params()).fit(known.texts, known.departments, known.urgencies,
                                                          known.languages)
        upcoming = data.subset(block)
        steps.append(ReplayStep(seen, len(block), _block_figures(fitted, known, upcoming)))
    return steps


def _block_figures(fitted: TriageModel, known: TrainingSet, upcoming: TrainingSet) -> dict[str, dict]:
    """Per language of the upcoming block: labels seen in that language, auto-routed share and its accuracy, macro-F1
    of the model's suggestion, and the share of urgency levels the learned urgency gave (not the rules)."""
    predictions = fitted.predict(upcoming.texts)
    seen = Counter(code or "unknown" for code in known.languages)
    languages = np.array([code or "unknown" for code in upcoming.languages], dtype=object)
    truth = np.array(upcoming.departments, dtype=object)
    suggested = np.array([p.department or "" for p in predictions], dtype=object)
    routed = np.array([p.auto_routed for p in predictions])
    learned_urgency = np.array([p.urgency_source == "model" for p in predictions])
    figures = {}
    for code in sorted(set(languages)):
        rows = languages == code
        right = suggested[rows] == truth[rows]
        auto = routed[rows]
        figures[code] = {
            "labels_seen": seen[code],
            "cases": int(rows.sum()),
            "auto_route_share": float(auto.mean()),
            "auto_route_accuracy": float(right[auto].mean()) if auto.any() else None,
            "macro_f1": float(f1_score(truth[rows], suggested[rows], labels=sorted(set(truth[rows])),
                                       average="macro", zero_division=0)),
            "urgency_from_model": float(learned_urgency[rows].mean()),
        }
    return figures


def format_replay(steps: list[ReplayStep]) -> str:
    """One line per step and language, for the command line and docs/models.md."""
    lines = [f"{'labels seen':>11s} {'language':8s} {'seen':>6s} {'next':>5s} {'auto':>6s} {'auto acc':>8s} "
             f"{'macro-F1':>8s} {'urgency learned':>15s}"]
    for step in steps:
        for code, f in step.per_language.items():
            accuracy = "n/a" if f["auto_route_accuracy"] is None else f"{f['auto_route_accuracy']:.1%}"
            lines.append(f"{step.labels_seen:11d} {code:8s} {f['labels_seen']:6d} {f['cases']:5d} "
                         f"{f['auto_route_share']:6.1%} {accuracy:>8s} {f['macro_f1']:8.3f} "
                         f"{f['urgency_from_model']:15.0%}")
    return "\n".join(lines)
