"""Reading and validating training CSVs and label maps, grouped splits and file fingerprints.

Every problem is a `DatasetError` naming the file, the line and what is wrong, so the
command line can print it instead of a traceback. Rows are never dropped silently: each
skipped row is recorded with its reason.
"""
from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

REQUIRED_COLUMNS = ("text", "department")
URGENCY_LEVELS = ("high", "medium", "low")


class DatasetError(ValueError):
    """Training data that cannot be used as given; the message says where and why."""


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of training, and why."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class DataFile:
    """Fingerprint of one training file, for the model card."""

    path: str
    sha256: str
    rows: int
    class_counts: dict[str, int]


@dataclass
class TrainingSet:
    """Parallel lists of examples from one or more files, with what was skipped and from where."""

    texts: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    urgencies: list[str | None] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    files: list[DataFile] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices) -> TrainingSet:
        """The rows at `indices` (file fingerprints and skips are kept as they describe the whole load)."""
        pick = [int(i) for i in indices]
        return TrainingSet(
            texts=[self.texts[i] for i in pick],
            departments=[self.departments[i] for i in pick],
            urgencies=[self.urgencies[i] for i in pick],
            languages=[self.languages[i] for i in pick],
            sources=[self.sources[i] for i in pick],
            lines=[self.lines[i] for i in pick],
            files=self.files,
            skipped=self.skipped,
        )

    def skipped_summary(self) -> dict[str, int]:
        """Count of skipped rows per reason, for printing."""
        return dict(Counter(f"{row.file}: {row.reason}" for row in self.skipped))

    def group_keys(self) -> list[str]:
        return [group_key(text) for text in self.texts]


def group_key(text: str) -> str:
    """Same rule as the hidden acceptance split: case folded, white space collapsed."""
    return " ".join(text.casefold().split())


def distinct_rows(keys) -> tuple[list[int], np.ndarray]:
    """Index of the first row of each distinct key, and how many rows share it."""
    first: dict = {}
    counts: list[int] = []
    rows: list[int] = []
    for i, key in enumerate(keys):
        j = first.setdefault(key, len(rows))
        if j == len(rows):
            rows.append(i)
            counts.append(0)
        counts[j] += 1
    return rows, np.asarray(counts, dtype=np.float64)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_rows(path: Path, required: tuple[str, ...]):
    """Yield (line number, row dict) from a UTF-8 CSV with a header containing `required`."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise DatasetError(f"{path}: line 1: the file is empty (a header row is required)")
            missing = [name for name in required if name not in header]
            if missing:
                raise DatasetError(
                    f"{path}: line 1: missing required column(s) {', '.join(missing)} "
                    f"(found: {', '.join(header)})"
                )
            for row in reader:
                yield reader.line_num, row
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path}: not UTF-8 (byte {error.start} cannot be decoded); save it as UTF-8") from None
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except csv.Error as error:
        raise DatasetError(f"{path}: not a readable CSV file ({error})") from None


def read_csv_rows(path: str | Path, required: tuple[str, ...] = ()) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of any UTF-8 CSV with the `required` columns (e.g. a file to predict)."""
    path = Path(path)
    rows = [row for _, row in _read_rows(path, required)]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    return header, rows


def read_column(path: str | Path, column: str) -> dict[int, str]:
    """One column of a CSV by line number (the `lines` of a `TrainingSet`); empty when the file has no such column."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if column not in (next(csv.reader(handle), None) or []):
            return {}
    return {line: (row.get(column) or "").strip() for line, row in _read_rows(path, (column,))}


def load_label_map(path: str | Path) -> dict[str, str]:
    """Read a `from,to` CSV mapping each file's labels to deployment department codes."""
    path = Path(path)
    mapping: dict[str, str] = {}
    for line, row in _read_rows(path, ("from", "to")):
        source, target = (row.get("from") or "").strip(), (row.get("to") or "").strip()
        if not source or not target:
            raise DatasetError(f"{path}: line {line}: both 'from' and 'to' must be filled")
        if mapping.get(source, target) != target:
            raise DatasetError(f"{path}: line {line}: '{source}' is mapped twice ({mapping[source]} and {target})")
        mapping[source] = target
    if not mapping:
        raise DatasetError(f"{path}: the label map has no rows")
    return mapping


