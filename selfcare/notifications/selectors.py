"""Reads of the in-app inbox."""

from selfcare.notifications.models import Notification


def unread_count(*, user_id: int) -> int:
    """How many of the user's notifications are unread (the number on the bell)."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
