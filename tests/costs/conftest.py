"""Fixtures shared by the Costi Online tests."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from selfcare.customers.models import Holder
from selfcare.usage.models import DailyUsage, MonthlyUsage


def in_english(client):
    """Pages in English (the source strings), whatever the Italian catalogue says. After the
    login: logging in or out gives the test client new cookies."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def manager_client(client_as):
    return in_english(client_as("manager"))


def make_holder(company, first="Anna", last="Bianchi", **extra) -> Holder:
    return Holder.objects.create(company=company, first_name=first, last_name=last, **extra)


def usage(line, day: datetime.date, category: str, cost: str, **extra) -> DailyUsage:
    """One per-day total of a line, added to its per-month total (the table the cost pages read),
    as ingestion does."""
    row = DailyUsage.objects.create(line=line, day=day, category=category, cost=Decimal(cost), count=1, **extra)
    month, _ = MonthlyUsage.objects.get_or_create(line=line, month=day.replace(day=1), category=category)
    month.cost += row.cost
    month.count += 1
    month.save()
    return row
