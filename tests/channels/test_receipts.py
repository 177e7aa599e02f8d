"""A receipt fits one SMS in every language: 160 GSM-7 characters (checked with the gsm0338 codec, whose escaped
characters count twice), or 70 UCS-2 characters for Arabic."""
import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
import pytest

from civicly.languages import LANGUAGES
from civicly.references import new_reference
from civicly.sms import texts

GSM7_MAX, UCS2_MAX = 160, 70


def fits_one_sms(text: str) -> bool:
    try:
        return len(text.encode("gsm03.38")) <= GSM7_MAX
    except UnicodeEncodeError:  # outside GSM-7: the whole SMS is UCS-2
        return len(text.encode("utf-16-be")) // 2 <= UCS2_MAX


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_receipt_fits_one_sms_in_every_language(app, locale):
    with app.app_context():
        receipt = texts.receipt(new_reference(), locale)
    assert fits_one_sms(receipt), (locale, receipt)
    if locale == "ar":
        assert len(receipt) <= UCS2_MAX
    else:  # Latin scripts: GSM-7, so the citizen pays for one SMS, not three
        assert len(receipt.encode("gsm03.38")) <= GSM7_MAX


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_receipt_is_translated_and_carries_the_reference(app, locale):
    reference = new_reference()
    with app.app_context():
        receipt = texts.receipt(reference, locale)
        english = texts.receipt(reference, "en")
    assert reference in receipt
    assert (receipt == english) == (locale == "en")


def _reopening_answers(reference: str, locale: str) -> list[str]:
    return [texts.reopened(reference, locale), texts.reopen_reason_needed(reference, locale),
            texts.reopen_not_yours(locale), texts.reopen_still_open(reference, locale),
            texts.reopen_too_late(reference, 30, locale), texts.reopen_noted(reference, locale)]


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_reopening_answers_fit_one_sms_and_are_translated(app, locale):
    reference = new_reference()
    with app.app_context():
        answers = _reopening_answers(reference, locale)
        english = _reopening_answers(reference, "en")
    for answer, in_english in zip(answers, english, strict=True):
        assert fits_one_sms(answer), (locale, answer)
        assert (answer == in_english) == (locale == "en"), answer
        if locale != "ar":
            answer.encode("gsm03.38")  # Latin scripts stay in GSM-7: one SMS, not three
