"""Test settings: production-like (DEBUG off), plus a sample module that exercises the framework."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ["DEBUG"] = "0"

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, OPENIMIS_MODULES

SAMPLE_MODULE = "tests.sampleapp"
if SAMPLE_MODULE not in OPENIMIS_MODULES:
    OPENIMIS_MODULES = [*OPENIMIS_MODULES, SAMPLE_MODULE]
    INSTALLED_APPS = [*INSTALLED_APPS, SAMPLE_MODULE]

INSTALLED_APPS = [*INSTALLED_APPS, "tests.orderapp"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files as in development: found in the apps by WhiteNoise, no collectstatic (and no
# manifest of hashed names) needed before a test renders an admin page.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
