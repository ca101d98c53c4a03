"""One settings module, driven by environment variables (see .env.example).

Every variable is parsed strictly: a malformed value stops the process with a message naming it.
"""

import ipaddress
import os
import secrets
from datetime import date
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_date(name: str, default: date) -> date:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("SAFAR_DEBUG", False)
DATA_DIR = Path(os.environ.get("SAFAR_DATA_DIR") or REPO_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from SAFAR_SECRET_KEY, or one generated once per installation and kept in DATA_DIR."""
    key = os.environ.get("SAFAR_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("SAFAR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SAFAR_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin with Safar's admin site (its name, "access denied" for non-staff).
    "safar.core.admin_site.SafarAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    # The API's docs page from ninja's own template and static files, not a CDN (CSP: self only).
    "ninja",
    "safar.core",
    "safar.crossings",
    "safar.reports",
    "safar.capture",
    "safar.stations",
    "safar.guidance",
    "safar.helpdesk",
    "safar.outreach",
    "safar.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Serves collected static files from STATIC_ROOT, in `make run` and behind gunicorn alike.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safar.core.two_factor.TwoFactorMiddleware",
    "safar.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safar.urls"
WSGI_APPLICATION = "safar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safar.core.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'safar.sqlite3'}"
try:
    _default_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _default_db["CONN_MAX_AGE"] = 0
    # WAL lets readers go on while a writer works; IMMEDIATE avoids lock upgrades mid-transaction.
    _default_db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process (rate limits count across gunicorn workers and machines): Redis
# when SAFAR_REDIS_URL is set, otherwise a table in the database (created after each `migrate`).
REDIS_URL = os.environ.get("SAFAR_REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "safar",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "safar_cache",
            # Beyond MAX_ENTRIES the table is culled, which would forget live counts: room for
            # every address seen in a rate-limit window (expired rows go first anyway).
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# The reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; for the
# documented nginx on the same machine, 127.0.0.1. See safar.core.client_address.
SAFAR_TRUSTED_PROXIES = env_list("SAFAR_TRUSTED_PROXIES", [])
for _proxy in SAFAR_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"SAFAR_TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR range"
        ) from None

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: after 5 failures for one username from one address, that pair waits 15 minutes.
AXES_FAILURE_LIMIT = env_int("SAFAR_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SAFAR_LOGIN_COOLOFF_MINUTES", 15) / 60
# API tokens (`safar api-token`) expire this many days after they are issued.
SAFAR_API_TOKEN_DAYS = env_int("SAFAR_API_TOKEN_DAYS", 90)
if SAFAR_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured(
        f"SAFAR_API_TOKEN_DAYS must be 1 or more, got {SAFAR_API_TOKEN_DAYS}"
    )
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client behind nginx, not nginx's 127.0.0.1 (which would lock a username for everyone).
AXES_CLIENT_IP_CALLABLE = "safar.core.client_address.client_address"
# Failures are counted in the database (django-axes' default handler): one count for all workers.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Two-step sign-in (safar.core.two_factor): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = "Safar"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_SECURE = env_bool("SAFAR_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Behind a TLS-terminating proxy, the header it sets to "https" (nginx: X-Forwarded-Proto); only
# meaningful when the proxy always sets it and nothing else can reach the server.
_proto_header = os.environ.get("SAFAR_FORWARDED_PROTO_HEADER", "").strip()
if _proto_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proto_header.upper().replace("-", "_"), "https")
# Served over HTTPS (secure cookies): browsers are told to use HTTPS only, for a year by default.
SECURE_HSTS_SECONDS = (
    env_int("SAFAR_HSTS_SECONDS", 365 * 24 * 60 * 60) if SESSION_COOKIE_SECURE else 0
)

# Content Security Policy: the pages load scripts, styles and images from this site only, and
# carry no inline scripts or styles (Django's CSP middleware sends the header).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "tg"
LANGUAGES = [
    ("tg", _("Tajik")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
# The project's own catalogue, then the Tajik (and missing Russian) words of Django, its admin and
# the third-party apps, which their packages lack; LOCALE_PATHS win over the packages' catalogues.
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "locale_packages"]
TIME_ZONE = "Asia/Dushanbe"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["safar.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise warns about a missing folder before the first collectstatic; an empty one is fine.
STATIC_ROOT.mkdir(exist_ok=True)
# The project-wide stylesheet lives outside any app's static folder.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# The registry refuses crossings dated before this day (the import of old paper archives may need
# an earlier one). It cannot go below 1900-01-01, which the database itself enforces.
SAFAR_EARLIEST_CROSSING = env_date("SAFAR_EARLIEST_CROSSING", date(1991, 1, 1))
if SAFAR_EARLIEST_CROSSING < date(1900, 1, 1):
    raise ImproperlyConfigured("SAFAR_EARLIEST_CROSSING cannot be before 1900-01-01")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SAFAR_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Logs carry no personal data: record ids and counts only, never names or passport numbers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A 403 is logged as one line, without the PermissionDenied's traceback.
    "filters": {
        "forbidden_without_traceback": {"()": "safar.core.logging.ForbiddenWithoutTraceback"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFAR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["forbidden_without_traceback"]},
    },
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# The MSCs' monthly reports are due by the end of this day of the following month (Dushanbe
# time); the dashboard's reporting completeness counts a later first submission as late.
SAFAR_REPORT_DEADLINE_DAY = int(os.environ.get("SAFAR_REPORT_DEADLINE_DAY", "5"))
if not 1 <= SAFAR_REPORT_DEADLINE_DAY <= 28:
    raise ImproperlyConfigured("SAFAR_REPORT_DEADLINE_DAY must be 1 … 28")
