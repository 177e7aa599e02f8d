"""One JSON line per request, with a request id that is echoed back; never the body or personal data."""
import json
import logging
import sys

from civicly.logging_setup import JsonFormatter
from tests.conftest import csrf_token


def request_lines(caplog) -> list[dict]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "civicly.request"]


def test_a_sane_request_id_is_kept_and_echoed(client, caplog):
    caplog.set_level(logging.INFO, logger="civicly.request")
    response = client.get("/healthz", headers={"X-Request-ID": "proxy-7f3a9c21"})
    assert response.headers["X-Request-ID"] == "proxy-7f3a9c21"
    [line] = request_lines(caplog)
    assert line["request_id"] == "proxy-7f3a9c21"
    assert {k: line[k] for k in ("method", "path", "status")} == {"method": "GET", "path": "/healthz", "status": 200}
    assert isinstance(line["duration_ms"], float)


def test_an_unsafe_request_id_is_replaced_by_a_generated_one(client):
    for offered in ("short", "x" * 200, "id with spaces and \"quotes\"", "<script>alert(1)</script>"):
        echoed = client.get("/healthz", headers={"X-Request-ID": offered}).headers["X-Request-ID"]
        assert echoed != offered and len(echoed) == 32 and echoed.isalnum()


def test_each_request_gets_its_own_id(client):
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_the_log_line_holds_neither_the_body_nor_personal_data(client, seeded, caplog):
    page = client.get("/submit").get_data(as_text=True)
    caplog.set_level(logging.INFO, logger="civicly")
    client.post("/submit?ref=aicha", data={
        "csrf_token": csrf_token(page), "form_token": "log-test", "text": "My neighbour Aïcha Diallo is ill.",
        "name": "Aïcha Diallo", "email": "aicha@example.sn", "phone": "+221 77 123 45 67"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"})
    [line] = request_lines(caplog)
    assert line["path"] == "/submit" and line["method"] == "POST" and line["status"] == 303
    everything = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for secret in ("Aïcha", "Diallo", "aicha", "77 123", "203.0.113.9", "ill."):
        assert secret not in everything


def test_personal_data_in_a_log_message_or_traceback_is_redacted():
    logger = logging.getLogger("civicly.test")
    try:
        raise ValueError("refused: aicha@example.sn, KRA PIN A012345678Z")
    except ValueError:
        record = logger.makeRecord("civicly.test", logging.WARNING, __file__, 1,
                                   "delivery to %s at %s failed", ("aicha@example.sn", "+221 77 123 45 67"),
                                   exc_info=sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "delivery to [email] at [phone] failed"
    assert "aicha@example.sn" not in line["exception"] and "A012345678Z" not in line["exception"]
    assert "ValueError" in line["exception"]


def test_a_model_version_is_logged_as_itself_not_as_a_redacted_phone_number():
    record = logging.LogRecord("civicly.classify", logging.INFO, __file__, 1, "routing model loaded", (), None)
    record.model_version = "20261203-183646-d2695c"
    line = json.loads(JsonFormatter().format(record))
    assert line["model_version"] == "20261203-183646-d2695c" and "[phone]" not in json.dumps(line)
