"""Settings, read from the environment in this one module.

Defaults make a safe demo: SQLite under var/, DEBUG off unless asked for. With DEBUG
off a real SECRET_KEY is required, so production cannot start on the demo secret.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HEALTHBANK_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    """A yes/no setting. Anything else stops the start: DEBUG=ture must not mean "off"."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use 1 or 0, true or false, "
        "yes or no, on or off."
    )


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


TESTING = "pytest" in sys.modules
DEBUG = envbool("DEBUG", False)

_DEMO_SECRET_KEY = "healthbank-demo-secret-key-never-use-in-production"  # noqa: S105
# mypy's Django plugin imports these settings to learn the models; it serves no one.
_TYPE_CHECKING = "mypy" in sys.modules
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    _DEMO_SECRET_KEY if DEBUG or TESTING or _TYPE_CHECKING else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for a local demo)."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "healthbank.identity.staff_site.StaffAdminConfig",  # /staff/ needs the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "healthbank.core",
    "healthbank.files",
    "healthbank.people",
    "healthbank.codes",
    "healthbank.records",
    "healthbank.synth",
    "healthbank.external",
    "healthbank.audit",
    "healthbank.identity",
    "healthbank.bank",
    "healthbank.employers",
    "healthbank.downloads",
    "healthbank.certificates",
    "healthbank.billing",
    "healthbank.cards",
    "healthbank.eservices",
    "healthbank.township",
    "healthbank.api",
    "healthbank.express",
    "healthbank.ingest",
    "healthbank.vcard",
    "healthbank.agencies",
    "healthbank.fhir",
    "healthbank.operations",  # demo, worker: start the other apps, none imports it
    "captcha",
    "csp",
    "oauth2_provider",  # SMART on FHIR's authorisation server (healthbank/fhir)
    "django_tasks",
    "healthbank.core.third_party.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "healthbank.core.middleware.ContentSecurityPolicy",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "healthbank.core.middleware.NoStoreForPersonalData",
    "healthbank.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Record reads from a replica unless the person has just written (issue 22).
    "healthbank.core.replicas.ReadYourWrites",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Unreadable query strings and forms refused before any view (issue 18, items 12-13).
    "healthbank.core.badrequest.BadRequestMiddleware",
    "healthbank.identity.middleware.SessionControlMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "healthbank.urls"
