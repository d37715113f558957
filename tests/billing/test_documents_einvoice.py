"""FatturaPA XML of invoices (SPEC F-BIL-3): schema validity, totals, recipient, storage, SDI outcomes."""

import datetime
import hashlib
import re
import socket
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from selfcare.billing.documents import fatturapa
from selfcare.billing.models import Invoice, PaymentMethod
from selfcare.billing.services.einvoice import einvoice_mark
from selfcare.billing.services.invoices import Charge, invoice_issue, vat_summaries
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.money import quantize_money
from tests.factories import CostCentreFactory, LineFactory

ISSUED = datetime.date(2026, 11, 1)


@pytest.fixture
def company(company):
    company.address, company.postcode, company.city, company.province = "Via Torino 5", "20123", "Milano", "MI"
    company.save()
    return company


def issue(company, charges) -> Invoice:
    return invoice_issue(
        company_id=company.pk,
        kind=Invoice.Kind.SERVICES,
        charges=charges,
        issued_on=ISSUED,
        due_on=ISSUED + datetime.timedelta(days=30),
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )


def parse(xml: bytes):
    return etree.fromstring(xml)


def text(root, path: str) -> str:
    return root.find(path).text


def dec(root, path: str) -> list[Decimal]:
    return [Decimal(element.text) for element in root.findall(path)]


BODY = "FatturaElettronicaBody"
LINES = f"{BODY}/DatiBeniServizi/DettaglioLinee"
SUMMARY = f"{BODY}/DatiBeniServizi/DatiRiepilogo"
TRANSMISSION = "FatturaElettronicaHeader/DatiTrasmissione"


def assert_matches_invoice(root, invoice: Invoice, charges: int) -> None:
    """The XML's totals are the invoice's to the cent, and each line's total is its price × quantity."""
    assert Decimal(text(root, f"{BODY}/DatiGenerali/DatiGeneraliDocumento/ImportoTotaleDocumento")) == (
        invoice.total_amount
    )
    assert text(root, f"{BODY}/DatiGenerali/DatiGeneraliDocumento/Numero") == invoice.number
    assert text(root, f"{BODY}/DatiGenerali/DatiGeneraliDocumento/TipoDocumento") == "TD01"
    assert sum(dec(root, f"{SUMMARY}/ImponibileImporto")) == invoice.taxable_amount
    assert sum(dec(root, f"{SUMMARY}/Imposta")) == invoice.vat_amount
    assert sum(dec(root, f"{LINES}/PrezzoTotale")) == invoice.taxable_amount
    lines = root.findall(LINES)
    assert len(lines) == charges
    assert [int(line.findtext("NumeroLinea")) for line in lines] == list(range(1, charges + 1))
    for line in lines:
        quantity = Decimal(line.findtext("Quantita") or 1)
        unit = Decimal(line.findtext("PrezzoUnitario"))
        assert Decimal(line.findtext("PrezzoTotale")) == quantize_money(unit * quantity)  # half up


# --- The schema --------------------------------------------------------------------------------


def test_the_schema_files_are_those_of_provenance():
    provenance = (fatturapa.SCHEMA_DIR / "PROVENANCE.md").read_text()
    recorded = dict(re.findall(r"^\| (\S+\.xsd) \| ([0-9a-f]{64}) \|$", provenance, re.MULTILINE))
    assert set(recorded) == {fatturapa.SCHEMA_FILE, fatturapa.XMLDSIG_FILE}
    for name, digest in recorded.items():
        assert hashlib.sha256((fatturapa.SCHEMA_DIR / name).read_bytes()).hexdigest() == digest, name


def test_the_schema_loads_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    fatturapa.fatturapa_schema.cache_clear()
    try:
        schema = fatturapa.fatturapa_schema()
    finally:
        fatturapa.fatturapa_schema.cache_clear()
    assert isinstance(schema, etree.XMLSchema)


# --- Valid XML of invoices ----------------------------------------------------------------------


