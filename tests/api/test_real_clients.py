"""Clients nobody here wrote, against a live Civicly on 127.0.0.1: `georeport` (py3) and `open311` (py2.7)."""
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from georeport import GeoReport
from requests import HTTPError
from sqlmodel import select

from civicly.models import Case
from tests.api.conftest import BASE
from tests.api.test_get_requests import file_case, published

ROOT = Path(__file__).resolve().parents[2]
PY2 = ROOT / ".venv-py2" / "python"
PY2_LIB = ROOT / ".venv-py2" / "lib"
TEXT = "The clinic of Médina has had no doctor for three days."


@pytest.fixture
def cases(seeded):
    """Two published cases: what these clients, without a key, may read."""
    return [published(seeded, file_case(seeded)),
            published(seeded, file_case(seeded, text=TEXT, latitude=14.691234, longitude=-17.44))]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_lists_services_and_reads_a_definition(live_server, fmt):
    client = GeoReport(live_server + BASE, jurisdiction="civicly", output_format=fmt)
    services = client.get_service_list()
    assert len(services) == 17 and {"service_code", "service_name"} <= set(services[0])
    assert client.get_service_definition("SANTE")["service_code"] == "SANTE"
    with pytest.raises(HTTPError, match="404"):
        client.get_service_definition("NOPE")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_lists_requests_with_filters_and_reads_one(live_server, cases, fmt):
    school, clinic = cases
    client = GeoReport(live_server + BASE, output_format=fmt)
    listed = client.get_service_requests()
    assert {r["service_request_id"] for r in listed} == {school.public_id, clinic.public_id}
    start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    only = client.get_service_requests(service_code="SANTE", status="open", start_date=start)
    only = only if isinstance(only, list) else [only]  # XML with one element reads as a dict
    assert [r["service_request_id"] for r in only] == [clinic.public_id]
    one = client.get_service_request(clinic.public_id)
    assert one["service_code"] == "SANTE" and float(one["lat"]) == 14.691
    assert one["description"] == clinic.public_text


def run_py2_client(*args: str) -> dict:
    result = subprocess.run(
        [str(PY2), str(Path(__file__).with_name("py2_open311_client.py")), *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(PY2_LIB)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not PY2.exists(), reason="the py2 open311 client is not installed: `make py2-client` "
                                             "(needs a Python 2.7; .ci/run does it)")
def test_py2_open311_client_files_a_request_in_xml_and_reads_it_back_once_published(live_server, seeded, api_key):
    got = run_py2_client("post", live_server + BASE, api_key, TEXT)
    assert len(got["services"]) == 17
    assert got["definition"]["service_definition"]["service_code"] == "SANTE"
    reference = got["posted"]["service_requests"]["request"]["service_request_id"]
    case = published(seeded, seeded.exec(select(Case).where(Case.reference == reference)).one())
    got = run_py2_client("read", live_server + BASE, case.public_id)
    fetched = got["fetched"]["service_requests"]["request"]
    assert fetched["service_request_id"] == case.public_id and fetched["service_code"] == "SANTE"
    assert fetched["description"] == TEXT and fetched["status"] == "open"
    assert got["listed"]["service_request_id"] == case.public_id
