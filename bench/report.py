"""Figures, targets, the printed table and ``bench/results.json``."""
from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Figure:
    """One measured number, with the baseline it is compared to when there is one (ratio = value / baseline)."""

    step: str
    what: str
    value: float
    unit: str
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or _missing(self.value) or _missing(self.baseline):
            return None
        return self.value / self.baseline


@dataclass
class Target:
    """A goal from the issue: ``value`` must be below ``limit`` (or at least ``limit`` when ``at_least``)."""

    step: str
    what: str
    value: float | None
    limit: float
    unit: str = ""
    at_least: bool = False
    lower_bound: bool = False  # the run was stopped: the true value is larger, and the goal is missed

    @property
    def met(self) -> bool | None:
        if _missing(self.value):
            return None
        if self.lower_bound:
            return False
        return self.value >= self.limit if self.at_least else self.value < self.limit


@dataclass
class StepResult:
    figures: list[Figure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: float | None) -> str:
    if _missing(value):
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def table(results: dict[str, StepResult]) -> str:
    """A Markdown table of every figure, then one of every target; also what docs/performance.md shows."""
    lines = ["| step | measure | value | baseline | ratio |", "|---|---|---|---|---|"]
    for step in results.values():
        for f in step.figures:
            ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
            baseline = f"{_number(f.baseline)} {f.unit}" if f.baseline is not None else ""
            lines.append(f"| {f.step} | {f.what} | {_number(f.value)} {f.unit} | {baseline} | {ratio} |")
    lines += ["", "| target | measured | goal | met |", "|---|---|---|---|"]
    for step in results.values():
        for t in step.targets:
            goal = f"{'≥' if t.at_least else '<'} {_number(t.limit)} {t.unit}"
            verdict = {True: "yes", False: "**no**", None: "not measured"}[t.met]
            measured = f"{'> ' if t.lower_bound else ''}{_number(t.value)} {t.unit}"
            lines.append(f"| {t.step}: {t.what} | {measured} | {goal} | {verdict} |")
    notes = [f"- {name}: {note}" for name, step in results.items() for note in step.notes]
    return "\n".join(lines + ([""] + notes if notes else []))


def write(results: dict[str, StepResult], command: str, path: Path = RESULTS) -> None:
    payload = {
        "command": command,
        "machine": machine(),
        "steps": {name: {"figures": [{**asdict(f), "ratio": f.ratio} for f in step.figures],
                         "targets": [{**asdict(t), "met": t.met} for t in step.targets],
                         "notes": step.notes, "details": step.details}
                  for name, step in results.items()},
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
