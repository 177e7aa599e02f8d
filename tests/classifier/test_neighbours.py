import numpy as np
import pytest

from classifier import TriageModel
from classifier.calibration import _NEIGHBOUR_WEIGHTS
from classifier.neighbours import PastCases
from classifier.text import normalise_all

PAST = [
    "I am writing to dispute a late payment on my credit report that is not mine.",
    "The collection agency keeps calling me at work about a debt I already paid.",
    "My mortgage servicer lost my escrow payment and charged me a late fee.",
    "The streetlight on our road has been broken for weeks.",
]
LABELS = np.array([0, 1, 2, 3])


def fitted(k: int = 2) -> PastCases:
    counts, buckets = PastCases(k=k).count(PAST)
    return PastCases(k=k).fit_from_counts(counts, buckets, LABELS, n_classes=4)


def test_a_near_copy_of_a_past_case_votes_for_its_department():
    votes = fitted().votes(
        normalise_all(["I am writing to dispute a late payment on my credit report, it is not mine!"]))
    assert votes.shape == (1, 4)
    assert votes[0].argmax() == 0 and votes[0, 0] > 0.9
    assert votes.sum() == pytest.approx(1.0)


def test_function_words_count_in_the_similarity():
    # "I am writing to" is all the two texts share: the copied phrasing, not a topic word.
    votes = fitted(k=1).votes(normalise_all(["I am writing to you"]))
    assert votes[0].argmax() == 0


def test_a_text_that_shares_no_word_gets_no_votes():
    votes = fitted().votes(normalise_all(["Ukosefu wa maji safi kijijini", ""]))
    assert not votes.any()


def test_fold_votes_come_from_the_training_rows_only():
    cases = PastCases(k=4)
    counts, _ = cases.count(PAST + [PAST[0]])
    labels = np.array([0, 1, 2, 3, 1])
    votes = cases.fold_votes(counts, labels, 4, train=np.array([1, 2, 3]), test=np.array([0, 4]))
    # The copy of the first letter is not in the training rows, so it cannot vote.
    assert votes[:, 0].sum() == 0 and votes[0].sum() == pytest.approx(1.0)


def test_votes_for_new_texts_match_the_votes_computed_in_training():
    cases = PastCases(k=2)
    queries = ["A late payment on my credit report is not mine.", "The collection agency called at work."]
    counts, buckets = cases.count(PAST + queries)
    in_training = cases.fold_votes(counts, np.array([0, 1, 2, 3, 0, 0]), 4, train=np.arange(4), test=np.array([4, 5]))
    fitted_cases = PastCases(k=2).fit_from_counts(*PastCases(k=2).count(PAST), LABELS, n_classes=4)
    assert np.allclose(fitted_cases.votes(normalise_all(queries)), in_training, atol=1e-6)
    assert in_training[1].argmax() == 1


def test_the_model_learns_how_much_the_votes_weigh(training_set):
    model = TriageModel().fit(training_set.texts, training_set.departments)
    assert model.neighbour_weight_ in _NEIGHBOUR_WEIGHTS
    assert model.out_of_fold_["neighbour_weight"] == model.neighbour_weight_
    probabilities = model.predict_proba(training_set.texts[:5])
    assert np.allclose(probabilities.sum(axis=1), 1.0)


NOUNS = "river bridge school clinic market road well pump forest tower field garden station harbour airport".split()


def phrased(noun: str, department: str) -> str:
    """Two departments whose texts share every topic word and differ only in their function words."""
    return f"{noun} was in there" if department == "A" else f"{noun} will be on it"


def test_votes_decide_where_topic_words_cannot():
    texts = [phrased(noun, department) for department in "AB" for noun in NOUNS]
    labels = [department for department in "AB" for _ in NOUNS]
    with_votes = TriageModel(neighbours=3).fit(texts, labels)
    assert with_votes.neighbour_weight_ > 0
    assert with_votes.predict_departments(["lake was in there", "lake will be on it"]) == ["A", "B"]
    # The SVM reads topic words only: without the votes both texts look the same to it.
    alone = TriageModel(neighbours=0).fit(texts, labels)
    assert alone.past_cases_ is None and alone.neighbour_weight_ == 0.0
    first, second = alone.predict_proba(["lake was in there", "lake will be on it"])
    assert np.allclose(first, second)
