"""Employee registration (SPEC F-REG-3): number + email → proof of possession → password.

Possession of the line is proven by a code sent by SMS to it; for a data-only SIM, which cannot
read SMS easily, first by the SIM's PUK (TRE heritage: its PIN), then by a code sent by email.
The flow's state lives in the server-side session, never in hidden fields.
"""

import datetime
import hmac
from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.accounts import otp
from selfcare.accounts.models import OneTimeCode, User
from selfcare.catalog.models import Offer
from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from selfcare.lines.models import Line, Sim

SESSION_KEY = "employee_registration"
STEP_TTL = datetime.timedelta(minutes=20)
SECRET_TRIES = 5  # PUK/PIN attempts per line per hour
SECRET_WINDOW = 3600


class Step:
    SMS_CODE = "sms_code"
    SIM_SECRET = "sim_secret"  # noqa: S105  PUK, or PIN for TRE heritage
    EMAIL_CODE = "email_code"
    PASSWORD = "password"  # noqa: S105


@dataclass
class Registration:
    """What the session remembers between steps."""

    number: str
    email: str
    step: str
    started_at: float
    line_id: int | None = None  # None when the number is not a business line (kept secret)
    tre: bool = False

    def save(self, session) -> None:
        session[SESSION_KEY] = asdict(self)

    @classmethod
    def load(cls, session, *, expected: str | tuple[str, ...]) -> "Registration":
        data = session.get(SESSION_KEY)
        expected = (expected,) if isinstance(expected, str) else expected
        if not data:
            raise ApplicationError(_("Start the registration again."), code="restart")
        registration = cls(**data)
        fresh = timezone.now().timestamp() - registration.started_at < STEP_TTL.total_seconds()
        if not fresh or registration.step not in expected:
            session.pop(SESSION_KEY, None)
            raise ApplicationError(_("Start the registration again."), code="restart")
        return registration


def national_username(number: str) -> str:
    """Employees log in with their number without +39."""
    return number.removeprefix("+39")


def _registrable_line(number: str) -> Line | None:
    return (
        Line.objects.select_related("offer", "company")
        .filter(number=number, kind=Line.Kind.MOBILE, status__in=[Line.Status.ACTIVE, Line.Status.SUSPENDED])
        .first()
    )


def _registered_employee(line: Line) -> User | None:
    """The line's employee account, if it has a password. A profile opened by autologin on the
    operator's network has none yet: registering gives it one, so it does not block registration."""
    user = User.objects.filter(role=Role.EMPLOYEE, line=line).first()
    return user if user is not None and user.has_usable_password() else None


def registration_start(*, session, number: str, email: str, ip: str) -> Registration:
    """Step 1. Send the SMS code (or ask for the PUK/PIN of a data-only SIM).

    A number that is not a business line gets the same answer as one that is (an SMS code page),
    and nothing is sent; a line that already has an account is refused with a clear message.
    """
    line = _registrable_line(number)
    if line is not None and _registered_employee(line) is not None:
        raise ApplicationError(
            _("This line is already registered. Log in, or recover your password if you forgot it."),
            field="number",
            code="already_registered",
        )
    registration = Registration(
        number=number,
        email=email.lower(),
        step=Step.SMS_CODE,
        started_at=timezone.now().timestamp(),
        line_id=line.pk if line else None,
        tre=bool(line and line.company.heritage == Heritage.TRE),
    )
    if line is not None and line.offer.kind == Offer.Kind.DATA_ONLY:
        registration.step = Step.SIM_SECRET
    else:
        otp.code_send(
            purpose=OneTimeCode.Purpose.EMPLOYEE_REGISTRATION, target=number, channel="sms", ip=ip,
            send=line is not None,
        )  # fmt: skip
    registration.save(session)
    return registration


def registration_resend(*, session, ip: str) -> Registration:
    """Send the current step's code again (throttled by the one-time-code service)."""
    registration = Registration.load(session, expected=(Step.SMS_CODE, Step.EMAIL_CODE))
    if registration.step == Step.SMS_CODE:
        otp.code_send(
            purpose=OneTimeCode.Purpose.EMPLOYEE_REGISTRATION, target=registration.number, channel="sms", ip=ip,
            send=registration.line_id is not None,
        )  # fmt: skip
    else:
        otp.code_send(
            purpose=OneTimeCode.Purpose.EMPLOYEE_REGISTRATION_EMAIL, target=registration.email, channel="email",
            ip=ip, context={"line_id": registration.line_id},
        )  # fmt: skip
    return registration


