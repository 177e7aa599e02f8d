"""``civicly model``: train, evaluate, inspect and activate routing models. Needs no database
(except ``train --from-db``); the registry folder is the app's MODEL_DIR."""
from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from classifier import (
    DatasetError,
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

# AppGroup wraps each command in the app context, under the `civicly` FlaskGroup and in tests alike.
model = AppGroup("model", help="Train, evaluate and activate the routing and urgency model.")

OUTPUT_COLUMNS = ("predicted_department", "confidence", "auto_routed", "predicted_urgency", "urgency_score")


def _registry() -> Registry:
    return Registry(current_app.config["MODEL_DIR"])


def _load(version: str | None):
    try:
        return _registry().load(version)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None


def _read_data(paths: tuple[str, ...], label_map_path: str | None) -> tuple[TrainingSet, dict | None]:
    try:
        mapping = load_label_map(label_map_path) if label_map_path else None
        data = load_training_data(list(paths), mapping) if paths else TrainingSet()
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    for reason, count in sorted(data.skipped_summary().items()):
        click.echo(f"skipped {count} row(s): {reason}", err=True)
    return data, mapping


def _add_database_examples(data: TrainingSet, mapping: dict | None) -> None:
    """Append officers' reviewed labels from the database (the retraining loop)."""
    try:
        from civicly.db import get_session
        from civicly.triage.feedback import labelled_examples
    except ImportError as error:
        raise click.ClickException(f"--from-db is unavailable in this installation ({error})") from None
    added = 0
    for example in labelled_examples(get_session()):
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
        data.sources.append("database")
        data.lines.append(0)
        added += 1
    click.echo(f"added {added} reviewed example(s) from the database")


def _metrics(model: TriageModel, data: TrainingSet) -> dict:
    """Report overall, then per source file, on held-out rows (one prediction pass)."""
    predictions = model.predict(data.texts)
    report = evaluate_predictions(predictions, data.departments, data.languages, data.urgencies)
    report["per_file"] = {}
    for source in sorted(set(data.sources)):
        rows = [i for i, name in enumerate(data.sources) if name == source]
        part = data.subset(rows)
        file_report = evaluate_predictions([predictions[i] for i in rows], part.departments, part.languages)
        report["per_file"][source] = {
            key: file_report[key]
            for key in ("rows", "macro_f1", "accuracy", "auto_route_share", "auto_route_accuracy",
                        "expected_calibration_error")
        }
    return report


def _no_worse(new: dict, active: dict) -> list[str]:
    """Reasons the new report is worse than the active one on the same rows (empty: promotable)."""
    problems = []
    if new["macro_f1"] + 1e-9 < active["macro_f1"]:
        problems.append(f"macro-F1 {new['macro_f1']:.3f} < active {active['macro_f1']:.3f}")
    new_acc, active_acc = new["auto_route_accuracy"], active["auto_route_accuracy"]
    if active_acc is not None and (new_acc is None or new_acc + 1e-9 < active_acc):
        new_text = "n/a" if new_acc is None else f"{new_acc:.3f}"
        problems.append(f"auto-routed accuracy {new_text} < active {active_acc:.3f}")
    return problems


@model.command("train")
@click.option("--data", "paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Training CSV (text, department; optional language, urgency). Repeat for several files.")
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False),
              help="CSV with columns from,to mapping the files' labels to department codes.")
@click.option("--from-db", is_flag=True, help="Also train on officers' reviewed decisions from the database.")
@click.option("--holdout", default=0.2, show_default=True, type=click.FloatRange(0.05, 0.5),
              help="Share of rows (whole text groups) held out for evaluation; the model is trained on the rest.")
@click.option("--promote", is_flag=True,
              help="Activate the new version if it is no worse than the active one on the held-out rows.")
