import copy
import json

import numpy as np
import pytest
from sklearn.base import clone

from classifier import Prediction, TriageModel, load_training_data
from classifier.calibration import MIN_AUTO_CONFIDENCE
from classifier.pipelines import in_capitals
from classifier.text import content_words

from .conftest import DATA


def test_params_are_stored_untouched_and_clone_works():
    model = TriageModel(C=0.7, cv=4, target_accuracy=0.9)
    assert model.get_params()["C"] == 0.7
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "classifier_")


def test_fit_returns_self_and_learns_trailing_underscore_state(training_set):
    model = TriageModel(cv=3)
    part = training_set.subset(range(0, len(training_set), 2))
    assert model.fit(part.texts, part.departments) is model
    assert set(model.classes_) == set(part.departments)
    assert 0 < model.threshold_ <= 1.01 and model.temperature_ > 0


def test_prediction_has_calibrated_confidence_top3_and_reasons(trained_model):
    text = "Blocked Driveway: No Access"
    prediction = trained_model.predict([text])[0]
    assert isinstance(prediction, Prediction)
    assert prediction.department == "INTERIEUR"
    assert 0.0 <= prediction.confidence <= 1.0
    assert prediction.top3[0] == (prediction.department, prediction.confidence)
    assert len(prediction.top3) == 3 and sum(p for _, p in prediction.top3) <= 1.0 + 1e-9
    assert prediction.reasons and all(reason in text.lower() for reason in prediction.reasons)


def test_prediction_is_frozen_and_json_able(trained_model):
    prediction = trained_model.predict(["Il y a une fuite de gaz dans l'école de mes enfants"])[0]
    with pytest.raises(AttributeError):
        prediction.department = "X"
    data = json.loads(json.dumps(prediction.to_dict()))
    assert set(data) >= {"department", "confidence", "auto_routed", "top3", "reasons", "urgency", "urgency_score",
                         "urgency_source", "urgency_reasons", "language", "triage_reason"}


@pytest.mark.parametrize("text, language", [
    ("ውሃ የለም በመንደራችን ለሦስት ቀናት፣ ልጆች ታመዋል", "am"),
    ("Ina son in je kasuwa gobe da safe amma babu ruwa a gidanmu", "ha"),
    ("Mangi dem ci marse bi, dama bëgg jënd ay mburu ak ndox", None),
])
def test_unsupported_language_goes_to_manual_triage_without_confidence(trained_model, text, language):
    prediction = trained_model.predict([text])[0]
    assert prediction.triage_reason == "unsupported_language"
    assert not prediction.auto_routed
    assert prediction.department is None and prediction.confidence == 0.0 and prediction.top3 == []
    assert prediction.language == language


def test_short_text_of_unsure_language_is_a_suggestion_not_refused(trained_model):
    # langid cannot tell the language of six words (here Wolof; equally an English menu text):
    # the model gives the officer its top 3, marked as resting on unfamiliar words.
    prediction = trained_model.predict(["Ndox mi amul ci sunu gox"])[0]
    assert prediction.language is None
    assert prediction.triage_reason == "unfamiliar_words" and not prediction.auto_routed
    assert len(prediction.top3) == 3 and prediction.department == prediction.top3[0][0]


@pytest.mark.parametrize("text", ["", "   ", "help", "!!!", None])
def test_too_short_text_goes_to_manual_triage(trained_model, text):
    prediction = trained_model.predict([text])[0]
    assert prediction.triage_reason == "too_short" and not prediction.auto_routed


def test_low_confidence_keeps_top3_for_the_triage_officer(trained_model):
    # Known words of two agencies at once: noise (police) and a dirty building (housing).
    predictions = trained_model.predict(["Loud music and a dirty building"])
    prediction = predictions[0]
    if prediction.auto_routed:
        pytest.skip("the slice model happened to be confident")
    assert prediction.triage_reason == "low_confidence" and len(prediction.top3) == 3


def test_auto_routed_means_confidence_above_the_stored_threshold(trained_model, training_set):
    for prediction in trained_model.predict(training_set.texts[:60]):
        if prediction.auto_routed:
            assert prediction.confidence >= trained_model.threshold_for(prediction.language)


