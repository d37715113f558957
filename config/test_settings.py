"""Settings for the test suite: the product's settings with a fixed key and jobs run inline."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("HTTPS", "0")  # the test client speaks plain HTTP
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "hvzmhYvVGIXvqcQpWhCWEkUW1sUY3Lm01mVEfOHmLAM=")

from .settings import *  # noqa: E402,F403
from .settings import HUEY  # noqa: E402
from .settings import PASSWORD_HASHERS as PRODUCT_PASSWORD_HASHERS  # noqa: E402

# Tasks run inline during tests (DESIGN.md §7); the Redis queue has its own test.
HUEY = {**HUEY, "immediate": True}
# Hashing is not what most tests are about; argon2 stays configured after the fast hasher.
# The product's hashers follow, so imported legacy hashes are read in tests too.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCT_PASSWORD_HASHERS]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the finders in tests; nothing is collected.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# With REDIS_URL (CI), cache and sessions run on Redis; each test run keeps to its own keys.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
