"""Autologin on the operator's mobile network (SPEC F-LOG-2, DESIGN §8).

The operator's network proxy adds the number of the line the phone browses with in the header
named by ``AUTOLOGIN_HEADER`` (default ``X-Msisdn``, in E.164 or national form). The header is
honoured only when all of these hold:

- the request is a page read (GET or HEAD, not under ``/api/``) and nobody is logged in: a
  logged-in user is never switched to another account by the header;
- ``REMOTE_ADDR`` lies in one of ``AUTOLOGIN_TRUSTED_PROXIES`` (CIDR strings; an invalid entry is
  ignored and logged once). From any other address the header is ignored, logged and audited
  (``autologin_refused``, at most ``REFUSED_AUDIT_LIMIT`` rows per address per hour);
- with ``AUTOLOGIN_HMAC_SECRET`` set, the proxy also signs the number. Two more headers:

  - ``<AUTOLOGIN_HEADER>-Timestamp``: Unix time in seconds (digits only), within
    ±``SIGNATURE_TOLERANCE_SECONDS`` (120) of our clock;
  - ``<AUTOLOGIN_HEADER>-Signature``: lower- or upper-case hex of
    HMAC-SHA256(key=AUTOLOGIN_HMAC_SECRET as UTF-8, message="<number>:<timestamp>"), where
    <number> is the value of the number header exactly as sent, e.g.
    ``X-Msisdn: +393471234567``, ``X-Msisdn-Timestamp: 1767225600``,
    ``X-Msisdn-Signature: hex(hmac_sha256(secret, "+393471234567:1767225600"))``;

- the number is a valid Italian mobile number of a business line that is active or suspended.

The user is then logged in, always and only, as the employee profile of that line (created on
first use with an unusable password; never a manager, even one whose mobile is that number),
through ``django.contrib.auth.login``: the session id is rotated and ``user_logged_in`` stamps the
session for the timeouts. Every refusal leaves the request anonymous; the page renders as usual.

After a logout the browser gets a cookie that stops autologin (otherwise logging out on the
mobile network would log the user straight back in); ``request.autologin_available`` is then
True on requests that could autologin, and a page read with ``?autologin=1`` logs in again.
"""

import functools
import hashlib
import hmac
import ipaddress
import logging
import time

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.signals import user_logged_out
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver

from selfcare.core import ratelimit
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.core.ratelimit import client_ip
from selfcare.core.validators import MAX_IDENTIFIER_INPUT, clean_phone_number

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 120
REFUSED_AUDIT_LIMIT = 5  # autologin_refused rows per address per window
REFUSED_AUDIT_WINDOW = 3600
OPT_OUT_COOKIE = "autologin_off"
OPT_IN_PARAMETER = "autologin"
SAFE_METHODS = ("GET", "HEAD")


def meta_key(header_name: str) -> str:
    """The WSGI environ key of an HTTP header: ``X-Msisdn`` → ``HTTP_X_MSISDN``."""
    return "HTTP_" + header_name.upper().replace("-", "_")


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    parsed = []
    for entry in entries:
        try:
            parsed.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            logger.error("AUTOLOGIN_TRUSTED_PROXIES: ignoring invalid network %r", entry)
    return tuple(parsed)


def trusted_networks() -> tuple:
    """The networks of AUTOLOGIN_TRUSTED_PROXIES, parsed once per distinct setting value."""
    entries = settings.AUTOLOGIN_TRUSTED_PROXIES or []
    if isinstance(entries, str):
        entries = entries.split(",")
    return _networks(tuple(e for e in entries if str(e).strip()))


