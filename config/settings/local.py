"""Development and `make demo`: DEBUG on, console email, a throwaway key."""

from __future__ import annotations

from config.env import env_bool, env_str
from config.settings.base import *

DEBUG = env_bool("DEBUG", default=True)
# A fixed development key: never used in production (production.py requires SECRET_KEY).
SECRET_KEY = env_str("SECRET_KEY", "keel-local-development-key-not-for-production-use-0123456789")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
KEEL_DEMO = True
# runserver serves static files from the app folders; no collectstatic in development.
STATIC_ROOT = None
