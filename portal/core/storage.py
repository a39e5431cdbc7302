"""Stored files (signed letters, uploaded documents) through Django's storage API.

Each kind of file has its own storage alias in settings.STORAGES ("letters", "documents"):
FileSystemStorage under PATEN_LETTERS_DIR / PATEN_MEDIA_DIR by default, or any backend
(django-storages: S3, GCS, ...) named by PATEN_FILE_STORAGE, so every web process and worker on
every machine reads and writes the same files. Names are relative and chosen by the caller; a
name is never reused (a file is written once, under a name containing a random part or its hash).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

log = logging.getLogger(__name__)

LETTERS = "letters"
DOCUMENTS = "documents"


class StoredFileMissing(Exception):
    """The storage has no file by that name, or it cannot be read."""


def file_storage(alias: str) -> Storage:
    return storages[alias]


def file_save(alias: str, name: str, content: bytes) -> str:
    """Store `content` under `name` (or a free name close to it) and return the name used."""
    return str(file_storage(alias).save(name, ContentFile(content)))


def file_save_identical(alias: str, name: str, content: bytes) -> str:
    """Store content-addressed `content` under `name`; a file already there with the same bytes is kept.

    A worker killed after writing such a file leaves it behind; the next attempt finds it instead
    of writing a second copy under another name.
    """
    storage = file_storage(alias)
    try:
        if storage.exists(name) and file_read(alias, name) == content:
            return name
    except (OSError, StoredFileMissing):
        pass
    return file_save(alias, name, content)


def file_read(alias: str, name: str) -> bytes:
    storage = file_storage(alias)
    if not name or name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
        raise StoredFileMissing(name)
    try:
        with storage.open(name, "rb") as handle:
            return bytes(handle.read())
    except (OSError, ValueError) as exc:  # FileNotFoundError, a storage's SuspiciousFileOperation is a ValueError
        raise StoredFileMissing(name) from exc


def file_delete(alias: str, name: str) -> None:
    """Remove a file written by a command that then failed; a file already gone is fine."""
    try:
        file_storage(alias).delete(name)
    except OSError:
        log.exception("could not remove %s from storage %s", name, alias)


def file_names(alias: str, directory: str = "") -> Iterator[str]:
    """Every stored name under `directory`, recursively."""
    storage = file_storage(alias)
    try:
        folders, files = storage.listdir(directory)
    except (OSError, NotImplementedError):
        return
    prefix = f"{directory.rstrip('/')}/" if directory else ""
    for name in sorted(files):
        yield prefix + name
    for folder in sorted(folders):
        yield from file_names(alias, prefix + folder)
