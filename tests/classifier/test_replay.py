"""classifier.replay: a labelled file played as a deployment, retrained every few decisions."""
import pytest

from classifier import TriageModel, load_training_data
from classifier.replay import arrival_order, format_replay, replay

from .conftest import DATA, write_slice


@pytest.fixture(scope="module")
def nyc(tmp_path_factory):
    return load_training_data([write_slice(DATA / "nyc311_requests_en.csv",
                                           tmp_path_factory.mktemp("replay") / "nyc.csv", 12)])


def test_each_step_scores_the_next_block_with_a_model_trained_on_the_decisions_before_it(nyc):
    steps = replay(nyc, step=60, model=TriageModel(cv=2, fold_assignments=1))
    assert [step.labels_seen for step in steps] == list(range(60, len(nyc), 60))
    for step in steps:
        english = step.per_language["en"]
        assert english["labels_seen"] == step.labels_seen and english["cases"] == step.next_block
        assert 0.0 <= english["auto_route_share"] <= 1.0 and 0.0 <= english["macro_f1"] <= 1.0
    assert "labels seen" in format_replay(steps)


def test_cases_arrive_in_the_order_of_their_creation_dates(nyc):
    order = arrival_order(nyc, "created_at")
    assert sorted(order) == list(range(len(nyc)))
    dated = [nyc.lines[i] for i in order]
    assert dated != nyc.lines  # the slice is not sorted by date in the file
    assert arrival_order(nyc, None) == list(range(len(nyc)))


def test_a_step_below_one_decision_is_refused(nyc):
    with pytest.raises(ValueError):
        replay(nyc, step=0)
