"""``civicly export``: reporting rows and open data; open data never carries an e-mail address or a phone number."""
import csv
import io
import json
import re

from civicly.cli.export import export
from civicly.models import Role
from civicly.triage import publication
from civicly.triage.permissions import Actor
from tests.conftest import file_case

MODERATOR = Actor(user_id=1, email="moderator@gouv.sn", role=Role.admin, department_ids=frozenset())

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+?\d[\d .\-()]{6,}\d")


def test_open_data_contains_no_email_or_phone(runner, seeded, tmp_path):
    shown = file_case(seeded, "Call me on +221 77 123 45 67 or write to awa.ndiaye@example.sn: no doctor in Kaolack",
                      email="awa.ndiaye@example.sn", phone="+221 77 123 45 67", place="12 rue Carnot, 77 123 45 67",
                      latitude=14.151234, longitude=-16.072345, publish_consent=True)
    publication.approve(seeded, MODERATOR, shown.reference, shown.text)  # as typed: the export redacts it again
    seeded.commit()
    hidden = file_case(seeded, "Mon numéro est le 00221 76 555 44 33, la route de Tambacounda est coupée",
                       department="TERRITOIRES")
    for fmt in ("csv", "jsonl"):
        target = tmp_path / f"open.{fmt}"
        result = runner.invoke(export, ["open-data", "--format", fmt, "--output", str(target)])
        assert result.exit_code == 0, result.output
        body = target.read_text(encoding="utf-8")
        assert not EMAIL.search(body), body
        for number in ("77 123 45 67", "76 555 44 33", "771234567"):
            assert number not in body
        rows = (list(csv.DictReader(io.StringIO(body))) if fmt == "csv"
                else [json.loads(line) for line in body.splitlines()])
        for row in rows:  # free-text fields only: dates elsewhere are digits too
            assert not PHONE.search(row["text"] or "") and not PHONE.search(row["place"] or ""), row
    first, second = [json.loads(line) for line in (tmp_path / "open.jsonl").read_text().splitlines()]
    assert first["latitude"] == 14.151 and first["longitude"] == -16.072 and first["place"] is None
    assert "contact_email" not in first and "[phone]" in first["text"] and "[email]" in first["text"]
    assert first["public_id"] == shown.public_id and "reference" not in first
    assert (second["public_id"], second["text"]) == (None, None)  # not published: counted, never quoted
    body = (tmp_path / "open.jsonl").read_text() + (tmp_path / "open.csv").read_text()
    assert shown.reference not in body and hidden.reference not in body and "Tambacounda" not in body


def test_case_export_filters_by_ministry_and_dates_and_defuses_formulas(runner, seeded):
    file_case(seeded, "=HYPERLINK(\"http://evil.example\") the clinic door is broken")
    file_case(seeded, "The school in Thies has no teacher of mathematics", department="EDUCATION")
    result = runner.invoke(export, ["cases", "--ministry", "SANTE", "--from", "2020-01-01"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["ministry"] for r in rows] == ["SANTE"] and rows[0]["text"].startswith("'=")
    assert runner.invoke(export, ["cases", "--to", "2020-01-01"]).stdout.count("\n") == 1  # the header only
    assert runner.invoke(export, ["cases", "--ministry", "NOPE"]).exit_code == 1


def test_open_data_hides_names_street_addresses_and_accounts_but_keeps_the_town(runner, seeded):
    case = file_case(seeded, "Je suis Fatou Diop, remboursez sur SN08 SN01 0015 2000 0485 0000 3035: la pharmacie de "
                     "l'avenue Cheikh Anta Diop à Kaolack est fermée", place="12 rue Carnot, Kaolack",
                     publish_consent=True)
    publication.approve(seeded, MODERATOR, case.reference, case.text)  # as typed: the export redacts it again
    seeded.commit()
    result = runner.invoke(export, ["open-data", "--format", "jsonl"])
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["text"] == "Je suis [name], remboursez sur [iban]: la pharmacie de l'[address] à Kaolack est fermée"
    assert row["place"] == "Kaolack"
