"""Settings, all read from the environment (see .env.example)."""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (50 random characters) when DEBUG is off."
        )

# Older secret keys, still accepted (signatures, and decryption of encrypted fields).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Keys of the encrypted fields (legal identities, clinical text), newest first: new
# values are encrypted with the first, older ones still decrypt with the others until
# "manage.py reencrypt" has rewritten them (docs/deployment.md, key rotation).
if DEBUG:
    SALT_KEY = env.list("FIELD_ENCRYPTION_KEYS", default=["development-only-field-key"])
else:
    SALT_KEY = env.list("FIELD_ENCRYPTION_KEYS")
    if not SALT_KEY or any(len(key) < 32 for key in SALT_KEY):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set (one or more keys of 32+ random characters, "
            "comma-separated, newest first) when DEBUG is off."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# JSON for the addresses a script calls (entractes.jsonapi), the French page otherwise.
CSRF_FAILURE_VIEW = "entractes.jsonapi.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "entractes",
    "contacts",
    "health",
    "rights",
    "minors",
    "reporting",
    "casefile",
    "agenda",
    "demo",
    "exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "entractes.middleware.RejectNulByteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "entractes.middleware.FrenchUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "entractes.middleware.SessionLimitMiddleware",
    "entractes.middleware.SecondFactorMiddleware",
    "entractes.middleware.PasswordChangeRequiredMiddleware",
    "entractes.middleware.AccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

# No login by password alone: a second factor (TOTP) for every account, always in
# production; the demo may run without it.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Entr'Actes"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after 5 failures for one account from one address, for 15 minutes: somebody
# elsewhere cannot lock a colleague out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: behind the reverse proxy (BEHIND_PROXY), the right-most entry of
# X-Forwarded-For that the PROXY_COUNT proxies did not add (django-ipware counts the
# proxies listed in the header, the last proxy being REMOTE_ADDR: hence the minus one);
# anything a client wrote to its left is ignored. Without BEHIND_PROXY the header is
# never read.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
if BEHIND_PROXY:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = max(PROXY_COUNT - 1, 0)
    AXES_IPWARE_PROXY_ORDER = "left-most"
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None
# Beyond the lockout of one address, an account under attack from several addresses is
# slowed down rather than locked (entractes.lockout): after this many failures in all
# within the cool-off time, each attempt waits a delay that doubles from one minute.
LOGIN_SLOWDOWN_AFTER = 10
LOGIN_SLOWDOWN_FIRST_DELAY = datetime.timedelta(minutes=1)

ROOT_URLCONF = "entractes.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "entractes.permissions.perms_for_context",
            ],
        },
    },
]

WSGI_APPLICATION = "entractes.wsgi.application"
ASGI_APPLICATION = "entractes.asgi.application"

# Local state (SQLite database, media, collected static files) lives under var/.
(BASE_DIR / "var").mkdir(exist_ok=True)

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'entractes.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The report's figure queries are large but fast; JIT compilation alone took ~1 s.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# The embedded SQLite database is shared by the pages and the task worker. WAL lets
# readers go on while one writes; a transaction takes the write lock when it begins
# (IMMEDIATE), so one that reads then writes (a page logging a restricted read) waits
# its turn within the timeout instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **SQLITE_OPTIONS,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "entractes.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first; English from the language switch.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# One date order per language (entractes/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["entractes.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

_email = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {k: v for k, v in _smtp_options.items() if v not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="entractes@localhost")

# Content Security Policy: only our own files; no inline script or style except an
# element carrying the request's nonce ({{ csp_nonce }}), and no other origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The figures pages' figures, under the tokens of the records they were computed from
    # (entractes.freshness): never older than the records; dropped after the timeout. In
    # the database, so that every worker and server shares them (the table is created by
    # "migrate").
    "figures": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "entractes_figures_cache",
        "TIMEOUT": env.int("FIGURES_CACHE_SECONDS", default=300),
    },
}

# Largest spreadsheet accepted by the import page (the proxy should refuse larger bodies).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# Largest document (scan, photo, letter) uploaded to a person, kept encrypted in the
# database (the proxy should refuse larger bodies).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# A round sheet posts every field of each of its rows (at most 200 rows, about 30 fields
# each): Django's default of 1000 fields would refuse a sheet of some 30 contacts.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Persons with no activity for this many years are anonymised ("manage.py apply_retention").
RETENTION_YEARS = env.int("RETENTION_YEARS", default=2)

SESSION_COOKIE_HTTPONLY = True
# Sessions end after 30 minutes idle (each request renews them) and 12 hours in all.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Production transport security, on unless DEBUG.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background tasks (PDF generation): stored in the database, run by "manage.py db_worker".
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# Panels of the person page, each served by its app (URL names taking the person's code).
PERSON_PANELS = [
    "contacts:person-contacts-panel",
    "health:person-panel",
    "rights:person-panel",
    "minors:person-panel",
    "casefile:person-documents",
    "agenda:person-panel",
]

# Demo accounts' shared password (the demo command refuses to run without DEBUG).
DEMO_PASSWORD = "entractes-demo-2023"  # noqa: S105 (documented demo password)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Change history (django-auditlog) on every record. Encrypted fields (legal identity,
# clinical notes) are masked whole when stored: their values never leave the encrypted
# columns. The history pages show health records' values to health staff only.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "admin",
    "auditlog",
    "auth",
    "axes",
    "contenttypes",
    "django_tasks_database",
    "otp_static",
    "otp_totp",
    "sessions",
    "entractes.accesslogentry",
    "entractes.recordsstate",
    # Second factors and enrolment codes: secrets, never copied into the history.
    "entractes.authenticatordevice",
    "entractes.recoverydevice",
    "entractes.recoverycode",
    "entractes.enrolmentcode",
    "reporting.reportrender",
    # Uploaded documents' bytes: encrypted, never copied into the history.
    "casefile.documentcontent",
)
AUDITLOG_MASK_CALLABLE = "entractes.audit.mask"
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "contacts.person",
        "m2m_fields": ["languages", "products", "prostitution_modes"],
        "exclude_fields": ["nickname_key", "nickname_sound", "version"],
    },
    {
        "model": "contacts.legalidentity",
        "mask_fields": ["last_name", "first_names", "birth_date", "birth_place", "nationality"],
    },
    {
        "model": "casefile.document",
        "mask_fields": ["title", "original_name"],
    },
    {
        "model": "health.consultation",
        "mask_fields": ["clinical_note", "shared_note"],
    },
    {
        "model": "entractes.user",
        "exclude_fields": ["password", "last_login"],
        "m2m_fields": ["roles"],
    },
)
