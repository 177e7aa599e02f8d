"""civicly privacy reredact: cases stored under older redaction rules are redacted again, their labels with them."""
from sqlmodel import select

from civicly.cli.privacy import privacy
from civicly.models import AdminAction, Case, Label, SatisfactionAnswer
from civicly.triage import reredaction
from tests.conftest import file_case

TEXT = "Naitwa Amina Hassan, KRA PIN A012345678Z, maji hayatoki Kisumu."
OLD_REDACTION = "Naitwa Amina Hassan, KRA PIN A[phone]Z, maji hayatoki Kisumu."  # what intake stored before
NEW_REDACTION = "Naitwa [name], KRA PIN [id], maji hayatoki Kisumu."


def stored_with_old_rules(session, text=TEXT, old=OLD_REDACTION):
    case = file_case(session, text)
    case.text_redacted = old
    session.add(case)
    session.add(Label(case_id=case.id, text=old, kind="confirm", decided_by="awa@sante.gouv.sn",
                      department_code="SANTE"))
    session.commit()
    return case


def test_reredact_applies_todays_rules_to_cases_labels_and_comments_once(runner, seeded):
    old = stored_with_old_rules(seeded)
    current = file_case(seeded, "Le centre de santé de Kaolack n'a plus de médecin.")
    seeded.add(SatisfactionAnswer(case_id=current.id, answered=False, comment="Merci. Je suis Awa Ndiaye."))
    seeded.commit()

    result = runner.invoke(privacy, ["reredact"])
    assert result.exit_code == 0, result.output
    assert "2 case(s) read: the redacted text of 1 changed, 1 training label(s) and 1 survey comment(s)" in (
        result.output)
    seeded.expire_all()
    case = seeded.get(Case, old.id)
    assert case.text_redacted == NEW_REDACTION and case.text == TEXT and case.version == 1
    assert seeded.exec(select(Label.text).where(Label.case_id == old.id)).one() == NEW_REDACTION
    assert seeded.exec(select(SatisfactionAnswer.comment)).one() == "Merci. Je suis [name]."
    entry = seeded.exec(select(AdminAction).where(AdminAction.action == "privacy.reredact")).one()
    assert entry.details["cases_changed"] == 1 and entry.actor.startswith("cli:")

    again = runner.invoke(privacy, ["reredact"])
    assert "the redacted text of 0 changed, 0 training label(s) and 0 survey comment(s)" in again.output


def test_every_case_is_read_across_batches(seeded):
    cases = [stored_with_old_rules(seeded) for _ in range(5)]
    done = reredaction.reredact(seeded, batch=2)
    seeded.commit()
    assert (done.cases_read, done.cases_changed, done.labels_changed) == (5, 5, 5)
    seeded.expire_all()
    assert {seeded.get(Case, c.id).text_redacted for c in cases} == {NEW_REDACTION}


def test_a_label_not_copied_from_the_cases_redacted_text_is_left_alone(seeded):
    case = stored_with_old_rules(seeded)
    seeded.add(Label(case_id=case.id, text="an earlier wording", kind="correct", decided_by="x@gov.sn",
                     department_code="EAU"))
    seeded.commit()
    assert reredaction.reredact(seeded).labels_changed == 1
    seeded.commit()
    assert "an earlier wording" in seeded.exec(select(Label.text).where(Label.case_id == case.id)).all()
