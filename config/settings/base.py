"""Keel settings shared by every environment; local/test/production override it."""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF

from config.env import BASE_DIR, database_config, env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "keel.common",
    "keel.audit",
    "keel.accounts",
    "keel.patients",
    "keel.intake",
    "keel.consent",
    "keel.coordination",
    "keel.monitoring",
    "keel.alerts",
    "keel.outcomes",
    "keel.treatment",
    "keel.inventory",
    "keel.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "keel.accounts.middleware.IdleTimeoutMiddleware",
    # A partial session (second factor still to give) sees only the MFA pages.
    "keel.accounts.mfa_middleware.MfaRequiredMiddleware",
    "keel.accounts.middleware.ClinicTimeZoneMiddleware",
    "keel.audit.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "keel.common.errors.ApplicationErrorMiddleware",
    "keel.common.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-axes must be last (its docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "keel" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keel.accounts.context_processors.keel",
            ],
        },
    },
]

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # AxesBackend first so that a locked-out user is refused before the check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: idle timeout (ONC 170.315(d)(5)) and an absolute lifetime.
KEEL_SESSION_IDLE_SECONDS = env_int("KEEL_SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_COOKIE_AGE = env_int("KEEL_SESSION_MAX_SECONDS", default=10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it through the hx-headers set in base.html
CSRF_FAILURE_VIEW = "keel.common.views.csrf_failure"

# Login lockout (django-axes): lock the username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("KEEL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env_int("KEEL_LOGIN_COOLOFF_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Two-step sign-in (ONC 170.315(d)(13)); who must use it: keel/accounts/mfa.py.
# TOTP secrets are encrypted with a key derived from SECRET_KEY (keel/accounts/mfa_crypto.py).
KEEL_MFA_ISSUER = env_str("KEEL_MFA_ISSUER", "Keel")
# After a wrong code the next try waits this many seconds, doubling per failure (django-otp).
KEEL_MFA_THROTTLE_FACTOR = env_int("KEEL_MFA_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = KEEL_MFA_THROTTLE_FACTOR

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy without inline scripts or styles: every script and
# stylesheet is a file Keel serves; chart data travels as JSON.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "keel" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background work through Django's tasks interface (django-tasks backport).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "keel@localhost")

# The address patients and staff reach Keel at, for links in emails (reminders, alerts).
KEEL_BASE_URL = env_str("KEEL_BASE_URL", "http://127.0.0.1:8000")
# Days a patient portal invitation link works.
KEEL_PORTAL_INVITATION_DAYS = env_int("KEEL_PORTAL_INVITATION_DAYS", default=7)
# How often the clinic clock task runs (escalations, missed check-ins, reminders), seconds.
KEEL_CLOCK_SECONDS = env_int("KEEL_CLOCK_SECONDS", default=60)

# Personal access tokens for API clients.
KEEL_API_TOKEN_MAX_DAYS = env_int("KEEL_API_TOKEN_MAX_DAYS", default=90)

# Logs never carry patient data (keel/common/log_redaction.py): tracebacks without
# exception messages, request lines without query strings. KEEL_LOG_FILE adds a
# copy in a file (the e2e run greps it for the demo patients' names, MRNs and dates).
_LOG_HANDLERS: dict[str, dict[str, str]] = {
    "console": {"class": "logging.StreamHandler", "formatter": "plain"}
}
KEEL_LOG_FILE = env_str("KEEL_LOG_FILE", "")
if KEEL_LOG_FILE:
    _LOG_HANDLERS["file"] = {
        "class": "logging.FileHandler",
        "filename": KEEL_LOG_FILE,
        "formatter": "plain",
        "encoding": "utf-8",
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "keel.common.log_redaction.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"no_query_strings": {"()": "keel.common.log_redaction.QueryStringFilter"}},
    "handlers": _LOG_HANDLERS,
    "root": {"handlers": list(_LOG_HANDLERS), "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Test data builders (factory_boy, Faker) log the invented names they make at DEBUG;
        # they are not Keel's logs and would trip the e2e log check for demo patient names.
        "factory": {"level": "WARNING"},
        "faker": {"level": "WARNING"},
        # runserver's request lines (make demo): without the query string (the search box).
        "django.server": {
            "handlers": list(_LOG_HANDLERS),
            "filters": ["no_query_strings"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
