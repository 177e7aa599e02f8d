"""Offline language detection with py3langid, restricted to languages citizens are likely to write in."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "sw")

# Detection among all ~100 langid languages misfires on short text (English menus read as
# Luganda or Latin); among the supported languages only it would call Wolof or Hausa
# French. So: the supported languages, the regional languages we must recognise as
# *unsupported*, and the main world languages.
_CANDIDATES = SUPPORTED_LANGUAGES + (
    "ary", "arz",  # Moroccan and Egyptian Arabic, reported as "ar"
    "am", "ha", "yo", "ig", "fuv", "kab", "om", "so", "rw", "lg", "ln", "sn", "zu", "xh", "mg", "kik",
    "de", "es", "it", "pt", "nl", "tr", "fa", "ur", "ru", "zh", "hi", "id", "ht", "pcm",
)
_ALIASES = {"ary": "ar", "arz": "ar"}
# Below this normalised probability langid is guessing; we then report no language.
MIN_CONFIDENCE = 0.5
# The opening of a letter tells its language as well as the whole of it, at a fraction of the cost.
DETECTION_CHARS = 1000


@dataclass(frozen=True)
class LanguageGuess:
    """ISO 639-1 code (None when unsure), langid's normalised probability, and whether we support it."""

    code: str | None
    confidence: float
    supported: bool


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in _CANDIDATES if code in identifier.nb_classes])
    identifier._full_model = None  # the weights of all ~100 languages (28 MB per worker), no longer needed
    return identifier


def detect_language(text: str) -> LanguageGuess:
    """Guess the language of one text; never raises, returns code None for empty or ambiguous text."""
    if not text or not text.strip():
        return LanguageGuess(None, 0.0, False)
    code, probability = _identifier().classify(text[:DETECTION_CHARS])
    code = _ALIASES.get(code, code)
    if probability < MIN_CONFIDENCE:
        return LanguageGuess(None, float(probability), False)
    return LanguageGuess(code, float(probability), code in SUPPORTED_LANGUAGES)
