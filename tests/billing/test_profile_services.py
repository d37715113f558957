"""The billing profile's services: e-invoice recipient, payment method, invalid and expired methods."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, override
from stdnum import iban as stdnum_iban

from selfcare.billing.models import Invoice, PaymentMethod
from selfcare.billing.selectors.profile import mask_iban, payment_method_current, payment_method_label
from selfcare.billing.services.profile import (
    billing_profile_check,
    billing_profile_update,
    payment_method_check,
    payment_method_mark_invalid,
    payment_method_set,
    payment_methods_expire,
)
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.core.scope import build_scope
from selfcare.notifications.models import Notification, OutboxMessage
from tests.factories import UserFactory, issue_invoice, person_fiscal_code, vat_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages in English (the source strings), whatever the Italian catalogue will say."""
    with override("en"):
        yield


IBAN = "IT66A0306909606100000012345"  # not the example in the help text, nor the operator's
ROME = ZoneInfo("Europe/Rome")


def scope_of(user):
    return build_scope(user, {})


def direct_debit(**extra) -> dict:
    """The fields of a valid direct debit, changed by `extra`."""
    return {
        "iban": "it66 a030 6909 6061 0000 0012 345",
        "account_holder": "  Azienda   Uno S.r.l. ",
        "account_holder_fiscal_code": vat_number(1),
        "mandate_accepted": True,
    } | extra


def card(**extra) -> dict:
    return {
        "provider": "sandbox",
        "provider_token": "tok_abc123",
        "card_brand": "Visa",
        "card_last4": "4242",
        "card_exp_month": 3,
        "card_exp_year": timezone.localdate().year + 2,
    } | extra


def with_check_digits(country: str, bban: str) -> str:
    """An IBAN whose check digits are right, whatever else is wrong with it."""
    return country + stdnum_iban.calc_check_digits(f"{country}00{bban}") + bban


def field_error(call) -> tuple[str, str]:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.field, caught.value.message


# --- E-invoice recipient ------------------------------------------------------------------------------


def test_sdi_code_is_normalised_and_pec_domain_lowered(profiles, company):
    manager = scope_of(profiles["manager"])
    saved = billing_profile_update(
        scope=manager, company_id=company.pk, pec="Amministrazione@PEC.Azienda.IT ", sdi_code=" krrh 6b9 "
    )
    company.refresh_from_db()
    assert (company.pec, company.sdi_code) == ("Amministrazione@pec.azienda.it", "KRRH6B9")
    assert saved.pk == company.pk
    event = AuditEvent.objects.get(action="billing_profile_updated")
    assert event.actor_id == profiles["manager"].pk and event.company_id == company.pk
    assert event.detail == {
        "before": {"pec": "", "sdi_code": "", "call_detail_enabled": False},
        "after": {"pec": "Amministrazione@pec.azienda.it", "sdi_code": "KRRH6B9", "call_detail_enabled": False},
    }


@pytest.mark.parametrize(
    ("pec", "sdi_code", "field", "message"),
    [
        ("", "ABC12", "sdi_code", "exactly 7 capital letters or digits"),
        ("", "ABC-123", "sdi_code", "exactly 7 capital letters or digits"),
        ("", "ABCD12345", "sdi_code", "exactly 7 capital letters or digits"),
        ("", "0000000", "pec", "With the recipient code 0000000 e-invoices go to your PEC address"),
        ("", "", "sdi_code", "invoices cannot be delivered electronically"),
        ("not-an-address", "", "pec", "Enter a valid PEC address"),
        ("a@" + "b" * 260 + ".it", "", "pec", "Enter a valid PEC address"),
    ],
)
def test_bad_recipient_data_is_a_field_error(profiles, company, pec, sdi_code, field, message):
    manager = scope_of(profiles["manager"])
    got = field_error(lambda: billing_profile_update(scope=manager, company_id=company.pk, pec=pec, sdi_code=sdi_code))
    assert got[0] == field and message in got[1]
    company.refresh_from_db()
    assert (company.pec, company.sdi_code) == ("", "")
    assert not AuditEvent.objects.exists()


