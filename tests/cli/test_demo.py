"""civicly seed-demo: one unit of work that says what it added, and files demo cases once."""
from sqlmodel import Session, func, select

from civicly.cli.demo import seed_demo
from civicly.models import Case, Department, Holiday


def test_seed_demo_prints_counts_and_its_data_outlives_the_command(app, runner):
    result = runner.invoke(seed_demo, ["--cases", "8"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        "Demo ministries: 17 added, 0 already present.",
        "Demo deadlines: 4 service levels and 9 holidays added.",
        "Demo cases: 8 filed.",
        "Demo reply templates: 8 added.",
    ]
    assert lines[4].startswith("Demo supervisor of SANTE: supervisor.sante@demo.civicly.example, password ")
    assert len(lines) == 5
    assert "Demo cases: already loaded." in runner.invoke(seed_demo, ["--cases", "8"]).output
    with Session(app.extensions["civicly.engine"]) as fresh:
        assert fresh.exec(select(func.count()).select_from(Department)).one() == 17
        assert fresh.exec(select(func.count()).select_from(Holiday)).one() == 9
        assert fresh.exec(select(func.count()).select_from(Case)).one() == 8
