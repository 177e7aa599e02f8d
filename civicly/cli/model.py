"""``civicly model``: train, evaluate, inspect, sign and activate routing models. The active version lives in the
database every host shares, this host's MODEL_DIR holds the versions' copies; what changes them (train, promote,
rollback, sign) is recorded in the administration audit."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import click

from civicly.cli.base import CommandGroup
from civicly.db import get_session
from civicly.triage import admin_audit, model_versions
from classifier import DatasetError, Prediction, RegistryError, format_report, replay, training

model = CommandGroup("model", database=False,
                     help="Train, evaluate, sign and activate the routing and urgency model.")


@contextmanager
def _errors_as_messages() -> Iterator[None]:
    """A bad file, a missing version or a refused promotion is a message, not a traceback."""
    try:
        yield
    except (DatasetError, RegistryError, training.TrainingError) as error:
        raise click.ClickException(str(error)) from None


@model.command("train", database=True)
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
    plan = training.TrainingPlan(paths, label_map, holdout, promote, force)
    with _errors_as_messages():
        trained = model_versions.train(get_session(), admin_audit.cli_actor(), plan, from_db, click.echo)
    if trained.promoted:
        was = f" (was {trained.previous})" if trained.previous else ""
        click.echo(f"version {trained.version} is now active{was}")


@model.command("evaluate", database=True)
@click.option("--data", "paths", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV to evaluate on. Repeat for several files.")
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False),
              help="CSV with columns from,to mapping the files' labels to department codes.")
@click.option("--version", help="Version to evaluate (default: the one every host routes with).")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def evaluate(paths, label_map, version, as_json) -> None:
    """Report how a model version routes and ranks labelled data."""
    with _errors_as_messages():
        version = model_versions.version_here(get_session(), version)
        result = training.evaluate(model_versions.registry(), paths, label_map, version, click.echo)
    overlap = result.files_used_in_training
    if as_json:
        click.echo(json.dumps({**result.report, "files_used_in_training": overlap}, indent=2, ensure_ascii=False))
        return
    if overlap:
        click.echo(f"note: {', '.join(overlap)} was used to train this version; figures are optimistic.", err=True)
    click.echo(f"version {result.version}\n{format_report(result.report)}")


def _describe(prediction: Prediction) -> str:
    lines = []
    if prediction.department is None:
        lines.append(f"manual triage ({prediction.triage_reason}); no department suggested")
    else:
        verdict = "auto-routed" if prediction.auto_routed else f"manual triage ({prediction.triage_reason})"
        lines.append(f"{prediction.department}  confidence {prediction.confidence:.1%}  {verdict}")
        lines.append("top 3: " + ", ".join(f"{label} {p:.1%}" for label, p in prediction.top3))
        lines.append("because of: " + (", ".join(prediction.reasons) or "no single word stands out"))
    lines.append(f"urgency {prediction.urgency} (score {prediction.urgency_score:.2f}, "
                 f"from {prediction.urgency_source}): " + "; ".join(prediction.urgency_reasons))
    lines.append(f"language: {prediction.language or 'not determined'}")
    return "\n".join(lines)


@model.command("predict", database=True)
@click.option("--data", "source", type=click.Path(exists=True, dir_okay=False),
              help="CSV with a text column; every row is copied to --out with the predictions added.")
@click.option("--out", "target", type=click.Path(dir_okay=False), help="Where to write the predictions CSV.")
@click.option("--text", help="Predict one text and explain the prediction.")
@click.option("--version", help="Version to use (default: the one every host routes with).")
@click.option("--json", "as_json", is_flag=True, help="With --text: print the prediction as JSON.")
def predict(source, target, text, version, as_json) -> None:
    """Route texts with a model version: a whole CSV file, or one text with its explanation."""
    if (text is None) == (source is None):
        raise click.ClickException("give either --text or --data (with --out)")
    if source is not None and target is None:
        raise click.ClickException("--data needs --out for the predictions file")
    registry = model_versions.registry()
    with _errors_as_messages():
        version = model_versions.version_here(get_session(), version)
        if text is None:
            used, count = training.predict_file(registry, source, target, version)
            click.echo(f"wrote {count} predictions to {target} (version {used})")
            return
        used, prediction = training.predict_text(registry, text, version)
    if as_json:
        click.echo(json.dumps({"version": used, **prediction.to_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(_describe(prediction))


@model.command("replay")
@click.option("--data", "paths", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV played as arriving cases whose labels are officers' decisions. Repeat for several.")
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False),
              help="CSV with columns from,to mapping the files' labels to department codes.")
@click.option("--order", type=click.Choice(["file", "created_at"]), default="file", show_default=True,
              help="Order in which cases arrive: the file's, or by its created_at column.")
@click.option("--step", default=200, show_default=True, type=click.IntRange(min=10),
              help="Decisions between two retrainings (and cases in each scored block).")
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
def replay_data(paths, label_map, order, step, as_json) -> None:
    """Replay labelled files as a deployment: retrain every STEP decisions and score the next cases, per language."""
    with _errors_as_messages():
        data, _ = training.read_data(paths, label_map, click.echo)
        steps = replay.replay(data, step, None if order == "file" else order)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in steps], indent=2, ensure_ascii=False))
    else:
        click.echo(replay.format_replay(steps))


@model.command("list", database=True)
def list_versions() -> None:
    """List the versions saved on this host, newest last; the one every host routes with is starred."""
    registry = model_versions.registry()
    active = model_versions.active_version(get_session())
    cards = registry.cards()
    if not cards:
        click.echo(f"no model versions in {registry.root}")
        return
    for card in cards:
        metrics = card.get("metrics", {})
        marker = "*" if card["version"] == active else " "
        trust = "" if registry.signature_problem(card["version"]) is None else "  NOT LOADABLE (civicly model show)"
        click.echo(
            f"{marker} {card['version']}  created {card.get('created_at', '?')}  "
            f"macro-F1 {metrics.get('macro_f1', float('nan')):.3f}  "
            f"auto-routed {metrics.get('auto_route_share', 0):.0%}  rows {card.get('rows', {}).get('train', '?')}"
            f"{trust}"
        )


@model.command("show")
@click.argument("version")
def show(version) -> None:
    """Print the model card of VERSION (JSON), and on standard error why it would be refused, if it would."""
    registry = model_versions.registry()
    with _errors_as_messages():
        card = registry.card(version)
    click.echo(json.dumps(card, indent=2, ensure_ascii=False))
    problem = registry.signature_problem(version)
    if problem:
        click.echo(f"warning: {problem}", err=True)


@model.command("promote", database=True)
@click.argument("version")
def promote_version(version) -> None:
    """Make VERSION the active model on every host (running workers switch within a few seconds)."""
    with _errors_as_messages():
        model_versions.promote(get_session(), admin_audit.cli_actor(), version)
    click.echo(f"version {version} is now active")


@model.command("rollback", database=True)
def rollback() -> None:
    """Re-activate the previously active version, on every host."""
    with _errors_as_messages():
        version = model_versions.rollback(get_session(), admin_audit.cli_actor())
    click.echo(f"rolled back: version {version} is active again")


@model.command("sign", database=True)
@click.argument("version")
def sign(version) -> None:
    """Sign VERSION with CIVICLY_MODEL_SIGNING_KEY, without loading it: only for a version you trust (trained by
    this installation before models were signed); its artifact must still match its card's checksum."""
    with _errors_as_messages():
        model_versions.sign(get_session(), admin_audit.cli_actor(), version)
    click.echo(f"version {version} is signed; it can be loaded and promoted")

