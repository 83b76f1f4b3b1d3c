"""The one settings file: everything that differs between installations comes from ITAKU_* variables."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from itaku.lib.config import ConfigError, env_bool, env_int, env_list, secret_from_env_or_file

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ITAKU_VAR_DIR", "var")).resolve()

DEBUG = env_bool("ITAKU_DEBUG", False)
DEMO = env_bool("ITAKU_DEMO", False)
SECRET_KEY = secret_from_env_or_file("ITAKU_SECRET_KEY", VAR_DIR / "secret_key", 50)
# The vault's master key (issue 4 uses it); generated with the secret key so a fresh installation has both.
VAULT_MASTER_KEY_FILE = Path(os.environ.get("ITAKU_VAULT_MASTER_KEY_FILE", VAR_DIR / "vault_master_key"))
VAULT_MASTER_KEY = secret_from_env_or_file("ITAKU_VAULT_MASTER_KEY", VAULT_MASTER_KEY_FILE, 32)
# Worker processes that check and seal a large import beside the process that writes it (0: none).
VAULT_IMPORT_WORKERS = env_int("ITAKU_VAULT_IMPORT_WORKERS", min(len(os.sched_getaffinity(0)), 4))
if not 0 <= VAULT_IMPORT_WORKERS <= 64:
    raise ConfigError(f"ITAKU_VAULT_IMPORT_WORKERS={VAULT_IMPORT_WORKERS}: expected 0 to 64")
# The largest file an import takes (2 GiB: some 16 million rows of a register, more than any city holds);
# a larger one is refused before any of it is read, and an upload stops being stored past it.
VAULT_IMPORT_MAX_BYTES = env_int("ITAKU_VAULT_IMPORT_MAX_BYTES", 2 * 1024**3)
if VAULT_IMPORT_MAX_BYTES < 1:
    raise ConfigError(f"ITAKU_VAULT_IMPORT_MAX_BYTES={VAULT_IMPORT_MAX_BYTES}: expected a positive number of bytes")

ALLOWED_HOSTS = env_list("ITAKU_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("ITAKU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "itaku.ledger",
    "itaku.provisions",
    "itaku.documents",
    "itaku.accounts",
    "itaku.submissions",
    "itaku.contracts",
    "itaku.people",
    "itaku.training",
    "itaku.rules",
    "itaku.places",
    "itaku.vault",
    "itaku.subcontracting",
    "itaku.takeouts",
    "itaku.inspections",
    "itaku.reporting",
    "itaku.incidents",
    "itaku.violations",
    "itaku.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "itaku.urls"
WSGI_APPLICATION = "itaku.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("ITAKU_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'itaku.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("ITAKU_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ConfigError(f"ITAKU_DATABASE_URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE transactions take the write lock up front: ledger appends serialise instead of
        # failing with "database is locked" when two writers upgrade their read locks at once.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                            "PRAGMA mmap_size=268435456;",  # reads through the page cache of the OS: 256 MB
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "django.db.backends.postgresql"
    else:
        raise ConfigError(f"ITAKU_DATABASE_URL: unsupported engine {config['ENGINE']}; use sqlite or postgres")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["itaku.accounts.backends.ItakuBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("ITAKU_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ITAKU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "files"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Strict CSP: everything from this installation, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("ITAKU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Behind a reverse proxy the client address comes from this header only (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
TRUSTED_CLIENT_ADDRESS_HEADER = os.environ.get("ITAKU_CLIENT_ADDRESS_HEADER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ITAKU_LOG_LEVEL", "INFO")},
}
