"""Every command that writes is one unit of work: its changes are committed when it succeeds (services only flush),
and nothing of them remains when it fails."""
import click
from sqlmodel import select

from civicly.cli.apikeys import apikeys
from civicly.cli.base import CommandGroup
from civicly.cli.deadlines import holidays, sla
from civicly.cli.departments import departments
from civicly.cli.privacy import privacy
from civicly.cli.users import users
from civicly.cli.worker import outbox
from civicly.db import get_session
from civicly.models import ApiKey, Case, Department, Holiday, OutboxMessage, ServiceLevel, User
from civicly.models.timestamps import utcnow
from tests.conftest import PASSWORD, file_case


def test_a_failing_command_leaves_nothing_of_what_it_flushed(runner, committed):
    group = CommandGroup("scratch")

    @group.command("half")
    def half() -> None:
        get_session().add(Department(code="EAU", name_fr="Hydraulique"))
        get_session().flush()  # as a service does
        raise click.ClickException("stopped halfway")

    result = runner.invoke(group, ["half"])
    assert result.exit_code == 1 and "stopped halfway" in result.output
    assert committed(select(Department)) == []


def test_ministries_and_accounts_outlive_their_commands(runner, seeded, committed):
    assert runner.invoke(departments, ["add", "EAU", "--name-fr", "Hydraulique"]).exit_code == 0
    assert [d.code for d in committed(select(Department).where(Department.code == "EAU"))] == ["EAU"]
    created = runner.invoke(users, ["create", "awa@sante.gouv.sn", "--department", "SANTE", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert [u.email for u in committed(select(User))] == ["awa@sante.gouv.sn"]


def test_keys_deadlines_and_holidays_outlive_their_commands(runner, seeded, committed):
    assert runner.invoke(apikeys, ["create", "FixMyStreet"]).exit_code == 0
    assert [k.name for k in committed(select(ApiKey))] == ["FixMyStreet"]
    assert runner.invoke(sla, ["set", "SANTE", "--days", "20"]).exit_code == 0
    assert [level.days for level in committed(select(ServiceLevel))] == [20]
    assert runner.invoke(holidays, ["add", "2026-04-04", "Independence Day"]).exit_code == 0
    assert [h.name for h in committed(select(Holiday))] == ["Independence Day"]


def test_a_purge_and_a_retried_letter_outlive_their_commands(runner, seeded, committed):
    case = file_case(seeded, email="old@example.sn")
    case.status, case.updated_at = "resolved", utcnow().replace(year=2000)
    seeded.add(case)
    recent = file_case(seeded, email="recent@example.sn")
    letter = seeded.exec(select(OutboxMessage).where(OutboxMessage.case_id == recent.id,
                                                     OutboxMessage.kind == "acknowledgement")).one()
    letter.status = "dead"
    seeded.add(letter)
    seeded.commit()
    assert runner.invoke(privacy, ["purge"]).exit_code == 0
    assert committed(select(Case.contact_email).where(Case.id == case.id)) == [None]
    assert committed(select(OutboxMessage).where(OutboxMessage.case_id == case.id)) == []  # the purge took them
    assert runner.invoke(outbox, ["retry", str(letter.id)]).exit_code == 0
    assert committed(select(OutboxMessage.status).where(OutboxMessage.id == letter.id)) == ["pending"]
