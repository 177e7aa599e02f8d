"""Each phone number has its own allowance, counted only once the provider was recognised."""
import pytest
from sqlmodel import select

from civicly.models import Case
from tests.channels.conftest import at_sms, ussd

TEXT = "The street lights on Avenue Bourguiba are off every night since last week."


@pytest.fixture
def limited(channels, seeded):
    channels.config.update(RATELIMIT_ENABLED=True, CHANNEL_RATE_LIMIT="3 per minute")
    from civicly.extensions import limiter

    limiter.init_app(channels)
    yield channels.test_client()
    limiter.reset()


def test_a_number_over_its_allowance_is_told_to_wait(limited, seeded):
    codes = [at_sms(limited, TEXT, message_id=f"ATXid_{n}").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    assert at_sms(limited, TEXT, phone="+212612345678", message_id="ATXid_other").status_code == 200
    slow = at_sms(limited, TEXT, message_id="ATXid_again")
    assert slow.status_code == 429 and "Too many messages" in slow.get_data(as_text=True)
    assert len(seeded.exec(select(Case)).all()) == 2  # the first number's parts joined one case; the other's


def test_forged_requests_do_not_spend_a_citizens_allowance(limited, seeded):
    for n in range(5):
        assert at_sms(limited, TEXT, message_id=f"ATXid_forged_{n}", token="forged").status_code == 403
    assert at_sms(limited, TEXT).status_code == 200


def test_ussd_steps_count_too_and_close_the_session_clearly(limited, seeded):
    codes = [ussd(limited, "").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert ussd(limited, "").get_data(as_text=True).startswith("END ")