WSGI_APPLICATION = "healthbank.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "healthbank" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "healthbank.core.context_processors.site",
                "healthbank.bank.portal.context",
            ],
        },
    },
    {
        # Plain-text mail: the same templates, without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "healthbank" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

_SQLITE_URL = f"sqlite:///{VAR_DIR / 'healthbank.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)


def database(url: str) -> dict[str, Any]:
    """One DATABASES entry from a URL. Besides what dj_database_url reads, libpq's multi-host
    form (postgres://user@db1:5432,db2:5432/healthbank?target_session_attrs=read-write),
    which it cannot parse: HOST and PORT become libpq's lists, the query its options."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    user, at, hosts = netloc.rpartition("@")
    if not sep or "," not in hosts:
        return dict(dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 0)))
    parts = [urlsplit(f"//{host}") for host in hosts.split(",")]
    config = database(f"{scheme}://{user}{at}{hosts.split(',')[0]}{slash}{tail}")
    config["HOST"] = ",".join(part.hostname or "" for part in parts)
    ports = [str(part.port or 5432) for part in parts]  # libpq: one port, or one a host
    config["PORT"] = ",".join(ports) if any(part.port for part in parts) else ""
    return config


def _engine_options(engine: str) -> dict[str, Any]:
    if engine == "django.db.backends.postgresql" and envbool("DB_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and a statement a connection has run five times
        # prepared (every page's queries): PostgreSQL plans it once, not on every page,
        # which halves the database's time for a record page. Off for a pooler in
        # transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
        return {"server_side_binding": True, "prepare_threshold": 5}
    if engine == "django.db.backends.sqlite3":
        # WAL lets the web process read while a worker writes; IMMEDIATE avoids
        # "database is locked" when two writers upgrade their locks at once.
        return {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return {}


def _with_engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """The engine's options, then the URL's own (?target_session_attrs=..., ?sslmode=...)."""
    config["OPTIONS"] = {**_engine_options(config["ENGINE"]), **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": _with_engine_options(database(os.environ.get("DATABASE_URL", _SQLITE_URL)))}
if TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared in-memory database: the browser tests' server answers on
    # several threads, and on one in-memory database they share one connection, whose
    # concurrent requests stalled or failed "database table is locked". On a file in WAL
    # mode each thread has its own connection, as the demo's server does.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# Read replicas (issue 22): reads of person-owned records go to one of them, unless the
# person has just written and it has not replayed that yet (core/replicas.py). In tests each
# is a mirror of the test database.
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS", [])
if [url for url in DATABASE_REPLICA_URLS if "://" not in url]:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS lists one URL of one host for each replica, separated by "
        "commas (postgres://u@db2:5432/hb,postgres://u@db3:5432/hb): no host lists."
    )
DATABASE_REPLICAS = [f"replica{n}" for n in range(1, len(DATABASE_REPLICA_URLS) + 1)]
for _alias, _url in zip(DATABASE_REPLICAS, DATABASE_REPLICA_URLS, strict=True):
    DATABASES[_alias] = _with_engine_options(database(_url)) | {"TEST": {"MIRROR": "default"}}
if TESTING and not DATABASE_REPLICAS:
    # An alias the router's tests turn on (override DATABASE_REPLICAS): the same database.
    DATABASES["replica1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["healthbank.core.replicas.ReplicaRouter"]
# A replica further behind than this many seconds is not read; a person's pin to the primary
# after a write lasts as long (on PostgreSQL it ends sooner, once a replica has replayed it).
DATABASE_REPLICA_MAX_LAG = envint("DATABASE_REPLICA_MAX_LAG", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache: Redis in production (CACHE_URL=redis://host:6379/0), so every web process
# reads one copy and an invalidation reaches them all; the demo caches in each process.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Argon2 first: every new or changed password is hashed with it (DESIGN.md, STYLE.md).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # the same algorithm with small parameters (healthbank/core/hashers.py)
    PASSWORD_HASHERS.insert(0, "healthbank.core.hashers.QuickArgon2PasswordHasher")
LOGIN_URL = "identity:login"
AUTHENTICATION_BACKENDS = ["healthbank.identity.backends.AccountBackend"]

# Staff users' passwords (createsuperuser, changepassword, the staff admin's user forms):
# Django's validators. A person's registration password follows the seed instead, 6 to 12
# characters (Django's 8 would contradict it), checked by identity.passwords.VALIDATORS
# wherever a person sets one; Django's own forms never set a person's password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "healthbank" / "locale"]
FORMAT_MODULE_PATH = ["healthbank.formats"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Where record packages, virtual-card photos and provider uploads are kept (issue 22):
# "filesystem", on this host's disk under DOWNLOAD_DIR, VCARD_DIR and INGEST_DIR (one host,
# the demo); "database", in the database, which every host reads and replicas copy.
FILE_STORAGE = os.environ.get("FILE_STORAGE", "filesystem")
_FILE_STORES = {
    "downloads": "DOWNLOAD_DIR",
    "vcard": "VCARD_DIR",
    "ingest": "INGEST_DIR",
    "eservice": "ESERVICE_DIR",
}
_files: dict[str, dict[str, Any]]
if FILE_STORAGE == "filesystem":
    _files = {
        alias: {"BACKEND": "healthbank.files.storage.DirectoryStorage", "OPTIONS": {"setting": dir}}
        for alias, dir in _FILE_STORES.items()
    }
    # Card photos and e-service uploads are readable by the server's user alone.
    for _private in ("vcard", "eservice"):
        _files[_private]["OPTIONS"].update(
            file_permissions_mode=0o600, directory_permissions_mode=0o700
        )
elif FILE_STORAGE == "database":
    _files = {
        alias: {"BACKEND": "healthbank.files.storage.DatabaseStorage", "OPTIONS": {"bucket": alias}}
        for alias in _FILE_STORES
    }
else:
    raise ImproperlyConfigured(f"FILE_STORAGE must be filesystem or database, not {FILE_STORAGE!r}")
STORAGES = {
    **_files,
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development and tests WhiteNoise serves from the apps' static folders directly.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# /favicon.ico, which browsers ask for on any page that links no icon (a JSON answer, an
# error page), served like the static files; its name has no hash, so it is kept a week.
WHITENOISE_ROOT = BASE_DIR / "healthbank" / "core" / "root"
FAVICON_MAX_AGE = 7 * 24 * 3600


def _favicon_cache(headers, path: str, url: str) -> None:
    if url == "/favicon.ico":
        headers["Cache-Control"] = f"max-age={FAVICON_MAX_AGE}, public"


WHITENOISE_ADD_HEADERS_FUNCTION = _favicon_cache

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)  # usually the proxy's job
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's health check may come over HTTP
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
)
# HSTS whenever the site says it is served over HTTPS: a year, subdomains included (sent
# only on HTTPS requests; preload once every subdomain is HTTPS, then list the domain).
_HTTPS = SESSION_COOKIE_SECURE or SECURE_SSL_REDIRECT or SECURE_PROXY_SSL_HEADER is not None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# NHI-card online services (seed 003, 全民健康保險網路服務註冊管理作業要點 rule 10).
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)  # wrong passwords in a row
LOGIN_ADDRESS_LIMIT = envint("LOGIN_ADDRESS_LIMIT", 30)  # failed sign-ins per address ...
LOGIN_ADDRESS_WINDOW = envint("LOGIN_ADDRESS_WINDOW", 15 * 60)  # ... in this many seconds
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 15 * 60)
SESSION_IDLE_WARNING_SECONDS = envint("SESSION_IDLE_WARNING_SECONDS", 2 * 60)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in e-mail

# The card agent (健保卡元件 stand-in): where pages find it and where its virtual cards live.
CARD_AGENT_URL = os.environ.get("CARD_AGENT_URL", "http://127.0.0.1:7777").rstrip("/")
CARD_READER_DIR = Path(os.environ.get("CARD_READER_DIR", VAR_DIR / "cardreader"))
# Citizen digital certificates: the MOICA root and CRL to trust; by default a local test CA.
MOICA_DIR = Path(os.environ.get("MOICA_DIR", VAR_DIR / "moica"))

# Household registry (戶政) check: the embedded default reads the synthetic households.
HOUSEHOLD_REGISTRY = os.environ.get(
    "HOUSEHOLD_REGISTRY", "healthbank.external.household.LocalHouseholdRegistry"
)
# Telecom number check (行動電話認證): the embedded default reads synthetic subscriptions.
TELECOM_CHECK = os.environ.get("TELECOM_CHECK", "healthbank.external.telecom.LocalTelecomCheck")
# Payments and direct debits (card fees, premiums) and pay-outs (reimbursements).
BANK = os.environ.get("BANK", "healthbank.external.bank.LocalBank")

# E-mail: EMAIL_URL (smtp://user:pass@host:587/?tls=True); by default mail is kept in the
# database and shown at /dev/mailbox/ (DEBUG only), so a demo can finish a registration.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    _email = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST, EMAIL_PORT = _email["EMAIL_HOST"], _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS, EMAIL_USE_SSL = _email["EMAIL_USE_TLS"], _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 30
else:
    EMAIL_BACKEND = "healthbank.external.mail.MailboxBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "eservice@healthbank.example")
DEV_MAILBOX = DEBUG or TESTING

CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30
CAPTCHA_LENGTH = 5  # digits (identity.imagecode): 1 in 100,000 for a blind guess
CAPTCHA_CHALLENGE_FUNCT = "healthbank.identity.imagecode.digits_challenge"
# Speaks the image code in the page's language (Debian's espeak-ng, `make packages`); where
# it is missing the picture is shown alone.
IMAGE_CODE_SYNTHESISER = os.environ.get("IMAGE_CODE_SYNTHESISER", "espeak-ng")
CAPTCHA_TIMEOUT = 5  # minutes

# Every handler masks national IDs and card numbers (core/logging.py). Django's own handlers
# are replaced: its loggers write through the root's, and `runserver`'s access log
# (django.server, which does not propagate) gets a masked handler of its own. gunicorn's logs
# are masked by healthbank/gunicorn_conf.py.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
_MASKED = ["mask_personal"]
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal": {"()": "healthbank.core.logging.MaskPersonalData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": _MASKED},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": _MASKED,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # WeasyPrint logs each step of each PDF at INFO ("Step 2 - Fetching and parsing CSS").
        "weasyprint": {"level": "WARNING"},
    },
}
if TESTING:
    # What a test run logged also goes to a file, which the run checks for IDs at its end
    # (conftest.py) and keeps only if it found one; one file per run, so runs do not mix.
    TEST_LOG_FILE = VAR_DIR / "test-logs" / f"pytest-{os.getpid()}.log"
    TEST_LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    LOGGING["formatters"]["test_file"] = {
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s"
    }
    LOGGING["handlers"]["test_file"] = {
        "class": "logging.FileHandler",
        "filename": str(TEST_LOG_FILE),
        "mode": "w",
        "delay": True,
        "formatter": "test_file",
        "encoding": "utf-8",
        "filters": _MASKED,
    }
    for _logger in (LOGGING["root"], LOGGING["loggers"]["django.server"]):
        _logger["handlers"].append("test_file")

# Background work (Django's Tasks API, backported): tasks are rows in the database, run by
# `healthbank worker` (the demo starts one). Under tests a task runs when the test runs the
# worker, as in production.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# A worker's task whose worker died (its database lock gone, operations/liveness.py) is
# queued again for another: looked for every WORKER_LIVENESS_SECONDS, by a worker that has
# held its own lock for WORKER_LIVENESS_GRACE (after a failover, the live ones take theirs
# again within a few seconds).
WORKER_LIVENESS_SECONDS = float(os.environ.get("WORKER_LIVENESS_SECONDS") or 2)
WORKER_LIVENESS_GRACE = float(os.environ.get("WORKER_LIVENESS_GRACE") or 15)

# Record packages (download service, seeds 000 and 001): outside the web root, served only to
# their owner through the portal.
DOWNLOAD_DIR = Path(os.environ.get("DOWNLOAD_DIR", VAR_DIR / "downloads"))
DOWNLOAD_DAYS = envint("DOWNLOAD_DAYS", 7)  # downloadable for 7 days (seed 000)
DOWNLOAD_MAX_IN_FLIGHT = envint("DOWNLOAD_MAX_IN_FLIGHT", 3)  # requests waiting or being made

# NHI Express app tokens (issue 6)
API_ACCESS_TOKEN_MINUTES = envint("API_ACCESS_TOKEN_MINUTES", 15)
API_REFRESH_TOKEN_DAYS = envint("API_REFRESH_TOKEN_DAYS", 30)

# --- ingest (issue 8): provider and agency uploads -----------------------------------------
# Uploaded files are kept outside the web root; only their batch's provider sees results.
INGEST_DIR = Path(os.environ.get("INGEST_DIR", VAR_DIR / "ingest"))
# The largest file accepted. 256 MiB of NDJSON is about 800,000 visits with their orders:
# months of a medical centre's outpatient visits, and two minutes of one worker's time
# (6,500 visits/s on PostgreSQL). Larger feeds are split; a FHIR Bundle has a lower bound
# of its own (rules.MAX_BUNDLE_BYTES).
INGEST_MAX_FILE_BYTES = envint("INGEST_MAX_FILE_BYTES", 256 * 1024**2)
# Bytes of raw files one credential may have held at once (waiting, being processed, or
# kept after problems): four files at the limit.
INGEST_QUOTA_BYTES = envint("INGEST_QUOTA_BYTES", 1024**3)
# A batch done without a problem loses its raw file at once; one that failed or refused
# rows keeps it this long (the problems report's line numbers point into it), then the
# worker's clean-up deletes it.
INGEST_KEEP_REFUSED_DAYS = envint("INGEST_KEEP_REFUSED_DAYS", 7)
# Rows per transaction: a killed worker loses at most one chunk's work, never half of one.
# 5,000 rather than 1,000: fewer commits and statements, ~7% faster on PostgreSQL.
INGEST_CHUNK_ROWS = envint("INGEST_CHUNK_ROWS", 5000)
# Processes that parse a large upload (ingest/rules.py); 0: one per core.
INGEST_PARSE_WORKERS = envint("INGEST_PARSE_WORKERS", 0)
# Seconds a batch is processed before it makes way for the tasks waiting (ingest/rules.py):
# with the worker's poll of a second and a chunk's second, a small upload waits about 3 s.
INGEST_SLICE_SECONDS = float(os.environ.get("INGEST_SLICE_SECONDS") or 1)
# --- end ingest ---------------------------------------------------------------------------

# --- virtual NHI card (issue 7) ------------------------------------------------------------
# Application photos (identity document, half-body portrait) are re-encoded and kept here,
# outside the web root; only their person, a delegate, staff and a verifying clinic see them.
VCARD_DIR = Path(os.environ.get("VCARD_DIR", VAR_DIR / "vcard"))
# What people upload with e-service applications: card photos, receipts, certificates.
ESERVICE_DIR = Path(os.environ.get("ESERVICE_DIR", VAR_DIR / "eservice"))
VCARD_MAX_UPLOAD_BYTES = envint("VCARD_MAX_UPLOAD_BYTES", 10 * 1024**2)
# Decoded size limit: a 50 kB PNG may claim 100,000 x 100,000 pixels (a decompression bomb).
VCARD_MAX_PIXELS = envint("VCARD_MAX_PIXELS", 40_000_000)
# On PostgreSQL, a clinic's QR verification is answered by one prepared statement before
# Django's request cycle (vcard/fastpath.py); off, the Django view answers every one.
VCARD_FAST_VERIFY = envbool("VCARD_FAST_VERIFY", True)

# --- certificates (issue 23): signed PDFs checkable at /verify/ -----------------------------
# NHIA's document-signing key and certificate and the root it chains to (PEM files). Unset,
# the embedded default makes a local test CA and a signing certificate in CERTIFICATE_DIR.
CERTIFICATE_SIGNING_KEY = os.environ.get("CERTIFICATE_SIGNING_KEY", "")
CERTIFICATE_SIGNING_CERT = os.environ.get("CERTIFICATE_SIGNING_CERT", "")
CERTIFICATE_CA_CERT = os.environ.get("CERTIFICATE_CA_CERT", "")
CERTIFICATE_DIR = Path(os.environ.get("CERTIFICATE_DIR", VAR_DIR / "docsign"))
if CERTIFICATE_SIGNING_KEY and not (CERTIFICATE_SIGNING_CERT and CERTIFICATE_CA_CERT):
    raise ImproperlyConfigured(
        "CERTIFICATE_SIGNING_KEY needs CERTIFICATE_SIGNING_CERT and CERTIFICATE_CA_CERT."
    )
# --- end certificates ---------------------------------------------------------------------

# --- staff and insured-unit sign-ins (issue 18) --------------------------------------------
# Staff sign in to /staff/ with a password and then a TOTP code (django-otp), enrolled at the
# first sign-in, with one-time recovery codes. Wrong passwords and codes count towards
# LOGIN_FAILURE_LIMIT as a person's do, and so do insured units' wrong passwords; a locked
# staff or unit sign-in stays locked until an administrator unlocks it (README, Production).
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "healthbank")  # the name apps show
# django-otp's own back-off would refuse even the right code for seconds after a typo; the
# lockout above is the limit instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no key or recovery code on any staff page
# --- end staff and insured-unit sign-ins ---------------------------------------------------

# --- web sessions (issue 18) -----------------------------------------------------------------
# Every kind of web session (person, e-service, staff, insured unit) ends after
# SESSION_IDLE_SECONDS without a request or SESSION_ABSOLUTE_SECONDS after its sign-in,
# whichever comes first (identity/middleware.py); the cookie lives no longer than that.
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# Database sessions that know whose they are, so that all of a user's end at once.
SESSION_ENGINE = "healthbank.identity.sessions"
# --- end web sessions ------------------------------------------------------------------------

# --- headers, logs and caching (issue 18) ---------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
# The client is the right-most address in it that is not one of them (core/proxies.py);
# empty, the client is REMOTE_ADDR and X-Forwarded-For is never read.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address") from _error

# Content-Security-Policy on every answer (core.middleware.ContentSecurityPolicy adds the card
# agent, CARD_AGENT_URL, to connect-src). No inline script or style anywhere: every template
# is checked for them (core/tests/test_headers.py). The NHI Express shell page also allows
# data: and blob: images (QR codes, photo previews; express/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy: every powerful feature off for every page; the NHI Express shell, which
# scans QR codes, turns the camera on for itself alone (express/views.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer autoplay bluetooth browsing-topics camera display-capture "
        "encrypted-media fullscreen geolocation gyroscope hid idle-detection local-fonts "
        "magnetometer microphone midi payment picture-in-picture screen-wake-lock serial usb "
        "window-management xr-spatial-tracking"
    ).split()
}
# --- end headers, logs and caching ----------------------------------------------------------

# --- passwords asked again (issue 18) -------------------------------------------------------
# Wrong passwords re-typed inside one signed-in session (changing the password or contact
# data, a device code, enabling a device, a package, an authorisation) before that session
# ends: the website signs out, the app's token is revoked. They never count toward the
# account's lockout (LOGIN_FAILURE_LIMIT), so a stolen session cannot lock its owner out.
REAUTH_FAILURE_LIMIT = envint("REAUTH_FAILURE_LIMIT", 3)
# --- end passwords asked again --------------------------------------------------------------

# --- audit trail at national size (issue 22) ------------------------------------------------
# Months the audit trail is kept before the worker drops whole months (audit/partitions.py).
# The seeds set no period (rules point 14 only says NHIA keeps the registration records).
# Five years: the Personal Data Protection Act (個人資料保護法) art. 30 lets a person claim
# damages for misuse of their data until five years after it happened, and the access
# trail is the evidence of who read what (its enforcement rules, art. 12, list keeping
# usage records among the required safeguards). Records themselves show three years.
AUDIT_RETENTION_MONTHS = envint("AUDIT_RETENTION_MONTHS", 60)
if AUDIT_RETENTION_MONTHS < 1:  # 0 would drop this month's trail as it is written
    raise ImproperlyConfigured("AUDIT_RETENTION_MONTHS must be at least 1.")
# --- end audit trail at national size -------------------------------------------------------

# SMART on FHIR's authorisation server (django-oauth-toolkit; healthbank/fhir). The models
# are the toolkit's own (named here for migrations' swappable dependency): an app's listing
# and a person's grant sit beside them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# --- SMART on FHIR apps (issue 25) ----------------------------------------------------------
# The OAuth 2 endpoints are under /fhir/oauth/, the discovery documents under
# /fhir/r4/.well-known/ (fhir/oauth_urls.py): the issuer is the FHIR base, /fhir/r4, derived
# from the request unless OIDC_ISSUER names it (behind a proxy that rewrites the host).
# Access tokens last an hour; a refresh token is used once (a replayed one revokes the whole
# grant: fhir/authserver.py) and never outlives the grant, which the person chose to last
# at most a year (fhir/rules.py).
OIDC_RSA_PRIVATE_KEY_FILE = os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE", "")
OIDC_KEY_DIR = Path(os.environ.get("OIDC_KEY_DIR", VAR_DIR / "oidc"))


def _oidc_private_key() -> str:
    if OIDC_RSA_PRIVATE_KEY_FILE:
        return Path(OIDC_RSA_PRIVATE_KEY_FILE).read_text()
    if os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return os.environ["OIDC_RSA_PRIVATE_KEY"]
    from healthbank.fhir.keys import embedded_key

    return embedded_key(OIDC_KEY_DIR)


# Keys replaced by `healthbank rotate_oidc_key` stay published at the JWKS this long: past an
# id_token's hour and the JWKS's cache time (fhir/keys.py).
OIDC_RETIRED_KEY_SECONDS = envint("OIDC_RETIRED_KEY_SECONDS", 24 * 3600)


def _oidc_retired_keys() -> list[str]:
    files = [name for name in os.environ.get("OIDC_RSA_RETIRED_KEY_FILES", "").split(",") if name]
    if OIDC_RSA_PRIVATE_KEY_FILE or os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return [Path(name).read_text() for name in files]
    from healthbank.fhir.keys import retired_keys

    return retired_keys(OIDC_KEY_DIR, OIDC_RETIRED_KEY_SECONDS)


OAUTH2_PROVIDER: dict[str, Any] = {
    "OAUTH2_VALIDATOR_CLASS": "healthbank.fhir.authserver.SmartValidator",
    "SCOPES_BACKEND_CLASS": "healthbank.fhir.authserver.SmartScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 366 * 24 * 3600,  # the grant's end comes first
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "PKCE_REQUIRED": True,
    "REQUEST_APPROVAL_PROMPT": "force",  # the person consents every time
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],  # RFC 9700 §2.1: no plaintext redirects
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _oidc_retired_keys(),
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", ""),
    # Apps get the person's number; agencies a pairwise `sub` each (agencies/claims.py).
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["public", "pairwise"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    # RFC 9700 (OAuth 2.0 Security Best Current Practice), every gate enforced: no implicit
    # or password grant, no plain PKCE, no token in a query string, `iss` in the
    # authorisation response, tokens kept hashed, https redirect URIs only.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# --- end SMART on FHIR apps ------------------------------------------------------------------

# --- NHI-card identity for other agencies (issue 27) ----------------------------------------
# Agencies are relying parties of the same OpenID Connect provider (healthbank/agencies):
# same issuer, endpoints and JWKS. Their redirect URIs are https; plain http only to this
# machine's loopback address in a demo or the tests (RFC 8252 §7.3), where the demonstration
# relying party (/demo/income-query/) runs in the same server. The keys that signed id_tokens
# before the last `healthbank rotate_oidc_key` stay published at the JWKS for
# OIDC_RETIRED_KEY_SECONDS (longer than an id_token lives, with the JWKS's cache time).
AGENCY_LOOPBACK_REDIRECTS = DEBUG or TESTING
# The sign-in methods that prove who the person is to an agency: the NHI card with the
# registration password, or the citizen digital certificate (the session's login_method).
AGENCY_SIGN_IN_METHODS = ("card", "certificate")
# --- end NHI-card identity for other agencies -------------------------------------------------
