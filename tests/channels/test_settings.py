"""Production refuses half-configured SMS and guessable callback secrets."""
from civicly.config import check_settings
from tests.ops.test_settings import production


def test_channels_are_optional_in_production():
    assert check_settings(production(), workers=2) == []


def test_a_provider_without_credentials_is_reported():
    problems = check_settings(production(SMS_PROVIDER="twilio"), workers=2)
    assert len(problems) == 1 and "CIVICLY_TWILIO_ACCOUNT_SID" in problems[0]
    problems = check_settings(production(SMS_PROVIDER="africastalking"), workers=2)
    assert len(problems) == 1 and "CIVICLY_AFRICASTALKING_API_KEY" in problems[0]
    assert "must be africastalking" in check_settings(production(SMS_PROVIDER="nexmo"), workers=2)[0]


def test_a_short_channel_token_and_twilio_over_plain_http_are_reported():
    assert "CIVICLY_CHANNEL_TOKEN" in check_settings(production(CHANNEL_TOKEN="1234"), workers=2)[0]
    problems = check_settings(production(TWILIO_AUTH_TOKEN="t" * 32, PUBLIC_URL="http://civicly.gov.sn"), 2)
    assert "https://" in problems[0]
    assert check_settings(production(TWILIO_AUTH_TOKEN="t" * 32, PUBLIC_URL="https://civicly.gov.sn",
                                     CHANNEL_TOKEN="c" * 40), 2) == []
