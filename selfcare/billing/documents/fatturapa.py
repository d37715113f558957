"""The FatturaPA XML of an invoice (SPEC F-BIL-3): the fiscal document, format FPR12 (between businesses).

The XML is built with a38 and every file is validated against the FatturaPA 1.2.3 schema kept in
selfcare/billing/schemas (see PROVENANCE.md there) before it is stored: the schema is the authority,
not a38's own checks. The operator is the seller (cedente/prestatore, settings.OPERATOR) and also
transmits the file; the company is the buyer (cessionario/committente).

Recipient: the company's recipient code (codice destinatario) when it has one; otherwise "0000000"
with its PEC address. A company with neither still gets a valid XML with "0000000" (SDI then leaves
the invoice in the company's reserved area), and the invoice is flagged NO_RECIPIENT until the
company gives one (einvoice_recipient_changed).
"""

import copy
import functools
import unicodedata
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from a38 import fattura as a38
from a38.builder import LXMLBuilder
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from selfcare.billing.models import Invoice, InvoiceLine, PaymentMethod
from selfcare.billing.services.invoices import vat_summaries
from selfcare.core.errors import ApplicationError
from selfcare.core.money import quantize_money
from selfcare.customers.models import Company

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILE = "FatturaPA_FPR12_v1.2.3.xsd"
XMLDSIG_FILE = "xmldsig-core-schema.xsd"
NO_RECIPIENT_CODE = "0000000"
# NumeroLinea goes up to 9999 in the schema, and SDI takes files of up to 5 MB: an invoice with more
# rows, or whose rows would make a larger file, is summed up by type and VAT rate (the PDF copy
# keeps the detail).
MAX_DETAIL_LINES = 9999
MAX_XML_BYTES = 5_000_000
# The file name's progressive is 5 characters of [0-9A-Z]: the invoice's year and number in base 36.
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PROGRESSIVE_LENGTH = 5
_PAYMENT_MODES = {
    PaymentMethod.Kind.DIRECT_DEBIT: "MP19",  # SEPA direct debit
    PaymentMethod.Kind.CARD: "MP08",  # payment card
    PaymentMethod.Kind.TRANSFER: "MP05",  # bank transfer
}
# Typographic characters people paste into descriptions, and what the schema's Latin-1 alphabet has for them.
_LATIN_REPLACEMENTS = str.maketrans(
    {"€": "EUR", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-"}
)


class EInvoiceInvalid(ApplicationError):
    """The XML does not satisfy the FatturaPA schema; `errors` has the schema's messages."""

    def __init__(self, errors: list[str]):
        super().__init__(
            _("The e-invoice does not satisfy the FatturaPA schema: %(error)s")
            % {"error": errors[0] if errors else ""},
            code="einvoice_invalid",
            status=500,
        )
        self.errors = errors


class _LocalSchemas(etree.Resolver):
    """Answers the schema's import of XML-DSig (a w3.org address) with the copy kept here."""

    def resolve(self, system_url, public_id, context):
        name = (system_url or "").rsplit("/", 1)[-1]
        if name in (SCHEMA_FILE, XMLDSIG_FILE):
            return self.resolve_filename(str(SCHEMA_DIR / name), context)
        return None  # anything else fails: the parser below never goes to the network


@functools.cache
def fatturapa_schema() -> etree.XMLSchema:
    """The FatturaPA schema, loaded once per process (validation itself is safe across threads)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / SCHEMA_FILE), parser))


def einvoice_validate(xml: bytes) -> None:
    """Raise EInvoiceInvalid unless `xml` is well formed and valid against the FatturaPA schema."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)
    try:
        document = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise EInvoiceInvalid([str(exc)]) from exc
    schema = fatturapa_schema()
    if not schema.validate(document):
        raise EInvoiceInvalid([f"line {e.line}: {e.message}" for e in schema.error_log])


def sdi_progressive(invoice: Invoice) -> str:
    """The file's unique progressive (5 characters): year and number of the invoice in base 36.

    (year - 2000) × 1,000,000 + number fits 5 base-36 digits until 2059 with numbers up to
    999,999 a year, the width of the printed invoice number.
    """
    if not 2000 <= invoice.year <= 2059 or not 0 < invoice.sequence < 1_000_000:
        raise ApplicationError(_("This invoice number cannot be turned into an e-invoice file name."))
    value = (invoice.year - 2000) * 1_000_000 + invoice.sequence
    digits = []
    for _position in range(_PROGRESSIVE_LENGTH):
        value, digit = divmod(value, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits))


