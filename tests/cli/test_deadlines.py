"""``civicly sla`` and ``civicly holidays`` manage deadlines as data."""
from civicly.cli.deadlines import holidays, sla


def test_sla_set_and_list(runner, seeded):
    assert runner.invoke(sla, ["set", "*", "--urgency", "high", "--days", "2"]).exit_code == 0
    assert runner.invoke(sla, ["set", "sante", "--days", "20", "--calendar"]).exit_code == 0
    listed = runner.invoke(sla, ["list"]).output.splitlines()
    assert listed == ["*\thigh\t2\tworking days", "SANTE\t*\t20\tcalendar days"]
    refused = runner.invoke(sla, ["set", "NOPE", "--days", "2"])
    assert refused.exit_code == 1 and "no ministry has code NOPE" in refused.output


def test_holidays_add_and_list(runner, seeded):
    assert runner.invoke(holidays, ["add", "2026-04-04", "Independence Day"]).exit_code == 0
    assert runner.invoke(holidays, ["add", "2027-01-01", "New Year"]).exit_code == 0
    assert runner.invoke(holidays, ["list", "--year", "2026"]).output == "2026-04-04\tIndependence Day\n"
    assert runner.invoke(holidays, ["add", "04/04/2026", "x"]).exit_code == 2
