import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from selfcare.core.checks import encryption_keys_configured
from selfcare.lines.models import Sim
from tests.factories import SimFactory

pytestmark = pytest.mark.django_db


def test_keys_can_be_rotated_without_losing_secrets():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        sim = SimFactory(pin="2468", puk="13572468")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        fresh = Sim.objects.get(pk=sim.pk)
        assert (fresh.pin, fresh.puk) == ("2468", "13572468")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]), pytest.raises(ValueError, match="cannot be decrypted"):
        Sim.objects.get(pk=sim.pk)


def test_deploy_check_warns_without_explicit_keys():
    with override_settings(FIELD_ENCRYPTION_KEYS=[]):
        assert [w.id for w in encryption_keys_configured(None)] == ["selfcare.W001"]
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        assert encryption_keys_configured(None) == []