def einvoice_file_name(invoice: Invoice) -> str:
    """The file name SDI expects: country and VAT number of the transmitter, then the progressive."""
    return f"IT{settings.OPERATOR['vat_number']}_{sdi_progressive(invoice)}.xml"


def has_recipient(company: Company) -> bool:
    """Whether SDI can deliver the company's e-invoices: it has a recipient code or a PEC address."""
    return bool(company.sdi_code or company.pec)


def _latin(text: str, max_length: int) -> str:
    """`text` in the schema's alphabet (Basic Latin and Latin-1), on one line, at most max_length long."""
    chars = []
    for char in " ".join(str(text).translate(_LATIN_REPLACEMENTS).split()):
        if ord(char) < 256:
            if char.isprintable():
                chars.append(char)
            continue
        # A letter outside Latin-1 (ł, ő, č...): its base letter when it has one.
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        chars.append(base if base.isprintable() and base else "?")
    return "".join(chars)[:max_length].strip()


def _unit_price(value: Decimal) -> Decimal:
    """A unit price with 2 decimals when it has no more, else with the ones it has (at most 8)."""
    cents = quantize_money(value)
    if cents == value:
        return cents
    return value.normalize()


def _seller() -> a38.CedentePrestatore:
    operator = settings.OPERATOR
    return a38.CedentePrestatore(
        dati_anagrafici=a38.DatiAnagraficiCedentePrestatore(
            id_fiscale_iva=a38.IdFiscaleIVA(id_paese="IT", id_codice=operator["vat_number"]),
            codice_fiscale=operator["fiscal_code"],
            anagrafica=a38.Anagrafica(denominazione=_latin(operator["name"], 80)),
            regime_fiscale=operator["tax_regime"],
        ),
        sede=a38.Sede(
            indirizzo=_latin(operator["address"], 60),
            cap=operator["postcode"],
            comune=_latin(operator["city"], 60),
            provincia=operator["province"],
            nazione=operator["country"],
        ),
        iscrizione_rea=a38.IscrizioneREA(
            ufficio=operator["rea_office"],
            numero_rea=operator["rea_number"],
            capitale_sociale=operator["share_capital"],
            stato_liquidazione="LN",  # not in liquidation
        ),
        contatti=a38.Contatti(telefono=operator["phone"], email=operator["email"]),
    )


def _buyer(company: Company) -> a38.CessionarioCommittente:
    if not (company.address.strip() and company.postcode and company.city.strip()):
        raise ApplicationError(
            _("The company's registered office (address, postcode and city) is missing: the e-invoice cannot be made."),
            code="einvoice_no_address",
        )
    province = company.province.upper()
    return a38.CessionarioCommittente(
        dati_anagrafici=a38.DatiAnagraficiCessionarioCommittente(
            id_fiscale_iva=a38.IdFiscaleIVA(id_paese="IT", id_codice=company.vat_number),
            codice_fiscale=company.fiscal_code.upper() or None,
            anagrafica=a38.Anagrafica(denominazione=_latin(company.name, 80)),
        ),
        sede=a38.Sede(
            indirizzo=_latin(company.address, 60),
            cap=company.postcode,
            comune=_latin(company.city, 60),
            provincia=province if len(province) == 2 and province.isalpha() and province.isascii() else None,
            nazione="IT",
        ),
    )


