"""Small real models trained once per session on slices of the bundled data."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from classifier import TriageModel, load_label_map, load_training_data

DATA = Path(__file__).resolve().parents[2] / "data"


def write_slice(source: Path, target: Path, per_label: int) -> Path:
    """Copy the first `per_label` rows of each department of `source` into `target`."""
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, kept, counts = reader.fieldnames, [], {}
        for row in reader:
            if counts.get(row["department"], 0) < per_label:
                counts[row["department"]] = counts.get(row["department"], 0) + 1
                kept.append(row)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(kept)
    return target


@pytest.fixture(scope="session")
def data_slices(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("slices")
    return [
        write_slice(DATA / "nyc311_requests_en.csv", folder / "nyc.csv", 40),
        write_slice(DATA / "sib200_topics_ar.csv", folder / "ar.csv", 25),
        write_slice(DATA / "masakhanews_sw.csv", folder / "sw.csv", 12),
        write_slice(DATA / "fr_questions_ecrites_an.csv", folder / "fr.csv", 8),
    ]


@pytest.fixture(scope="session")
def training_set(data_slices):
    return load_training_data(data_slices, load_label_map(DATA / "label_maps" / "demo.csv"))


@pytest.fixture(scope="session")
def trained_model(training_set) -> TriageModel:
    return TriageModel(cv=3).fit(
        training_set.texts, training_set.departments, training_set.urgencies, training_set.languages
    )
