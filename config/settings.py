"""Settings for Selfcare Business, read from the environment (see .env.example).

Embedded defaults (no variables set) give the self-contained product: SQLite, local-memory cache,
database sessions, the SQLite-backed Huey queue and the development adapters.
"""

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# DEMO turns on the demo conveniences: the dev inbox and the printed demo logins.
DEMO = env.bool("DEMO", default=False)
# Served over HTTPS: secure cookies, HSTS and the redirect. Off only for a local demo or development.
HTTPS = env.bool("HTTPS", default=not (DEBUG or DEMO))


def _local_secret_key() -> str:
    """A per-checkout key for development and demo runs, kept so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or (_local_secret_key() if (DEBUG or DEMO) else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG or DEMO is on.")

# Fernet keys (comma separated, newest first) for SIM PIN/PUK at rest. When empty a key is derived
# from SECRET_KEY, which is acceptable only for development: the deploy check warns about it.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# The portal's public address, for links in emails sent by jobs (no request to build them from).
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.headless",
    "selfcare.core",
    "selfcare.accounts",
    "selfcare.customers",
    "selfcare.catalog",
    "selfcare.lines",
    "selfcare.usage",
    "selfcare.billing",
    "selfcare.topups",
    "selfcare.notifications",
    "selfcare.tickets",
    "selfcare.portal",
    "selfcare.api",
    "selfcare.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "selfcare.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "selfcare.accounts.autologin.AutologinMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "selfcare.accounts.sessions.SessionTimeoutMiddleware",
    "selfcare.accounts.sessions.MFARequiredMiddleware",
    "selfcare.accounts.middleware.ForcedPasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "selfcare.core.middleware.ScopeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "selfcare.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server read while the job consumer writes; IMMEDIATE avoids
            # "database is locked" on upgrade from a read to a write transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, jobs --------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# The parts of the page shell that are the same for every user (templates/base.html): kept in each
# process's memory, since they change only with a new release; a shared cache would cost a round trip.
SHELL_CACHE = {"shell": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shell"}}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "selfcare.core.cache.ReusedClientRedisCache", "LOCATION": REDIS_URL},
        **SHELL_CACHE,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env("HUEY_NAME", default="selfcare"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, **SHELL_CACHE}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "selfcare",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# The first hashes every new password (argon2id, parameters in docs/decisions.md); the others only
# read older hashes, which are re-hashed with the first at the next successful login. The legacy
# ones read the TRE portal's imported hashes (docs/legacy-accounts.md).
PASSWORD_HASHERS = [
    "selfcare.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "selfcare.accounts.hashers.LegacyBCryptPasswordHasher",
    "selfcare.accounts.hashers.LegacySHA1PasswordHasher",
    "selfcare.accounts.hashers.LegacyMD5PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 8 characters for employees, 12 for managers (DESIGN §8); no composition rules.
    {"NAME": "selfcare.accounts.password_validation.RoleMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# allauth's backend with an exact username lookup; registration and activation log users in with it too.
AUTHENTICATION_BACKENDS = ["selfcare.accounts.adapter.CaseSensitiveUsernameBackend"]

# django-allauth: username login only, no open signup, no email flows (registration and recovery
# are our own services, SPEC §3 and §5). Usernames keep their case and are looked up exactly.
ACCOUNT_ADAPTER = "selfcare.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Failed logins: per client address and per username; every login attempt: per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="20/10m/ip,5/5m/key"),
    "login": env("LOGIN_RATE_LIMIT", default="60/m/ip"),
}
# Two-factor authentication for managers (SPEC F-LOG-4): TOTP with recovery codes.
MFA_ADAPTER = "selfcare.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# An admin without MFA is sent to the TOTP setup page after login until he turns it on.
MFA_REQUIRED_FOR_ADMINS = env.bool("MFA_REQUIRED_FOR_ADMINS", default=False)
# The sessions list ("log out my other sessions") is recorded at login. Tracking activity would
# write the user-session row on every request, a database write per page view; the idle timeout
# keeps its own last-activity time in the session instead (selfcare.accounts.sessions).
USERSESSIONS_TRACK_ACTIVITY = False
# The app logs in through allauth headless (SPEC F-CH-2): the "app" client only, with session tokens
# (X-Session-Token) that our API accepts too. The website keeps allauth's regular pages.
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = False

# Idle and absolute session timeouts (SPEC F-LOG-3), stricter for managers.
SESSION_MANAGER_IDLE_SECONDS = env.int("SESSION_MANAGER_IDLE_SECONDS", default=15 * 60)
SESSION_MANAGER_ABSOLUTE_SECONDS = env.int("SESSION_MANAGER_ABSOLUTE_SECONDS", default=8 * 3600)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=24 * 3600)
SESSION_COOKIE_AGE = max(SESSION_ABSOLUTE_SECONDS, SESSION_MANAGER_ABSOLUTE_SECONDS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security (HTTPS on in production) --------------------------------------------------------
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz and /readyz are probed over plain HTTP by the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Autologin (network identity) -------------------------------------------------------------
# The operator's proxy adds the line's number in this header; it is honoured only from these networks.
AUTOLOGIN_HEADER = env("AUTOLOGIN_HEADER", default="X-Msisdn")
AUTOLOGIN_TRUSTED_PROXIES = env.list("AUTOLOGIN_TRUSTED_PROXIES", default=[])
AUTOLOGIN_HMAC_SECRET = env("AUTOLOGIN_HMAC_SECRET", default="")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# Source maps are for developers' tools only: not worth compressing at every start.
from whitenoise.compress import Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- Brand ----------------------------------------------------------------------------------
BRAND = {
    "name": env("BRAND_NAME", default="Selfcare Business"),
    "operator": env("BRAND_OPERATOR", default="Nexo Telecom"),
    "primary": env("BRAND_PRIMARY_COLOR", default="#c2410c"),
    "dark": env("BRAND_DARK_COLOR", default="#1f2a44"),
    "support_business": env("BRAND_SUPPORT_BUSINESS", default="1928"),
    "support_tre": env("BRAND_SUPPORT_TRE", default="139"),
    # The operator's public coverage map and network status pages, linked from the employee's home.
    "coverage_url": env("BRAND_COVERAGE_URL", default="https://www.nexotelecom.it/copertura"),
    "network_status_url": env("BRAND_NETWORK_STATUS_URL", default="https://www.nexotelecom.it/stato-rete"),
}
# The operator as seller (cedente/prestatore) on invoices and FatturaPA XML; it also transmits them.
OPERATOR = {
    "name": "Nexo Telecom S.p.A.",
    "vat_number": "08123450150",  # partita IVA, 11 digits with its check digit
    "fiscal_code": "08123450150",
    "address": "Via Alessandro Volta 16",
    "postcode": "20121",
    "city": "Milano",
    "province": "MI",
    "country": "IT",
    "rea_office": "MI",
    "rea_number": "2045871",
    "share_capital": "50000000.00",
    "tax_regime": "RF01",  # regime ordinario
    "phone": "0299990000",
    "email": "fatturazione@nexotelecom.it",
    "iban": "IT60X0542811101000000123456",
}

# --- Usage records -------------------------------------------------------------------------
# Months of record-level traffic detail kept besides the current one (per-day totals are kept).
USAGE_RETENTION_MONTHS = env.int("USAGE_RETENTION_MONTHS", default=6)
USAGE_IMPORT_MAX_BYTES = env.int("USAGE_IMPORT_MAX_BYTES", default=512 * 1024 * 1024)
USAGE_API_MAX_RECORDS = env.int("USAGE_API_MAX_RECORDS", default=10_000)
# Threads storing file batches on their own connections while the next batch is checked (PostgreSQL).
USAGE_IMPORT_WRITERS = env.int("USAGE_IMPORT_WRITERS", default=2)
# The .xlsx writer of "Download traffico": auto (the Rust one when installed), rust or xlsxwriter.
TRAFFIC_XLSX_WRITER = env("TRAFFIC_XLSX_WRITER", default="auto")

# --- Integrations (DESIGN.md §6): development adapter by default --------------------------------
SMS_ADAPTER = env("SMS_ADAPTER", default="dev")  # dev | http
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="NexoBiz")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Selfcare Business <noreply@selfcare.example>")
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox")  # sandbox | stripe
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# The sandbox provider signs its webhooks with this key. Its notifications never leave the product,
# so by default it is derived from SECRET_KEY: a published default would let anyone forge one.
import hmac  # noqa: E402

SANDBOX_WEBHOOK_SECRET = (
    env("SANDBOX_WEBHOOK_SECRET", default="")
    or hmac.new(SECRET_KEY.encode(), b"selfcare.payments.sandbox.webhook", "sha256").hexdigest()
)
# How long a provider's checkout page stays open, kept within what Stripe accepts (30 minutes to 24
# hours); an open attempt older than this is replaced by a new one at the next "PAGA".
PAYMENT_CHECKOUT_MINUTES = min(max(env.int("PAYMENT_CHECKOUT_MINUTES", default=60), 30), 24 * 60)
# A webhook signed longer ago than this is refused (a replayed notification).
PAYMENT_WEBHOOK_TOLERANCE_SECONDS = env.int("PAYMENT_WEBHOOK_TOLERANCE_SECONDS", default=300)
PROVISIONING_ADAPTER = env("PROVISIONING_ADAPTER", default="simulator")  # simulator | http
PROVISIONING_URL = env("PROVISIONING_URL", default="")
USAGE_INGEST_TOKEN = env("USAGE_INGEST_TOKEN", default="")
# One-time codes one client address may ask for in an hour (SMS pumping guard). Mobile carriers put
# many users behind one address (CGNAT): raise it where the portal sees such addresses.
OTP_SENDS_PER_IP = env.int("OTP_SENDS_PER_IP", default=10)
USAGE_RETENTION_MONTHS = env.int("USAGE_RETENTION_MONTHS", default=6)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The browser's session cookie, or the app's session token (selfcare.api.auth).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "selfcare.api.auth.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["selfcare.api.permissions.HasCapability"],
    "EXCEPTION_HANDLER": "selfcare.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Selfcare Business API",
    "DESCRIPTION": "The JSON API of the Selfcare Business portal, used by the app and by customers' systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Choice sets that share a field name with another one get these names instead of a hash.
    "ENUM_NAME_OVERRIDES": {
        "OnlinePaymentMethodEnum": "selfcare.billing.models.Payment.Method",
        "InvoiceKindEnum": "selfcare.billing.models.Invoice.Kind",
        "InvoiceStatusEnum": "selfcare.billing.models.Invoice.Status",
        "InvoiceStatusFilterEnum": "selfcare.billing.api.invoices.STATUS_FILTER_CHOICES",
        "TopupChannelEnum": "selfcare.topups.models.Topup.Channel",
        "TopupMethodEnum": "selfcare.topups.models.Topup.Method",
        "TopupStatusEnum": "selfcare.topups.models.Topup.Status",
        "TicketStatusEnum": "selfcare.tickets.models.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each rendering step at INFO: only its warnings matter.
    "loggers": {"huey": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
