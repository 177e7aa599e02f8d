"""/metrics: Prometheus text, protected by loopback or a bearer token."""
from tests.conftest import file_case


def test_metrics_from_loopback_show_requests_submissions_and_queues(seeded, client):
    file_case(seeded)
    file_case(seeded, "The school in Thies has no teacher of mathematics this year", department="EDUCATION")
    client.get("/track")
    body = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert 'civicly_http_requests_total{endpoint="citizen.track",method="GET",status="200"} 1.0' in body
    assert "civicly_http_request_duration_seconds_bucket" in body
    assert 'civicly_submissions_total{channel="web"} 2.0' in body
    assert 'civicly_queue_open_cases{ministry="SANTE",urgency="none"} 1.0' in body
    assert 'civicly_outbox_messages' in body


def test_metrics_are_hidden_from_other_addresses_and_proxied_requests(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                      headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_a_token_replaces_the_loopback_rule(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-token-for-prometheus"
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert ok.status_code == 200 and ok.mimetype == "text/plain"


def test_predictions_are_counted_by_version_and_confidence_band(seeded, client):
    from civicly.models import Prediction

    case = file_case(seeded)
    for confidence in (0.3, 0.9, 0.95):
        seeded.add(Prediction(case_id=case.id, model_version="v7", confidence=confidence))
    seeded.commit()
    body = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert 'civicly_predictions_total{confidence_band="high",model_version="v7"} 2.0' in body
    assert 'civicly_predictions_total{confidence_band="low",model_version="v7"} 1.0' in body
