from classifier import TriageModel


def test_elided_function_words_are_not_reasons(trained_model):
    # "n'a" and "qu'il" count in the char features, but tell an officer nothing as reasons.
    reasons = trained_model.predict(["Le centre de santé n'a plus de médecin depuis qu'il est parti"])[0].reasons
    assert "médecin" in reasons
    assert not {"n'a", "qu'il"} & set(reasons)


def test_numbers_are_not_reasons():
    # Digits are folded to 0 in the features: "00,000" as a reason would tell an officer nothing.
    loans = [f"loan of {n} shillings refused by the bank" for n in range(1000, 1040, 3)]
    harvest = [f"harvest of {n} bags of maize lost to drought" for n in range(10, 50, 3)]
    model = TriageModel(cv=2).fit(loans + harvest, ["ECOFIN"] * len(loans) + ["AGRICULTURE"] * len(harvest))
    prediction = model.predict(["a loan of 25,000 shillings"])[0]
    assert prediction.department == "ECOFIN"
    assert prediction.reasons and not any(reason.replace(",", "").isdigit() for reason in prediction.reasons)
