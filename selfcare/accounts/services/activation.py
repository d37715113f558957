"""Activation links (first access of a User Admin or Telco Manager, and reissued access).

A link carries a random token; only its sha256 is stored, so a copy of the database does not
open any account. A token is valid ACTIVATION_TTL and used once; issuing a new one for a user
invalidates his older ones. Following it, the user chooses his username and password and is
logged in.
"""

import datetime
import hashlib
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from selfcare.accounts.models import ActivationToken, User
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import MANAGER_ROLES
from selfcare.notifications.services import message_queue

ACTIVATION_TTL = datetime.timedelta(hours=48)
MANAGER_PASSWORD_MIN_LENGTH = 12
USERNAME_MIN, USERNAME_MAX = 4, 30
# ASCII letters and digits only: no look-alike letters from other alphabets, no spaces, no symbols.
USERNAME_RE = re.compile(r"[A-Za-z0-9]+")
PENDING_PREFIX = "pending-"  # placeholder username until the first access; has a "-", never chosen

LinkBuilder = Callable[[str], str]  # token → absolute URL of the activation page


def link_builder_for(request) -> LinkBuilder:
    """token → the absolute URL of the activation page, as the user reached this site."""
    return lambda token: request.build_absolute_uri(reverse("accounts:activate", args=[token]))


def login_backend() -> str:
    """The configured authentication backend to log an activated user in with.

    The first one that checks username and password (a ModelBackend); the session must name a
    backend from AUTHENTICATION_BACKENDS, or the user would be logged out at the next request.
    """
    for path in settings.AUTHENTICATION_BACKENDS:
        if issubclass(import_string(path), ModelBackend):
            return path
    return settings.AUTHENTICATION_BACKENDS[0]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_username() -> str:
    return PENDING_PREFIX + secrets.token_hex(12)


def clean_username(value: str) -> str:
    """A username of 4–30 ASCII letters and digits, not all digits; case-sensitive."""
    value = (value or "").strip()
    if len(value) > 200:
        raise ValidationError(_("This value is too long."), code="too_long")
    if not USERNAME_RE.fullmatch(value) or not value.isascii():
        raise ValidationError(_("Use only letters (a–z, A–Z, without accents) and digits."), code="username_characters")
    if not USERNAME_MIN <= len(value) <= USERNAME_MAX:
        raise ValidationError(
            _("The username has from %(min)d to %(max)d characters.") % {"min": USERNAME_MIN, "max": USERNAME_MAX},
            code="username_length",
        )
    if value.isdigit():
        # Employees log in with their number: an all-digit username could take a line's number.
        raise ValidationError(_("The username must contain at least one letter."), code="username_digits")
    return value


def password_validators_for(user: User) -> list:
    """The configured validators, with a minimum length of 12 for managers (DESIGN §8)."""
    validators = []
    for validator in password_validation.get_default_password_validators():
        if (
            user.role in MANAGER_ROLES
            and isinstance(validator, password_validation.MinimumLengthValidator)
            and validator.min_length < MANAGER_PASSWORD_MIN_LENGTH
        ):
            validator = password_validation.MinimumLengthValidator(MANAGER_PASSWORD_MIN_LENGTH)
        validators.append(validator)
    return validators


def password_help_text(user: User | None = None) -> str:
    if user is None or user.role in MANAGER_ROLES:
        return str(gettext_lazy("At least 12 characters. Avoid common passwords and your own name."))
    return str(gettext_lazy("At least 8 characters. Avoid common passwords."))


def activation_token_issue(
    *, user: User, purpose: str, link_builder: LinkBuilder, subject: str, intro: str
) -> ActivationToken:
    """Create a new activation link for `user` (his older links stop working) and email it.

    Called inside the caller's transaction; the email leaves after commit through the outbox.
    """
    now = timezone.now()
    ActivationToken.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    record = ActivationToken.objects.create(
        user=user, purpose=purpose, token_hash=_hash(token), expires_at=now + ACTIVATION_TTL
    )
    link = link_builder(token)
    body = _(
        "%(intro)s\n\nOpen this link to choose your username and password:\n%(link)s\n\n"
        "The link works once and expires in 48 hours. If you did not expect this email, ignore it."
    ) % {"intro": intro, "link": link}
    message_queue(channel="email", recipient=user.email, subject=subject, body=body, purpose="activation")
    return record


def _invalid_link() -> ApplicationError:
    # Unknown, used and expired links get the same answer: a link that once worked reveals nothing.
    return ApplicationError(
        _("This link is not valid: it may have expired or have been used already."),
        code="link_invalid",
        status=400,
    )


def activation_token_get(*, token: str) -> ActivationToken:
    """The valid activation token behind `token`, or an ApplicationError (same for every reason)."""
    if not token or len(token) > 128:
        raise _invalid_link()
    record = (
        ActivationToken.objects.select_related("user", "user__company")
        .filter(token_hash=_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if record is None:
        raise _invalid_link()
    return record


def activation_complete(*, token: str, username: str, password: str, ip: str = "") -> User:
    """First access: choose username and password; the account becomes active and the link is spent."""
    try:
        username = clean_username(username)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field="username", code=exc.code or "invalid") from None
    with transaction.atomic():
        record = activation_token_get(token=token)
        # Lock the token: two submissions of the same link cannot both succeed.
        record = ActivationToken.objects.select_for_update().get(pk=record.pk)
        if record.used_at is not None or record.expires_at <= timezone.now():
            raise _invalid_link()
        user = User.objects.select_for_update().get(pk=record.user_id)
        if User.objects.filter(username=username).exclude(pk=user.pk).exists():
            raise ApplicationError(
                _("This username is taken: choose another."), field="username", code="username_taken"
            )
        user.username = username
        try:
            password_validation.validate_password(password, user, password_validators=password_validators_for(user))
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), field="password", code="password_invalid") from None
        user.set_password(password)
        user.is_active = True
        user.must_change_password = False
        try:
            with transaction.atomic():
                user.save(update_fields=["username", "password", "is_active", "must_change_password"])
        except IntegrityError:
            # The same username chosen at the same moment by someone else.
            raise ApplicationError(
                _("This username is taken: choose another."), field="username", code="username_taken"
            ) from None
        record.used_at = timezone.now()
        record.save(update_fields=["used_at"])
        AuditEvent.objects.create(
            actor=user, company=user.company, action="account_activated", object_type="user",
            object_id=str(user.pk), detail={"purpose": record.purpose}, ip_address=ip or None,
        )  # fmt: skip
    return user
