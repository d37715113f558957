"""Reads of the in-app inbox."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from selfcare.notifications.models import Notification

# The bell shows on every page: its count is cached and dropped whenever a notification of the
# user is written (a bulk update of notifications must call forget_unread_count itself).
UNREAD_CACHE_SECONDS = 300


def _key(user_id: int) -> str:
    return f"unread:v1:{user_id}"


def unread_count(*, user_id: int) -> int:
    """How many of the user's notifications are unread (the number on the bell)."""
    count = cache.get(_key(user_id))
    if count is None:
        count = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
        cache.set(_key(user_id), count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_count(user_id: int) -> None:
    """Drop the cached count now and after the commit (a request in between may cache the old one)."""
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


@receiver([post_save, post_delete], sender=Notification, dispatch_uid="unread_count")
def _notification_changed(sender, instance, **kwargs):
    forget_unread_count(instance.user_id)
