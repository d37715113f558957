"""Referente Aziendale registration (SPEC F-REG-4, TRE heritage).

TRE customer code + company email + a mobile line of the company + the channel for the one-time
code. With the code, the account is created with provisional credentials sent by email; the
password must be changed at the first access (User.must_change_password).
"""

import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.accounts import otp
from selfcare.accounts.models import OneTimeCode, User
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Company, Heritage
from selfcare.lines.models import Line
from selfcare.notifications.services import message_queue

SESSION_KEY = "referent_registration"
STEP_SECONDS = 20 * 60
PURPOSE = OneTimeCode.Purpose.REFERENT_REGISTRATION


@dataclass
class Pending:
    target: str
    channel: str
    started_at: float
    company_id: int | None
    email: str
    mobile: str


def _matching_company(customer_code: str, email: str, mobile: str) -> Company | None:
    """The TRE company whose code, contact email and mobile line all match, or None."""
    company = Company.objects.filter(tre_customer_code=customer_code, heritage=Heritage.TRE).first()
    if company is None:
        return None
    email_known = (
        company.legal_rep_email.lower() == email
        or company.referents.filter(email__iexact=email).exists()
        or (company.pec or "").lower() == email
    )
    line_known = Line.objects.filter(
        company=company, number=mobile, kind=Line.Kind.MOBILE, status=Line.Status.ACTIVE
    ).exists()
    already = User.objects.filter(company=company, role=Role.REFERENT, email__iexact=email).exists()
    return company if email_known and line_known and not already else None


def referent_registration_start(*, session, customer_code: str, email: str, mobile: str, channel: str, ip: str):
    """Send the one-time code by the chosen channel when everything matches; the same answer otherwise."""
    email = email.lower()
    company = _matching_company(customer_code.strip().upper(), email, mobile)
    target = mobile if channel == "sms" else email
    otp.code_send(purpose=PURPOSE, target=target, channel=channel, ip=ip, send=company is not None)
    pending = Pending(target, channel, timezone.now().timestamp(), company.pk if company else None, email, mobile)
    session[SESSION_KEY] = asdict(pending)
    return pending


def _pending(session) -> Pending:
    data = session.get(SESSION_KEY)
    if not data or timezone.now().timestamp() - data["started_at"] > STEP_SECONDS:
        session.pop(SESSION_KEY, None)
        raise ApplicationError(_("Start the registration again."), code="restart")
    return Pending(**data)


def referent_registration_confirm(*, session, code: str, ip: str = "") -> User:
    """Check the code, create the referent with provisional credentials and email them."""
    pending = _pending(session)
    otp.code_verify(purpose=PURPOSE, target=pending.target, code=code)
    if pending.company_id is None:  # cannot happen: no code is sent when nothing matched
        raise otp.wrong_code_error()
    company = Company.objects.filter(pk=pending.company_id).first()
    if company is None:
        session.pop(SESSION_KEY, None)
        raise ApplicationError(_("Start the registration again."), code="restart")
    provisional = secrets.token_urlsafe(12)
    base = f"ref{company.tre_customer_code}".replace("-", "")
    user = User(
        username=base, role=Role.REFERENT, company=company, email=pending.email, mobile=pending.mobile,
        must_change_password=True,
    )  # fmt: skip
    user.set_password(provisional)
    try:
        with transaction.atomic():
            # A second referent of the same company gets a numbered username.
            taken = User.objects.filter(Q(username=base) | Q(username__startswith=f"{base}-")).count()
            if taken:
                user.username = f"{base}-{taken + 1}"
            user.save()
            AuditEvent.objects.create(
                actor=user, company=company, action="referent_registered", object_type="user",
                object_id=str(user.pk), ip_address=ip or None,
            )  # fmt: skip
            message_queue(
                channel="email",
                recipient=user.email,
                subject=_("Your provisional credentials"),
                body=_(
                    "Welcome to %(brand)s.\nUsername: %(username)s\nProvisional password: %(password)s\n"
                    "You will choose your own password at the first access."
                )
                % {"brand": settings.BRAND["name"], "username": user.username, "password": provisional},
                purpose="referent_credentials",
            )
    except IntegrityError:
        raise ApplicationError(_("Start the registration again."), code="restart") from None
    session.pop(SESSION_KEY, None)
    return user
