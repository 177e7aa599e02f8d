"""``python -m bench``: every step in order, one table, ``bench/results.json``.

Training comes first because the classification, intake and memory steps use the model it trains on 10k rows.
The last step, scale, fills PostgreSQL with 1,000,000 cases and measures the queue, dashboard and export on them.
"""
from __future__ import annotations

import argparse
import sys
import time

from bench import classification, intake, queue_pages, report, scale, training
from bench.databases import backends

STEPS = ("training", "classification", "intake", "queue", "scale")
NATIONAL_CASES = 1_000_000


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="1M-row steps too (training on 1M rows, 1M cases)")
    parser.add_argument("--toy", action="store_true", help="tiny sizes, a few seconds a step (the smoke test)")
    parser.add_argument("--only", action="append", choices=STEPS, help="run only this step (repeatable)")
    parser.add_argument("--train-timeout", type=float, default=240.0,
                        help="seconds allowed per training run (4x the 100k target)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    steps = args.only or list(STEPS)
    if args.toy:
        sizes, calls, budget, plan, cases, repeats = [300], 50, 10.0, intake.LoadPlan(2, 0.5, 4), 2_000, 3
        national = 2_000
    else:
        sizes = [10_000, 100_000] + ([1_000_000] if args.full else [])
        calls, budget, plan, repeats = 2_000, 120.0, intake.LoadPlan(), 30
        cases = 1_000_000 if args.full else 100_000
        national = NATIONAL_CASES
    model_dir = training.model_dir(sizes[0])
    databases = backends()
    results: dict[str, report.StepResult] = {}
    for step in steps:
        started, load = time.perf_counter(), report.machine()["load_average"][0]
        print(f"== {step}", flush=True)
        if step == "training":
            results[step] = training.run(sizes, args.train_timeout)
            model_dir = training.usable_model_dir(sizes[0], args.train_timeout, results[step])
        elif step == "classification":
            results[step] = classification.run(model_dir, calls, budget)
        elif step == "intake":
            results[step] = intake.run(databases, model_dir, plan)
        elif step == "queue":
            results[step] = queue_pages.run(databases, cases, repeats)
        else:
            results[step] = scale.run(national, repeats)
        results[step].details["seconds"] = round(time.perf_counter() - started, 1)
        results[step].details["load_average_before"] = load
    if "postgresql" not in databases:
        print("PostgreSQL is not reachable: its measurements were skipped", file=sys.stderr)
    command = "make bench" + (" BENCH_ARGS=--full" if args.full else "")
    report.write(results, command)
    print("\n" + report.table(results))
    print(f"\nmachine: {report.machine()}; results in {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
