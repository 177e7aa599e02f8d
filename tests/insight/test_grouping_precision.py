"""How well similar reports are grouped, measured on labelled pairs: hand-written paraphrases and hard negatives
(tests/insight/similar_pairs.csv) plus pairs drawn from the bundled real texts in data/.

    .venv/bin/pytest -q -s tests/insight/test_grouping_precision.py   # prints precision and recall
"""
import csv
import random
from pathlib import Path

from classifier import similarity

HERE = Path(__file__).parent
DATA = HERE.parent.parent / "data"


def written_pairs() -> list[tuple[str, str, bool]]:
    with open(HERE / "similar_pairs.csv", newline="", encoding="utf-8") as handle:
        return [(row["text_a"], row["text_b"], row["same"] == "1") for row in csv.DictReader(handle)]


def real_pairs(seed: int = 7) -> list[tuple[str, str, bool]]:
    """Real texts: NYC 311 reports of one type from different people (same), of two types of one agency (not the
    same), French written questions of one ministry on different subjects and consumer complaints (not the same)."""
    rng = random.Random(seed)
    pairs = []
    nyc = _read("nyc311_requests_en.csv")
    by_agency: dict[str, list[str]] = {}
    for row in nyc:
        by_agency.setdefault(row["department"], []).append(row["text"])
    for texts in by_agency.values():
        kinds = sorted(set(texts))
        for _ in range(6):
            if len(kinds) >= 2:
                a, b = rng.sample(kinds, 2)
                pairs.append((a, b, False))
    repeated = sorted({t for t in (row["text"] for row in nyc) if sum(1 for r in nyc[:400] if r["text"] == t) >= 2})
    pairs += [(t, t, True) for t in repeated[:10]]
    by_ministry: dict[str, list[dict]] = {}
    for row in _read("fr_questions_ecrites_an.csv"):
        by_ministry.setdefault(row["department"], []).append(row)
    for rows in by_ministry.values():
        for _ in range(5):
            if len(rows) >= 2:
                a, b = rng.sample(rows, 2)
                if a["titre"] != b["titre"]:
                    pairs.append((a["text"], b["text"], False))
    complaints = _read("cfpb_complaints_en.csv")
    for _ in range(30):
        a, b = rng.sample(complaints, 2)
        pairs.append((a["text"], b["text"], False))
    return pairs


def _read(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def precision_recall(pairs: list[tuple[str, str, bool]],
                     threshold: float = similarity.THRESHOLD) -> tuple[float, float]:
    """Scores each pair within the whole sample, as the service scores a new report within a ministry's open cases."""
    texts = sorted({a for a, _b, _s in pairs} | {b for _a, b, _s in pairs})
    index = {t: i for i, t in enumerate(texts)}
    matrix = similarity.similarity_matrix(texts)
    tp = fp = fn = 0
    for a, b, same in pairs:
        grouped = matrix[index[a], index[b]] >= threshold
        tp += grouped and same
        fp += grouped and not same
        fn += same and not grouped
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def test_grouping_is_precise_on_labelled_pairs():
    pairs = written_pairs() + real_pairs()
    precision, recall = precision_recall(pairs)
    print(f"\n{len(pairs)} labelled pairs ({sum(s for *_x, s in pairs)} same): "
          f"precision {precision:.2f}, recall {recall:.2f} at threshold {similarity.THRESHOLD}")
    assert precision >= 0.9
    assert recall >= 0.8


def test_hard_negatives_alone_are_mostly_kept_apart():
    negatives = [p for p in written_pairs() if not p[2]]
    texts = sorted({a for a, *_ in negatives} | {b for _a, b, _s in negatives})
    index = {t: i for i, t in enumerate(texts)}
    matrix = similarity.similarity_matrix(texts)
    wrongly_grouped = [(a, b) for a, b, _s in negatives if matrix[index[a], index[b]] >= similarity.THRESHOLD]
    assert len(wrongly_grouped) <= len(negatives) // 10


def test_places_given_by_both_must_match():
    assert similarity.same_place("Rue Carnot", "rue  carnot")
    assert not similarity.same_place("Rue Carnot", "Avenue Foch")
    assert similarity.same_place(None, "Avenue Foch")
