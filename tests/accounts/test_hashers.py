"""Password hashers: argon2id parameters, re-hash at login, legacy verifiers (docs/decisions.md)."""

import hashlib
from unittest import mock

import bcrypt
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher, make_password
from django.urls import reverse

from config.settings import PASSWORD_HASHERS as PRODUCT_PASSWORD_HASHERS
from selfcare.accounts.hashers import Argon2idPasswordHasher
from selfcare.accounts.models import User
from tests.factories import UserFactory

PASSWORD = "Tre-Vecchia-Password-7"


@pytest.fixture(autouse=True)
def product_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCT_PASSWORD_HASHERS


def test_new_passwords_are_argon2id_with_our_parameters():
    assert PRODUCT_PASSWORD_HASHERS[0] == "selfcare.accounts.hashers.Argon2idPasswordHasher"
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert not get_hasher("default").must_update(encoded)


@pytest.mark.django_db
def test_a_hash_with_other_argon2_parameters_is_rehashed_at_login():
    user = UserFactory(username="vecchio")
    user.password = Argon2PasswordHasher().encode(PASSWORD, "saltsaltsaltsalt")  # Django's defaults
    user.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in user.password

    assert authenticate(username="vecchio", password="wrong") is None
    assert "m=102400,t=2,p=8" in User.objects.get(pk=user.pk).password
    assert authenticate(username="vecchio", password=PASSWORD) == user
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    "encoded",
    [
        "legacy_md5$$" + hashlib.md5(PASSWORD.encode()).hexdigest(),  # noqa: S324
        "legacy_sha1$ab$" + hashlib.sha1(("ab" + PASSWORD).encode()).hexdigest(),  # noqa: S324
        "legacy_bcrypt$" + bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
    ],
)
def test_legacy_hashers_verify_never_create_and_cost_a_full_hash_when_wrong(encoded):
    hasher = identify_hasher(encoded)
    assert hasher.verify(PASSWORD, encoded)
    assert hasher.must_update(encoded)
    with pytest.raises(NotImplementedError):
        make_password(PASSWORD, hasher=hasher.algorithm)
    # A wrong password runs the argon2id hasher once, so it takes as long as for any account.
    with mock.patch.object(Argon2idPasswordHasher, "encode", autospec=True, return_value="x") as argon2:
        assert not hasher.verify(PASSWORD + "!", encoded)
        assert argon2.call_count == 1
        assert hasher.verify(PASSWORD, encoded)
        assert argon2.call_count == 1
    assert set(hasher.safe_summary(encoded)) >= {"algorithm", "salt"}


def test_a_malformed_bcrypt_hash_never_matches():
    hasher = get_hasher("legacy_bcrypt")
    assert not hasher.verify(PASSWORD, "legacy_bcrypt$$2b$04$" + "*" * 53)


@pytest.mark.django_db
def test_backoffice_shows_a_legacy_user(client):
    user = UserFactory(username="importato")
    user.password = "legacy_bcrypt$" + bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    user.save(update_fields=["password"])
    client.force_login(User.objects.create_superuser("backoffice", password="x"))
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert "legacy_bcrypt" in page.content.decode()
