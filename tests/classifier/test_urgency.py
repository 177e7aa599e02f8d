import numpy as np
from sklearn.base import clone

from classifier import TriageModel
from classifier.urgency import UrgencyModel


def test_urgency_is_learned_where_labelled_history_exists(trained_model):
    prediction = trained_model.predict(["Blocked Driveway: No Access"])[0]
    assert prediction.urgency_source == "model"
    assert prediction.urgency == "high"
    assert 0.0 <= prediction.urgency_score <= 1.0
    held_out = trained_model.urgency_out_of_fold_
    assert held_out["rows"] > 0 and held_out["learned"]["macro_f1"] > held_out["rules"]["macro_f1"]


def test_out_of_fold_urgency_figures_show_when_history_does_not_generalise():
    # Every text has words of its own: no held-out text resembles the history, so out of fold
    # the learned urgency falls back to the rules everywhere, and the figures say so. A new
    # text unlike the history gets the rules' level, presented as such.
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("bcdfghjklmnpqrstvwxz"), 7)) for _ in range(186)]
    texts = [" ".join(words[3 * i:3 * i + 3]) for i in range(62)]
    model = TriageModel(cv=3).fit(texts[:60], ["A", "B"] * 30, ["high", "low"] * 30)
    held_out = model.urgency_out_of_fold_
    assert held_out["rows"] == 60 and held_out["learned"] == held_out["rules"]
    assert model.predict([texts[0]])[0].urgency_source == "model"
    assert model.predict([texts[61]])[0].urgency_source == "rules"


def test_urgency_falls_back_to_rules_and_says_so(trained_model):
    prediction = trained_model.predict(["Incendie dans l'immeuble, les enfants sont bloqués au troisième étage"])[0]
    assert prediction.urgency_source == "rules"
    assert prediction.urgency == "high"
    assert any("fire: incendie" in reason for reason in prediction.urgency_reasons)


def test_model_without_urgency_labels_uses_rules_only(training_set):
    part = training_set.subset(range(0, len(training_set), 3))
    model = TriageModel(cv=3).fit(part.texts, part.departments)
    assert model.urgency_model_ is None
    assert model.predict(["Blocked Driveway: No Access"])[0].urgency_source == "rules"


def test_urgency_estimator_follows_scikit_learn_conventions(trained_model):
    estimator = trained_model.urgency_model_
    assert isinstance(estimator, UrgencyModel) and estimator.min_similarity == trained_model.urgency_min_similarity
    fresh = clone(estimator)
    assert fresh.get_params() == estimator.get_params() and not hasattr(fresh, "classifier_")
    assert estimator.n_labelled_ == sum(
        trained_model.urgency_counts_[level] for level in estimator.classifier_.classes_)


def test_urgency_labels_are_counted_per_language_and_level(trained_model, training_set):
    counts = trained_model.urgency_counts_by_language_
    labelled = [level for level in training_set.urgencies if level]
    assert sum(n for levels in counts.values() for n in levels.values()) == len(labelled)
    assert set(counts) <= set(trained_model.languages_) | {"unknown"} and "en" in counts