def test_check_reports_every_field_at_once():
    checked = billing_profile_check(pec="nope", sdi_code="12")
    assert set(checked.errors) == {"pec", "sdi_code"}


def test_code_0000000_with_a_pec_is_accepted(profiles, company):
    billing_profile_update(
        scope=scope_of(profiles["admin"]), company_id=company.pk, pec="azienda@pec.it", sdi_code="0000000"
    )
    company.refresh_from_db()
    assert (company.pec, company.sdi_code) == ("azienda@pec.it", "0000000")


def test_only_managers_of_the_company_change_it(profiles, company, other_company):
    with pytest.raises(PermissionDenied):
        billing_profile_update(scope=scope_of(profiles["employee"]), company_id=company.pk, pec="", sdi_code="KRRH6B9")
    with pytest.raises(Http404):
        billing_profile_update(
            scope=scope_of(profiles["manager"]), company_id=other_company.pk, pec="", sdi_code="KRRH6B9"
        )
    other_company.refresh_from_db()
    assert other_company.sdi_code == ""


def test_saving_the_same_data_again_changes_nothing(profiles, company, django_capture_on_commit_callbacks):
    manager = scope_of(profiles["manager"])
    billing_profile_update(scope=manager, company_id=company.pk, pec="", sdi_code="KRRH6B9")
    with django_capture_on_commit_callbacks() as callbacks:
        billing_profile_update(scope=manager, company_id=company.pk, pec="", sdi_code="krrh6b9")
        billing_profile_update(
            scope=manager, company_id=company.pk, pec="", sdi_code="KRRH6B9", call_detail_enabled=False
        )
    assert callbacks == []
    assert AuditEvent.objects.filter(action="billing_profile_updated").count() == 1


