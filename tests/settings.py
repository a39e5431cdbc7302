"""Settings for the test suite: the portal's own, with files kept out of var/ and letters drawn inline."""

import tempfile
from pathlib import Path

from portal.settings import *  # noqa: F403

_FILES = Path(tempfile.mkdtemp(prefix="paten-test-files-"))
PATEN_LETTERS_DIR = _FILES / "letters"
PATEN_MEDIA_DIR = _FILES / "media"
STORAGES = file_storages(letters_dir=PATEN_LETTERS_DIR, documents_dir=PATEN_MEDIA_DIR)  # noqa: F405
# The signing request draws its letter itself once its transaction is over (no worker in unit
# tests); tests/integration/ starts real workers.
PATEN_LETTER_RENDER = "inline"
# Celery tasks queued after a commit run at once in unit tests (integration tests use a worker).
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
