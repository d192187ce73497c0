"""Test settings: the real settings with fast, isolated pieces."""

import os
import tempfile

os.environ.setdefault("DEBUG", "on")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "test-only-field-encryption-key-0123456789")

from entractes.settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="entractes-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="entractes-test-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LANGUAGE_CODE = "fr"
# Lockout is tested on its own (it needs the request at authentication).
AXES_ENABLED = False
# The second factor is tested on its own; other tests log in with force_login.
OTP_REQUIRED = False
# Figures are never kept between tests (one test tests the keeping).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
