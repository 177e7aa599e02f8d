"""Administrative areas: offered on the form in the configured country, found from a position or a place, used by
the queue filter, the dashboard (per area, with overdue cases) and the exports."""
import csv
import io
from datetime import timedelta

import pytest

from civicly import areas
from civicly.models.timestamps import utcnow
from civicly.triage import deadlines
from civicly.triage.dashboard import NO_AREA, Period, Scope, build
from civicly.triage.exports import ExportFilter, case_rows, open_data_rows
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, list_queue
from tests.conftest import file_case


@pytest.mark.parametrize("country, code, name", [("SN", "SN-KL", "Kaolack"), ("KE", "KE-17", "Kisumu"),
                                                 ("MA", "MA-06", "Casablanca-Settat"), ("ML", "ML-BKO", "Bamako")])
def test_each_countrys_first_level_areas_are_offered(country, code, name):
    assert areas.Area(code, name) in areas.areas(country, "fr")
    assert all(area.code.startswith(country + "-") for area in areas.areas(country, "en"))


def test_an_area_is_found_from_a_position_or_a_place_in_the_country_only():
    assert areas.area_at(14.152, -16.073, "SN") == "SN-KL"
    assert areas.area_at(-0.102, 34.762, "KE") == "KE-17"
    assert areas.area_at(-0.102, 34.762, "SN") is None  # Kisumu is not in Senegal
    assert areas.area_named("Marché central, Région de Kaolack", "SN") == "SN-KL"
    assert areas.area_named("Rue 12, Medina", "SN") is None


def test_the_form_offers_the_configured_countrys_areas(app, client):
    app.config["COUNTRY"] = "KE"
    page = client.get("/submit").get_data(as_text=True)
    assert '<option value="KE-17">Kisumu</option>' in page and "SN-KL" not in page


@pytest.fixture
def spread(seeded, make_user):
    deadlines.seed_demo_levels(seeded)
    late = file_case(seeded, "The Kaolack health post has no nurse at night.", area_code="SN-KL",
                     received_at=utcnow() - timedelta(days=40))
    in_time = file_case(seeded, "The health post roof in Kaolack leaks on patients.", area_code="SN-KL")
    thies = file_case(seeded, "No vaccines at the Thiès health centre this week.", area_code="SN-TH")
    unknown = file_case(seeded, "The clinic near the river has no drugs at all.")
    return Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"])), late, in_time, thies, unknown


def test_the_queue_filters_by_area(seeded, spread):
    officer, late, in_time, _thies, _unknown = spread
    rows = list_queue(seeded, officer, QueueFilters(area="SN-KL")).rows
    assert {r.reference for r in rows} == {late.reference, in_time.reference}
    assert {r.area_code for r in rows} == {"SN-KL"}


def test_the_queue_page_has_the_area_filter_and_column(seeded, spread, client, login_as):
    login_as("awa@sante.gouv.sn")
    page = client.get("/officer/queue?area=SN-TH").get_data(as_text=True)
    assert '<option selected value="SN-TH">' in page or '<option value="SN-TH" selected>' in page
    assert "Thiès" in page and spread[3].reference in page and spread[1].reference not in page


def test_the_dashboard_counts_cases_and_overdue_cases_per_area(seeded, spread, client, login_as):
    board = build(seeded, Scope(None), Period(utcnow().date() - timedelta(days=60), utcnow().date()))
    by_area = {a.area_code: a for a in board.areas}
    assert (by_area["SN-KL"].total, by_area["SN-KL"].overdue) == (2, 1)
    assert by_area["SN-TH"].total == 1 and by_area[NO_AREA].total == 1
    assert board.areas[-1].area_code == NO_AREA  # the unknown last
    login_as("awa@sante.gouv.sn")
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert 'id="areas"' in page and "Cases per area" in page and "<th scope=\"row\">Kaolack</th>" in page


def test_exports_include_the_area(seeded, spread):
    wanted = ExportFilter()
    assert {row["area"] for row in case_rows(seeded, Scope(None), wanted)} == {"SN-KL", "SN-TH", None}
    assert {row["area"] for row in open_data_rows(seeded, Scope(None), wanted)} == {"SN-KL", "SN-TH", None}
    out = io.StringIO()
    from civicly.triage.exports import OPEN_DATA_FIELDS, write

    write(open_data_rows(seeded, Scope(None), wanted), OPEN_DATA_FIELDS, "csv", out)
    assert "area" in next(csv.reader(io.StringIO(out.getvalue())))


def test_an_unknown_country_is_refused_at_start():
    from pathlib import Path

    from civicly.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="CIVICLY_COUNTRY"):
        load_settings(Path("/tmp"), {"CIVICLY_SECRET_KEY": "x" * 40, "CIVICLY_COUNTRY": "Senegal"})
    assert load_settings(Path("/tmp"), {"CIVICLY_SECRET_KEY": "x" * 40, "CIVICLY_COUNTRY": "ke"})["COUNTRY"] == "KE"
