"""Phone numbers as the channels receive them ("+254712345678", "whatsapp:+221771234567"), stored in one form (E.164)
so a citizen's messages and cases are found again by their number."""
from __future__ import annotations

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"


def normalise_phone(raw: str | None) -> str | None:
    """``raw`` in E.164 (+ and digits), or None when it cannot be a phone number."""
    value = (raw or "").strip()
    if value.lower().startswith(WHATSAPP_PREFIX):
        value = value[len(WHATSAPP_PREFIX):]
    if not value.startswith("+") or len(value) > 40:
        return None  # providers always send the international form; a local number would be ambiguous
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