def address_trusted(address: str) -> bool:
    """True when `address` (REMOTE_ADDR) is inside one of the trusted proxy networks."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in trusted_networks())


def signature_valid(request, number: str, *, now: float | None = None) -> bool:
    """With AUTOLOGIN_HMAC_SECRET set, check the proxy's signature of `number` (format above).

    True when no secret is configured.
    """
    secret = settings.AUTOLOGIN_HMAC_SECRET
    if not secret:
        return True
    header = settings.AUTOLOGIN_HEADER
    timestamp = request.META.get(meta_key(f"{header}-Timestamp"), "").strip()
    signature = request.META.get(meta_key(f"{header}-Signature"), "").strip().lower()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if len(signature) != 64:
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{number}:{timestamp}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def autologin_line(number: str):
    """The active or suspended business mobile line with this E.164 number, or None."""
    from selfcare.lines.models import Line

    return (
        Line.objects.select_related("company")
        .filter(number=number, kind=Line.Kind.MOBILE, status__in=[Line.Status.ACTIVE, Line.Status.SUSPENDED])
        .first()
    )


def employee_for_line(line):
    """The employee profile of `line`, created on first use; None when it cannot be used.

    A new profile has username = the national number, an unusable password, no email. Refused
    (None, logged): the username is taken by another account, or the profile is disabled or
    belongs to another company than the line's.
    """
    from selfcare.accounts.models import User

    user = User.objects.filter(role=Role.EMPLOYEE, line=line).first()
    if user is None:
        username = line.number.removeprefix("+39")
        if User.objects.filter(username=username).exists():
            logger.warning("autologin refused: username %s is taken by another account (line %s)", username, line.pk)
            return None
        user = User(
            username=username, role=Role.EMPLOYEE, company=line.company, line=line, email="", mobile=line.number
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Created by a concurrent request (or the username was taken in the meantime).
            user = User.objects.filter(role=Role.EMPLOYEE, line=line).first()
            if user is None:
                logger.warning("autologin refused: could not create the employee profile of line %s", line.pk)
                return None
    if not user.is_active:
        logger.warning("autologin refused: the employee profile of line %s is disabled", line.pk)
        return None
    if user.company_id != line.company_id:
        logger.warning("autologin refused: the employee profile of line %s belongs to another company", line.pk)
        return None
    return user


def refuse_untrusted(request, address: str) -> None:
    """Log a header received from outside the trusted proxies; audit it, throttled per address."""
    logger.warning("autologin refused: header %s from untrusted address %s", settings.AUTOLOGIN_HEADER, address)
    if ratelimit.hit(f"autologin_refused:{address}", limit=REFUSED_AUDIT_LIMIT, window_seconds=REFUSED_AUDIT_WINDOW):
        AuditEvent.objects.create(
            action="autologin_refused",
            detail={"reason": "untrusted_address", "address": address[:64]},
            ip_address=_ip_or_none(address),
        )


def network_number(request, raw: str) -> str | None:
    """The E.164 number of a header from a trusted proxy, or None (logged) when it is unusable."""
    if len(raw) > MAX_IDENTIFIER_INPUT:
        logger.warning("autologin refused: oversized %s header (%d characters)", settings.AUTOLOGIN_HEADER, len(raw))
        return None
    if not signature_valid(request, raw):
        logger.warning("autologin refused: missing, bad or stale signature for %r", raw)
        return None
    try:
        return clean_phone_number(raw, mobile=True)
    except ValidationError:
        logger.warning("autologin refused: %r is not an Italian mobile number", raw)
        return None


def attempt(request, raw: str) -> bool:
    """Log the request in as the employee of the line in the header, if every check passes."""
    from selfcare.accounts.services.activation import login_backend

    address = client_ip(request)
    if not address_trusted(address):
        refuse_untrusted(request, address)
        return False
    number = network_number(request, raw)
    if number is None:
        return False
    line = autologin_line(number)
    if line is None:
        logger.warning("autologin refused: %s is not an active business mobile line", number)
        return False
    if OPT_OUT_COOKIE in request.COOKIES and request.GET.get(OPT_IN_PARAMETER) != "1":
        request.autologin_available = True
        return False
    user = employee_for_line(line)
    if user is None:
        return False
    login(request, user, backend=login_backend())
    AuditEvent.objects.create(
        actor=user,
        company=line.company,
        action="autologin",
        object_type="line",
        object_id=str(line.pk),
        ip_address=_ip_or_none(address),
    )
    return True


def _ip_or_none(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


@receiver(user_logged_out, dispatch_uid="selfcare_autologin_opt_out")
def _opt_out_on_logout(sender, request, user, **kwargs):
    if request is not None:
        request._autologin_logged_out = True


class AutologinMiddleware:
    """Logs in the employee of the line named by the operator's header (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.autologin_available = False
        logged_in = False
        raw = request.META.get(meta_key(settings.AUTOLOGIN_HEADER))
        if (
            raw is not None
            and request.method in SAFE_METHODS
            and not request.path.startswith("/api/")
            and not request.user.is_authenticated
        ):
            try:
                logged_in = attempt(request, raw)
            except Exception:
                # A failed autologin must never break the page: the request continues anonymous.
                logger.exception("autologin failed")
        response = self.get_response(request)
        if getattr(request, "_autologin_logged_out", False):
            response.set_cookie(
                OPT_OUT_COOKIE,
                "1",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif logged_in and OPT_OUT_COOKIE in request.COOKIES:
            response.delete_cookie(OPT_OUT_COOKIE, samesite="Lax")
        return response
