"""Version numbers in the cache, one per line and one per company, changed whenever their data does.

Pages that read the same figures again and again (the employee's home, the manager's dashboard)
cache what they read under a key that includes these versions: any change to a line, its
counters, options, SIM, devices or top-ups, to the company's invoices, cost centres or holders gives a new key,
so a cached copy is never served after a change. The signals below cover the ORM's saves and
deletes; a service that writes in bulk (usage ingestion, the billing run) calls touch() itself.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from selfcare.billing.models import Invoice
from selfcare.customers.models import CostCentre, Holder
from selfcare.tickets.models import Ticket
from selfcare.topups.models import Topup

from .models import ActiveOption, Counter, Device, FixedActivation, Line, Sim

VERSION_SECONDS = 24 * 3600
LINE, COMPANY = "line", "company"


def _key(kind: str, pk: int) -> str:
    return f"version:v1:{kind}:{pk}"


def versions(kind: str, ids) -> tuple:
    """The current version of each object (0 for one never changed since the cache started)."""
    found = cache.get_many([_key(kind, pk) for pk in ids])
    return tuple(found.get(_key(kind, pk), 0) for pk in ids)


def line_versions(line_ids) -> tuple:
    return versions(LINE, line_ids)


def company_version(company_id: int) -> int:
    return versions(COMPANY, [company_id])[0]


def touch(*, lines=(), companies=()) -> None:
    """Give new versions, now and again after the commit (a reader in between may have cached
    the old rows under the first new version)."""
    keys = [_key(LINE, pk) for pk in lines] + [_key(COMPANY, pk) for pk in companies]

    def bump():
        now = time.time_ns()
        cache.set_many(dict.fromkeys(keys, now), VERSION_SECONDS)

    bump()
    transaction.on_commit(bump)


@receiver([post_save, post_delete], sender=Line, dispatch_uid="version_line")
def _line_changed(sender, instance, **kwargs):
    touch(lines=[instance.pk], companies=[instance.company_id])


@receiver([post_save, post_delete], sender=Counter, dispatch_uid="version_counter")
@receiver([post_save, post_delete], sender=ActiveOption, dispatch_uid="version_option")
@receiver([post_save, post_delete], sender=Sim, dispatch_uid="version_sim")
@receiver([post_save, post_delete], sender=FixedActivation, dispatch_uid="version_activation")
@receiver([post_save, post_delete], sender=Topup, dispatch_uid="version_topup")
def _line_part_changed(sender, instance, **kwargs):
    company_id = Line.objects.filter(pk=instance.line_id).values_list("company_id", flat=True).first()
    touch(lines=[instance.line_id], companies=[company_id] if company_id else [])


@receiver([post_save, post_delete], sender=Device, dispatch_uid="version_device")
def _device_changed(sender, instance, **kwargs):
    touch(lines=[instance.line_id] if instance.line_id else [], companies=[instance.company_id])


@receiver([post_save, post_delete], sender=Invoice, dispatch_uid="version_invoice")
@receiver([post_save, post_delete], sender=CostCentre, dispatch_uid="version_cost_centre")
@receiver([post_save, post_delete], sender=Holder, dispatch_uid="version_holder")
@receiver([post_save, post_delete], sender=Ticket, dispatch_uid="version_ticket")
def _company_row_changed(sender, instance, **kwargs):
    touch(companies=[instance.company_id])