def _detail_lines(invoice: Invoice, rows: list[dict], *, summed: bool) -> list[a38.DettaglioLinee]:
    """One DettaglioLinee per invoice line, or (summed) one per type and VAT rate."""
    period = {"data_inizio_periodo": invoice.period_start, "data_fine_periodo": invoice.period_end}
    if not summed:
        details = []
        for number, row in enumerate(rows, 1):
            quantity = row["quantity"]
            details.append(
                a38.DettaglioLinee(
                    numero_linea=number,
                    descrizione=_latin(row["description"], 1000) or "-",
                    # Quantity 1 is left out: the unit price is then the total (SDI's rule).
                    quantita=None if quantity == 1 else quantity,
                    prezzo_unitario=_unit_price(row["unit_price"]),
                    prezzo_totale=row["amount"],
                    aliquota_iva=row["vat_rate"],
                    # The line the charge belongs to, for the customer's accounting.
                    altri_dati_gestionali=[a38.AltriDatiGestionali(tipo_dato="LINEA", riferimento_testo=row["number"])]
                    if row["number"]
                    else None,
                    **period,
                )
            )
        return details
    groups: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(list)
    for row in rows:
        groups[(row["kind"], row["vat_rate"])].append(row["amount"])
    kinds = dict(InvoiceLine.Kind.choices)
    details = []
    for number, ((kind, rate), amounts) in enumerate(sorted(groups.items()), 1):
        total = sum(amounts, Decimal(0))
        description = _("%(kind)s: %(count)d charges, detailed in the PDF copy of the invoice") % {
            "kind": kinds.get(kind, kind),
            "count": len(amounts),
        }
        details.append(
            a38.DettaglioLinee(
                numero_linea=number,
                descrizione=_latin(description, 1000),
                prezzo_unitario=total,
                prezzo_totale=total,
                aliquota_iva=rate,
                **period,
            )
        )
    return details


def _elements(models: list[a38.DettaglioLinee]) -> list[etree._Element]:
    """The XML elements of a38 models, each serialised once.

    a38 copies every nested model each time a model is assigned or serialised: ten thousand lines
    placed inside the body took seconds; serialised on their own and put into the tree, a fraction.
    """
    builder = LXMLBuilder()
    with builder.element("Lines"):
        for model in models:
            model.to_xml(builder)
    return list(builder.get_tree().getroot())


def _payment(invoice: Invoice) -> a38.DatiPagamento:
    current = PaymentMethod.objects.filter(company_id=invoice.company_id, is_current=True)
    method = current.values_list("kind", flat=True).first()
    mode = _PAYMENT_MODES.get(method, "MP05")
    return a38.DatiPagamento(
        condizioni_pagamento="TP02",  # paid in full, at once
        dettaglio_pagamento=[
            a38.DettaglioPagamento(
                modalita_pagamento=mode,
                data_scadenza_pagamento=invoice.due_on,
                importo_pagamento=invoice.total_amount,
                # Where a bank transfer goes.
                iban=settings.OPERATOR["iban"] if mode == "MP05" else None,
            )
        ],
    )


def einvoice_build(invoice: Invoice) -> bytes:
    """The FatturaPA XML of `invoice` (UTF-8), validated against the schema (EInvoiceInvalid if not).

    Texts of the document (the summed-up lines of a very long invoice) are in Italian.
    """
    company = invoice.company
    rows = list(
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by("pk")
        .values("kind", "description", "quantity", "unit_price", "vat_rate", "amount", number=F("line__number"))
    )
    if not rows:
        raise ApplicationError(_("An invoice without lines has no e-invoice."), code="einvoice_empty")
    summaries = vat_summaries([(row["vat_rate"], row["amount"]) for row in rows])
    taxable = sum((s.taxable for s in summaries), Decimal(0))
    vat = sum((s.vat for s in summaries), Decimal(0))
    if (taxable, vat, taxable + vat) != (invoice.taxable_amount, invoice.vat_amount, invoice.total_amount):
        raise ApplicationError(
            _("The invoice's totals differ from the sum of its lines: the e-invoice is not made."),
            code="einvoice_totals",
        )
    if any(s.rate == 0 for s in summaries):
        # A 0% line needs the reason of the exemption (Natura), which invoice lines do not record.
        raise ApplicationError(_("VAT-exempt lines are not supported in e-invoices."), code="einvoice_exempt")

    fattura = a38.FatturaPrivati12()
    header = fattura.fattura_elettronica_header
    transmission = header.dati_trasmissione
    transmission.id_trasmittente = a38.IdTrasmittente(id_paese="IT", id_codice=settings.OPERATOR["vat_number"])
    transmission.progressivo_invio = sdi_progressive(invoice)
    if company.sdi_code:
        transmission.codice_destinatario = company.sdi_code
    else:
        transmission.codice_destinatario = NO_RECIPIENT_CODE
        transmission.pec_destinatario = company.pec or None
    header.cedente_prestatore = _seller()
    header.cessionario_committente = _buyer(company)

    body = a38.FatturaElettronicaBody(
        dati_generali=a38.DatiGenerali(
            dati_generali_documento=a38.DatiGeneraliDocumento(
                tipo_documento="TD01",
                divisa="EUR",
                data=invoice.issued_on,
                numero=invoice.number,
                importo_totale_documento=invoice.total_amount,
            )
        ),
        dati_beni_servizi=a38.DatiBeniServizi(
            dati_riepilogo=[
                a38.DatiRiepilogo(aliquota_iva=s.rate, imponibile_importo=s.taxable, imposta=s.vat, esigibilita_iva="I")
                for s in summaries
            ],
        ),
        dati_pagamento=[_payment(invoice)],
    )
    fattura.fattura_elettronica_body = [body]

    built = fattura.build_etree(lxml=True).getroot()
    # The usual prefixes of FatturaPA files (a38 leaves lxml to invent one).
    root = etree.Element(built.tag, built.attrib, nsmap={"p": a38.NS, "ds": a38.NS_SIG})
    root.extend(list(built))

    def with_details(summed: bool) -> bytes:
        document = copy.deepcopy(root)  # the skeleton, without lines: small
        with translation.override("it"):
            details = _detail_lines(invoice, rows, summed=summed)
        document.find("FatturaElettronicaBody/DatiBeniServizi")[0:0] = _elements(details)
        return etree.tostring(document, xml_declaration=True, encoding="UTF-8")

    summed = len(rows) > MAX_DETAIL_LINES
    xml = with_details(summed)
    if not summed and len(xml) > MAX_XML_BYTES:
        xml = with_details(True)
    einvoice_validate(xml)
    return xml


