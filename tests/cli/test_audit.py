"""``civicly audit``: the administration audit read newest first, filtered, and exported (which is audited too)."""
import csv
import io
import json

from sqlmodel import select

from civicly.cli.audit import audit
from civicly.models import AdminAction
from civicly.triage import admin_audit


def record_some(session) -> None:
    """Three entries, oldest first, by two actors."""
    admin_audit.record(session, "root@gov.sn", "department.add", "EAU", names={"fr": "Eau"})
    admin_audit.record(session, "cli:ops", "model.train", "20260101-000000-aaaaaa", macro_f1=0.8)
    admin_audit.record(session, "cli:ops", "model.promote", "=HYPERLINK(\"x\")", previous=None)
    session.commit()


def test_list_is_newest_first_and_filters_by_family_action_actor_and_limit(runner, seeded):
    record_some(seeded)
    lines = runner.invoke(audit, ["list"]).output.splitlines()
    assert [line.split("\t")[3] for line in lines] == ["model.promote", "model.train", "department.add"]
    assert lines[2].split("\t")[1:3] == ["root@gov.sn", "cli"] and lines[2].endswith('{"names": {"fr": "Eau"}}')
    assert len(runner.invoke(audit, ["list", "--action", "model"]).output.splitlines()) == 2
    assert len(runner.invoke(audit, ["list", "--action", "model.train"]).output.splitlines()) == 1
    assert runner.invoke(audit, ["list", "--actor", "root@gov.sn"]).output.count("\n") == 1
    assert "model.promote" in runner.invoke(audit, ["list", "--limit", "1"]).output.splitlines()[0]
    future = runner.invoke(audit, ["list", "--since", "2999-01-01"])
    assert future.exit_code == 0 and "No entries." in future.output
    assert runner.invoke(audit, ["list", "--since", "yesterday"]).exit_code == 2


def test_export_writes_csv_and_jsonl_and_is_itself_audited(runner, seeded, tmp_path, committed):
    record_some(seeded)
    result = runner.invoke(audit, ["export", "--format", "csv", "--action", "model.", "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 0 and "2 entries exported." in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))))
    assert [row["action"] for row in rows] == ["model.promote", "model.train"]
    assert rows[0]["target"].startswith("'=") and json.loads(rows[1]["details"]) == {"macro_f1": 0.8}
    assert runner.invoke(audit, ["export", "--format", "jsonl", "-o", str(tmp_path / "a.jsonl")]).exit_code == 0
    lines = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0]["action"] == "audit.export" and lines[-1]["details"] == {"names": {"fr": "Eau"}}
    exported = committed(select(AdminAction).where(AdminAction.action == "audit.export").order_by(AdminAction.id))
    assert [entry.details["rows"] for entry in exported] == [2, 4]
    assert exported[0].details["filters"] == {"since": None, "action": "model.", "actor": None}
    assert exported[0].details["destination"] == "file" and exported[0].actor == admin_audit.cli_actor()


def test_the_command_is_part_of_civicly():
    from civicly.cli import main

    assert "audit" in main.commands