def test_a_simple_invoice(company):
    line = LineFactory(company=company)
    invoice = issue(
        company,
        [
            Charge("recurring", "Canone Business 100", Decimal("15.00"), line_id=line.pk),
            Charge("option", "Giga Extra", Decimal("5.00"), line_id=line.pk),
        ],
    )
    root = parse(fatturapa.einvoice_build(invoice))
    assert_matches_invoice(root, invoice, 2)
    assert root.get("versione") == "FPR12"
    assert text(root, "FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdCodice") == (
        "08123450150"
    )
    buyer = "FatturaElettronicaHeader/CessionarioCommittente"
    assert text(root, f"{buyer}/DatiAnagrafici/IdFiscaleIVA/IdCodice") == company.vat_number
    assert text(root, f"{buyer}/DatiAnagrafici/CodiceFiscale") == company.fiscal_code
    assert text(root, f"{buyer}/DatiAnagrafici/Anagrafica/Denominazione") == company.name
    assert text(root, f"{buyer}/Sede/CAP") == "20123"
    # The line the charges belong to, for the customer's accounting.
    assert [e.text for e in root.findall(f"{LINES}/AltriDatiGestionali/RiferimentoTesto")] == [line.number] * 2


def test_discounts_and_several_vat_rates_give_exact_totals(company):
    centre = CostCentreFactory(company=company)
    line = LineFactory(company=company, cost_centre=centre)
    charges = [
        Charge("recurring", "Canone", Decimal("15.00"), line_id=line.pk, cost_centre_id=centre.pk),
        Charge("usage", "Traffico voce", Decimal("0.0125"), quantity=Decimal(321), line_id=line.pk),
        Charge("discount", "Sconto fedeltà", Decimal("-2.50"), line_id=line.pk),
        Charge("instalment", "Rata smartphone 3/24", Decimal("33.33")),
        Charge("one_off", "Guida all'uso (libro)", Decimal("10.00"), vat_rate=Decimal("4.00")),
        Charge("one_off", "Servizio a IVA ridotta", Decimal("7.77"), vat_rate=Decimal("10.00")),
        Charge("discount", "Sconto promo", Decimal("-1.11"), vat_rate=Decimal("10.00")),
    ]
    invoice = issue(company, charges)
    root = parse(fatturapa.einvoice_build(invoice))
    assert_matches_invoice(root, invoice, len(charges))
    assert [Decimal(e.text) for e in root.findall(f"{SUMMARY}/AliquotaIVA")] == [4, 10, 22]
    amounts = dec(root, f"{LINES}/PrezzoTotale")
    assert Decimal("-2.50") in amounts and Decimal("-1.11") in amounts
    # 321 × 0.0125: the quantity and the unit price as charged, the total rounded to the cent.
    usage = root.findall(LINES)[1]
    assert (usage.findtext("Quantita"), usage.findtext("PrezzoUnitario"), usage.findtext("PrezzoTotale")) == (
        "321.00",
        "0.0125",
        "4.01",
    )


def test_texts_outside_the_schemas_alphabet_are_made_to_fit(company):
    company.name = "Łódź Żółć Trading — “Sp. z o.o.” 🚀"
    company.save()
    invoice = issue(company, [Charge("one_off", "Servizio € premium – ½ prezzo ✓\tnuovo", Decimal("9.99"))])
    root = parse(fatturapa.einvoice_build(invoice))
    assert text(root, f"{LINES}/Descrizione") == "Servizio EUR premium - ½ prezzo ? nuovo"
    # Accented letters of Latin-1 stay, others lose their accent, what has no Latin letter becomes "?".
    assert text(root, "FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/Anagrafica/Denominazione") == (
        '?ódz Zó?c Trading - "Sp. z o.o." ?'
    )


def test_very_long_invoices_are_summed_up_by_type_and_rate(company, monkeypatch):
    monkeypatch.setattr(fatturapa, "MAX_DETAIL_LINES", 3)
    charges = [Charge("recurring", f"Canone {n}", Decimal("15.00")) for n in range(4)] + [
        Charge("discount", "Sconto", Decimal("-1.00")),
        Charge("one_off", "Libro", Decimal("10.00"), vat_rate=Decimal("4.00")),
    ]
    invoice = issue(company, charges)
    root = parse(fatturapa.einvoice_build(invoice))
    assert_matches_invoice(root, invoice, 3)
    lines = {line.findtext("Descrizione").split(":")[0]: line.findtext("PrezzoTotale") for line in root.findall(LINES)}
    assert sorted(lines.values()) == ["-1.00", "10.00", "60.00"]


def test_a_file_too_large_for_sdi_is_summed_up_too(company, monkeypatch):
    charges = [Charge("recurring", f"Canone {n}", Decimal("15.00")) for n in range(4)]
    invoice = issue(company, charges)
    detailed = fatturapa.einvoice_build(invoice)
    monkeypatch.setattr(fatturapa, "MAX_XML_BYTES", len(detailed) - 1)
    root = parse(fatturapa.einvoice_build(invoice))
    assert_matches_invoice(root, invoice, 1)
    assert len(etree.tostring(root)) < len(detailed)


