"""One-time codes (DESIGN.md §8): issue, send through the outbox, verify.

6 digits from `secrets`; only an HMAC of (purpose, target, code) is stored; valid CODE_TTL; used
once; MAX_FAILURES wrong tries on a (purpose, target) within FAILURE_WINDOW lock it, whatever
the number of codes asked for in between; asking is throttled per target and per client IP.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.notifications.services import message_queue

from .models import OneTimeCode

CODE_TTL = datetime.timedelta(minutes=10)
MAX_FAILURES = 5
FAILURE_WINDOW = datetime.timedelta(hours=1)
# Sending codes costs money and can be abused to pump SMS: at most this many per window.
SENDS_PER_TARGET = 3
SENDS_PER_TARGET_WINDOW = 15 * 60
SENDS_PER_IP_WINDOW = 60 * 60


def _digest(purpose: str, target: str, code: str) -> str:
    message = f"{purpose}:{target}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _recent_failures(purpose: str, target: str) -> int:
    """Wrong tries on (purpose, target) within the window: on its codes, plus those made when no
    code was live (an unknown target, or an expired code), which are counted in the cache."""
    since = timezone.now() - FAILURE_WINDOW
    total = OneTimeCode.objects.filter(purpose=purpose, target=target, created_at__gte=since).aggregate(
        n=Sum("failures")
    )["n"]
    return (total or 0) + ratelimit.count(_no_code_key(purpose, target))


def _no_code_key(purpose: str, target: str) -> str:
    return f"otp-no-code:{purpose}:{target}"


def _locked_error() -> ApplicationError:
    return ApplicationError(
        _("Too many wrong codes. For your security, try again in an hour."), field="code", code="locked", status=429
    )


def code_send(
    *, purpose: str, target: str, channel: str, ip: str, context: dict | None = None, send: bool = True
) -> OneTimeCode | None:
    """Issue a new code for (purpose, target) and queue it by SMS or email.

    send=False does all the same checks and throttling but creates and sends nothing: callers use it
    when the target is unknown, so that the answer does not reveal whether an account or line exists.
    Raises ApplicationError (429) past the send limits or while the pair is locked.
    """
    ratelimit.enforce(
        f"otp-ip:{ip}",
        limit=settings.OTP_SENDS_PER_IP,
        window_seconds=SENDS_PER_IP_WINDOW,
        message=_("Too many codes requested from this connection. Try again later."),
    )
    ratelimit.enforce(
        f"otp-target:{purpose}:{target}",
        limit=SENDS_PER_TARGET,
        window_seconds=SENDS_PER_TARGET_WINDOW,
        message=_("A code was sent a short time ago. Wait a few minutes before asking for another one."),
    )
    if _recent_failures(purpose, target) >= MAX_FAILURES:
        raise _locked_error()
    if not send:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        # Only the newest code is valid: the ones sent before it stop working.
        OneTimeCode.objects.filter(purpose=purpose, target=target, used_at__isnull=True).update(used_at=now)
        otp = OneTimeCode.objects.create(
            purpose=purpose,
            target=target,
            code_hash=_digest(purpose, target, code),
            context=context or {},
            expires_at=now + CODE_TTL,
            requested_from=ip if ip != "unknown" else None,
        )
        text = _("%(brand)s: your code is %(code)s. It expires in 10 minutes. Never share it with anyone.") % {
            "brand": settings.BRAND["name"],
            "code": code,
        }
        message_queue(
            channel=channel,
            recipient=target,
            subject=_("Your verification code") if channel == "email" else "",
            body=text,
            purpose=f"otp:{purpose}",
        )
    return otp


def code_verify(*, purpose: str, target: str, code: str) -> OneTimeCode:
    """Check a code typed by the user; return the code row (with its context) and mark it used.

    Raises ApplicationError on the "code" field when it is wrong, expired, already used or locked.
    Call it outside any transaction of the caller's: a wrong try is recorded in its own transaction,
    and must stay recorded although the caller's work fails.
    """
    code = (code or "").strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ApplicationError(_("The code has 6 digits."), field="code", code="format")
    with transaction.atomic():
        outcome = _check(purpose, target, code)
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome


def _check(purpose: str, target: str, code: str) -> OneTimeCode | ApplicationError:
    if _recent_failures(purpose, target) >= MAX_FAILURES:
        return _locked_error()
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(purpose=purpose, target=target, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if otp is None:
        # No live code: a target that was never sent one (unknown account or line) must answer
        # exactly like a wrong code, and lock after as many tries.
        ratelimit.hit(
            _no_code_key(purpose, target), limit=MAX_FAILURES, window_seconds=int(FAILURE_WINDOW.total_seconds())
        )
        if _recent_failures(purpose, target) >= MAX_FAILURES:
            return _locked_error()
        return wrong_code_error()
    if hmac.compare_digest(otp.code_hash, _digest(purpose, target, code)):
        otp.used_at = timezone.now()
        otp.save(update_fields=["used_at"])
        return otp
    otp.failures += 1
    otp.save(update_fields=["failures"])
    if _recent_failures(purpose, target) >= MAX_FAILURES:
        otp.used_at = timezone.now()  # burnt: no more tries on it
        otp.save(update_fields=["used_at"])
        return _locked_error()
    return wrong_code_error()


def wrong_code_error() -> ApplicationError:
    # One message for a wrong, an expired and a used code: the answer must not tell them apart.
    return ApplicationError(
        _("The code is not correct, or it has expired: ask for a new one."), field="code", code="wrong"
    )
