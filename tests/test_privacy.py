"""privacy.redact: e-mails, phone numbers and identity numbers disappear from free text."""
import pytest

from civicly.privacy import redact


@pytest.mark.parametrize("text, secret", [
    ("write to fatou.sow@gouv.sn please", "fatou.sow@gouv.sn"),
    ("my number is +254 712 345 678", "712 345 678"),
    ("appelez le 77 123 45 67", "77 123 45 67"),
    ("numéro 0612345678 en France", "0612345678"),
    ("CNI 1234567890123", "1234567890123"),
    ("CIN AB123456 au Maroc", "AB123456"),
])
def test_personal_data_is_redacted(text, secret):
    assert secret not in redact(text)


def test_ordinary_text_and_small_numbers_are_kept():
    text = "Road 12 has 3 potholes since 2024, near school number 5."
    assert redact(text) == text
