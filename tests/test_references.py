"""Case references: readable, unguessable, forgiving when typed."""
from civicly.references import ALPHABET, GROUP_LEN, GROUPS, PATTERN, new_reference, normalise_reference


def test_references_have_at_least_40_random_bits_and_match_the_pattern():
    assert len(ALPHABET) ** (GROUPS * GROUP_LEN) >= 2 ** 40
    refs = {new_reference() for _ in range(2000)}
    assert len(refs) == 2000
    assert all(PATTERN.match(r) for r in refs)


def test_ambiguous_letters_are_read_as_digits():
    assert normalise_reference("civ-7k3f-9qxo") == "CIV-7K3F-9QX0"
    assert normalise_reference("7K3F 9QXI") == "CIV-7K3F-9QX1"
    assert normalise_reference("CIV-7K3F") is None