@click.option("--force", is_flag=True, help="With --promote: activate even if worse than the active version.")
def train(paths, label_map, from_db, holdout, promote, force) -> None:
    """Train a new model version, evaluate it on held-out rows and save it in the registry."""
    if not paths and not from_db:
        raise click.ClickException("give at least one --data file (or --from-db)")
    started = time.perf_counter()
    data, mapping = _read_data(paths, label_map)
    if from_db:
        _add_database_examples(data, mapping)
    if len(set(data.departments)) < 2:
        raise click.ClickException("at least two departments with examples are needed to train")
    train_rows, test_rows = held_out_split(data.departments, data.group_keys(), holdout)
    training, held_out = data.subset(train_rows), data.subset(test_rows)
    click.echo(f"training on {len(training)} rows, {len(set(training.departments))} departments "
               f"(holding out {len(held_out)} rows for evaluation)...")
    try:
        fitted = TriageModel().fit(training.texts, training.departments, training.urgencies, training.languages)
    except ValueError as error:
        raise click.ClickException(f"training failed: {error}") from None
    click.echo(f"trained in {time.perf_counter() - started:.0f} s; evaluating...")
    report = _metrics(fitted, held_out)
    card = {
        "data_files": describe_data_files(data.files),
        "database_examples": data.sources.count("database"),
        "label_map": label_map_entry(label_map, mapping),
        "rows": {"train": len(training), "held_out": len(held_out), "skipped": len(data.skipped)},
        "class_counts": {label: training.departments.count(label) for label in sorted(set(training.departments))},
        "params": fitted.get_params(),
        "threshold": fitted.threshold_,
        "thresholds_per_language": fitted.thresholds_,
        "expected_auto_route_share": fitted.out_of_fold_["auto_route_share"],
        "out_of_fold": fitted.out_of_fold_,
        "urgency_label_counts": fitted.urgency_counts_,
        "urgency_learned": fitted.urgency_model_ is not None,
        "urgency_out_of_fold": fitted.urgency_out_of_fold_,
        "metrics": report,
    }
    registry = _registry()
    version = registry.save(fitted, card)
    click.echo(format_report(report))
    click.echo(f"\nsaved version {version} ({time.perf_counter() - started:.0f} s in all)")
    if not promote:
        return
    active = registry.active_version()
    try:
        active_model = None if active is None or force else registry.load(active)[0]
    except RegistryError as error:  # e.g. saved by an older model format: nothing this version can be compared with
        click.echo(f"the active version cannot be loaded ({error}); promoting without comparison")
        active_model = None
    if active_model is not None:
        problems = _no_worse(report, evaluate_model(active_model, held_out.texts, held_out.departments,
                                                    held_out.languages))
        if problems:
            raise click.ClickException(
                f"version {version} saved but not promoted: {'; '.join(problems)} (on the same held-out rows). "
                "Use --force to promote anyway."
            )
    try:
        registry.promote(version)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"version {version} is now active" + (f" (was {active})" if active else ""))


@model.command("evaluate")
@click.option("--data", "paths", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV to evaluate on. Repeat for several files.")
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False),
              help="CSV with columns from,to mapping the files' labels to department codes.")
@click.option("--version", help="Version to evaluate (default: the active one).")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def evaluate(paths, label_map, version, as_json) -> None:
    """Report how a model version routes and ranks labelled data."""
    fitted, card = _load(version)
    data, _ = _read_data(paths, label_map)
    report = _metrics(fitted, data)
    report["version"] = card["version"]
    trained_on = {entry["sha256"] for entry in card.get("data_files", [])}
    overlap = [f.path for f in data.files if f.sha256 in trained_on]
    if as_json:
        report["files_used_in_training"] = overlap
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if overlap:
        click.echo(f"note: {', '.join(overlap)} was used to train this version; figures are optimistic.", err=True)
    click.echo(f"version {card['version']}\n{format_report(report)}")


