"""Administrative commands and downloads leave an entry in the administration audit: who, what, on what, with the
before and after values, and never a key."""
from datetime import date

from sqlmodel import select

from civicly.cli.apikeys import apikeys
from civicly.cli.deadlines import holidays, sla
from civicly.cli.departments import departments
from civicly.cli.export import export
from civicly.models import AdminAction
from civicly.triage import admin_audit


def entries(committed, prefix: str) -> list[AdminAction]:
    return [entry for entry in committed(select(AdminAction).order_by(AdminAction.id))
            if entry.action.startswith(prefix)]


def test_api_key_creation_and_revocation_are_audited_without_the_key(runner, seeded, committed):
    secret = runner.invoke(apikeys, ["create", "FixMyStreet"]).output.strip().splitlines()[-1]
    assert runner.invoke(apikeys, ["revoke", "FixMyStreet"]).exit_code == 0
    created, revoked = entries(committed, "apikey.")
    assert (created.action, created.target, created.actor) == ("apikey.create", "FixMyStreet", admin_audit.cli_actor())
    assert revoked.action == "apikey.revoke" and created.details == revoked.details == {"prefix": secret[:12]}
    assert created.address == "cli" and secret not in str(created.details)


def test_ministry_changes_are_audited_with_before_and_after(runner, seeded, committed):
    runner.invoke(departments, ["add", "EAU", "--name-fr", "Hydraulique"])
    runner.invoke(departments, ["rename", "EAU", "--name-fr", "Eau et assainissement"])
    runner.invoke(departments, ["deactivate", "EAU"])
    assert runner.invoke(departments, ["rename", "NOPE", "--name-fr", "X"]).exit_code == 1
    added, renamed, deactivated = entries(committed, "department.")
    assert (added.action, added.target, added.details) == ("department.add", "EAU", {"names": {"fr": "Hydraulique"}})
    assert renamed.details == {"before": {"fr": "Hydraulique"}, "after": {"fr": "Eau et assainissement"}}
    assert deactivated.action == "department.deactivate" and deactivated.details["after"] == {"active": False}


def test_service_levels_and_holidays_are_audited(runner, seeded, committed):
    runner.invoke(sla, ["set", "sante", "--urgency", "high", "--days", "3"])
    runner.invoke(sla, ["set", "SANTE", "--urgency", "high", "--days", "5", "--calendar"])
    runner.invoke(holidays, ["add", "2026-04-04", "Independence Day"])
    first, changed = entries(committed, "sla.")
    assert first.target == changed.target == "SANTE/high" and first.details["before"] is None
    assert changed.details == {"before": {"days": 3, "working_days": True},
                               "after": {"days": 5, "working_days": False}}
    [holiday] = entries(committed, "holiday.")
    assert (holiday.target, holiday.details) == (date(2026, 4, 4).isoformat(),
                                                 {"before": None, "after": "Independence Day"})


def test_exports_from_the_command_line_are_audited(runner, seeded, committed, tmp_path):
    target = tmp_path / "cases.jsonl"
    assert runner.invoke(export, ["cases", "--ministry", "SANTE", "--from", "2020-01-01", "--format", "jsonl",
                                  "-o", str(target)]).exit_code == 0
    assert runner.invoke(export, ["open-data"]).exit_code == 0
    cases, open_data = entries(committed, "export.")
    assert (cases.action, cases.target) == ("export.cases", "SANTE")
    assert cases.details == {"format": "jsonl", "start": "2020-01-01", "end": None, "rows": 0, "destination": "file"}
    assert (open_data.action, open_data.target, open_data.details["destination"]) == ("export.open_data", "*",
                                                                                      "stdout")


def test_downloads_from_the_dashboard_are_audited_with_the_officer(client, seeded, make_user, login_as, committed):
    make_user("ali@education.gouv.sn", "officer", ["EDUCATION"])
    login_as("ali@education.gouv.sn")
    assert client.get("/admin/exports/cases?format=csv&ministry=EDUCATION").status_code == 200
    assert client.get("/admin/exports/cases?ministry=SANTE").status_code == 404
    [download] = entries(committed, "export.")
    assert (download.actor, download.action, download.target) == ("ali@education.gouv.sn", "export.cases", "EDUCATION")
    assert download.details["destination"] == "download" and download.address == "127.0.0.1"
