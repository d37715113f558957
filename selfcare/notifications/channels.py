"""Delivery adapters for the outbox (DESIGN.md §6), chosen by settings.

dev  : the message is "delivered" to the dev inbox page only (nothing leaves the machine).
http : a JSON SMS gateway (POST {to, from, text} with a bearer token).
Email always goes through Django's configured email backend (file backend by default, SMTP in production).
"""

import json
import mimetypes
import urllib.request

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage


class DeliveryError(Exception):
    """The provider refused or could not be reached: the message may be retried."""


def send_sms_dev(*, to: str, text: str) -> str:
    return "dev-inbox"


def send_sms_http(*, to: str, text: str) -> str:
    if not settings.SMS_GATEWAY_URL.startswith("https://"):
        raise DeliveryError("SMS_GATEWAY_URL must be an https:// address")
    payload = json.dumps({"to": to, "from": settings.SMS_SENDER, "text": text}).encode()
    request = urllib.request.Request(  # noqa: S310 (https enforced above)
        settings.SMS_GATEWAY_URL,
        data=payload,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            body = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as exc:
        raise DeliveryError(str(exc)) from exc
    return str(body.get("id", ""))


SMS_ADAPTERS = {"dev": send_sms_dev, "http": send_sms_http}


def send_sms(*, to: str, text: str) -> str:
    try:
        adapter = SMS_ADAPTERS[settings.SMS_ADAPTER]
    except KeyError:
        raise DeliveryError(f"unknown SMS_ADAPTER {settings.SMS_ADAPTER!r}") from None
    return adapter(to=to, text=text)


def send_email(*, to: str, subject: str, text: str, attachment: str = "", attachment_filename: str = "") -> str:
    email = EmailMessage(subject=subject, body=text, to=[to])
    try:
        if attachment:
            with default_storage.open(attachment, "rb") as file:
                content = file.read()
            name = attachment_filename or attachment.rsplit("/", 1)[-1]
            email.attach(name, content, mimetypes.guess_type(name)[0] or "application/octet-stream")
        email.send()
    except OSError as exc:
        raise DeliveryError(str(exc)) from exc
    return ""