def test_invoices_waiting_for_a_recipient_are_sent_once_the_company_gives_one(
    profiles, company, django_capture_on_commit_callbacks
):
    """NO_RECIPIENT invoices become TO_SEND after the change is committed (the e-invoice side is told)."""
    from selfcare.billing.documents.fatturapa import einvoice_generate

    company.address, company.postcode, company.city, company.province = "Via Roma 1", "20121", "Milano", "MI"
    company.save()
    invoice = issue_invoice(company)
    einvoice_generate(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.sdi_status == Invoice.SdiStatus.NO_RECIPIENT
    with django_capture_on_commit_callbacks(execute=True):
        billing_profile_update(scope=scope_of(profiles["manager"]), company_id=company.pk, pec="", sdi_code="KRRH6B9")
    invoice.refresh_from_db()
    assert invoice.sdi_status == Invoice.SdiStatus.TO_SEND
    assert b"<CodiceDestinatario>KRRH6B9</CodiceDestinatario>" in invoice.einvoice_xml.read()


# --- Call detail (SPEC F-BIL-1) -------------------------------------------------------------------


def test_call_detail_is_turned_on_and_off_without_telling_the_einvoice_side(
    profiles, company, django_capture_on_commit_callbacks
):
    manager = scope_of(profiles["manager"])
    company.sdi_code = "KRRH6B9"
    company.save()
    with django_capture_on_commit_callbacks() as callbacks:
        billing_profile_update(
            scope=manager, company_id=company.pk, pec="", sdi_code="KRRH6B9", call_detail_enabled=True, ip="10.0.0.1"
        )
    assert callbacks == []  # the recipient did not change: no e-invoice job
    company.refresh_from_db()
    assert company.call_detail_enabled is True
    event = AuditEvent.objects.get(action="billing_profile_updated")
    assert event.actor_id == profiles["manager"].pk and event.ip_address == "10.0.0.1"
    assert event.detail == {
        "before": {"pec": "", "sdi_code": "KRRH6B9", "call_detail_enabled": False},
        "after": {"pec": "", "sdi_code": "KRRH6B9", "call_detail_enabled": True},
    }
    # None leaves it as it is: nothing to save.
    billing_profile_update(scope=manager, company_id=company.pk, pec="", sdi_code="KRRH6B9")
    company.refresh_from_db()
    assert company.call_detail_enabled is True
    assert AuditEvent.objects.filter(action="billing_profile_updated").count() == 1
    billing_profile_update(scope=manager, company_id=company.pk, pec="", sdi_code="KRRH6B9", call_detail_enabled=False)
    company.refresh_from_db()
    assert company.call_detail_enabled is False
    last = AuditEvent.objects.filter(action="billing_profile_updated").order_by("-pk").first()
    assert (last.detail["before"]["call_detail_enabled"], last.detail["after"]["call_detail_enabled"]) == (True, False)


def test_recipient_and_call_detail_changed_together_tell_the_einvoice_side_once(
    profiles, company, django_capture_on_commit_callbacks
):
    manager = scope_of(profiles["manager"])
    with django_capture_on_commit_callbacks() as callbacks:
        billing_profile_update(
            scope=manager, company_id=company.pk, pec="azienda@pec.it", sdi_code="", call_detail_enabled=True
        )
    assert len(callbacks) == 1
    company.refresh_from_db()
    assert (company.pec, company.call_detail_enabled) == ("azienda@pec.it", True)
    event = AuditEvent.objects.get(action="billing_profile_updated")
    assert event.detail["after"] == {"pec": "azienda@pec.it", "sdi_code": "", "call_detail_enabled": True}


def test_an_employee_or_another_companys_manager_cannot_turn_it_on(profiles, company, other_company):
    company.sdi_code = other_company.sdi_code = "KRRH6B9"
    company.save()
    other_company.save()
    with pytest.raises(PermissionDenied):
        billing_profile_update(
            scope=scope_of(profiles["employee"]), company_id=company.pk, pec="", sdi_code="KRRH6B9",
            call_detail_enabled=True,
        )  # fmt: skip
    with pytest.raises(Http404):
        billing_profile_update(
            scope=scope_of(profiles["manager"]), company_id=other_company.pk, pec="", sdi_code="KRRH6B9",
            call_detail_enabled=True,
        )  # fmt: skip
    company.refresh_from_db()
    other_company.refresh_from_db()
    assert company.call_detail_enabled is False and other_company.call_detail_enabled is False
    assert not AuditEvent.objects.exists()


def test_bad_recipient_data_saves_no_call_detail_either(profiles, company):
    manager = scope_of(profiles["manager"])
    got = field_error(
        lambda: billing_profile_update(
            scope=manager, company_id=company.pk, pec="nope", sdi_code="", call_detail_enabled=True
        )
    )
    assert got[0] == "pec"
    company.refresh_from_db()
    assert company.call_detail_enabled is False


# --- Payment method -------------------------------------------------------------------------------


def test_direct_debit_is_saved_with_a_new_mandate(profiles, company):
    manager = scope_of(profiles["manager"])
    method = payment_method_set(actor=manager, company_id=company.pk, kind="sdd", **direct_debit())
    method.refresh_from_db()
    today = datetime.datetime.now(ROME).date()
    assert (method.iban, method.account_holder, method.account_holder_fiscal_code) == (
        IBAN,
        "Azienda Uno S.r.l.",
        vat_number(1),
    )
    assert method.is_current and method.status == PaymentMethod.Status.VALID
    assert method.mandate_reference == f"SCB-{company.pk}-{today:%Y%m%d}-1"
    assert len(method.mandate_reference) <= 35
    assert method.mandate_signed_on == today
    assert method.created_by_id == profiles["manager"].pk
    event = AuditEvent.objects.get(action="payment_method_set")
    assert event.detail["iban"] == "IT66 A030 **** **** 2345"
    assert IBAN not in str(event.detail)


def test_previous_method_is_kept_not_current_and_mandates_stay_unique(profiles, company, other_company):
    manager = scope_of(profiles["manager"])
    first = payment_method_set(actor=manager, company_id=company.pk, kind="sdd", **direct_debit())
    second = payment_method_set(actor=manager, company_id=company.pk, kind="transfer")
    third = payment_method_set(
        actor=manager, company_id=company.pk, kind="sdd", **direct_debit(iban="DE89 3704 0044 0532 0130 00")
    )
    rows = {m.pk: m for m in PaymentMethod.objects.filter(company=company)}
    assert [rows[m.pk].is_current for m in (first, second, third)] == [False, False, True]
    assert rows[second.pk].iban == "" and rows[second.pk].mandate_reference == ""
    assert rows[first.pk].mandate_reference != rows[third.pk].mandate_reference
    assert rows[third.pk].mandate_reference.endswith("-2")
    # Another company's current method is not touched.
    foreign = payment_method_set(actor=None, company_id=other_company.pk, kind="transfer")
    assert PaymentMethod.objects.get(pk=third.pk).is_current and PaymentMethod.objects.get(pk=foreign.pk).is_current
    assert payment_method_current(scope=manager).id == third.pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"iban": ""}, "iban", "Enter the IBAN"),
        ({"iban": "IT66A0306909606100000012346"}, "iban", "This IBAN is not valid"),
        ({"iban": with_check_digits("IT", "X05428111010000001234")}, "iban", "wrong length or format"),
        ({"iban": "12345"}, "iban", "starts with the country code"),
        ({"iban": "BR1800360305000010009795493C1"}, "iban", "SEPA area"),
        ({"iban": "x" * 80}, "iban", "starts with the country code"),
        ({"account_holder": "  "}, "account_holder", "account holder's name"),
        ({"account_holder": "A" * 71}, "account_holder", "at most 70 characters"),
        ({"account_holder_fiscal_code": ""}, "account_holder_fiscal_code", "codice fiscale or partita IVA"),
        ({"account_holder_fiscal_code": "RSSMRA80A01H501X"}, "account_holder_fiscal_code", "not valid"),
        ({"account_holder_fiscal_code": "12345678901"}, "account_holder_fiscal_code", "not valid"),
        ({"account_holder_fiscal_code": "ABC"}, "account_holder_fiscal_code", "16 letters and digits"),
        ({"mandate_accepted": False}, "mandate_accepted", "accept the SEPA direct debit mandate"),
    ],
)
def test_bad_direct_debit_is_a_field_error(profiles, company, fields, field, message):
    manager = scope_of(profiles["manager"])
    got = field_error(
        lambda: payment_method_set(actor=manager, company_id=company.pk, kind="sdd", **direct_debit(**fields))
    )
    assert got[0] == field and message in got[1], got
    assert not PaymentMethod.objects.exists()


