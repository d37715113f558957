"""Password recovery (SPEC F-PWD-1…4): identify → (TRE heritage: security question) → code → new password.

- User Admin (and a referent outside the TRE heritage): username → a code by the channel used at
  registration (SMS to his mobile when he has one, else email).
- Employee: his mobile number (with or without +39) → a code by SMS to the line.
- TRE heritage employee or referent with a security question: number or username → the answer →
  a code by SMS or email, as he chooses → new password and a new question and answer.
- A Telco Manager cannot recover his password (F-PWD-2: his User Admin reissues his access): he
  gets the same answer as an unknown account and nothing is sent.

No account enumeration: every input gets the same first answer. An unknown input follows one of
the two paths, chosen deterministically from the input, and on the question path sees a plausible
decoy question; no code is ever sent for it and its answers and codes are always wrong. The state
between steps lives in the server-side session (never in hidden fields): whose account, which
step was passed, and when; a step older than STEP_TTL sends the user back to the start.
"""

import datetime
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from selfcare.accounts import otp
from selfcare.accounts.models import OneTimeCode, User
from selfcare.accounts.services.registration_employee import normalise_security_answer
from selfcare.accounts.services.sessions import user_sessions_end
from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.core.validators import clean_phone_number
from selfcare.customers.models import Heritage
from selfcare.lines.models import Line

SESSION_KEY = "password_recovery"
STEP_TTL = datetime.timedelta(minutes=10)  # between two steps
FLOW_TTL = datetime.timedelta(minutes=30)  # from the start to the new password
PURPOSE = OneTimeCode.Purpose.PASSWORD_RECOVERY
# Wrong security answers per account (or decoy input) per hour; the attempts per client address.
ANSWER_FAILURES = 5
ANSWER_WINDOW = 3600
ANSWERS_PER_IP = 30
STARTS_PER_IP = 30
STARTS_PER_IP_WINDOW = 3600
MAX_IDENTIFIER_LENGTH = 150
CHANNELS = ("sms", "email")

# Decoy questions shown for an unknown account: the questions people usually choose.
DECOY_QUESTIONS = (
    gettext_noop("What is the name of your first pet?"),
    gettext_noop("In which city were you born?"),
    gettext_noop("What is your mother's maiden name?"),
    gettext_noop("What was the name of your primary school?"),
    gettext_noop("What is your favourite film?"),
    gettext_noop("What was the model of your first car?"),
)
# A hash to check decoy answers against, so a decoy answer costs what a real one does.
_DECOY_ANSWER_HASH = None


class Step:
    QUESTION = "question"
    CODE = "code"
    PASSWORD = "password"  # noqa: S105


@dataclass
class Recovery:
    """What the session remembers between steps."""

    subject: str  # the normalised input: a number in E.164 or a username
    step: str
    started_at: float
    step_at: float
    user_id: int | None = None  # None: unknown, or not allowed to recover (nothing is ever sent)
    question: str = ""
    target: str = ""  # where the code went (number or email), or the input for a decoy
    channel: str = ""
    tre: bool = False  # a new security question is set with the new password

    def save(self, session) -> None:
        session[SESSION_KEY] = asdict(self)

    @classmethod
    def load(cls, session, *, expected: str) -> "Recovery":
        """The flow's state, when the step before `expected` was passed a short time ago; else restart."""
        data = session.get(SESSION_KEY)
        try:
            recovery = cls(**data) if isinstance(data, dict) else None
        except TypeError:
            recovery = None
        now = time.time()
        if (
            recovery is None
            or recovery.step != expected
            or now - recovery.step_at > STEP_TTL.total_seconds()
            or now - recovery.started_at > FLOW_TTL.total_seconds()
        ):
            session.pop(SESSION_KEY, None)
            raise ApplicationError(_("Start the password recovery again."), code="restart")
        return recovery

    def advance(self, session, step: str) -> None:
        self.step = step
        self.step_at = time.time()
        self.save(session)


def _restart_error() -> ApplicationError:
    return ApplicationError(_("Start the password recovery again."), code="restart")


def _keyed(value: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"recovery:{value}".encode(), hashlib.sha256).digest()


def _normalise_identifier(identifier: str) -> tuple[str, str | None]:
    """(subject, number): the number in E.164 when the input reads as an Italian mobile number."""
    value = (identifier or "").strip()
    if not value:
        raise ApplicationError(_("Enter your username or your mobile number."), field="username", code="required")
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise ApplicationError(_("This value is too long."), field="username", code="too_long")
    try:
        number = clean_phone_number(value, mobile=True)
    except ValidationError:
        number = None
    return (number or value), number


