"""The demo world: an operator catalogue and three companies (one per customer base) with a life behind them.

build_demo_world() creates it once; it is recognised by the demo companies' partite IVA, which are
fixed whatever the seed, so a second run does nothing and delete_demo_world() removes exactly it.
"""

import datetime
import random
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from selfcare.billing.models import Invoice, Payment
from selfcare.customers.models import Company, Heritage, Segment
from selfcare.demo.world import identity
from selfcare.demo.world.billing import create_invoices, create_payment_methods, create_topups
from selfcare.demo.world.catalogue import ensure_catalogue, ensure_promotions
from selfcare.demo.world.companies import CompanySpec, build_company
from selfcare.demo.world.context import Context, Uniques
from selfcare.demo.world.tickets import create_tickets
from selfcare.demo.world.usage import create_counters, generate_usage, make_profiles
from selfcare.demo.world.users import DEMO_PASSWORD, EMPLOYEE_NUMBER, create_demo_users, demo_logins
from selfcare.usage.models import DailyUsage, UsageRecord
from selfcare.usage.services import monthly_from_daily

DEFAULT_SEED = 1928
DEFAULT_LARGE_LINES = 2000
DEFAULT_DETAIL_LINES = 200
DEFAULT_DAYS = 90

# Drawn from a constant, not from --seed: they are how an existing demo world is recognised.
_vat_rng = random.Random("selfcare-demo-companies")
DEMO_VAT_NUMBERS = {key: identity.vat_number(_vat_rng) for key in ("pmi", "large", "tre")}
TRE_CUSTOMER_CODE = "3B00418293"

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_DETAIL_LINES",
    "DEFAULT_LARGE_LINES",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_VAT_NUMBERS",
    "build_demo_world",
    "delete_demo_world",
    "demo_logins",
    "demo_world_exists",
]


def demo_world_exists() -> bool:
    """True when any demo company is in the database."""
    return Company.objects.filter(vat_number__in=DEMO_VAT_NUMBERS.values()).exists()


def delete_demo_world() -> int:
    """Delete the demo companies and everything they own (the catalogue stays); return how many."""
    with transaction.atomic():
        companies = Company.objects.filter(vat_number__in=DEMO_VAT_NUMBERS.values())
        # Usage rows have no dependants: deleted in bulk first, they are not collected line by line.
        UsageRecord.objects.filter(line__company__in=companies).delete()
        DailyUsage.objects.filter(line__company__in=companies).delete()
        # Invoices protect their company from deletion, and payments their invoice: they go first.
        Payment.objects.filter(company__in=companies).delete()
        Invoice.objects.filter(company__in=companies).delete()
        count = companies.count()
        companies.delete()
    return count