def read_training_csv(
    path: str | Path, label_map: dict[str, str] | None = None, strict: bool = False
) -> TrainingSet:
    """Read one training file. Row problems are skipped and recorded, or raised when `strict`."""
    path = Path(path)
    data = TrainingSet()

    def skip(line: int, reason: str) -> None:
        if strict:
            raise DatasetError(f"{path}: line {line}: {reason}")
        data.skipped.append(SkippedRow(path.name, line, reason))

    for line, row in _read_rows(path, REQUIRED_COLUMNS):
        text = " ".join((row.get("text") or "").split())
        department = (row.get("department") or "").strip()
        urgency = (row.get("urgency") or "").strip().lower() or None
        language = (row.get("language") or "").strip().lower() or None
        if urgency is not None and urgency not in URGENCY_LEVELS:
            raise DatasetError(
                f"{path}: line {line}: unknown urgency value '{row['urgency']}' (expected high, medium, low or empty)"
            )
        if not text:
            skip(line, "empty text")
            continue
        if not department:
            skip(line, "empty department")
            continue
        if label_map is not None:
            if department not in label_map:
                skip(line, f"label '{department}' is not in the label map")
                continue
            department = label_map[department]
        data.texts.append(text)
        data.departments.append(department)
        data.urgencies.append(urgency)
        data.languages.append(language)
        data.sources.append(path.name)
        data.lines.append(line)
    if not data.texts:
        raise DatasetError(f"{path}: no usable rows")
    data.files.append(
        DataFile(str(path), file_sha256(path), len(data.texts), dict(Counter(data.departments).most_common()))
    )
    return data


def load_training_data(
    paths: list[str | Path],
    label_map: dict[str, str] | None = None,
    min_examples: int = 2,
    strict: bool = False,
) -> TrainingSet:
    """Read and concatenate files; drop (or refuse, when `strict`) labels with fewer than `min_examples` rows."""
    data = TrainingSet()
    for path in paths:
        part = read_training_csv(path, label_map, strict=strict)
        for name in ("texts", "departments", "urgencies", "languages", "sources", "lines", "files", "skipped"):
            getattr(data, name).extend(getattr(part, name))
    counts = Counter(data.departments)
    rare = {label for label, count in counts.items() if count < min_examples}
    if rare:
        if strict:
            detail = ", ".join(f"'{label}' ({counts[label]})" for label in sorted(rare))
            raise DatasetError(
                f"{', '.join(map(str, paths))}: labels with fewer than {min_examples} examples: {detail}")
        keep = [i for i, label in enumerate(data.departments) if label not in rare]
        dropped = [i for i, label in enumerate(data.departments) if label in rare]
        skipped = data.skipped + [
            SkippedRow(data.sources[i], data.lines[i],
                       f"label '{data.departments[i]}' has fewer than {min_examples} examples")
            for i in dropped
        ]
        data = data.subset(keep)
        data.skipped = skipped
    if len(set(data.departments)) < 2:
        raise DatasetError(f"{', '.join(map(str, paths))}: at least two departments are needed to train a router")
    return data


def held_out_split(groups: list[str], test_share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Train / test indices with whole text groups on one side, the side chosen by a hash of the group key.

    A text stays on its side however the data grows (new files, officers' decisions), so the rows the promotion
    gate compares two versions on were never in the active version's training rows: it is never scored on texts it
    learned. A department's share held out is about `test_share`, not exactly (no stratification: that would move
    texts across sides as departments grow)."""
    cut = int(test_share * _HASH_RANGE)
    held_out = np.fromiter((_group_hash(group) < cut for group in groups), dtype=bool, count=len(groups))
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


_HASH_RANGE = 1 << 32


def _group_hash(group: str) -> int:
    """A group key's place in [0, 2**32), the same in every process and version (unlike Python's `hash`)."""
    return int.from_bytes(hashlib.blake2b(group.encode("utf-8"), digest_size=4).digest(), "big")


def grouped_folds(groups: list[str], n_splits: int = 5, seed: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """GroupKFold folds on the normalised text, as the shared data README recommends; with a
    `seed`, groups are shuffled before being dealt into folds (another fold assignment)."""
    n_splits = min(n_splits, len(set(groups)))
    splitter = GroupKFold(n_splits=n_splits, shuffle=seed is not None, random_state=seed)
    return list(splitter.split(np.zeros(len(groups)), groups=_label_ids(groups)))


def _label_ids(labels: list[str]) -> np.ndarray:
    """Integer id per distinct label, in order of first appearance. scikit-learn would turn the
    strings into a fixed-width array as wide as the longest text (gigabytes for 100k letters)."""
    ids: dict[str, int] = {}
    return np.fromiter((ids.setdefault(label, len(ids)) for label in labels), dtype=np.int64, count=len(labels))