def test_holder_tax_code_may_be_a_person_or_a_company_with_it_prefix(profiles, company):
    manager = scope_of(profiles["manager"])
    person = payment_method_set(
        actor=manager,
        company_id=company.pk,
        kind="sdd",
        **direct_debit(account_holder_fiscal_code=person_fiscal_code(7).lower()),
    )
    assert person.account_holder_fiscal_code == person_fiscal_code(7)
    fields = direct_debit(account_holder_fiscal_code="IT" + vat_number(3))
    firm = payment_method_set(actor=manager, company_id=company.pk, kind="sdd", **fields)
    assert firm.account_holder_fiscal_code == vat_number(3)


def test_check_reports_every_direct_debit_field_at_once():
    checked = payment_method_check(
        kind="sdd", fields={"iban": "IT00", "account_holder": "", "account_holder_fiscal_code": "x"}, allow_card=False
    )
    assert list(checked.errors) == ["iban", "account_holder", "account_holder_fiscal_code", "mandate_accepted"]


def test_portal_users_cannot_set_a_card_or_an_unknown_kind(profiles, company):
    manager = scope_of(profiles["manager"])
    assert field_error(lambda: payment_method_set(actor=manager, company_id=company.pk, kind="card", **card()))[0] == (
        "kind"
    )
    assert field_error(lambda: payment_method_set(actor=manager, company_id=company.pk, kind="cash"))[0] == "kind"
    with pytest.raises(TypeError):
        payment_method_set(actor=manager, company_id=company.pk, kind="transfer", pin="1234")
    assert not PaymentMethod.objects.exists()


