"""classifier.text: what training and serving both read of a text."""
from classifier.text import normalise, without_marks


def test_redaction_marks_read_as_nothing():
    redacted = "Appelez-moi au [phone] ou écrivez à [email] : le centre de santé de [address] n'a plus de médecin."
    plain = "Appelez-moi au ou écrivez à : le centre de santé de n'a plus de médecin."
    assert normalise(redacted) == normalise(plain)
    assert "[" not in without_marks("[name], [id], [iban] et [email]").replace("et", "")


def test_brackets_that_are_not_marks_are_kept():
    assert without_marks("Voir [annexe 2]") == "Voir [annexe 2]"
