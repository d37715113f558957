"""Ending a user's sessions: when his account is disabled or deleted, or when an operator asks.

The session keys come from allauth.usersessions, which records every login; each is deleted through
the configured session engine, so this works with database and cache (Redis) sessions alike.
"""

from allauth.usersessions.models import UserSession
from django.db import transaction

from selfcare.core.models import AuditEvent


def user_sessions_end(*, user, reason: str, keep_session_key: str | None = None, actor=None) -> int:
    """End every session of `user` (but `keep_session_key`) and record why; returns how many ended.

    The audit event names the company only while the user still exists: when the user is being
    deleted (perhaps with his company), the event must not point at rows on their way out.
    """
    with transaction.atomic():
        sessions = list(UserSession.objects.filter(user_id=user.pk).exclude(session_key=keep_session_key or ""))
        for session in sessions:
            session.end()
        if sessions:
            AuditEvent.objects.create(
                actor=actor if actor is not None and actor.pk != user.pk else None,
                company_id=None if reason == "account_deleted" else getattr(user, "company_id", None),
                action="sessions_ended",
                object_type="user",
                object_id=str(user.pk),
                detail={"reason": reason, "count": len(sessions)},
            )
    return len(sessions)