def registration_verify_code(*, session, code: str) -> Registration:
    """Step 2: the code from the SMS (or, for data-only SIMs, from the email)."""
    registration = Registration.load(session, expected=(Step.SMS_CODE, Step.EMAIL_CODE))
    if registration.step == Step.SMS_CODE:
        otp.code_verify(purpose=OneTimeCode.Purpose.EMPLOYEE_REGISTRATION, target=registration.number, code=code)
    else:
        otp.code_verify(purpose=OneTimeCode.Purpose.EMPLOYEE_REGISTRATION_EMAIL, target=registration.email, code=code)
    if registration.line_id is None:  # cannot happen: no code was sent for an unknown number
        raise otp.wrong_code_error()
    registration.step = Step.PASSWORD
    registration.save(session)
    return registration


def registration_verify_sim_secret(*, session, secret: str, ip: str) -> Registration:
    """Data-only SIM: check the PUK (TRE heritage: the PIN), then send a code by email."""
    registration = Registration.load(session, expected=Step.SIM_SECRET)
    ratelimit.enforce(
        f"sim-secret:{registration.line_id}", limit=SECRET_TRIES, window_seconds=SECRET_WINDOW,
        message=_("Too many wrong attempts. For your security, try again in an hour."), field="secret",
    )  # fmt: skip
    sim = Sim.objects.filter(line_id=registration.line_id, status=Sim.Status.ACTIVE).first()
    expected = (sim.pin if registration.tre else sim.puk) if sim else ""
    typed = (secret or "").strip()
    if not expected or not hmac.compare_digest(expected.encode(), typed.encode()):
        raise ApplicationError(
            _("The PIN is not correct.") if registration.tre else _("The PUK is not correct."),
            field="secret", code="wrong",
        )  # fmt: skip
    otp.code_send(
        purpose=OneTimeCode.Purpose.EMPLOYEE_REGISTRATION_EMAIL, target=registration.email, channel="email", ip=ip,
        context={"line_id": registration.line_id},
    )  # fmt: skip
    registration.step = Step.EMAIL_CODE
    registration.save(session)
    return registration


def normalise_security_answer(answer: str) -> str:
    """Answers are compared ignoring case, accents and extra spaces."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", answer or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


def registration_complete(
    *, session, password: str, security_question: str = "", security_answer: str = "", ip: str = ""
) -> User:
    """Last step: the password (TRE heritage: also a security question and its answer); the account exists."""
    registration = Registration.load(session, expected=Step.PASSWORD)
    line = Line.objects.select_related("company").filter(pk=registration.line_id).first()
    if line is None:  # the line was ceased or removed meanwhile
        session.pop(SESSION_KEY, None)
        raise ApplicationError(_("Start the registration again."), code="restart")
    # The profile autologin may have opened for this line is completed rather than duplicated.
    user = User.objects.filter(role=Role.EMPLOYEE, line=line).first() or User(
        username=national_username(registration.number), role=Role.EMPLOYEE, company=line.company, line=line
    )
    if user.pk and user.has_usable_password():
        session.pop(SESSION_KEY, None)
        raise ApplicationError(
            _("This line is already registered. Log in, or recover your password if you forgot it."),
            code="already_registered",
        )
    user.email = registration.email
    user.mobile = registration.number
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password", code="password_invalid") from None
    if registration.tre:
        if not security_question.strip():
            raise ApplicationError(_("Choose a security question."), field="security_question", code="required")
        if len(normalise_security_answer(security_answer)) < 2:
            raise ApplicationError(_("Write the answer to your question."), field="security_answer", code="required")
        user.security_question = security_question.strip()[:200]
        user.security_answer_hash = make_password(normalise_security_answer(security_answer))
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            AuditEvent.objects.create(
                actor=user, company=line.company, action="employee_registered", object_type="line",
                object_id=str(line.pk), ip_address=ip or None,
            )  # fmt: skip
    except IntegrityError:
        # The same line registered from another browser in the meantime, or the username is taken.
        session.pop(SESSION_KEY, None)
        raise ApplicationError(
            _("This line is already registered. Log in, or recover your password if you forgot it."),
            code="already_registered",
        ) from None
    session.pop(SESSION_KEY, None)
    return user
