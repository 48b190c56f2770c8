"""Settings for the test suite: fast hashing, immediate tasks, files in a temporary folder."""

import os
import tempfile

os.environ.setdefault("BEHEER_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
_tmp = tempfile.mkdtemp(prefix="beheer-test-")
os.environ.setdefault("BEHEER_DATA_DIR", _tmp)

from beheer.settings import *  # noqa: E402,F403
from beheer.settings import DATA_DIR, PASSWORD_HASHERS  # noqa: E402

TESTING = True
CONFIG_CACHE_SECONDS = 0  # tests change configuration directly; core/tests/test_config_cache.py tests caching
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = DATA_DIR / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