def test_the_payment_terms_follow_the_current_payment_method(company):
    PaymentMethod.objects.create(
        company=company, kind=PaymentMethod.Kind.DIRECT_DEBIT, iban="IT60X0542811101000000123456", is_current=True
    )
    invoice = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    root = parse(fatturapa.einvoice_build(invoice))
    payment = f"{BODY}/DatiPagamento/DettaglioPagamento"
    assert text(root, f"{payment}/ModalitaPagamento") == "MP19"
    assert text(root, f"{payment}/DataScadenzaPagamento") == str(invoice.due_on)
    assert Decimal(text(root, f"{payment}/ImportoPagamento")) == invoice.total_amount


charge_strategy = st.builds(
    Charge,
    kind=st.sampled_from(["recurring", "option", "usage", "instalment", "one_off"]),
    description=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=250),
    unit_price=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5000"), places=4),
    quantity=st.sampled_from([Decimal(1), Decimal(1), Decimal(2), Decimal(12), Decimal(321), Decimal("1.5")]),
    vat_rate=st.sampled_from([Decimal("22.00"), Decimal("10.00"), Decimal("4.00"), Decimal("5.00")]),
)
discount_strategy = st.builds(
    Charge,
    kind=st.just("discount"),
    description=st.just("Sconto"),
    unit_price=st.decimals(min_value=Decimal("-50"), max_value=Decimal("-0.01"), places=2),
    vat_rate=st.sampled_from([Decimal("22.00"), Decimal("10.00")]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(charges=st.lists(charge_strategy, min_size=1, max_size=12), discounts=st.lists(discount_strategy, max_size=3))
def test_any_invoice_gives_a_valid_xml_with_its_totals(company, charges, discounts):
    every = charges + discounts
    # What an invoice can be: no VAT rate's discounts larger than its charges.
    assume(all(summary.taxable >= 0 for summary in vat_summaries([(c.vat_rate, c.amount) for c in every])))
    invoice = issue(company, every)
    root = parse(fatturapa.einvoice_build(invoice))  # validated against the schema inside
    assert_matches_invoice(root, invoice, len(every))


# --- The schema refuses broken XML ----------------------------------------------------------------


def _valid_xml(company) -> bytes:
    return fatturapa.einvoice_build(issue(company, [Charge("recurring", "Canone", Decimal("15.00"))]))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{BODY}/DatiGenerali/DatiGeneraliDocumento/Numero", None),  # a required element removed
        (f"{BODY}/DatiBeniServizi/DatiRiepilogo", None),
        (f"{LINES}/AliquotaIVA", "22"),  # two decimals required
        (f"{LINES}/PrezzoTotale", "15"),
        ("FatturaElettronicaHeader/CessionarioCommittente/Sede/CAP", "2012"),
        (f"{TRANSMISSION}/CodiceDestinatario", "abc"),
        (f"{BODY}/DatiGenerali/DatiGeneraliDocumento/TipoDocumento", "TD99"),
    ],
)
def test_the_schema_refuses_broken_xml(company, path, value):
    root = parse(_valid_xml(company))
    element = root.find(path)
    if value is None:
        element.getparent().remove(element)
    else:
        element.text = value
    with pytest.raises(fatturapa.EInvoiceInvalid) as caught:
        fatturapa.einvoice_validate(etree.tostring(root))
    assert caught.value.errors


def test_not_even_xml_is_refused():
    with pytest.raises(fatturapa.EInvoiceInvalid):
        fatturapa.einvoice_validate(b"<p:FatturaElettronica")


def test_an_invalid_xml_is_never_stored(company, settings):
    settings.OPERATOR = {**settings.OPERATOR, "tax_regime": "RF99"}  # no such regime in the schema
    invoice = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    with pytest.raises(fatturapa.EInvoiceInvalid) as caught:
        fatturapa.einvoice_generate(invoice_id=invoice.pk)
    assert "RegimeFiscale" in caught.value.errors[0]
    invoice.refresh_from_db()
    assert not invoice.einvoice_xml


