"""The operator's catalogue for the demo and benchmark worlds: plans, options, promotions, top-ups.

Product names are invented. The catalogue is keyed by code, so building it twice reuses the rows.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from selfcare.catalog.models import Allowance, AllowanceKind, Offer, Option, Promotion, TopupAmount

GB = 1024  # allowances of data are kept in MB

# code, name, kind, monthly fee, description, allowances {kind: amount or None (unlimited)}
OFFERS = [
    ("biz-start-50", "Business Start 50", Offer.Kind.POSTPAID, "10.99",
     "Minuti e SMS illimitati, 50 GB in Italia, 8 GB in roaming UE.",
     {AllowanceKind.VOICE_MINUTES: None, AllowanceKind.SMS: None, AllowanceKind.DATA_MB: 50 * GB,
      AllowanceKind.ROAMING_DATA_MB: 8 * GB}),
    ("biz-pro-100", "Business Pro 100", Offer.Kind.POSTPAID, "17.99",
     "Minuti e SMS illimitati, 100 GB in Italia, 14 GB in roaming UE.",
     {AllowanceKind.VOICE_MINUTES: None, AllowanceKind.SMS: None, AllowanceKind.DATA_MB: 100 * GB,
      AllowanceKind.ROAMING_DATA_MB: 14 * GB}),
    ("biz-top-200", "Business Top 200", Offer.Kind.POSTPAID, "27.99",
     "Minuti e SMS illimitati, 200 GB in Italia, 20 GB in roaming UE, 300 minuti verso l'estero.",
     {AllowanceKind.VOICE_MINUTES: None, AllowanceKind.SMS: None, AllowanceKind.DATA_MB: 200 * GB,
      AllowanceKind.ROAMING_DATA_MB: 20 * GB}),
    ("biz-ricaricabile-70", "Business Ricaricabile 70", Offer.Kind.PREPAID, "9.99",
     "Ricaricabile aziendale: minuti illimitati, 200 SMS, 70 GB; canone scalato dal credito.",
     {AllowanceKind.VOICE_MINUTES: None, AllowanceKind.SMS: 200, AllowanceKind.DATA_MB: 70 * GB,
      AllowanceKind.ROAMING_DATA_MB: 5 * GB}),
    ("biz-data-150", "Business Data SIM 150", Offer.Kind.DATA_ONLY, "14.99",
     "SIM solo dati per tablet, router e dispositivi: 150 GB.",
     {AllowanceKind.DATA_MB: 150 * GB, AllowanceKind.ROAMING_DATA_MB: 10 * GB}),
    ("fibra-biz-1000", "Fibra Business 1 Giga", Offer.Kind.FIXED, "34.90",
     "Fibra FTTH fino a 1 Gbit/s, chiamate illimitate verso fissi e mobili nazionali, router incluso.",
     {AllowanceKind.VOICE_MINUTES: None}),
    ("fibra-biz-2500", "Fibra Business 2.5 Giga", Offer.Kind.FIXED, "49.90",
     "Fibra FTTH fino a 2,5 Gbit/s, IP statico, assistenza prioritaria, router Wi-Fi 7 incluso.",
     {AllowanceKind.VOICE_MINUTES: None}),
    ("fibra-biz-200", "Fibra Business 200 Mega", Offer.Kind.FIXED, "29.90",
     "FTTC o FWA fino a 200 Mbit/s, chiamate illimitate nazionali, router incluso.",
     {AllowanceKind.VOICE_MINUTES: None}),
]  # fmt: skip

MOBILE_VOICE = ["biz-start-50", "biz-pro-100", "biz-top-200", "biz-ricaricabile-70"]
MOBILE_ALL = [*MOBILE_VOICE, "biz-data-150"]

# code, name, price, duration, days, compatible offer codes, allowances, description
OPTIONS = [
    ("giga-extra-10", "Giga Extra 10", "4.99", Option.Duration.ONE_OFF, None, MOBILE_ALL,
     {AllowanceKind.DATA_MB: 10 * GB}, "10 GB in più fino al rinnovo della tariffa."),
    ("giga-extra-50", "Giga Extra 50", "9.99", Option.Duration.ONE_OFF, None, MOBILE_ALL,
     {AllowanceKind.DATA_MB: 50 * GB}, "50 GB in più fino al rinnovo della tariffa."),
    ("giga-plus-mensile", "Giga Plus Mensile", "5.00", Option.Duration.MONTHLY, None, MOBILE_ALL,
     {AllowanceKind.DATA_MB: 30 * GB}, "30 GB in più ogni mese."),
    ("roaming-ue-plus", "Roaming UE Plus", "6.00", Option.Duration.MONTHLY, None, MOBILE_ALL,
     {AllowanceKind.ROAMING_DATA_MB: 15 * GB}, "15 GB aggiuntivi in roaming nei paesi UE."),
    ("roaming-ue-week", "Roaming UE Settimana", "3.00", Option.Duration.DAYS, 7, MOBILE_ALL,
     {AllowanceKind.ROAMING_DATA_MB: 5 * GB}, "5 GB in roaming UE per 7 giorni."),
    ("travel-world-7", "Travel World 7 giorni", "14.99", Option.Duration.DAYS, 7, MOBILE_ALL,
     {AllowanceKind.ROAMING_DATA_MB: 3 * GB, AllowanceKind.VOICE_MINUTES: 100},
     "Zona Mondo 1 (USA, Svizzera, Regno Unito...): 3 GB e 100 minuti per 7 giorni."),
    ("travel-world-30", "Travel World 30 giorni", "39.99", Option.Duration.DAYS, 30, MOBILE_ALL,
     {AllowanceKind.ROAMING_DATA_MB: 10 * GB, AllowanceKind.VOICE_MINUTES: 300},
     "Zona Mondo 1: 10 GB e 300 minuti per 30 giorni."),
    ("chiamate-estero-200", "Chiamate Estero 200", "5.00", Option.Duration.MONTHLY, None, MOBILE_VOICE,
     {AllowanceKind.VOICE_MINUTES: 200}, "200 minuti al mese dall'Italia verso fissi e mobili esteri."),
    ("cloud-secure", "Cloud & Secure", "3.50", Option.Duration.MONTHLY, None, MOBILE_ALL,
     {}, "100 GB di backup in cloud e protezione da siti malevoli e phishing."),
    ("ip-statico", "IP Statico", "5.00", Option.Duration.MONTHLY, None,
     ["fibra-biz-1000", "fibra-biz-200"], {}, "Un indirizzo IPv4 pubblico statico."),
    ("backup-4g", "Backup 4G", "4.00", Option.Duration.MONTHLY, None,
     ["fibra-biz-1000", "fibra-biz-2500", "fibra-biz-200"], {},
     "Connessione di riserva sulla rete mobile quando la fibra non è disponibile."),
]  # fmt: skip

# Options that cannot be active together on one line (each pair excludes the other).
EXCLUSIONS = [
    ("travel-world-7", "travel-world-30"),
    ("roaming-ue-plus", "roaming-ue-week"),
    ("giga-extra-10", "giga-extra-50"),
]

TOPUP_AMOUNTS = ["5", "10", "15", "20", "25", "30", "50", "100"]


@dataclass
class Catalogue:
    offers: dict[str, Offer]
    options: dict[str, Option]
    # allowances per offer code and per option code: {kind: amount or None}
    offer_allowances: dict[str, dict[str, int | None]]
    option_allowances: dict[str, dict[str, int | None]]
    exclusions: dict[str, set[str]]


def ensure_catalogue() -> Catalogue:
    """Create what is missing of the demo catalogue (offers, allowances, options, top-up amounts).

    Rows already present (same code) are kept as they are, so the call is idempotent.
    """
    offers = {o.code: o for o in Offer.objects.filter(code__in=[row[0] for row in OFFERS])}
    for code, name, kind, fee, description, allowances in OFFERS:
        if code not in offers:
            offers[code] = Offer.objects.create(
                code=code, name=name, kind=kind, monthly_fee=Decimal(fee), description=description
            )
            Allowance.objects.bulk_create(
                Allowance(offer=offers[code], kind=kind_, amount=amount) for kind_, amount in allowances.items()
            )

    options = {o.code: o for o in Option.objects.filter(code__in=[row[0] for row in OPTIONS])}
    for code, name, price, duration, days, compatible, allowances, description in OPTIONS:
        if code not in options:
            option = Option.objects.create(
                code=code,
                name=name,
                price=Decimal(price),
                duration=duration,
                duration_days=days,
                description=description,
            )
            option.compatible_offers.set([offers[c] for c in compatible])
            Allowance.objects.bulk_create(
                Allowance(option=option, kind=kind_, amount=amount) for kind_, amount in allowances.items()
            )
            options[code] = option
    for a, b in EXCLUSIONS:
        options[a].excludes.add(options[b])  # symmetric: the reverse row comes with it

    existing = {str(int(a)) for a in TopupAmount.objects.values_list("amount", flat=True)}
    TopupAmount.objects.bulk_create(TopupAmount(amount=Decimal(a)) for a in TOPUP_AMOUNTS if a not in existing)

    exclusions: dict[str, set[str]] = {code: set() for code in options}
    for a, b in EXCLUSIONS:
        exclusions[a].add(b)
        exclusions[b].add(a)
    return Catalogue(
        offers=offers,
        options=options,
        offer_allowances={row[0]: dict(row[5]) for row in OFFERS},
        option_allowances={row[0]: dict(row[6]) for row in OPTIONS},
        exclusions=exclusions,
    )


def ensure_promotions(catalogue: Catalogue, *, today: datetime.date, dedicated: dict[str, list]) -> None:
    """Create the demo promotions (idempotent by code); `dedicated` maps a promotion code to companies."""
    rows = [
        ("promo-pro-primavera", "Pro a metà prezzo", ["biz-pro-100"], "9.00", -60, 120, False,
         "Business Pro 100 a metà prezzo per 12 mesi sulle nuove attivazioni."),
        ("promo-fibra-estate", "Fibra Business senza canone d'attivazione", ["fibra-biz-1000", "fibra-biz-2500"],
         "5.00", -200, -20, False, "Promozione conclusa: sconto di 5 € al mese sulla fibra."),
        ("promo-flotta-ga", "Flotta Top riservata", ["biz-top-200"], "8.00", -30, 180, True,
         "Riservata alla tua azienda: Business Top 200 con 8 € di sconto al mese."),
        ("promo-data-sim", "Data SIM Smart Working", ["biz-data-150"], "4.00", -10, 80, True,
         "Riservata alla tua azienda: SIM dati a 10,99 € al mese."),
        ("promo-tre-fedelta", "Fedeltà 3 Business", ["biz-start-50", "biz-pro-100"], "3.00", -45, 45, True,
         "Riservata ai clienti storici: 3 € di sconto al mese per 24 mesi."),
    ]  # fmt: skip
    existing = {p.code: p for p in Promotion.objects.filter(code__in=[r[0] for r in rows])}
    for code, name, offer_codes, discount, start, end, is_dedicated, description in rows:
        promo = existing.get(code)
        if promo is None:
            promo = Promotion.objects.create(
                code=code,
                name=name,
                description=description,
                valid_from=today + datetime.timedelta(days=start),
                valid_until=today + datetime.timedelta(days=end),
                monthly_discount=Decimal(discount),
            )
            promo.offers.set([catalogue.offers[c] for c in offer_codes])
        # Added even to an existing promotion: a rebuilt company is a new row that must get it again.
        if is_dedicated and dedicated.get(code):
            promo.companies.add(*dedicated[code])
