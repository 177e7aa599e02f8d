"""Text normalisation shared by training and prediction, so both see the same characters."""
from __future__ import annotations

import re
import unicodedata

# Arabic: short vowels and other diacritics are usually omitted by writers, and the
# same word is spelt with several alef / yeh / teh marbuta forms.
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
# Redaction masks such as the CFPB's "XXXX" or "{$00.00}" carry no topic.
_REDACTION = re.compile(r"\b[xX]{2,}\b|\{\$[\d.,]*\}")
# The marks Civicly's own redaction leaves ("[email]", "[phone]"…, civicly/privacy.py) carry no topic either, and
# only redacted texts carry them: read, they would tell training rows from officers' reviewed rows, not ministries.
_PRIVACY_MARKS = re.compile(r"\[(?:email|phone|id|iban|name|address)\]")
_DIGIT = re.compile(r"\d")
WORD_PATTERN = re.compile(r"(?u)\b\w\w+\b")


def without_marks(text: str) -> str:
    """The text without Civicly's redaction marks, so a redacted and an unredacted copy read the same."""
    return " ".join(_PRIVACY_MARKS.sub(" ", text).split()) if "[" in text else text


def normalise(text: str) -> str:
    """Fold the variation that does not change meaning: case, Unicode forms, Arabic spelling, digits, privacy marks."""
    text = without_marks(unicodedata.normalize("NFKC", text))
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    text = _REDACTION.sub(" ", text)
    text = _DIGIT.sub("0", text)
    return " ".join(text.casefold().split())


def normalise_all(texts) -> list[str]:
    """`normalise` over a batch: the first step of the routing pipeline, so it runs once per text."""
    return [normalise(str(text)) for text in texts]


# Function words ("the", "les", "في", "na") tell the language, not the topic: they are left out
# of the routing features (`content_words`) and so never appear among the reasons.
FUNCTION_WORDS = frozenset(
    """a about after all also am an and any are as at be been but by can could did do does for from had has
    have he her his how i if in into is it its me my no not of on or our she so than that the their them
    then there these they this to too up us was we were what when which who will with would you your
    au aux avec ce ces cet cette dans de des du elle en est et il ils je la le les leur lui ma mais me
    mes mon ne nous on ou où par pas pour qu que qui sa se ses son sont sur ta te tes ton tu un une vos
    votre vous été être avoir ont fait plus
    na ya wa kwa za la katika ni kwamba hiyo hilo huo hii hizo ambao ambayo ambaye pia lakini au kama
    kuwa ili tu sana hivyo baada kabla bado hata yake wake zake wao sisi
    في من علي الي عن ان هذا هذه ذلك التي الذي التي هو هي كان كانت مع او ثم قد لا ما لم لن كل بعد قبل عند
    """.split()
)

_SURROUNDING_MARKS = ".,;:!?()[]\"'«»"  # stripped before a word is looked up


def content_words(normalised: str) -> str:
    """A normalised text without its function words. Where the only prose in one language comes
    from one ministry (the demo data's English letters are all consumer finance), function words
    would route every letter in that language to it: with them, letters about water, police or
    rubbish were auto-routed to the finance ministry; without them, to sensible ministries."""
    return " ".join(word for word in normalised.split() if word.strip(_SURROUNDING_MARKS) not in FUNCTION_WORDS)
