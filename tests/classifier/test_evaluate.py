import json

import numpy as np
import pytest

from classifier import evaluate_model, format_report, routing_report
from classifier.calibration import (
    choose_common_threshold,
    choose_threshold,
    expected_calibration_error,
    routed_by_assignment,
    wilson_lower_bound,
)
from classifier.evaluate import urgency_report


def test_routing_report_counts_per_class_language_and_auto_route():
    report = routing_report(
        ["A", "A", "B", "B"], ["A", "B", "B", None], [0.9, 0.6, 0.8, 0.0], [True, False, True, False],
        ["en", "en", "fr", None],
    )
    assert report["accuracy"] == 0.5
    assert report["auto_route_share"] == 0.5 and report["auto_route_accuracy"] == 1.0
    assert report["per_class"]["B"]["recall"] == 0.5
    assert report["not_routed"] == 1
    assert set(report["per_language"]) == {"en", "fr", "unknown"}
    json.dumps(report)


def test_report_on_a_file_of_one_department_is_quiet(recwarn):
    # After a label map, a whole file can belong to one department (the demo's finance letters).
    report = routing_report(["ECOFIN"] * 3, ["ECOFIN"] * 3, [0.9, 0.8, 0.7], [True, True, False])
    assert report["confusion"] == {"labels": ["ECOFIN"], "matrix": [[3]]}
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_calibration_error_is_zero_when_confidence_matches_accuracy():
    assert expected_calibration_error([0.75] * 4, [1, 1, 1, 0]) == 0.0
    assert expected_calibration_error([1.0] * 2, [0, 0]) == 1.0


def test_threshold_is_the_lowest_keeping_accuracy_on_target():
    confidence = [0.99] * 200 + [0.7] * 100 + [0.5] * 50
    correct = [1] * 200 + [1] * 98 + [0] * 2 + [0] * 50
    assert choose_threshold(confidence, correct, 0.95) == 0.7
    assert choose_threshold([0.9] * 5, [1] * 5, 0.95) > 1.0  # too few cases to trust


def test_the_threshold_must_hold_on_every_fold_assignment():
    confidence = [0.99] * 200 + [0.7] * 100 + [0.5] * 50
    lucky = [1] * 200 + [1] * 98 + [0] * 2 + [0] * 50
    unlucky = [1] * 200 + [1] * 80 + [0] * 20 + [0] * 50  # the same rows dealt into other folds
    assert choose_common_threshold([confidence], [lucky]) == 0.7
    assert choose_common_threshold([confidence, confidence], [lucky, unlucky]) == 0.99
    worst = min(routed_by_assignment([confidence] * 2, [lucky, unlucky], np.ones(350), 0.7),
                key=lambda figures: figures["auto_route_accuracy"])
    assert worst["auto_route_accuracy"] == pytest.approx(280 / 300) and worst["lower_bound"] < 0.95


def test_a_text_filed_many_times_is_one_draw_when_the_bound_counts_texts():
    # One menu text filed 1,000 times, always right, hides 40 different texts right only 3 times in 4.
    confidence = np.array([0.99] + [0.7] * 40)
    correct = np.array([1] + [1] * 30 + [0] * 10)
    weights = np.array([1000] + [1] * 40)
    assert choose_common_threshold([confidence], [correct], weights=weights) == 0.7
    assert choose_common_threshold([confidence], [correct], weights=weights, per_text=True) > 1.0


def test_the_lower_bound_needs_more_than_a_few_right_answers():
    assert wilson_lower_bound(20, 20) < 0.95 < wilson_lower_bound(40, 40)
    assert wilson_lower_bound(0, 0) == 0.0


def test_evaluate_model_reports_urgency_and_formats(trained_model, training_set):
    report = evaluate_model(trained_model, training_set.texts[:80], training_set.departments[:80],
                            training_set.languages[:80], training_set.urgencies[:80])
    assert report["urgency"]["rows"] > 0
    text = format_report(report)
    assert "macro-F1" in text and "urgency on" in text


def test_weighted_rows_count_as_repeated_rows():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.3, 1.0, 300).round(3)
    correct = rng.uniform(size=300) < confidence
    weights = rng.integers(1, 6, 300)
    expanded = (np.repeat(confidence, weights), np.repeat(correct, weights))
    assert choose_threshold(confidence, correct, 0.9, weights=weights) == choose_threshold(*expanded, 0.9)
    assert expected_calibration_error(confidence, correct, weights=weights) == pytest.approx(
        expected_calibration_error(*expanded))


def test_urgency_scores_that_are_all_equal_rank_nothing_and_are_quiet(recwarn):
    report = urgency_report(["high", "low", "medium"], ["medium"] * 3, [0.5] * 3, ["rules"] * 3)
    assert report["rows"] == 3 and report["spearman"] is None
    assert not recwarn.list
    assert urgency_report(["high", "low"], ["high", "low"], [0.9, 0.1], ["model"] * 2)["spearman"] == pytest.approx(1.0)