def _specs(large_lines: int) -> dict[str, CompanySpec]:
    c = {city.name: city for city in identity.CITIES}
    fixed = max(2, large_lines * 2 // 100)
    data_only = max(1, large_lines * 4 // 100)
    prepaid = max(1, large_lines * 3 // 100)
    return {
        "pmi": CompanySpec(
            name="Officine Brambilla S.r.l.",
            vat_number=DEMO_VAT_NUMBERS["pmi"],
            heritage=Heritage.WINDTRE,
            segment=Segment.PMI,
            city=c["Milano"],
            domain="officinebrambilla.it",
            postpaid=11,
            prepaid=1,
            data_only=1,
            fixed=2,
            fixed_activating=1,
            sites=[c["Milano"], c["Brescia"]],
            cost_centres=3,
            pools=[("Giga Smart Share 100", 100, 4)],
            sdi_code="0000000",  # e-invoices go to the PEC address
            smartphone_share=0.6,
        ),
        "large": CompanySpec(
            name="Trasporti Peninsulari S.p.A.",
            vat_number=DEMO_VAT_NUMBERS["large"],
            heritage=Heritage.WIND,
            segment=Segment.LARGE,
            city=c["Roma"],
            domain="trasportipeninsulari.it",
            postpaid=max(1, large_lines - fixed - data_only - prepaid),
            prepaid=prepaid,
            data_only=data_only,
            fixed=fixed,
            fixed_activating=max(1, fixed // 5),
            sites=[c[name] for name in ("Roma", "Milano", "Torino", "Bologna", "Napoli", "Bari", "Padova", "Verona")],
            cost_centres=12,
            pools=[("Giga Smart Share 500", 500, 60), ("Giga Smart Share 1000", 1000, 120)],
            sdi_code="M5UXCR1",
            smartphone_share=0.25,
        ),
        "tre": CompanySpec(
            name="Studio Associato Caruso e Partners",
            vat_number=DEMO_VAT_NUMBERS["tre"],
            heritage=Heritage.TRE,
            segment=Segment.PMI,
            city=c["Napoli"],
            domain="studiocaruso.it",
            postpaid=12,
            prepaid=2,
            data_only=1,
            fixed=1,
            fixed_activating=0,
            sites=[c["Napoli"], c["Bari"]],
            cost_centres=2,
            tre_customer_code=TRE_CUSTOMER_CODE,
            # No PEC and no recipient code: the company the e-invoicing checks should flag.
            pec=False,
            sdi_code="",
        ),
    }


def build_demo_world(
    *,
    seed: int = DEFAULT_SEED,
    large_lines: int = DEFAULT_LARGE_LINES,
    detail_lines: int = DEFAULT_DETAIL_LINES,
    days: int = DEFAULT_DAYS,
    now: datetime.datetime | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, int] | None:
    """Build the demo world in one transaction and return the rows written per kind.

    Returns None, writing nothing, when the demo world already exists. Same seed and same `now`
    give the same world. detail_lines is how many lines of the large company get usage records
    (the small companies always do); every line in service gets per-day totals.
    """
    log = log or (lambda _message: None)
    if demo_world_exists():
        return None
    rng = random.Random(seed)
    now = now or timezone.now()
    counts: dict[str, int] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        elapsed, clock = time.perf_counter() - clock, time.perf_counter()
        log(f"{name}: {elapsed:.1f} s")

    with transaction.atomic():
        catalogue = ensure_catalogue()
        ctx = Context(rng=rng, now=now, catalogue=catalogue, uniques=Uniques(rng))
        specs = _specs(large_lines)
        built = {
            key: build_company(ctx, spec, reserved_numbers=[EMPLOYEE_NUMBER] if key == "pmi" else [])
            for key, spec in specs.items()
        }
        ensure_promotions(
            catalogue,
            today=ctx.today,
            dedicated={
                "promo-flotta-ga": [built["large"].company],
                "promo-data-sim": [built["large"].company, built["pmi"].company],
                "promo-tre-fedelta": [built["tre"].company],
            },
        )
        all_lines = [line for b in built.values() for line in b.lines]
        all_options = [option for b in built.values() for option in b.options]
        counts["companies"] = len(built)
        counts["lines"] = len(all_lines)
        counts["devices"] = sum(len(b.devices) for b in built.values())
        counts["active options"] = len(all_options)
        step("companies, lines, SIMs, devices")

        profiles = make_profiles(ctx, all_lines, all_options, days=days)
        large_ids = [line.pk for line in built["large"].lines if line.pk in profiles]
        detail = {line.pk for key in ("pmi", "tre") for line in built[key].lines}
        detail |= set(rng.sample(large_ids, k=min(detail_lines, len(large_ids))))
        usage = generate_usage(ctx, profiles, detail_line_ids=detail, days=days)
        counts["usage records"] = usage.records
        counts["daily usage rows"] = usage.daily
        counts["monthly usage rows"] = monthly_from_daily(line_ids=list(profiles))
        counts["counters"] = create_counters(ctx, all_lines, all_options, usage.periods)
        step("usage and counters")

        on_invoice = create_topups(ctx, list(built.values()))
        counts["invoices"], counts["invoice lines"] = create_invoices(
            ctx,
            list(built.values()),
            trouble={
                built["pmi"].company.pk: "overdue",
                built["tre"].company.pk: "overdue",
                built["large"].company.pk: "partial",
            },
            on_invoice=on_invoice,
        )
        counts["payment methods"] = create_payment_methods(
            ctx, list(built.values()), expired_card={built["tre"].company.pk}
        )
        step("top-ups and invoices")
        counts["tickets"] = create_tickets(ctx, list(built.values()))
        create_demo_users(pmi=built["pmi"], large=built["large"], tre=built["tre"])
        counts["users"] = 4
    return counts
