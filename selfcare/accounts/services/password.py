"""Change of password by a logged-in user (SPEC F-PWD-5), also when a change is forced.

The current password is asked again (wrong ones are throttled per user); TRE heritage employees
and referents set a new security question and answer too. Every other session of the user ends;
the caller keeps the current one (update_session_auth_hash).
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from selfcare.accounts.models import User
from selfcare.accounts.services.recovery import set_security_answer
from selfcare.accounts.services.sessions import user_sessions_end
from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage

WRONG_PASSWORD_TRIES = 5
WRONG_PASSWORD_WINDOW = 15 * 60


def security_question_required(user: User) -> bool:
    """TRE heritage employees and referents keep a security question (SPEC F-PWD-4, F-PWD-5)."""
    return bool(
        user.role in (Role.EMPLOYEE, Role.REFERENT)
        and user.company_id is not None
        and user.company.heritage == Heritage.TRE
    )


def current_password_check(*, user: User, password: str, field: str) -> None:
    """Raise on `field` unless `password` is the user's; wrong tries are throttled per user."""
    key = f"password-confirm:{user.pk}"
    too_many = _("Too many wrong passwords. For your security, try again in 15 minutes.")
    if ratelimit.is_limited(key, limit=WRONG_PASSWORD_TRIES):
        raise ApplicationError(too_many, field=field, code="rate_limited", status=429)
    if not user.check_password(password or ""):
        ratelimit.hit(key, limit=WRONG_PASSWORD_TRIES, window_seconds=WRONG_PASSWORD_WINDOW)
        raise ApplicationError(_("The password is not correct."), field=field, code="wrong_password")
    ratelimit.reset(key)


def password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    security_question: str = "",
    security_answer: str = "",
    keep_session_key: str | None = None,
    ip: str = "",
) -> User:
    """Replace the user's password; his other sessions end (but `keep_session_key`)."""
    current_password_check(user=user, password=old_password, field="old_password")
    if new_password == old_password:
        raise ApplicationError(
            _("The new password must be different from the current one."), field="new_password", code="unchanged"
        )
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="new_password", code="password_invalid") from None
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("company").get(pk=user.pk)
        fields = ["password", "must_change_password"]
        if security_question_required(user):
            set_security_answer(user, question=security_question, answer=security_answer)
            fields += ["security_question", "security_answer_hash"]
        forced = user.must_change_password
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=fields)
        AuditEvent.objects.create(
            actor=user, company_id=user.company_id, action="password_changed", object_type="user",
            object_id=str(user.pk), detail={"forced": forced}, ip_address=ip or None,
        )  # fmt: skip
        user_sessions_end(user=user, reason="password_changed", keep_session_key=keep_session_key)
    return user