def test_fast_path_agrees_with_full_prediction(trained_model, training_set):
    texts = training_set.texts[:30]
    full = trained_model.predict(texts)
    fast = trained_model.predict_departments(texts)
    assert [p.department for p in full if p.department] == [d for d, p in zip(fast, full, strict=True) if p.department]


def test_probabilities_sum_to_one(trained_model, training_set):
    probabilities = trained_model.predict_proba(training_set.texts[:10])
    assert np.allclose(probabilities.sum(axis=1), 1.0)


def test_repeated_texts_are_learned_once_but_counted_by_calibration(training_set):
    part = training_set.subset(range(0, len(training_set), 2))
    repeats = 40
    texts = part.texts + [part.texts[0]] * repeats
    departments = part.departments + [part.departments[0]] * repeats
    once = TriageModel(C=0.3, cv=3).fit(part.texts, part.departments)
    repeated = TriageModel(C=0.3, cv=3).fit(texts, departments)
    assert repeated.out_of_fold_["rows"] == len(texts)
    assert repeated.features_.buckets_[0].tolist() == once.features_.buckets_[0].tolist()
    np.testing.assert_allclose(repeated.classifier_.coef_, once.classifier_.coef_, atol=1e-4)  # solver tolerance


def test_each_language_has_its_own_temperature(trained_model, training_set):
    languages = {code for code in training_set.languages if code}
    assert set(trained_model.temperatures_) <= languages and len(trained_model.temperatures_) >= 2
    for code, temperature in trained_model.temperatures_.items():
        assert temperature > 0 and trained_model.temperature_for(code) == temperature
    assert trained_model.temperature_for(None) == trained_model.temperature_


def test_language_without_a_reachable_threshold_is_never_auto_routed_and_says_why(trained_model):
    model = copy.deepcopy(trained_model)
    text = "Blocked Driveway: No Access"
    assert model.predict([text])[0].triage_reason != "language_not_auto_routed"
    model.thresholds_ = {**model.thresholds_, "en": 1.01}  # no confidence reached 95 % on English
    prediction = model.predict([text])[0]
    assert prediction.triage_reason == "language_not_auto_routed" and not prediction.auto_routed
    assert prediction.department == "INTERIEUR" and len(prediction.top3) == 3


def test_text_whose_words_the_model_never_met_is_only_a_suggestion(trained_model):
    # English, a language the model reads, but none of these words were in its training texts:
    # the department would rest on character fragments, however confident it looks.
    prediction = trained_model.predict(["Hydrological telemetry anomalies persist despite recalibration attempts"])[0]
    assert prediction.language == "en"
    assert prediction.triage_reason == "unfamiliar_words" and not prediction.auto_routed
    assert prediction.department is not None and len(prediction.top3) == 3


def test_no_case_is_auto_routed_below_the_confidence_floor(training_set, monkeypatch):
    # Even where the aggregate rule would route from 30 % (a language whose confident cases are
    # nearly all right), a case the model thinks more likely wrong than right is never auto-routed.
    monkeypatch.setattr("classifier.calibration.choose_common_threshold", lambda *args, **kwargs: 0.3)
    part = training_set.subset(range(0, len(training_set), 3))
    model = TriageModel(cv=3).fit(part.texts, part.departments, languages=part.languages)
    assert model.threshold_ == MIN_AUTO_CONFIDENCE
    bounded = {code: model.thresholds_[code] for code in model.out_of_fold_["thresholds"]
               if model.out_of_fold_["thresholds"][code]["rows"] >= 50}
    assert bounded and set(bounded.values()) == {MIN_AUTO_CONFIDENCE}
    predictions = model.predict(training_set.texts[1::3][:200])
    assert all(p.confidence >= MIN_AUTO_CONFIDENCE for p in predictions if p.auto_routed)


