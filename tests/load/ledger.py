"""What the database holds after a run, checked against what the clients were told."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import create_engine, text

from tests.load.traffic import Tally


def stored_cases(database_url: str, run_id: str) -> dict[str, tuple[int, int]]:
    """form_token -> (cases with it, 'submitted' events of those cases), for this run's cases only."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT c.form_token, count(DISTINCT c.id), count(e.id) FROM cases c "
                "LEFT JOIN events e ON e.case_id = c.id AND e.kind = 'submitted' "
                "WHERE c.text LIKE :run GROUP BY c.form_token"), {"run": f"{run_id} %"}).all()
    finally:
        engine.dispose()
    return {form_token: (cases, events) for form_token, cases, events in rows}


def assert_acknowledged_exactly_once(database_url: str, run_id: str, tally: Tally,
                                     report: Callable[[str], None]) -> None:
    """Every 303 is stored once with its one 'submitted' event; nothing stored was left unacknowledged; no 5xx."""
    stored = stored_cases(database_url, run_id)
    report(tally.figures(stored=sum(cases for cases, _ in stored.values())))
    assert tally.acknowledged, "no submission was acknowledged"
    assert tally.server_errors == 0, f"server errors: {tally.statuses}"
    not_once = {token: counts for token, counts in stored.items() if counts != (1, 1)}
    assert not not_once, f"(cases, submitted events) per form token, expected (1, 1): {not_once}"
    assert tally.acknowledged - stored.keys() == set(), "acknowledged but not stored"
    assert stored.keys() - tally.acknowledged == set(), "stored but never acknowledged (a citizen would not know)"
    assert tally.given_up == 0
