"""What every step of a world build shares: the random source, the clock and the unique-value pools."""

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from selfcare.customers.models import Company
from selfcare.demo.world import identity
from selfcare.demo.world.catalogue import Catalogue
from selfcare.lines.models import Device, Line, Pool, Sim

ROME = ZoneInfo("Europe/Rome")


@dataclass
class Uniques:
    """Generators of identifiers that must not collide with rows already in the database."""

    rng: random.Random
    numbers: identity.Unique = field(init=False)
    iccids: identity.Unique = field(init=False)
    device_ids: identity.Unique = field(init=False)
    pool_codes: identity.Unique = field(init=False)
    vats: identity.Unique = field(init=False)

    def __post_init__(self):
        rng = self.rng
        self.numbers = identity.Unique(
            lambda: identity.mobile_number(rng), Line.objects.values_list("number", flat=True)
        )
        self.iccids = identity.Unique(lambda: identity.iccid(rng), Sim.objects.values_list("iccid", flat=True))
        # Device ids are drawn per model (IMEI from its type code, router serials): see Unique.take.
        self.device_ids = identity.Unique(lambda: "", Device.objects.values_list("device_id", flat=True))
        self.pool_codes = identity.Unique(
            lambda: f"GSS{rng.randint(10_000_000, 99_999_999)}", Pool.objects.values_list("pool_code", flat=True)
        )
        self.vats = identity.Unique(
            lambda: identity.vat_number(rng), Company.objects.values_list("vat_number", flat=True)
        )

    def fixed_number(self, city: identity.City) -> str:
        # Fixed and mobile numbers share one pool of taken values: the column is unique across both.
        while True:
            number = identity.fixed_number(self.rng, city)
            if number not in self.numbers:
                return self.numbers.reserve(number)


@dataclass
class Context:
    rng: random.Random
    now: datetime.datetime  # aware
    catalogue: Catalogue
    uniques: Uniques

    @property
    def today(self) -> datetime.date:
        """Today in Rome: the calendar the customer sees."""
        return self.now.astimezone(ROME).date()

    @property
    def period_start(self) -> datetime.date:
        """First day of the current billing period (calendar month, Rome time)."""
        return self.today.replace(day=1)

    @property
    def period_end(self) -> datetime.date:
        """The day the current period's counters reset."""
        return add_months(self.period_start, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day-of-month `months` later (or earlier), clamped to the 28th to stay valid."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, min(day.day, 28))


def rome_midnight(day: datetime.date) -> datetime.datetime:
    """The instant (UTC) a Rome calendar day begins."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ROME).astimezone(datetime.UTC)


def rome_at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A Rome wall-clock time on a day, as an aware UTC datetime."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ROME).astimezone(datetime.UTC)
