"""Step 3: ``civicly model train`` on 10k and 100k rows (1M with --full): wall time and peak memory."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.child_process import run_measured
from bench.databases import fresh_database, work_dir
from bench.report import Figure, StepResult, Target
from bench.routing_model import (
    ROOT,
    SIGNING_KEY,
    classifier_available,
    train_command_available,
    write_training_csv,
)

TARGET_SECONDS_100K = 60.0
TARGET_MIB_100K = 2048.0
TARGET_SCALING_1M = 12.0
FALLBACK_ROWS = 2_000


def model_dir(rows: int) -> Path:
    """The registry folder of the model trained on ``rows``."""
    return work_dir() / f"models-{rows}"


def run(sizes: list[int], timeout: float) -> StepResult:
    result = StepResult()
    if not classifier_available() or not train_command_available():
        result.notes.append("skipped: the classifier package or `civicly model train` is not in this checkout")
        return result
    seconds: dict[int, float] = {}  # wall time of the runs that finished, or a lower bound for stopped ones
    finished: set[int] = set()
    for rows in sizes:
        label = f"train {rows:,} rows"
        if rows > 100_000 and 100_000 not in finished:
            result.notes.append(f"{label}: not run, the 100k run did not finish")
            continue
        limit = timeout if rows <= 100_000 else TARGET_SCALING_1M * seconds[100_000] + 60
        measured = _train(rows, limit)
        result.details[str(rows)] = measured.__dict__
        if measured.returncode != 0 and not measured.stopped:
            result.notes.append(f"{label}: failed ({measured.output_tail[-300:]})")
            continue
        if measured.stopped:
            result.notes.append(f"{label}: stopped after {measured.seconds:.0f} s ({measured.stopped}); "
                                "its figures are lower bounds")
            label += " (stopped)"
        else:
            finished.add(rows)
        seconds[rows] = measured.seconds
        result.figures += [Figure("training", f"{label}: wall time", measured.seconds, "s"),
                           Figure("training", f"{label}: peak memory", measured.peak_mib, "MiB")]
        if rows == 100_000:
            stopped = bool(measured.stopped)
            result.targets += [
                Target("training", "100k rows wall time", measured.seconds, TARGET_SECONDS_100K, "s",
                       lower_bound=stopped),
                Target("training", "100k rows peak memory", measured.peak_mib, TARGET_MIB_100K, "MiB",
                       lower_bound=stopped),
            ]
    if 1_000_000 in seconds:
        scaling = seconds[1_000_000] / seconds[100_000]
        result.targets.append(Target("training", "1M time / 100k time", scaling, TARGET_SCALING_1M, "×"))
    return result


def _train(rows: int, timeout: float):
    data = write_training_csv(rows, work_dir() / f"train-{rows}.csv")
    target = model_dir(rows)
    shutil.rmtree(target, ignore_errors=True)  # a fresh registry: the new version becomes the active one
    command = [str(Path(sys.executable).with_name("civicly")), "model", "train", "--data", str(data), "--promote"]
    env = {"CIVICLY_MODEL_DIR": str(target), "CIVICLY_MODEL_SIGNING_KEY": SIGNING_KEY,
           "CIVICLY_DATABASE_URL": fresh_database("sqlite", f"train-{rows}")}  # where the training is audited
    return run_measured(command, env=env, timeout=timeout, cwd=ROOT)


def usable_model_dir(rows: int, timeout: float, result: StepResult) -> Path:
    """The registry trained on ``rows`` if that run finished, else one trained now on FALLBACK_ROWS (noted), so the
    classification, intake and memory steps still measure a real model."""
    from bench.routing_model import load_active

    if model_dir(rows).is_dir() and load_active(model_dir(rows)) is not None:
        return model_dir(rows)
    if not classifier_available() or not train_command_available():
        return model_dir(rows)
    measured = _train(FALLBACK_ROWS, timeout)
    result.notes.append(f"no model from the {rows:,}-row run: classification, intake and memory use a model trained "
                        f"on {FALLBACK_ROWS:,} rows ({measured.seconds:.0f} s, {measured.stopped or 'finished'})")
    return model_dir(FALLBACK_ROWS)
