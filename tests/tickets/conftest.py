"""Fixtures of the ticket tests: a company with a site, lines, an invoice, and valid requests."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from selfcare.core.scope import build_scope
from selfcare.lines.models import Line
from selfcare.tickets.services import TicketRequest
from tests.factories import LineFactory, SiteFactory, issue_invoice

PDF = b"%PDF-1.4\n% a request form\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _english():
    """Messages in English (the source strings) whatever the catalogue says."""
    with translation.override("en"):
        yield


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def site(company):
    return SiteFactory(company=company, name="Sede di Milano")


@pytest.fixture
def mobile(company, profiles):
    """The employee's own line: a mobile line of the company."""
    return profiles["employee"].line


@pytest.fixture
def fixed(company):
    return LineFactory(company=company, kind=Line.Kind.FIXED, number="+390212345678")


@pytest.fixture
def invoice(company, mobile):
    return issue_invoice(company, line=mobile)


def scope_of(user):
    return build_scope(user)


def documents(**overrides) -> dict:
    files = {
        "request_form": SimpleUploadedFile("modulo.pdf", PDF, content_type="application/pdf"),
        "identity_document": SimpleUploadedFile("documento.jpg", JPEG, content_type="image/jpeg"),
        "police_report": SimpleUploadedFile("denuncia.png", PNG, content_type="image/png"),
    }
    return files | overrides


VALID_IMEI = "490154203237518"


def topic_data(topic: str, *, number: str = "", site_id=None, invoice_number: str = "") -> dict:
    """The inputs of one topic, valid."""
    inputs = {
        "faulty_accessory": {"domain": "mobile", "device_model": "accessory", "serial_number": "SN-12345"},
        "faulty_device": {"domain": "mobile", "device_model": "smartphone", "serial_number": VALID_IMEI},
        "faulty_sim": {"number": number},
        "fixed_line_problem": {"number": number, "service": "voice"},
        "cannot_call": {"number": number, "service": "voice"},
        "cannot_call_abroad": {"number": number, "service": "voice"},
        "no_internet": {"number": number, "service": "data"},
        "sim_replacement": {"number": number, "service": "voice", "loss_kind": "theft", "delivery_site_id": site_id},
        "imei_block": {"imei": VALID_IMEI, "service": "data", "loss_kind": "loss", "attachments": documents()},
        "wrong_charging": {"domain": "mobile", "invoice_number": invoice_number},
        "wrong_topup_charge": {"domain": "mobile", "invoice_number": invoice_number},
        "wrong_invoice_format": {"domain": "fixed", "invoice_number": invoice_number},
    }
    return inputs.get(topic, {"domain": "mobile", "invoice_number": invoice_number})  # other administrative topics


REASONS = {
    "faulty_accessory": "technical", "faulty_sim": "technical", "faulty_device": "technical",
    "fixed_line_problem": "technical", "cannot_call": "technical", "cannot_call_abroad": "technical",
    "no_internet": "technical", "sim_replacement": "theft_loss", "imei_block": "theft_loss",
}  # fmt: skip


def make_request(topic: str, /, **overrides) -> TicketRequest:
    """A valid request for `topic` (give number, site_id, invoice_number as the topic needs)."""
    inputs = {k: overrides.pop(k) for k in ("number", "invoice_number") if k in overrides}
    site_id = overrides.get("site_id")
    data = {
        "reason": REASONS.get(topic, "administrative"),
        "topic": topic,
        "referent_name": "Giulia Neri",
        "referent_email": "giulia.neri@example.it",
        "notify_by": "email",
        "requester_name": "Marco Gialli",
        "requester_email": "marco.gialli@example.it",
        "notes": "Dal 3 novembre.",
        **topic_data(topic, site_id=site_id, **inputs),
    }
    return TicketRequest(**(data | overrides))