def _find_user(subject: str, number: str | None) -> User | None:
    users = User.objects.select_related("company", "line")
    user = users.filter(username=subject).first()
    if user is None and number is not None:
        # Employees log in with their number without +39; the line is the reliable link.
        user = users.filter(role=Role.EMPLOYEE, line__number=number).first()
    return user


def _recoverable(user: User | None) -> bool:
    """Who may recover by himself: an active portal user with a password, but a Telco Manager."""
    return bool(
        user is not None
        and user.is_active
        and user.role in (Role.ADMIN, Role.REFERENT, Role.EMPLOYEE)
        and user.company_id is not None
        and user.has_usable_password()
    )


def _is_tre(user: User) -> bool:
    return user.company.heritage == Heritage.TRE and user.role in (Role.EMPLOYEE, Role.REFERENT)


def _sms_number(user: User) -> str:
    if user.role == Role.EMPLOYEE and user.line_id:
        return user.line.number
    return user.mobile


def _registration_channel(user: User) -> tuple[str, str]:
    """(channel, target) for the code: SMS when the account has a number, else email."""
    number = _sms_number(user)
    if number:
        return "sms", number
    return "email", (user.email or "").lower()


def _decoy_takes_question(subject: str, number: str | None) -> bool:
    """The path an unknown input follows: the question one for a TRE line, else a keyed coin toss."""
    if number is not None:
        heritage = Line.objects.filter(number=number).values_list("company__heritage", flat=True).first()
        if heritage is not None:
            return heritage == Heritage.TRE
    return _keyed(subject)[0] % 2 == 0


def _decoy_question(subject: str) -> str:
    return DECOY_QUESTIONS[_keyed(subject)[1] % len(DECOY_QUESTIONS)]


def recovery_start(*, session, identifier: str, ip: str) -> Recovery:
    """Step 1: username or number. The answer (the next step) never tells whether the account exists.

    Raises ApplicationError on a malformed input or past the throttles (the same for every input).
    """
    subject, number = _normalise_identifier(identifier)
    ratelimit.enforce(
        f"recovery-start-ip:{ip}", limit=STARTS_PER_IP, window_seconds=STARTS_PER_IP_WINDOW,
        message=_("Too many attempts from this connection. Try again later."), field="username",
    )  # fmt: skip
    session.pop(SESSION_KEY, None)
    user = _find_user(subject, number)
    now = time.time()
    recovery = Recovery(subject=subject, step=Step.CODE, started_at=now, step_at=now, target=subject)
    if _recoverable(user):
        recovery.user_id = user.pk
        recovery.tre = _is_tre(user)
        if recovery.tre and user.security_question and user.security_answer_hash:
            recovery.step = Step.QUESTION
            recovery.question = user.security_question
        else:
            recovery.channel, recovery.target = _registration_channel(user)
            if not recovery.target:  # no number nor email on file: nowhere to send a code
                recovery.user_id = None
                recovery.target = subject
    elif user is None and _decoy_takes_question(subject, number):
        recovery.step = Step.QUESTION
        recovery.question = _decoy_question(subject)
    if recovery.step == Step.CODE:
        _send(recovery, ip=ip)
    recovery.save(session)
    return recovery


def _send(recovery: Recovery, *, ip: str) -> None:
    # Unknown accounts and Telco Managers go through the same throttles, and nothing is sent.
    otp.code_send(
        purpose=PURPOSE, target=recovery.target, channel=recovery.channel or "sms", ip=ip,
        context={"user_id": recovery.user_id}, send=recovery.user_id is not None,
    )  # fmt: skip


