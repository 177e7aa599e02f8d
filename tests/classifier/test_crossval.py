from classifier.crossval import format_repeats


def _run(ours: tuple[float, float], strong: tuple[float, float], top1: tuple[float, float] | None = None,
         routed: tuple[float, float | None] = (0.5, 0.96)) -> dict:
    def scores(pair):
        return {"macro_f1": pair[0], "accuracy": pair[1]}

    auto = {"auto_route_share": routed[0], "auto_route_accuracy": routed[1], "expected_calibration_error": 0.03}
    served = scores(ours) | auto | {"top1_every_text": scores(top1 or ours), "per_language": {"fr": auto}}
    return {"file": "data/x.csv", "models": {"TriageModel": served, "strong baseline": scores(strong)}}


def test_repeats_compare_the_models_assignment_by_assignment():
    # The models' ranges overlap, but ours is ahead on two of three assignments' macro-F1.
    runs = [_run((0.70, 0.80), (0.65, 0.81)), _run((0.76, 0.82), (0.74, 0.80)), _run((0.72, 0.79), (0.73, 0.79))]

    text = format_repeats(runs)

    assert "3 fold assignments" in text
    assert "TriageModel      macro_f1  0.727 (0.700–0.760)" in text
    assert "ours − strong baseline, macro_f1: +0.020 (-0.010 to +0.050), ahead on 2 of 3" in text
    assert "ours − strong baseline, accuracy: +0.003 (-0.010 to +0.020), ahead on 1 of 3" in text


def test_repeats_also_compare_the_top1_of_every_text():
    # As served, the texts ours refused to read count as errors; its top-1 reads them all.
    runs = [_run((0.60, 0.90), (0.62, 0.95), top1=(0.64, 0.97)), _run((0.61, 0.91), (0.60, 0.96), top1=(0.63, 0.98))]

    text = format_repeats(runs)

    assert "ours − strong baseline, accuracy: -0.050 (-0.050 to -0.050), ahead on 0 of 2" in text
    assert "ours, top-1 − strong baseline, accuracy: +0.020 (+0.020 to +0.020), ahead on 2 of 2" in text
    assert "ours, top-1 − strong baseline, macro_f1: +0.025 (+0.020 to +0.030), ahead on 2 of 2" in text


def test_repeats_report_the_auto_routed_share_of_the_worst_assignment():
    runs = [_run((0.7, 0.8), (0.6, 0.7), routed=(0.40, 0.97)), _run((0.7, 0.8), (0.6, 0.7), routed=(0.30, 0.95)),
            _run((0.7, 0.8), (0.6, 0.7), routed=(0.0, None))]

    text = format_repeats(runs)

    assert ("ours, fr: auto-routed 23.3% at 96.0% (mean); worst assignment 30.0% at 95.0%; "
            "routed on 2 of 3 assignments; ECE 0.030") in text
