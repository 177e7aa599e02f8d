"""What every piece of text a person typed goes through before it is checked or stored (intake, file names)."""
import re
import unicodedata

# Characters that are never part of text a person typed: NUL and the other C0 controls except tab and newlines.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """Unicode-normalised (NFC), without control characters or surrounding white space."""
    if not value:
        return ""
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become U+FFFD
    return CONTROL_CHARS.sub("", unicodedata.normalize("NFC", value)).strip()