def test_text_in_capitals_leans_to_the_department_that_writes_in_capitals():
    # Of these New York menus only the housing agency's (HPD) are in capitals. "HEATING: HEAT"
    # is held out: its words are new, and its capitals are what tell housing from health.
    rows = load_training_data([DATA / "nyc311_requests_en.csv"])
    kept = [i for i, (text, department) in enumerate(zip(rows.texts, rows.departments, strict=True))
            if department in {"HPD", "DOHMH", "DEP", "DSNY"} and not text.startswith("HEATING")]
    part = rows.subset(kept)
    model = TriageModel(cv=3).fit(part.texts, part.departments)
    housing = list(model.classes_).index("HPD")
    capitals, plain = model.predict_proba(["HEATING: HEAT", "Heating: Heat"])[:, housing]
    assert model.predict(["HEATING: HEAT"])[0].department == "HPD"
    assert capitals > plain + 0.2
    assert in_capitals("HEATING: HEAT") and not in_capitals("Heating: HEAT") and not in_capitals("حرارة 24")
    assert not in_capitals("أطلقت NASA مسبارا جديدا")
    assert all(reason in "heating: heat" for reason in model.predict(["HEATING: HEAT"])[0].reasons)


def test_function_words_are_not_features(trained_model):
    # "the", "les", "na" tell the language, not the ministry: a text reads the same without them.
    features = trained_model.features_
    with_them = features.transform(["The water leak in the building", "Les ordures dans la rue"])
    without = features.transform(["water leak building", "ordures rue"])
    assert (with_them != without).nnz == 0
    assert content_words("the water, the leak") == "water, leak"


def test_two_department_model_tells_texts_apart():
    # A two-class linear model has one margin; both departments must still get their own probability.
    water = ["no water since monday", "the water tap is dry", "water cut again today", "pipe leaking water",
             "water pressure is low", "water bill is wrong", "dirty water from the tap"]
    school = ["teacher absent at school", "school fees are too high", "no teacher for the class",
              "school roof is broken", "pupils without books", "exam results are late"]
    model = TriageModel(cv=2).fit(water + school, ["EAU"] * len(water) + ["EDUCATION"] * len(school))
    probabilities = model.predict_proba(["water leaking from the pipe", "the school teacher is absent"])
    assert probabilities[0, list(model.classes_).index("EAU")] > 0.5
    assert probabilities[1, list(model.classes_).index("EDUCATION")] > 0.5
    first, second = model.predict(["water leaking from the pipe", "the school teacher is absent"])
    assert (first.department, second.department) == ("EAU", "EDUCATION")
    assert "water" in first.reasons and {"school", "teacher"} & set(second.reasons)


def test_a_redacted_text_is_routed_as_the_same_text_without_its_marks(trained_model):
    redacted, plain = trained_model.predict([
        "My name is [name], call [phone]: Blocked Driveway: No Access [email]",
        "My name is , call : Blocked Driveway: No Access",
    ])
    assert (redacted.department, redacted.confidence, redacted.language) == (
        plain.department, plain.confidence, plain.language)


def test_a_language_too_rare_to_bound_its_accuracy_is_never_auto_routed(training_set):
    english = [i for i, code in enumerate(training_set.languages) if code == "en"]
    french = [i for i, code in enumerate(training_set.languages) if code == "fr"][:30]
    part = training_set.subset(english + french)
    model = TriageModel(cv=3).fit(part.texts, part.departments, languages=part.languages)
    assert model.thresholds_["fr"] > 1.0 and model.out_of_fold_["thresholds"]["fr"]["threshold"] is None
    french_text = "Le centre de santé n'a plus de médecin depuis trois semaines et les malades attendent."
    assert model.predict([french_text])[0].triage_reason in {"language_not_auto_routed", "unfamiliar_words"}


def test_a_fold_that_saw_one_department_only_does_not_stop_training():
    # Early in a deployment nearly every decision goes to one ministry: some folds see nothing else.
    texts = [f"No heat in apartment {i} of building {i * 7} since monday" for i in range(40)]
    texts += ["Rats in the street market every night", "Rats near the school kitchen bins"]
    model = TriageModel(cv=3).fit(texts, ["HPD"] * 40 + ["DOHMH"] * 2)
    assert set(model.classes_) == {"HPD", "DOHMH"}
