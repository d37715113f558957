"""Companies and everything they own except traffic and invoices: sites, people, lines, SIMs, devices."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from selfcare.catalog.models import Offer
from selfcare.customers.models import Company, CostCentre, Holder, Referent, Segment, Site
from selfcare.demo.world import identity
from selfcare.demo.world.catalogue import OPTIONS
from selfcare.demo.world.context import ROME, Context, add_months, rome_midnight
from selfcare.lines.models import ActiveOption, Device, FixedActivation, Line, Pool, Sim

# model, type allocation code (first 8 IMEI digits), cash price
SMARTPHONES = [
    ("Samsung Galaxy S25", "35118734", "899.00"),
    ("Samsung Galaxy A56", "35227816", "449.00"),
    ("Apple iPhone 16", "35391742", "979.00"),
    ("Apple iPhone 16e", "35412208", "729.00"),
    ("Google Pixel 9a", "35698421", "549.00"),
    ("Motorola edge 50 neo", "35874215", "399.00"),
]
TABLETS = [("Samsung Galaxy Tab S10 FE 5G", "35590327", "649.00"), ("Apple iPad Air 5G", "35661104", "899.00")]
ROUTERS = [("Router Fibra Business Wi-Fi 7", "FBR7"), ("Router FWA Outdoor 5G", "FWA5"), ("Modem 4G Backup", "BK4G")]

COST_CENTRE_NAMES = [
    "Direzione", "Amministrazione", "Commerciale", "Logistica", "Produzione", "IT e Sistemi",
    "Risorse Umane", "Assistenza Clienti", "Magazzino Nord", "Magazzino Sud", "Flotta Autisti",
    "Acquisti", "Marketing", "Qualità", "Legale",
]  # fmt: skip
STAGE_PROGRESS = [
    (FixedActivation.Stage.RECEIVED, 10),
    (FixedActivation.Stage.FEASIBILITY, 25),
    (FixedActivation.Stage.APPOINTMENT, 45),
    (FixedActivation.Stage.INSTALLATION, 70),
    (FixedActivation.Stage.TESTING, 90),
]


@dataclass
class CompanySpec:
    """What to build for one company; line counts by kind."""

    name: str
    vat_number: str
    heritage: str
    segment: str
    city: identity.City
    domain: str
    postpaid: int
    prepaid: int
    data_only: int
    fixed: int
    fixed_activating: int
    sites: list[identity.City]
    cost_centres: int
    pools: list[tuple[str, int, int]] = field(default_factory=list)  # (kind, GB, SIMs)
    pec: bool = True
    sdi_code: str = ""
    tre_customer_code: str | None = None
    smartphone_share: float = 0.5

    @property
    def line_count(self) -> int:
        return self.postpaid + self.prepaid + self.data_only + self.fixed


@dataclass
class BuiltCompany:
    company: Company
    lines: list[Line]
    cost_centres: list[CostCentre]
    devices: list[Device]
    options: list[ActiveOption]


def build_company(ctx: Context, spec: CompanySpec, *, reserved_numbers: list[str] = ()) -> BuiltCompany:
    """Create one company with its sites, referents, cost centres, holders, lines, SIMs, pools and devices.

    reserved_numbers go to the first postpaid lines (the demo employee's number is fixed).
    """
    rng = ctx.rng
    rep = identity.person(rng)
    birth = datetime.date(rng.randint(1958, 1988), rng.randint(1, 12), rng.randint(1, 28))
    company = Company.objects.create(
        name=spec.name,
        vat_number=spec.vat_number,
        fiscal_code=spec.vat_number,
        heritage=spec.heritage,
        segment=spec.segment,
        tre_customer_code=spec.tre_customer_code,
        address=identity.address(rng),
        city=spec.city.name,
        postcode=spec.city.postcode,
        province=spec.city.province,
        legal_rep_first_name=rep.first_name,
        legal_rep_last_name=rep.last_name,
        legal_rep_birth_date=birth,
        legal_rep_fiscal_code=identity.person_fiscal_code(
            first_name=rep.first_name,
            last_name=rep.last_name,
            birth_date=birth,
            female=rep.female,
            belfiore=rng.choice(identity.CITIES).belfiore,
        ),
        legal_rep_email=rep.email(spec.domain),
        legal_rep_mobile=identity.mobile_number(rng),
        pec=f"amministrazione@pec.{spec.domain}" if spec.pec else "",
        sdi_code=spec.sdi_code,
        call_detail_enabled=spec.segment == Segment.PMI,
    )

    sites = Site.objects.bulk_create(
        Site(
            company=company,
            name="Sede legale" if i == 0 else f"Sede di {city.name}",
            address=identity.address(rng),
            city=city.name,
            postcode=city.postcode,
            province=city.province,
        )
        for i, city in enumerate(spec.sites)
    )
    referents = []
    for kind in Referent.Kind.values:
        who = identity.person(rng)
        referents.append(
            Referent(
                company=company,
                kind=kind,
                first_name=who.first_name,
                last_name=who.last_name,
                email=who.email(spec.domain),
                phone=identity.mobile_number(rng),
                site=sites[0],
            )
        )
    Referent.objects.bulk_create(referents)
    cost_centres = CostCentre.objects.bulk_create(
        CostCentre(company=company, code=f"CC{100 + 10 * i}", name=COST_CENTRE_NAMES[i % len(COST_CENTRE_NAMES)])
        for i in range(spec.cost_centres)
    )

    lines = _build_lines(ctx, spec, company, sites, cost_centres, list(reserved_numbers))
    _build_sims(ctx, lines)
    _build_pools(ctx, spec, company, lines, referents)
    _build_activations(ctx, lines)
    options = _build_options(ctx, lines)
    devices = _build_devices(ctx, spec, company, lines)
    return BuiltCompany(company=company, lines=lines, cost_centres=cost_centres, devices=devices, options=options)


def _build_lines(ctx, spec, company, sites, cost_centres, reserved_numbers) -> list[Line]:
    rng = ctx.rng
    offers = ctx.catalogue.offers
    today = ctx.today
    kinds = (
        [Offer.Kind.POSTPAID] * spec.postpaid
        + [Offer.Kind.PREPAID] * spec.prepaid
        + [Offer.Kind.DATA_ONLY] * spec.data_only
        + [Offer.Kind.FIXED] * spec.fixed
    )
    holders = []
    lines = []
    activating_left = spec.fixed_activating
    for kind in kinds:
        site = rng.choice(sites)
        site_city = next(c for c in identity.CITIES if c.name == site.city)
        if kind == Offer.Kind.FIXED:
            offer = offers[rng.choice(["fibra-biz-1000", "fibra-biz-1000", "fibra-biz-2500", "fibra-biz-200"])]
            status = Line.Status.ACTIVE
            if activating_left:
                activating_left -= 1
                status = Line.Status.ACTIVATING
            line = Line(
                company=company,
                number=ctx.uniques.fixed_number(site_city),
                kind=Line.Kind.FIXED,
                offer=offer,
                status=status,
                site=site,
                cost_centre=rng.choice(cost_centres),
                access_type="FTTH" if offer.code != "fibra-biz-200" else rng.choice(["FTTC", "FWA"]),
                activated_on=None
                if status == Line.Status.ACTIVATING
                else today - datetime.timedelta(days=rng.randint(120, 1500)),
            )
        else:
            if kind == Offer.Kind.POSTPAID:
                offer = offers[rng.choices(["biz-start-50", "biz-pro-100", "biz-top-200"], [40, 45, 15])[0]]
            elif kind == Offer.Kind.PREPAID:
                offer = offers["biz-ricaricabile-70"]
            else:
                offer = offers["biz-data-150"]
            number = (
                ctx.uniques.numbers.reserve(reserved_numbers.pop(0))
                if reserved_numbers and kind == Offer.Kind.POSTPAID
                else ctx.uniques.numbers()
            )
            holder = None
            cost_centre = rng.choice(cost_centres)
            # Most lines are assigned to a person; a few (spares, devices) only to a cost centre.
            if rng.random() < 0.92:
                who = identity.person(rng)
                holder = Holder(
                    company=company,
                    first_name=who.first_name,
                    last_name=who.last_name,
                    email=who.email(spec.domain),
                    employee_code=f"M{rng.randint(10000, 99999)}",
                    cost_centre=cost_centre,
                )
                holders.append(holder)
            # A handful of lines are recent, so some show fewer invoices and a short history.
            age = rng.randint(20, 200) if rng.random() < 0.06 else rng.randint(200, 2500)
            line = Line(
                company=company,
                number=number,
                kind=Line.Kind.MOBILE,
                offer=offer,
                status=Line.Status.SUSPENDED if rng.random() < 0.01 else Line.Status.ACTIVE,
                holder=holder,
                cost_centre=cost_centre,
                site=site,
                activated_on=today - datetime.timedelta(days=age),
                credit=Decimal(rng.randint(150, 6000)) / 100 if kind == Offer.Kind.PREPAID else None,
            )
        lines.append(line)
    Holder.objects.bulk_create(holders, batch_size=1000)
    for line in lines:
        if line.holder is not None:
            line.holder_id = line.holder.pk  # the bulk insert set the pk after the line was built
    return Line.objects.bulk_create(lines, batch_size=1000)


def _build_sims(ctx: Context, lines: list[Line]) -> None:
    rng = ctx.rng
    sims = []
    for line in lines:
        if line.kind != Line.Kind.MOBILE:
            continue
        # A few lines had their SIM replaced (lost, broken, moved to eSIM): the old one stays as history.
        if rng.random() < 0.03:
            sims.append(
                Sim(
                    line=line,
                    iccid=ctx.uniques.iccids(),
                    pin=f"{rng.randint(0, 9999):04d}",
                    puk=f"{rng.randint(0, 99_999_999):08d}",
                    status=Sim.Status.REPLACED,
                    activated_on=line.activated_on,
                )
            )
        sims.append(
            Sim(
                line=line,
                iccid=ctx.uniques.iccids(),
                pin=f"{rng.randint(0, 9999):04d}",
                puk=f"{rng.randint(0, 99_999_999):08d}",
                is_esim=rng.random() < 0.08,
                activated_on=line.activated_on,
            )
        )
    Sim.objects.bulk_create(sims, batch_size=1000)


def _build_pools(ctx, spec, company, lines, referents) -> None:
    candidates = [line for line in lines if line.offer.kind in (Offer.Kind.POSTPAID, Offer.Kind.DATA_ONLY)]
    ctx.rng.shuffle(candidates)
    for kind, gb, sims in spec.pools:
        # A small world still gets every pool, with fewer SIMs.
        members = candidates[: max(2, min(sims, len(candidates) // (len(spec.pools) + 1)))]
        candidates = candidates[len(members) :]
        pool = Pool.objects.create(
            company=company,
            pool_code=ctx.uniques.pool_codes(),
            kind=kind,
            total_gb=gb,
            extra_gb=ctx.rng.choice([0, 0, 20, 50]),
            referent_number=referents[0].phone,
        )
        Line.objects.filter(pk__in=[m.pk for m in members]).update(pool=pool)
        for member in members:
            member.pool = pool


def _build_activations(ctx, lines) -> None:
    rng = ctx.rng
    today = ctx.today
    rows = []
    for line in lines:
        if line.kind != Line.Kind.FIXED:
            continue
        if line.status == Line.Status.ACTIVATING:
            stage, progress = rng.choice(STAGE_PROGRESS)
            requested = today - datetime.timedelta(days=rng.randint(3, 30))
            rows.append(
                FixedActivation(
                    line=line,
                    requested_on=requested,
                    expected_on=today + datetime.timedelta(days=rng.randint(5, 25)),
                    stage=stage,
                    progress=progress,
                    keep_informed=rng.random() < 0.5,
                )
            )
        else:
            # Completed activations stay, so the page can also show the history.
            rows.append(
                FixedActivation(
                    line=line,
                    requested_on=line.activated_on - datetime.timedelta(days=rng.randint(15, 40)),
                    expected_on=line.activated_on,
                    stage=FixedActivation.Stage.DONE,
                    progress=100,
                )
            )
    FixedActivation.objects.bulk_create(rows)


def _build_options(ctx: Context, lines: list[Line]) -> list[ActiveOption]:
    """Active options (and some expired ones) on about a third of the lines, never two exclusive ones."""
    rng = ctx.rng
    catalogue = ctx.catalogue
    now = ctx.now
    compatible = _compatibility(catalogue)
    period_end_at = rome_midnight(ctx.period_end)
    rows = []
    for line in lines:
        if line.status == Line.Status.ACTIVATING or rng.random() > 0.35:
            continue
        chosen: set[str] = set()
        for code in rng.sample(compatible[line.offer.code], k=min(2, len(compatible[line.offer.code]))):
            if chosen & catalogue.exclusions[code]:
                continue
            chosen.add(code)
            option = catalogue.options[code]
            activated = now - datetime.timedelta(days=rng.randint(1, 80), minutes=rng.randint(0, 600))
            status = ActiveOption.Status.ACTIVE
            if option.duration == option.Duration.DAYS:
                expires = activated + datetime.timedelta(days=option.duration_days)
            elif option.duration == option.Duration.ONE_OFF:
                # One-off bundles last until the plan renews at the start of the next month.
                expires = rome_midnight(add_months(activated.astimezone(ROME).date().replace(day=1), 1))
            else:
                expires = period_end_at  # next renewal
            if expires <= now:
                status = ActiveOption.Status.EXPIRED
            rows.append(
                ActiveOption(line=line, option=option, activated_at=activated, expires_at=expires, status=status)
            )
    return ActiveOption.objects.bulk_create(rows, batch_size=1000)


def _compatibility(catalogue) -> dict[str, list[str]]:
    """Option codes each offer can take, in catalogue order (so the draw is reproducible)."""
    compatible: dict[str, list[str]] = {code: [] for code in catalogue.offers}
    for code, _name, _price, _duration, _days, offer_codes, _allowances, _description in OPTIONS:
        for offer_code in offer_codes:
            compatible[offer_code].append(code)
    return compatible


def _build_devices(ctx: Context, spec: CompanySpec, company: Company, lines: list[Line]) -> list[Device]:
    rng = ctx.rng
    today = ctx.today
    devices = []
    # Devices paid in one go are bought in a few fleet orders, each with its own invoice.
    orders = [today - datetime.timedelta(days=rng.randint(20, 700)) for _ in range(3)]
    for line in lines:
        if line.status == Line.Status.ACTIVATING:
            continue
        if line.kind == Line.Kind.FIXED:
            model, prefix = ROUTERS[0] if line.access_type == "FTTH" else rng.choice(ROUTERS[1:])
            kind, price = Device.Kind.ROUTER, "0"
            device_id = ctx.uniques.device_ids.take(lambda prefix=prefix: f"{prefix}{rng.randint(10**9, 10**10 - 1)}")
        elif line.offer.kind == Offer.Kind.DATA_ONLY and rng.random() < 0.6:
            model, tac, price = rng.choice(TABLETS)
            kind, device_id = Device.Kind.TABLET, ctx.uniques.device_ids.take(lambda tac=tac: identity.imei(rng, tac))
        elif line.offer.kind == Offer.Kind.POSTPAID and rng.random() < spec.smartphone_share:
            model, tac, price = rng.choice(SMARTPHONES)
            kind = Device.Kind.SMARTPHONE
            device_id = ctx.uniques.device_ids.take(lambda tac=tac: identity.imei(rng, tac))
        else:
            continue
        purchased = max(line.activated_on, today - datetime.timedelta(days=rng.randint(30, 900)))
        instalments_total = paid = 0
        amount = Decimal(0)
        if kind != Device.Kind.ROUTER and rng.random() >= 0.7:
            purchased = max(line.activated_on, rng.choice(orders))
        elif kind != Device.Kind.ROUTER:
            instalments_total = rng.choice([24, 30, 36])
            months = (today.year - purchased.year) * 12 + today.month - purchased.month
            paid = min(instalments_total, max(0, months))
            amount = (Decimal(price) / instalments_total).quantize(Decimal("0.01"))
        maintenance = rng.choice(Device.Maintenance.values)
        devices.append(
            Device(
                company=company,
                line=line,
                kind=kind,
                model=model,
                device_id=device_id,
                account_name=company.name[:100],
                purchased_on=purchased,
                instalments_total=instalments_total,
                instalments_paid=paid,
                instalment_amount=amount,
                maintenance=maintenance,
                interventions_left=0 if maintenance == Device.Maintenance.NONE else rng.randint(0, 3),
            )
        )
    return Device.objects.bulk_create(devices, batch_size=1000)


def device_price(device: Device) -> Decimal:
    """The cash price of a device model (for devices invoiced in one go)."""
    for model, _tac, price in SMARTPHONES + TABLETS:
        if model == device.model:
            return Decimal(price)
    return Decimal("149.00")  # routers bought outright
