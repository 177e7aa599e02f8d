"""The civicly command: ministries as data."""
from civicly.cli.demo import seed_demo
from civicly.cli.departments import departments


def test_seed_demo_is_idempotent_and_lists_codes_first(runner, session):
    assert "17 added" in runner.invoke(seed_demo).output
    assert "0 added" in runner.invoke(seed_demo).output
    lines = runner.invoke(departments, ["list"]).output.splitlines()
    assert len(lines) == 17
    assert lines[0].split("\t")[0] == "AFFETR"
    assert any(line.startswith("SANTE\tSanté et prévention | Health and Prevention") for line in lines)


def test_add_rename_and_deactivate_a_ministry(runner, session):
    result = runner.invoke(departments, ["add", "eau", "--name-fr", "Hydraulique", "--name-en", "Water"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(departments, ["add", "EAU", "--name-fr", "Autre"]).exit_code == 1
    assert runner.invoke(departments, ["rename", "EAU", "--name-fr", "Eau et assainissement"]).exit_code == 0
    assert runner.invoke(departments, ["deactivate", "EAU"]).exit_code == 0
    listing = runner.invoke(departments, ["list"]).output
    assert "EAU\tEau et assainissement | Water\tinactive" in listing


def test_unknown_ministry_is_a_clear_error(runner, session):
    result = runner.invoke(departments, ["rename", "NOPE", "--name-fr", "X"])
    assert result.exit_code == 1 and "No ministry has code NOPE" in result.output