def test_only_managers_of_the_company_change_the_method(profiles, company, other_company):
    with pytest.raises(PermissionDenied):
        payment_method_set(actor=scope_of(profiles["employee"]), company_id=company.pk, kind="transfer")
    with pytest.raises(Http404):
        payment_method_set(actor=scope_of(profiles["manager"]), company_id=other_company.pk, kind="transfer")
    assert not PaymentMethod.objects.exists()


def test_the_payment_provider_sets_a_card(company):
    """The hosted card flow's webhook calls the service without a portal user."""
    method = payment_method_set(actor=None, company_id=company.pk, kind="card", **card())
    method.refresh_from_db()
    assert (method.kind, method.provider_token, method.card_last4, method.card_exp_month) == (
        "card",
        "tok_abc123",
        "4242",
        3,
    )
    assert method.created_by_id is None and method.iban == "" and method.mandate_reference == ""
    assert AuditEvent.objects.get(action="payment_method_set").detail["by"] == "payment_provider"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"provider_token": ""}, "provider_token"),
        ({"provider": ""}, "provider"),
        ({"card_last4": "42"}, "card_last4"),
        ({"card_exp_month": 13}, "card_exp_month"),
        ({"card_exp_month": None}, "card_exp_month"),
        ({"card_exp_year": 2001}, "card_exp_month"),
    ],
)
def test_bad_card_data_from_the_provider_is_refused(company, fields, field):
    assert (
        field_error(lambda: payment_method_set(actor=None, company_id=company.pk, kind="card", **card(**fields)))[0]
        == field
    )
    assert not PaymentMethod.objects.exists()


def test_unknown_company_is_a_404(db):
    with pytest.raises(Http404):
        payment_method_set(actor=None, company_id=987654, kind="transfer")


def test_mask_iban():
    assert mask_iban(IBAN) == "IT66 A030 **** **** 2345"
    assert mask_iban("DE89 3704 0044 0532 0130 00") == "DE89 3704 **** **** 3000"
    assert mask_iban("") == ""


# --- Invalid and expired methods ---------------------------------------------------------------------


@pytest.fixture
def managers_with_email(profiles, company, other_company):
    """The company's three managers with an email, an employee, and a manager of another company."""
    for i, name in enumerate(("admin", "manager", "referent")):
        profiles[name].email = f"{name}{i}@azienda.it"
        profiles[name].save()
    profiles["employee"].email = "dipendente@azienda.it"
    profiles["employee"].save()
    UserFactory(company=other_company, role=Role.MANAGER, email="altro@concorrente.it")
    UserFactory(company=company, role=Role.MANAGER, email="ex@azienda.it", is_active=False)
    return profiles


def test_marking_invalid_notifies_the_managers_once(managers_with_email, company):
    method = payment_method_set(
        actor=scope_of(managers_with_email["manager"]), company_id=company.pk, kind="sdd", **direct_debit()
    )
    assert payment_method_mark_invalid(method_id=method.pk, reason="Addebito respinto dalla banca") is True
    method.refresh_from_db()
    assert (method.status, method.status_reason) == ("invalid", "Addebito respinto dalla banca")
    assert method.status_changed_at is not None
    managers = {managers_with_email[name].pk for name in ("admin", "manager", "referent")}
    notifications = Notification.objects.all()
    assert {n.user_id for n in notifications} == managers and notifications.count() == 3
    assert all(n.link == "/conto/metodo-di-pagamento/" for n in notifications)
    emails = OutboxMessage.objects.filter(purpose="payment_method_invalid")
    assert sorted(m.recipient for m in emails) == ["admin0@azienda.it", "manager1@azienda.it", "referent2@azienda.it"]
    assert all(m.channel == "email" for m in emails)
    body = emails.first().body
    assert "IT66 A030 **** **** 2345" in body and "Addebito respinto dalla banca" in body
    assert IBAN not in body and "/conto/metodo-di-pagamento/" in body
    # Again: nothing new.
    assert payment_method_mark_invalid(method_id=method.pk, reason="Ancora respinto") is False
    assert Notification.objects.count() == 3 and emails.count() == 3
    assert AuditEvent.objects.filter(action="payment_method_invalid").count() == 1


