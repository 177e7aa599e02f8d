"""Training data and a routing model for the bench, built from the bundled ``data/*.csv``.

The department labels are mapped to ministry codes with ``data/label_maps/demo.csv`` here, so the files handed
to ``civicly model train`` need no label map. Larger sizes are resampled with replacement (seeded).
"""
from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = sorted((ROOT / "data").glob("*.csv"))
LABEL_MAP = ROOT / "data" / "label_maps" / "demo.csv"
COLUMNS = ("text", "department", "urgency", "language")
# Signs the bench's own models (trained by `civicly model train`, served by its gunicorn, loaded here); the bench's
# registries are nobody's real ones.
SIGNING_KEY = "bench-only-model-signing-key-for-the-bench-registries"


def bundled_rows() -> list[dict[str, str]]:
    """Every bundled row whose label maps to a ministry, with only the columns training reads."""
    with open(LABEL_MAP, encoding="utf-8", newline="") as handle:
        ministry = {row["from"]: row["to"] for row in csv.DictReader(handle)}
    rows = []
    for path in DATA_FILES:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code = ministry.get((row.get("department") or "").strip())
                text = " ".join((row.get("text") or "").split())
                if code and text:
                    rows.append({"text": text, "department": code, "urgency": row.get("urgency") or "",
                                 "language": row.get("language") or ""})
    return rows


def sample_rows(n: int, seed: int = 0) -> list[dict[str, str]]:
    """``n`` rows: a sample of the bundled data, or a resample with replacement when ``n`` is larger."""
    rows = bundled_rows()
    rng = random.Random(seed)
    return rng.sample(rows, n) if n <= len(rows) else rng.choices(rows, k=n)


def write_training_csv(n: int, path: Path, seed: int = 0) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(sample_rows(n, seed))
    return path


def classifier_available() -> bool:
    """Whether the ``classifier`` package (and so ``civicly model train``) is in this checkout."""
    try:
        import classifier  # noqa: F401
    except ImportError:
        return False
    return True


def train_command_available() -> bool:
    """Whether this checkout has ``civicly model train``."""
    civicly = Path(sys.executable).with_name("civicly")
    probe = subprocess.run([str(civicly), "model", "train", "--help"], capture_output=True, cwd=ROOT)
    return probe.returncode == 0


def load_active(model_dir: Path) -> tuple[Any, str] | None:
    """The registry's active model and its version, as the web workers load it; None when there is none."""
    try:
        from classifier import Registry
    except ImportError:
        return None
    registry = Registry(str(model_dir), SIGNING_KEY)
    version = registry.active_version()
    if version is None:
        return None
    model, _card = registry.load(version)
    return model, version
