"""A model field that keeps short secrets (SIM PIN and PUK) encrypted at rest with Fernet."""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        # Development fallback: a key derived from SECRET_KEY (the deploy check warns about it).
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"selfcare-field-encryption", info=b"v1").derive(
            secret_key.encode()
        )
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(k) for k in keys])


def field_cipher() -> MultiFernet:
    """The cipher for encrypted fields; the first configured key encrypts, all keys decrypt."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


class EncryptedTextField(models.TextField):
    """Stores the Fernet token of a string; reads give back the plain string.

    The column holds ciphertext only, so the value can be neither searched nor indexed.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return field_cipher().encrypt(str(value).encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return field_cipher().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("Encrypted field cannot be decrypted with the configured keys.") from exc
