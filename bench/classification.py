"""Step 2: one text at a time (as intake calls it) and in batches, against the same model's bare scikit-learn
``predict`` on the same texts.

The baseline is the fitted routing features and classifier alone (``features_`` then ``classifier_.predict``):
what routing costs without the calibrated confidence, the explanation, language detection and urgency.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.loadgen import percentile
from bench.report import Figure, StepResult, Target
from bench.routing_model import load_active, sample_rows

TARGET_P99_MS = 5.0
TARGET_OVERHEAD = 2.0


def run(model_dir: Path, calls: int, time_budget: float) -> StepResult:
    result = StepResult()
    found = load_active(model_dir) if model_dir.is_dir() else None
    if found is None:
        result.notes.append(f"skipped: no trained model in {model_dir} (the training step did not produce one)")
        return result
    model, version = found
    result.details["model"] = version
    texts = [row["text"] for row in sample_rows(calls, seed=1)]

    def bare(batch: list[str]) -> Any:
        return model.classifier_.predict(model.features_.transform(batch))

    full = model.predict
    full([texts[0]]), bare([texts[0]])  # first-call costs (lazy caches) are not what a running worker pays
    full_ms, full_n = _single(full, texts, time_budget / 2)
    bare_ms, bare_n = _single(bare, texts[:full_n], time_budget / 2)
    full_rate = _batch_rate(full, texts[:max(full_n, 200)])
    bare_rate = _batch_rate(bare, texts[:max(full_n, 200)])
    if full_n < len(texts):
        result.notes.append(f"single-text timing stopped after {full_n} of {len(texts)} calls (time budget "
                            f"{time_budget / 2:.0f} s); batch rates over {max(full_n, 200)} texts")
    p50, p99 = percentile(full_ms, 50), percentile(full_ms, 99)
    b50, b99 = percentile(bare_ms, 50), percentile(bare_ms, 99)
    result.figures += [
        Figure("classification", f"one text, p50 ({full_n} calls)", p50, "ms", b50),
        Figure("classification", f"one text, p99 ({full_n} calls)", p99, "ms", b99),
        Figure("classification", "batch throughput", full_rate, "texts/s", bare_rate),
    ]
    result.targets += [
        Target("classification", "one text p99", p99, TARGET_P99_MS, "ms"),
        Target("classification", "full / bare predict, one text p50", p50 / b50, TARGET_OVERHEAD, "×"),
    ]
    return result


def _single(predict: Callable[[list[str]], Any], texts: list[str], budget: float) -> tuple[list[float], int]:
    """Sorted per-call milliseconds, and how many calls fitted in ``budget`` seconds."""
    times = []
    stop = time.perf_counter() + budget
    for text in texts:
        start = time.perf_counter()
        predict([text])
        times.append((time.perf_counter() - start) * 1000)
        if start > stop:
            break
    return sorted(times), len(times)


def _batch_rate(predict: Callable[[list[str]], Any], texts: list[str]) -> float:
    start = time.perf_counter()
    predict(texts)
    return len(texts) / (time.perf_counter() - start)
