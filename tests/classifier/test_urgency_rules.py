import pytest

from classifier import assess_urgency


@pytest.mark.parametrize("text, level, concern", [
    ("There is a fire in the building next to the school", "high", "fire"),
    ("Mon voisin a été agressé avec un couteau", "high", "violence"),
    ("الفيضانات غمرت الحي", "high", "flooding"),
    ("Hakuna maji katika kijiji chetu", "medium", "outage of water, power or heating"),
    ("Coupure de courant depuis hier", "medium", "outage of water, power or heating"),
])
def test_keywords_in_each_language_set_the_level_and_give_the_reason(text, level, concern):
    assessment = assess_urgency(text)
    assert assessment.level == level
    assert any(reason.startswith(concern) for reason in assessment.reasons)


def test_no_keyword_gives_the_stated_default():
    assessment = assess_urgency("I would like to know the opening hours of the library")
    assert assessment.level == "low"
    assert assessment.reasons == ["no urgency keyword found (rule default)"]


def test_keywords_match_whole_words_only():
    assert assess_urgency("The fireplace permit form").level == "low"
