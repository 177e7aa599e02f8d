"""Case references: readable, unguessable, forgiving when typed."""
import pytest
from sqlmodel import select

from civicly.errors import UnknownReference
from civicly.models import SatisfactionAnswer
from civicly.references import (
    ALPHABET,
    GROUP_LEN,
    GROUPS,
    PATTERN,
    case_by_reference,
    new_reference,
    normalise_reference,
)
from civicly.triage import apikeys
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from civicly.triage.retention import export_personal_data
from tests.conftest import ACTOR, csrf_token, file_case


def test_references_have_at_least_40_random_bits_and_match_the_pattern():
    assert len(ALPHABET) ** (GROUPS * GROUP_LEN) >= 2 ** 40
    refs = {new_reference() for _ in range(2000)}
    assert len(refs) == 2000
    assert all(PATTERN.match(r) for r in refs)


def test_ambiguous_letters_are_read_as_digits():
    assert normalise_reference("civ-7k3f-9qxo") == "CIV-7K3F-9QX0"
    assert normalise_reference("7K3F 9QXI") == "CIV-7K3F-9QX1"
    assert normalise_reference("CIV-7K3F") is None


def typed_loosely(reference: str) -> str:
    """How a person reads a reference back: lower case, no dashes, O for 0."""
    return reference.lower().replace("-", "").replace("0", "o")


def test_a_case_is_found_by_its_reference_however_typed(seeded):
    case = file_case(seeded)
    assert case_by_reference(seeded, typed_loosely(case.reference)).id == case.id
    for typed in (None, "", "CIV-0000-0000", "nonsense"):
        with pytest.raises(UnknownReference):
            case_by_reference(seeded, typed)


def test_every_door_that_takes_a_reference_reads_it_the_same_way(client, seeded, make_user, login_as):
    officer = make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    partner = apikeys.create_key(seeded, "Partner", actor=ACTOR)
    seeded.commit()
    case = file_case(seeded, filed_by_key_id=partner.record.id)
    decide(seeded, Actor.of(seeded, officer), case.reference, Decision("status", 1, status="resolved"))
    seeded.commit()
    typed = typed_loosely(case.reference)

    assert client.get("/track", query_string={"reference": typed}).headers["Location"] == f"/track/{case.reference}"
    assert client.get(f"/track/{typed}").headers["Location"] == f"/track/{case.reference}"
    api = client.get(f"/open311/v2/requests/{typed}.json", headers={"X-Api-Key": partner.secret}).get_json()
    assert [r["service_request_id"] for r in api] == [case.reference]  # for the partner that filed it only
    assert client.get(f"/open311/v2/requests/{typed}.json").status_code == 404
    token = csrf_token(client.get(f"/track/{case.reference}").get_data(as_text=True))
    assert client.post(f"/track/{typed}/satisfaction", data={"csrf_token": token, "answered": "yes"}).status_code == 303
    assert seeded.exec(select(SatisfactionAnswer).where(SatisfactionAnswer.case_id == case.id)).one()
    assert export_personal_data(seeded, typed, "cli:test")["reference"] == case.reference
    seeded.commit()  # the export is audited: end that write before the next request writes
    login_as("awa@sante.gouv.sn")
    assert case.reference in client.get(f"/officer/cases/{typed}").get_data(as_text=True)