def _predict_file(fitted: TriageModel, source: str, target: str) -> int:
    try:
        header, rows = read_csv_rows(Path(source), ("text",))
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    predictions = fitted.predict([row.get("text") or "" for row in rows])
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header + [c for c in OUTPUT_COLUMNS if c not in header])
        writer.writeheader()
        for row, p in zip(rows, predictions):
            writer.writerow({
                **row,
                "predicted_department": p.department or "",
                "confidence": f"{p.confidence:.4f}",
                "auto_routed": "true" if p.auto_routed else "false",
                "predicted_urgency": p.urgency,
                "urgency_score": f"{p.urgency_score:.4f}",
            })
    return len(rows)


def _describe(prediction) -> str:
    lines = []
    if prediction.department is None:
        lines.append(f"manual triage ({prediction.triage_reason}); no department suggested")
    else:
        verdict = "auto-routed" if prediction.auto_routed else f"manual triage ({prediction.triage_reason})"
        lines.append(f"{prediction.department}  confidence {prediction.confidence:.1%}  {verdict}")
        lines.append("top 3: " + ", ".join(f"{label} {p:.1%}" for label, p in prediction.top3))
        lines.append("because of: " + (", ".join(prediction.reasons) or "no single word stands out"))
    lines.append(f"urgency {prediction.urgency} (score {prediction.urgency_score:.2f}, from {prediction.urgency_source}): "
                 + "; ".join(prediction.urgency_reasons))
    lines.append(f"language: {prediction.language or 'not determined'}")
    return "\n".join(lines)


@model.command("predict")
@click.option("--data", "source", type=click.Path(exists=True, dir_okay=False),
              help="CSV with a text column; every row is copied to --out with the predictions added.")
@click.option("--out", "target", type=click.Path(dir_okay=False), help="Where to write the predictions CSV.")
@click.option("--text", help="Predict one text and explain the prediction.")
@click.option("--version", help="Version to use (default: the active one).")
@click.option("--json", "as_json", is_flag=True, help="With --text: print the prediction as JSON.")
def predict(source, target, text, version, as_json) -> None:
    """Route texts with a model version: a whole CSV file, or one text with its explanation."""
    if (text is None) == (source is None):
        raise click.ClickException("give either --text or --data (with --out)")
    if source is not None and target is None:
        raise click.ClickException("--data needs --out for the predictions file")
    fitted, card = _load(version)
    if text is not None:
        prediction = fitted.predict([text])[0]
        if as_json:
            click.echo(json.dumps({"version": card["version"], **prediction.to_dict()}, ensure_ascii=False, indent=2))
        else:
            click.echo(_describe(prediction))
        return
    count = _predict_file(fitted, source, target)
    click.echo(f"wrote {count} predictions to {target} (version {card['version']})")


@model.command("list")
def list_versions() -> None:
    """List saved versions, newest last; the active one is starred."""
    registry = _registry()
    active = registry.active_version()
    cards = registry.cards()
    if not cards:
        click.echo(f"no model versions in {registry.root}")
        return
    for card in cards:
        metrics = card.get("metrics", {})
        marker = "*" if card["version"] == active else " "
        click.echo(
            f"{marker} {card['version']}  created {card.get('created_at', '?')}  "
            f"macro-F1 {metrics.get('macro_f1', float('nan')):.3f}  "
            f"auto-routed {metrics.get('auto_route_share', 0):.0%}  rows {card.get('rows', {}).get('train', '?')}"
        )


@model.command("show")
@click.argument("version")
def show(version) -> None:
    """Print the model card of VERSION (JSON)."""
    try:
        card = _registry().card(version)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(card, indent=2, ensure_ascii=False))


@model.command("promote")
@click.argument("version")
def promote_version(version) -> None:
    """Make VERSION the active model (running workers pick it up on their next request)."""
    registry = _registry()
    try:
        registry.promote(version)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"version {version} is now active")


@model.command("rollback")
def rollback() -> None:
    """Re-activate the previously active version."""
    try:
        version = _registry().rollback()
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"rolled back: version {version} is active again")
