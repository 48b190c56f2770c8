"""Django settings for Beheer.

Infrastructure and secrets come from environment variables with safe defaults; a bad value fails
loudly at start-up. Business settings (categories, statuses, SLA calendars) live in the database.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from beheer.core import bind as _bind

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_secret(name: str) -> str | None:
    """A secret from NAME or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or None


DATA_DIR = Path(env_str("BEHEER_DATA_DIR", str(Path.cwd() / "data"))).resolve()
DEBUG = env_bool("BEHEER_DEBUG", False)


# Whatever Beheer creates in the data folder is its own alone, whatever the umask: folders 0700,
# files 0600 (the SQLite database, its -wal and -shm files, which SQLite creates with the database
# file's mode, the secret key, attachments).
def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _create_private_file(path: Path, content: str = "") -> bool:
    """Create `path` with mode 0600 from the start (never briefly readable); False if it exists."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(content)
    return True


def _secret_key() -> str:
    configured = env_secret("BEHEER_SECRET_KEY")
    if configured:
        return configured
    # Embedded default: a random key persisted in the data folder, so sessions survive restarts.
    _private_dir(DATA_DIR)
    key_file = DATA_DIR / "secret_key"
    _create_private_file(key_file, secrets.token_urlsafe(50))
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip() for h in env_str("BEHEER_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env_str("BEHEER_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
try:
    BIND = _bind.current_bind()
    _bind.parse_bind(BIND)
except _bind.BindError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# Links in e-mail and the demo's own checks point here; by default the address `BEHEER_BIND` serves.
SITE_URL = env_str("BEHEER_SITE_URL", "").strip() or _bind.local_url(BIND)


def _database(url: str) -> dict[str, object]:
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:").lstrip("/") if url != "sqlite:" else ""
        name = "/" + path if url.startswith("sqlite:////") else (path or str(DATA_DIR / "beheer.sqlite3"))
        if Path(name).parent.is_dir():
            _create_private_file(Path(name))  # an empty file is a new database to SQLite
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=20000; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                ),
            },
            "TEST": {"NAME": env_str("BEHEER_TEST_SQLITE", "") or None},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite: or postgres://, got {parsed.scheme!r}"
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "beheer",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": env_int("BEHEER_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        # Short OLTP queries: JIT compilation and an exhaustive search over the join order of a dozen
        # small lookup tables (joined by primary key from the main table) each cost 20+ ms per query.
        "OPTIONS": {"options": "-c jit=off -c join_collapse_limit=2 -c from_collapse_limit=2"},
        "TEST": {"NAME": env_str("BEHEER_TEST_DB_NAME", "") or None},
    }


DATABASE_URL = env_str("DATABASE_URL", "sqlite:")
if DATABASE_URL == "sqlite:":
    _private_dir(DATA_DIR)
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "beheer.core",
    "beheer.accounts",
    "beheer.cmdb",
    "beheer.calendars",
    "beheer.servicedesk",
    "beheer.mailintake",
    "beheer.problems",
    "beheer.reports",
    "beheer.notifications",
    "beheer.knowledge",
    "beheer.monitoring",
    "beheer.operations",
    "beheer.rights",
    "beheer.changes",
    "beheer.testing",
    "beheer.security",
    "beheer.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "beheer.core.apps.TasksDatabaseConfig",  # django_tasks_db, with a translated name
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "beheer.accounts.middleware.ActivateUserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "beheer.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "beheer.urls"
WSGI_APPLICATION = "beheer.wsgi.application"

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
                "beheer.core.context_processors.beheer",
                "beheer.monitoring.context_processors.monitoring",
            ],
        },
    },
]
# Django's form templates; the HTML of widgets drawn before is reused (see the module).
FORM_RENDERER = "beheer.core.form_renderer.RememberingRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["beheer.accounts.backends.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after this many failures for one username or one address within the window,
# further attempts are refused until the window has passed.
LOGIN_MAX_FAILURES = env_int("BEHEER_LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("BEHEER_LOGIN_FAILURE_WINDOW", 900)

# Sessions and cookies.
SESSION_COOKIE_AGE = env_int("BEHEER_SESSION_AGE", 60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("BEHEER_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Number of reverse proxies in front of Beheer that append to X-Forwarded-For; used to find the
# client's address for login throttling. 0 means: use the connection's address.
PROXY_COUNT = env_int("BEHEER_PROXY_COUNT", 0)
if env_bool("BEHEER_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _hsts() -> tuple[int, bool, bool]:
    """Strict-Transport-Security: off (0) by default, because a browser that saw it refuses plain HTTP
    to the host for that long. Sent only on HTTPS responses (see BEHEER_BEHIND_TLS_PROXY)."""
    seconds = env_int("BEHEER_HSTS_SECONDS", 0)
    subdomains = env_bool("BEHEER_HSTS_INCLUDE_SUBDOMAINS", False)
    preload = env_bool("BEHEER_HSTS_PRELOAD", False)
    if seconds < 0:
        raise ImproperlyConfigured(f"BEHEER_HSTS_SECONDS must be 0 (off) or more, got {seconds}")
    if seconds == 0 and (subdomains or preload):
        raise ImproperlyConfigured(
            "BEHEER_HSTS_INCLUDE_SUBDOMAINS and BEHEER_HSTS_PRELOAD need BEHEER_HSTS_SECONDS above 0"
        )
    if preload and (not subdomains or seconds < 31536000):
        raise ImproperlyConfigured(
            "BEHEER_HSTS_PRELOAD needs BEHEER_HSTS_INCLUDE_SUBDOMAINS=true and BEHEER_HSTS_SECONDS of at "
            "least 31536000 (one year), as the browsers' preload lists require"
        )
    return seconds, subdomains, preload


SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD = _hsts()

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("BEHEER_TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["beheer.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("BEHEER_STATIC_ROOT", str(DATA_DIR / "static")))
with contextlib.suppress(OSError):  # a read-only installation serves static files through the finders
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("BEHEER_MEDIA_DIR", str(DATA_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # attachments are served only through permission-checked views
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Seconds a process keeps small configuration tables (statuses, matrix, SLA policies) cached.
CONFIG_CACHE_SECONDS = env_int("BEHEER_CONFIG_CACHE_SECONDS", 10)

MAX_ATTACHMENT_BYTES = env_int("BEHEER_MAX_ATTACHMENT_MB", 20) * 1024 * 1024
# Largest incoming e-mail read whole; 0: 50 MB, or two attachments of the largest size plus 10 MB.
MAIL_MAX_MESSAGE_BYTES = env_int("BEHEER_MAIL_MAX_MESSAGE_MB", 0) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}


def env_networks(name: str, old_name: str) -> str:
    """Comma-separated networks (CIDRs or addresses); the name used before is still read."""
    raw = os.environ.get(name) or os.environ.get(old_name) or ""
    for item in raw.replace(",", " ").split():
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: not a network or address: {item!r}") from exc
    return raw


# The outbound address policy (beheer/core/outbound.py), for every connection Beheer makes (checks,
# webhooks, SMTP, IMAP, OAuth token requests): networks it may never reach (besides cloud metadata,
# link-local, multicast and the like, which are always refused), or the only networks it may reach.
OUTBOUND_DENIED_NETWORKS = env_networks("BEHEER_OUTBOUND_DENIED_NETWORKS", "BEHEER_MONITOR_DENIED_NETWORKS")
OUTBOUND_ALLOWED_NETWORKS = env_networks(
    "BEHEER_OUTBOUND_ALLOWED_NETWORKS", "BEHEER_MONITOR_ALLOWED_NETWORKS"
)
# A PEM file of extra CA certificates (an internal CA) that HTTPS and TLS checks trust.
MONITOR_CA_FILE = env_str("BEHEER_MONITOR_CA_FILE", "")

# Notifications: secrets in the database (SMTP password, webhook secrets) are encrypted with this
# Fernet key (comma-separated keys rotate: the first encrypts); empty derives one from SECRET_KEY.
ENCRYPTION_KEY = env_secret("BEHEER_ENCRYPTION_KEY") or ""
# A CA bundle for verifying the SMTP server's certificate (an internal CA); empty: the system's.
SMTP_CA_FILE = env_str("BEHEER_SMTP_CA_FILE", "")

EMAIL_BACKEND = env_str("BEHEER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("BEHEER_FROM_EMAIL", "beheer@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("BEHEER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