def recovery_answer(*, session, answer: str, channel: str, ip: str) -> Recovery:
    """Step 2 (TRE heritage): the answer to the security question, then a code by the chosen channel.

    Wrong answers count per account (ANSWER_FAILURES an hour) and every attempt per client address.
    """
    recovery = Recovery.load(session, expected=Step.QUESTION)
    if channel not in CHANNELS:
        raise ApplicationError(_("Choose how to receive the code."), field="channel", code="required")
    failures_key = f"recovery-answer:{recovery.user_id or recovery.subject}"
    locked = _("Too many wrong answers. For your security, try again in an hour.")
    if ratelimit.is_limited(failures_key, limit=ANSWER_FAILURES):
        raise ApplicationError(locked, field="answer", code="locked", status=429)
    ratelimit.enforce(
        f"recovery-answer-ip:{ip}", limit=ANSWERS_PER_IP, window_seconds=ANSWER_WINDOW,
        message=_("Too many attempts from this connection. Try again later."), field="answer",
    )  # fmt: skip
    user = User.objects.select_related("company", "line").filter(pk=recovery.user_id).first()
    if recovery.user_id is not None and (user is None or not _recoverable(user)):
        session.pop(SESSION_KEY, None)
        raise _restart_error()
    normalised = normalise_security_answer(answer or "")[:200]
    if user is not None:
        right = check_password(normalised, user.security_answer_hash)
    else:
        check_password(normalised, _decoy_hash())  # same cost as a real answer
        right = False
    if not right:
        if not ratelimit.hit(failures_key, limit=ANSWER_FAILURES, window_seconds=ANSWER_WINDOW):
            raise ApplicationError(locked, field="answer", code="locked", status=429)
        raise ApplicationError(_("The answer is not correct."), field="answer", code="wrong")
    ratelimit.reset(failures_key)
    target = _sms_number(user) if channel == "sms" else (user.email or "").lower()
    if not target:
        raise ApplicationError(
            _("We have no email address for your account: choose SMS.")
            if channel == "email"
            else _("We have no mobile number for your account: choose email."),
            field="channel",
            code="no_destination",
        )
    recovery.channel, recovery.target = channel, target
    _send(recovery, ip=ip)
    recovery.advance(session, Step.CODE)
    return recovery


def recovery_question_text(recovery: Recovery) -> str:
    """The question to show: a decoy is translated like the product's own text."""
    return _(recovery.question) if recovery.question in DECOY_QUESTIONS else recovery.question


def _decoy_hash() -> str:
    global _DECOY_ANSWER_HASH
    if _DECOY_ANSWER_HASH is None:
        _DECOY_ANSWER_HASH = make_password(secrets.token_hex(16))
    return _DECOY_ANSWER_HASH


def recovery_resend(*, session, ip: str) -> Recovery:
    """Send the code again (throttled like the first one)."""
    recovery = Recovery.load(session, expected=Step.CODE)
    _send(recovery, ip=ip)
    return recovery


def recovery_verify_code(*, session, code: str) -> Recovery:
    """Step 3: the code. Five wrong codes lock the recovery for an hour (the one-time-code service)."""
    recovery = Recovery.load(session, expected=Step.CODE)
    # An unknown account was never sent a code: the service answers as for a wrong one, and locks alike.
    otp.code_verify(purpose=PURPOSE, target=recovery.target, code=code)
    recovery.advance(session, Step.PASSWORD)
    return recovery


def recovery_complete(
    *, session, password: str, security_question: str = "", security_answer: str = "", ip: str = ""
) -> User:
    """Last step: the new password (TRE heritage: and a new security question and answer).

    The old password stops working and every session of the user ends; he then logs in again.
    """
    recovery = Recovery.load(session, expected=Step.PASSWORD)
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",)).select_related("company").filter(pk=recovery.user_id).first()
        )
        if user is None or not _recoverable(user):
            session.pop(SESSION_KEY, None)
            raise _restart_error()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), field="password", code="password_invalid") from None
        fields = ["password", "must_change_password"]
        if recovery.tre:
            set_security_answer(user, question=security_question, answer=security_answer)
            fields += ["security_question", "security_answer_hash"]
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=fields)
        AuditEvent.objects.create(
            actor=user, company_id=user.company_id, action="password_recovered", object_type="user",
            object_id=str(user.pk), detail={"channel": recovery.channel}, ip_address=ip or None,
        )  # fmt: skip
        user_sessions_end(user=user, reason="password_recovered")
    session.pop(SESSION_KEY, None)
    return user


def set_security_answer(user: User, *, question: str, answer: str) -> None:
    """Check and set a new security question and the hash of its normalised answer (not saved)."""
    question = (question or "").strip()
    if not question:
        raise ApplicationError(_("Choose a security question."), field="security_question", code="required")
    if len(question) > 200:
        raise ApplicationError(_("This value is too long."), field="security_question", code="too_long")
    normalised = normalise_security_answer(answer or "")
    if len(normalised) < 2:
        raise ApplicationError(_("Write the answer to your question."), field="security_answer", code="required")
    if len(normalised) > 100:
        raise ApplicationError(_("This value is too long."), field="security_answer", code="too_long")
    user.security_question = question
    user.security_answer_hash = make_password(normalised)