def _set_sdi_status(invoice: Invoice, status: str) -> list[str]:
    if invoice.sdi_status == status:
        return []
    invoice.sdi_status, invoice.sdi_status_at, invoice.sdi_note = status, timezone.now(), ""
    return ["sdi_status", "sdi_status_at", "sdi_note"]


def einvoice_generate(*, invoice_id: int, force: bool = False) -> Invoice:
    """Build, validate and store the invoice's FatturaPA XML in `invoice.einvoice_xml`.

    Does nothing when the XML is already stored, unless `force` (the company's data changed, or SDI
    rejected the file). An XML already sent to SDI is never replaced. Sets the e-invoice status:
    TO_SEND, or NO_RECIPIENT when the company has neither a recipient code nor a PEC address.
    Raises EInvoiceInvalid if the XML does not satisfy the schema (nothing is stored then).
    """
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("company").get(pk=invoice_id)
        if invoice.einvoice_xml and not force:
            return invoice
        if invoice.sdi_status in (Invoice.SdiStatus.SENT, Invoice.SdiStatus.DELIVERED):
            raise ApplicationError(
                _("This e-invoice has already been sent to SDI: it cannot be made again."), code="einvoice_sent"
            )
        xml = einvoice_build(invoice)
        previous = invoice.einvoice_xml.name
        invoice.einvoice_xml.save(einvoice_file_name(invoice), ContentFile(xml), save=False)
        status = Invoice.SdiStatus.TO_SEND if has_recipient(invoice.company) else Invoice.SdiStatus.NO_RECIPIENT
        invoice.save(update_fields=["einvoice_xml", *_set_sdi_status(invoice, status)])
        if previous:
            # The old file goes only once the new one is committed: a rollback keeps the row's file.
            storage = invoice.einvoice_xml.storage
            transaction.on_commit(lambda: storage.delete(previous))
    return invoice


def einvoice_recipient_changed(*, company_id: int) -> int:
    """After a company's PEC address or recipient code changed: make again the e-invoices that were
    waiting for a recipient (NO_RECIPIENT), now addressed to it and TO_SEND. Returns how many.

    Call it once the change is saved (e.g. from transaction.on_commit): each invoice is made in its
    own transaction. A company that still has no recipient changes nothing.
    """
    company = Company.objects.get(pk=company_id)
    if not has_recipient(company):
        return 0
    waiting = list(
        Invoice.objects.filter(company_id=company_id, sdi_status=Invoice.SdiStatus.NO_RECIPIENT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for invoice_id in waiting:
        einvoice_generate(invoice_id=invoice_id, force=True)
    return len(waiting)