def test_an_old_method_marked_invalid_tells_nobody(managers_with_email, company):
    old = payment_method_set(actor=None, company_id=company.pk, kind="transfer")
    payment_method_set(actor=None, company_id=company.pk, kind="card", **card())
    assert payment_method_mark_invalid(method_id=old.pk, reason="Chiuso") is True
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_mark_invalid_needs_a_reason_and_a_known_status(company):
    method = payment_method_set(actor=None, company_id=company.pk, kind="transfer")
    assert field_error(lambda: payment_method_mark_invalid(method_id=method.pk, reason=" "))[0] == "reason"
    assert field_error(lambda: payment_method_mark_invalid(method_id=method.pk, reason="x" * 201))[0] == "reason"
    assert field_error(lambda: payment_method_mark_invalid(method_id=method.pk, reason="x", status="valid"))[0] == (
        "status"
    )
    with pytest.raises(Http404):
        payment_method_mark_invalid(method_id=method.pk + 100, reason="x")
    method.refresh_from_db()
    assert method.status == "valid"


def test_expired_cards_are_marked_once_by_the_rome_calendar(managers_with_email, company, other_company):
    with time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=ROME), tick=False):
        expiring = payment_method_set(
            actor=None, company_id=company.pk, kind="card", **card(card_exp_month=3, card_exp_year=2027)
        )
        later = payment_method_set(
            actor=None, company_id=other_company.pk, kind="card", **card(card_exp_month=4, card_exp_year=2027)
        )
    # 31 March, 23:30 in Rome: the card is good until the end of the day.
    with time_machine.travel(datetime.datetime(2027, 3, 31, 23, 30, tzinfo=ROME), tick=False):
        assert payment_methods_expire() == 0
    # 1 April, 00:30 in Rome (still 31 March in UTC): expired, by the Rome calendar.
    with time_machine.travel(datetime.datetime(2027, 4, 1, 0, 30, tzinfo=ROME), tick=False):
        assert payment_methods_expire() == 1
        assert payment_methods_expire() == 0
    expiring.refresh_from_db()
    later.refresh_from_db()
    assert (expiring.status, later.status) == ("expired", "valid")
    assert "03/2027" in expiring.status_reason
    with override("it"):  # notices go out in the portal's first language
        title = gettext("Your payment method has expired")
    assert list(Notification.objects.values_list("title", flat=True)) == [title] * 3
    assert OutboxMessage.objects.filter(purpose="payment_method_invalid").count() == 3


def test_the_periodic_task_expires_cards(company):
    from selfcare.billing.tasks import expire_payment_cards

    with time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=ROME), tick=False):
        method = payment_method_set(
            actor=None, company_id=company.pk, kind="card", **card(card_exp_month=1, card_exp_year=2027)
        )
    with time_machine.travel(datetime.datetime(2027, 2, 1, 7, tzinfo=ROME), tick=False):
        expire_payment_cards.call_local()
        expire_payment_cards.call_local()
    method.refresh_from_db()
    assert method.status == "expired"
    assert AuditEvent.objects.filter(action="payment_method_expired", object_id=str(method.pk)).count() == 1


def test_a_card_already_expired_is_refused(company):
    got = field_error(
        lambda: payment_method_set(
            actor=None, company_id=company.pk, kind="card", **card(card_exp_month=1, card_exp_year=2020)
        )
    )
    assert got == ("card_exp_month", "This card has expired.")


def test_label_of_a_method(company):
    """A method in a few words, as notifications and the back office show it."""
    method = payment_method_set(actor=None, company_id=company.pk, kind="card", **card())
    assert payment_method_label(method) == "Card Visa ending in 4242"
    method = payment_method_set(actor=None, company_id=company.pk, kind="sdd", **direct_debit())
    assert payment_method_label(method) == "Bank direct debit from IT66 A030 **** **** 2345"
    method = payment_method_set(actor=None, company_id=company.pk, kind="transfer")
    assert payment_method_label(method) == "Bank transfer"