def test_what_cannot_make_an_einvoice_is_said(company):
    exempt = issue(company, [Charge("one_off", "Esente", Decimal("10.00"), vat_rate=Decimal(0))])
    with pytest.raises(ApplicationError, match="VAT-exempt"):
        fatturapa.einvoice_build(exempt)
    company.address = ""
    company.save()
    invoice = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    with pytest.raises(ApplicationError) as caught:
        fatturapa.einvoice_generate(invoice_id=invoice.pk)
    assert caught.value.code == "einvoice_no_address"


# --- Recipient and status -----------------------------------------------------------------------


def test_a_recipient_code_addresses_the_xml(company):
    company.sdi_code, company.pec = "M5UXCR1", "azienda@pec.it"
    company.save()
    invoice = fatturapa.einvoice_generate(invoice_id=issue(company, [Charge("recurring", "C", Decimal(1))]).pk)
    root = parse(invoice.einvoice_xml.read())
    assert text(root, f"{TRANSMISSION}/CodiceDestinatario") == "M5UXCR1"
    assert root.find(f"{TRANSMISSION}/PECDestinatario") is None  # the code wins: no PEC beside it
    assert invoice.sdi_status == Invoice.SdiStatus.TO_SEND


def test_a_pec_address_goes_with_seven_zeros(company):
    company.pec = "azienda@pec.it"
    company.save()
    invoice = fatturapa.einvoice_generate(invoice_id=issue(company, [Charge("recurring", "C", Decimal(1))]).pk)
    root = parse(invoice.einvoice_xml.read())
    assert text(root, f"{TRANSMISSION}/CodiceDestinatario") == "0000000"
    assert text(root, f"{TRANSMISSION}/PECDestinatario") == "azienda@pec.it"
    assert invoice.sdi_status == Invoice.SdiStatus.TO_SEND


def test_without_a_recipient_the_xml_is_valid_and_flagged_then_made_again(company, other_company):
    waiting = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    delivered = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    Invoice.objects.filter(pk=delivered.pk).update(sdi_status=Invoice.SdiStatus.DELIVERED)
    invoice = fatturapa.einvoice_generate(invoice_id=waiting.pk)
    assert invoice.sdi_status == Invoice.SdiStatus.NO_RECIPIENT
    assert invoice.sdi_status_at is not None
    root = parse(invoice.einvoice_xml.read())
    assert text(root, f"{TRANSMISSION}/CodiceDestinatario") == "0000000"
    assert root.find(f"{TRANSMISSION}/PECDestinatario") is None

    # Still no recipient: nothing changes.
    assert fatturapa.einvoice_recipient_changed(company_id=company.pk) == 0
    company.pec = "nuova@pec.it"
    company.save()
    assert fatturapa.einvoice_recipient_changed(company_id=company.pk) == 1
    invoice.refresh_from_db()
    assert invoice.sdi_status == Invoice.SdiStatus.TO_SEND
    assert text(parse(invoice.einvoice_xml.read()), f"{TRANSMISSION}/PECDestinatario") == "nuova@pec.it"
    delivered.refresh_from_db()
    assert delivered.sdi_status == Invoice.SdiStatus.DELIVERED and not delivered.einvoice_xml


def test_the_xml_is_stored_once_under_the_sdi_file_name(company, monkeypatch, django_capture_on_commit_callbacks):
    company.sdi_code = "M5UXCR1"
    company.save()
    invoice = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    stored = fatturapa.einvoice_generate(invoice_id=invoice.pk)
    name = stored.einvoice_xml.name
    assert name.rsplit("/", 1)[-1] == fatturapa.einvoice_file_name(invoice)
    assert re.fullmatch(r"IT08123450150_[0-9A-Z]{5}\.xml", fatturapa.einvoice_file_name(invoice))
    assert text(parse(stored.einvoice_xml.read()), f"{TRANSMISSION}/ProgressivoInvio") == (
        fatturapa.sdi_progressive(invoice)
    )

    def must_not_build(invoice):
        raise AssertionError("built again")

    monkeypatch.setattr(fatturapa, "einvoice_build", must_not_build)
    assert fatturapa.einvoice_generate(invoice_id=invoice.pk).einvoice_xml.name == name
    monkeypatch.undo()

    # Forced: a new file, and the old one goes once the new one is committed.
    storage = stored.einvoice_xml.storage
    with django_capture_on_commit_callbacks(execute=True):
        again = fatturapa.einvoice_generate(invoice_id=invoice.pk, force=True)
    assert again.einvoice_xml.name != name
    assert storage.exists(again.einvoice_xml.name) and not storage.exists(name)


