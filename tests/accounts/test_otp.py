import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from selfcare.accounts import otp
from selfcare.accounts.models import OneTimeCode
from selfcare.core.errors import ApplicationError
from selfcare.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)
PURPOSE = OneTimeCode.Purpose.EMPLOYEE_REGISTRATION
NUMBER = "+393471234567"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def send(target=NUMBER, ip="10.0.0.1", **kwargs):
    otp.code_send(purpose=PURPOSE, target=target, channel="sms", ip=ip, **kwargs)
    message = OutboxMessage.objects.filter(recipient=target).latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def verify(code, target=NUMBER):
    return otp.code_verify(purpose=PURPOSE, target=target, code=code)


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_code_is_sent_by_sms_and_stored_only_hashed():
    code = send()
    row = OneTimeCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_right_code_works_once():
    code = send(context={"line_id": 7})
    assert verify(code).context == {"line_id": 7}
    with pytest.raises(ApplicationError) as exc:
        verify(code)
    assert exc.value.code == "wrong"


def test_code_is_bound_to_purpose_and_target():
    code = send()
    with pytest.raises(ApplicationError):
        otp.code_verify(purpose=OneTimeCode.Purpose.PASSWORD_RECOVERY, target=NUMBER, code=code)
    with pytest.raises(ApplicationError):
        verify(code, target="+393471234568")
    assert verify(code)


def test_code_expires_after_ten_minutes():
    code = send()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        with pytest.raises(ApplicationError) as exc:
            verify(code)
    assert exc.value.code == "wrong"


def test_five_wrong_tries_burn_the_code():
    code = send()
    for _ in range(4):
        with pytest.raises(ApplicationError) as exc:
            verify(wrong(code))
        assert exc.value.code == "wrong"
    with pytest.raises(ApplicationError) as exc:
        verify(wrong(code))
    assert exc.value.code == "locked"
    with pytest.raises(ApplicationError) as exc:
        verify(code)  # even the right code no longer works
    assert exc.value.code == "locked"


def test_a_new_code_does_not_reset_the_failure_count():
    code = send()
    for _ in range(3):
        with pytest.raises(ApplicationError):
            verify(wrong(code))
    code = send()
    with pytest.raises(ApplicationError):
        verify(wrong(code))
    with pytest.raises(ApplicationError) as exc:
        verify(wrong(code))
    assert exc.value.code == "locked"
    with pytest.raises(ApplicationError) as exc:
        send()
    assert exc.value.code == "locked"


def test_a_new_code_replaces_the_old_one():
    first = send()
    second = send()
    if first != second:
        with pytest.raises(ApplicationError):
            verify(first)
    assert verify(second)


def test_resend_is_throttled_per_number():
    for _ in range(otp.SENDS_PER_TARGET):
        send()
    with pytest.raises(ApplicationError) as exc:
        send()
    assert (exc.value.code, exc.value.status) == ("rate_limited", 429)


def test_resend_is_throttled_per_ip_across_numbers():
    for i in range(settings.OTP_SENDS_PER_IP):
        send(target=f"+39347000{i:04d}", ip="10.9.9.9")
    with pytest.raises(ApplicationError) as exc:
        send(target="+393479999999", ip="10.9.9.9")
    assert exc.value.code == "rate_limited"
    send(target="+393479999999", ip="10.9.9.10")  # another client is not affected


def test_unknown_target_is_throttled_the_same_but_nothing_is_sent():
    for _ in range(otp.SENDS_PER_TARGET):
        otp.code_send(purpose=PURPOSE, target=NUMBER, channel="sms", ip="10.0.0.1", send=False)
    assert OutboxMessage.objects.count() == 0 and OneTimeCode.objects.count() == 0
    with pytest.raises(ApplicationError):
        otp.code_send(purpose=PURPOSE, target=NUMBER, channel="sms", ip="10.0.0.1", send=False)


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "１２３４５６", "1" * 10_000])
def test_malformed_codes_are_refused_without_counting(typed):
    send()
    with pytest.raises(ApplicationError) as exc:
        verify(typed)
    assert exc.value.code == "format"
    assert OneTimeCode.objects.get().failures == 0


def test_codes_are_not_predictable():
    codes = {send(target=f"+39347100{i:04d}", ip=f"10.1.0.{i}") for i in range(30)}
    assert len(codes) > 25


def test_a_target_never_sent_a_code_answers_and_locks_like_a_wrong_code():
    """Nothing tells an unknown number from a known one with a wrong code: same error, same lock."""
    code = send()
    for target in (NUMBER, "+393479990000"):
        for _ in range(4):
            with pytest.raises(ApplicationError) as exc:
                verify(wrong(code), target=target)
            assert (exc.value.code, exc.value.message) == ("wrong", otp.wrong_code_error().message)
        with pytest.raises(ApplicationError) as exc:
            verify(wrong(code), target=target)
        assert exc.value.code == "locked"
        with pytest.raises(ApplicationError) as exc:
            otp.code_send(purpose=PURPOSE, target=target, channel="sms", ip="10.0.0.2", send=False)
        assert exc.value.code == "locked"
