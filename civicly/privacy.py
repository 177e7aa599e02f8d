"""Finding and redacting personal data in free text. Pure functions, no I/O.

Used wherever text leaves the case page: queue previews, exports, training data and logs.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

DEFAULT_REGIONS = ("SN", "ML", "MA", "KE", "FR")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# National identity numbers: long digit runs (Senegal CNI 13, Kenya ID 7-8, Mali NINA 15) and Moroccan CIN
# (letters+digits).
ID_NUMBER = re.compile(r"\b(?:[A-Z]{1,2}\d{5,8}|\d{7,20})\b")
PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d .\-()/]{6,}\d")

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
ID_MARK = "[id]"


def redact(text: str, regions: Iterable[str] = DEFAULT_REGIONS) -> str:
    """Replace e-mail addresses, phone numbers and identity numbers with neutral marks."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = _redact_phones(text, tuple(regions))
    return ID_NUMBER.sub(ID_MARK, text)


def contains_personal_data(text: str, regions: Iterable[str] = DEFAULT_REGIONS) -> bool:
    return redact(text, regions) != text


def _redact_phones(text: str, regions: tuple[str, ...]) -> str:
    spans: list[tuple[int, int]] = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            spans.append((match.start, match.end))
    for match in PHONE_CANDIDATE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 8:
            spans.append(match.span())
    for start, end in sorted(_merge(spans), reverse=True):
        text = text[:start] + PHONE_MARK + text[end:]
    return text


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