def test_an_einvoice_sent_to_sdi_is_never_made_again(company):
    invoice = fatturapa.einvoice_generate(invoice_id=issue(company, [Charge("recurring", "C", Decimal(1))]).pk)
    Invoice.objects.filter(pk=invoice.pk).update(sdi_status=Invoice.SdiStatus.SENT)
    with pytest.raises(ApplicationError) as caught:
        fatturapa.einvoice_generate(invoice_id=invoice.pk, force=True)
    assert caught.value.code == "einvoice_sent"


def test_progressives_differ_for_every_invoice_number():
    seen = set()
    for year in (2026, 2027, 2059):
        for sequence in (1, 2, 35, 36, 999_999):
            progressive = fatturapa.sdi_progressive(Invoice(year=year, sequence=sequence))
            assert re.fullmatch(r"[0-9A-Z]{5}", progressive)
            seen.add(progressive)
    assert len(seen) == 15
    with pytest.raises(ApplicationError):
        fatturapa.sdi_progressive(Invoice(year=2026, sequence=1_000_000))


# --- SDI outcomes recorded by the back office -------------------------------------------------------


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_superuser("backoffice", password="x")


def _invoices_in(company, *statuses):
    invoices = []
    for status in statuses:
        invoice = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
        Invoice.objects.filter(pk=invoice.pk).update(sdi_status=status)
        invoices.append(invoice)
    return invoices


def test_outcomes_are_recorded_on_einvoices_to_send_or_sent_only(company, staff):
    S = Invoice.SdiStatus
    to_send, sent, delivered, waiting = _invoices_in(company, S.TO_SEND, S.SENT, S.DELIVERED, S.NO_RECIPIENT)
    result = einvoice_mark(
        invoice_ids=[i.pk for i in (to_send, sent, delivered, waiting)],
        status=S.REJECTED,
        note="00305 IdCodice non valido",
        actor=staff,
    )
    assert result.marked == [to_send.number, sent.number]
    assert result.skipped == [delivered.number, waiting.number]
    for invoice, status in ((to_send, S.REJECTED), (sent, S.REJECTED), (delivered, S.DELIVERED)):
        invoice.refresh_from_db()
        assert invoice.sdi_status == status
    assert sent.sdi_note == "00305 IdCodice non valido" and sent.sdi_status_at is not None
    events = AuditEvent.objects.filter(action="einvoice_rejected").order_by("object_id")
    assert [(e.object_id, e.actor_id, e.company_id) for e in events] == [
        (str(to_send.pk), staff.pk, company.pk),
        (str(sent.pk), staff.pk, company.pk),
    ]
    assert events[1].detail == {"number": sent.number, "from": "sent", "to": "rejected", "note": sent.sdi_note}


def test_only_outcomes_and_only_staff_allowed(company, profiles):
    (invoice,) = _invoices_in(company, Invoice.SdiStatus.SENT)
    with pytest.raises(ApplicationError):
        einvoice_mark(invoice_ids=[invoice.pk], status=Invoice.SdiStatus.SENT, actor=None)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        einvoice_mark(invoice_ids=[invoice.pk], status=Invoice.SdiStatus.DELIVERED, actor=profiles["admin"])
    invoice.refresh_from_db()
    assert invoice.sdi_status == Invoice.SdiStatus.SENT


def test_the_back_office_filters_and_marks_einvoices(company, staff, client):
    S = Invoice.SdiStatus
    sent, delivered = _invoices_in(company, S.SENT, S.DELIVERED)
    client.force_login(staff)
    url = reverse("admin:billing_invoice_changelist")
    page = client.get(url, {"sdi_status__exact": "sent"})
    assert page.status_code == 200
    assert sent.number in page.content.decode() and delivered.number not in page.content.decode()

    ids = [str(sent.pk), str(delivered.pk)]
    ask = client.post(url, {"action": "mark_einvoice_delivered", "_selected_action": ids})
    assert ask.status_code == 200 and b'name="note"' in ask.content
    done = client.post(
        url, {"action": "mark_einvoice_delivered", "_selected_action": ids, "apply": "1", "note": ""}, follow=True
    )
    assert done.status_code == 200
    sent.refresh_from_db()
    assert sent.sdi_status == S.DELIVERED
    messages = [str(m) for m in done.context["messages"]]
    assert any(delivered.number in m for m in messages)  # reported as skipped
    assert AuditEvent.objects.filter(action="einvoice_delivered", object_id=str(sent.pk)).count() == 1
