from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_keys_configured(app_configs, **kwargs):
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: SIM PIN/PUK are encrypted with a key derived from SECRET_KEY.",
            hint="Generate one with Fernet.generate_key() and set FIELD_ENCRYPTION_KEYS.",
            id="selfcare.W001",
        )
    ]
